"""Benchmark of evaluation plus the JSON result at scale.

The inventory is the demo subscription's (read once from its cassette through
the real collector), cloned under new names until it holds COUNT resources, so
the mix of hosting models, access rules and network data is the demo's.
``python -m bench.evaluation [COUNT]`` prints the time to evaluate and to
serialize, and the process's peak RSS, with what it was before evaluation (the
imports, the SDKs of the collector among them, and the inventory).
"""

from __future__ import annotations

import dataclasses
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from auditor import __version__
from auditor.collect.cassettes import replaying
from auditor.collect.clients import FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.evaluate import evaluate
from auditor.model import App, Inventory
from auditor.report.json_report import render as render_json
from auditor.rules.reads_needed import READS_NEEDED

REPO = Path(__file__).resolve().parents[1]
DEMO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def demo_inventory() -> Inventory:
    with replaying(REPO / "cassettes" / "demo"):
        return collect_inventory([DEMO_SUBSCRIPTION], FakeCredential(), reads_needed=READS_NEEDED)


def _clone(app: App, copy: int) -> App:
    suffix = f"-{copy:05d}"
    site, _, slot = app.name.partition("/")
    name = f"{site}{suffix}/{slot}" if slot else f"{site}{suffix}"
    resource_id = app.id.replace(f"/sites/{site}", f"/sites/{site}{suffix}", 1)
    return dataclasses.replace(app, id=resource_id, name=name)


def scaled_inventory(base: Inventory, count: int) -> Inventory:
    apps = [_clone(base.apps[index % len(base.apps)], index // len(base.apps)) for index in range(count)]
    return dataclasses.replace(base, apps=tuple(apps))


def peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(count: int) -> dict[str, float]:
    inventory = scaled_inventory(demo_inventory(), count)
    before = peak_rss_mib()
    started = time.perf_counter()
    now = datetime.now(UTC)
    result = evaluate(inventory, started_at=now, finished_at=now, tool_version=__version__)
    evaluated = time.perf_counter()
    text = render_json(result)
    serialized = time.perf_counter()
    return {
        "resources": float(count),
        "findings": float(len(result["findings"])),
        "evaluate_s": evaluated - started,
        "json_s": serialized - evaluated,
        "total_s": serialized - started,
        "json_bytes": float(len(text.encode("utf-8"))),
        "peak_rss_mib": peak_rss_mib(),
        "rss_before_mib": before,
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    count = int(args[0]) if args else 10_000
    figures = measure(count)
    print(
        f"evaluation: {int(figures['resources']):,} resources, {int(figures['findings']):,} findings; "
        f"evaluate {figures['evaluate_s']:.2f} s + JSON {figures['json_s']:.2f} s "
        f"= {figures['total_s']:.2f} s; "
        f"JSON {int(figures['json_bytes']):,} bytes; peak RSS {figures['peak_rss_mib']:.0f} MiB "
        f"({figures['rss_before_mib']:.0f} MiB before evaluation)"
    )


if __name__ == "__main__":
    main()
