"""Benchmark of a whole live audit against the fake ARM, with latency and ARM's throttling.

``python -m bench.collection N [LATENCY]`` starts ``bench.fake_arm`` in a child process
(so this process's peak RSS is the auditor's alone) serving N function apps (slots
included) spread over subscriptions of 1,000 apps, each with ARM's read bucket (250,
25/s) and LATENCY seconds per request (default 0.05). The auditor reaches it through its
normal live path: ``collect_inventory`` with the real SDK clients over TLS, trusting the
server's CA through ``REQUESTS_CA_BUNDLE``; then evaluation and the JSON result.

It prints the wall time, ARM calls per app, the auditor's peak RSS, the 429s received,
and the throttle floor: the time ARM's budget alone requires (per subscription, the reads
beyond the 250-token burst at 25 per second; the busiest subscription sets it).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import requests

from auditor import __version__
from auditor.collect.clients import CallCounter, FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.collect.pacing import ArmPacer
from auditor.evaluate import evaluate
from auditor.report.json_report import render as render_json
from auditor.rules.reads_needed import READS_NEEDED

MAX_CONCURRENCY = 16  # the CLI's default


def start_server(apps: int, latency: float) -> tuple[subprocess.Popen[str], str, str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_arm", str(apps), str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline().split()
    if not line or line[0] != "READY":
        server.kill()
        raise SystemExit(f"the fake ARM did not start: {line}")
    return server, line[1], line[2]


def measure(apps: int, latency: float) -> dict[str, Any]:
    server, base_url, ca_file = start_server(apps, latency)
    try:
        os.environ["REQUESTS_CA_BUNDLE"] = ca_file
        subscriptions = requests.get(f"{base_url}/_tenant", verify=ca_file, timeout=30).json()[
            "subscriptions"
        ]
        counter = CallCounter()
        pacer = ArmPacer()
        started = time.perf_counter()
        now = datetime.now(UTC)
        inventory = collect_inventory(
            subscriptions,
            FakeCredential(),
            reads_needed=READS_NEEDED,
            base_url=base_url,
            counter=counter,
            pacer=pacer,
            max_concurrency=MAX_CONCURRENCY,
        )
        collected = time.perf_counter()
        result = evaluate(inventory, started_at=now, finished_at=now, tool_version=__version__)
        render_json(result)
        finished = time.perf_counter()
        stats = requests.get(f"{base_url}/_stats", verify=ca_file, timeout=30).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    unknown = sum(1 for finding in result["findings"] if finding["status"] == "unknown")
    return {
        "apps": len(inventory.apps),
        "subscriptions": len(subscriptions),
        "wall_s": finished - started,
        "collect_s": collected - started,
        "arm_calls": inventory.arm_calls,
        "calls_per_app": inventory.arm_calls / max(1, len(inventory.apps)),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "throttled": pacer.throttled,
        "server_throttled": stats["throttled"],
        "floor_s": stats["throttle_floor"],
        "gaps": len(inventory.gaps),
        "unknown": unknown,
        "failed_subscriptions": sum(1 for scan in inventory.subscriptions if scan.status != "ok"),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    apps = int(args[0]) if args else 1000
    latency = float(args[1]) if len(args) > 1 else 0.05
    figures = measure(apps, latency)
    floor = figures["floor_s"]
    ratio = f"{figures['wall_s'] / floor:.2f}x floor" if floor > 0 else "no throttling needed"
    failed = figures["gaps"] or figures["failed_subscriptions"]
    print(
        f"collection: {figures['apps']:,} apps in {figures['subscriptions']} subscription(s), "
        f"{latency * 1000:.0f} ms latency, throttled: wall {figures['wall_s']:.1f} s "
        f"(collect {figures['collect_s']:.1f} s), throttle floor {floor:.1f} s ({ratio}); "
        f"{figures['arm_calls']:,} ARM calls = {figures['calls_per_app']:.2f} per app; "
        f"429s received {figures['throttled']}; peak RSS {figures['peak_rss_mib']:.0f} MiB; "
        f"gaps {figures['gaps']}, unknown findings {figures['unknown']}"
        + ("  FAILED AUDIT" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
