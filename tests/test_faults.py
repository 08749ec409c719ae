"""Faults survived: a live audit against the fake ARM (bench/fake_arm.py) while it misbehaves.

Transient faults (429 storms, a 5xx or a reset that passes) leave no trace but the time
they cost. Persistent ones become gaps on exactly the resources they hit, with ``unknown``
outcomes and exit code 3, and the audit still completes; so does a throttle longer than
--max-throttle-wait. An interrupted run stops within seconds, silent network or slow, opens
nothing after the signal, and writes nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor import cli, exit_codes
from auditor.collect.clients import FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.collect.pacing import ArmPacer
from auditor.model import Inventory
from auditor.rules.reads_needed import READS_NEEDED
from bench.fake_arm import FakeArm, Fault, Tenant, generate_tenant
from tests.support.fake_arm_fixtures import PointCli
from tests.support.paths import REPO

# The SDK retries at once: these tests count retries, they need not wait out its backoff.
pytestmark = pytest.mark.usefixtures("fast_retries")


@pytest.fixture
def ca_bundle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Set by each test to its server's CA; monkeypatch restores the environment afterwards.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    yield


def _audit(arm: FakeArm, pacer: ArmPacer | None = None, read_timeout: float = 1.0) -> Inventory:
    os.environ["REQUESTS_CA_BUNDLE"] = arm.ca_file
    return collect_inventory(
        arm.tenant.subscriptions,
        FakeCredential(),
        reads_needed=READS_NEEDED,
        base_url=arm.base_url,
        pacer=pacer,
        read_timeout=read_timeout,
        max_concurrency=8,
    )


def _sites(tenant: Tenant) -> list[dict[str, Any]]:
    return [
        site
        for sub in tenant.subscriptions
        for site in tenant.lists[f"/subscriptions/{sub}/providers/microsoft.web/sites"]
    ]


def _public_sites(tenant: Tenant) -> list[str]:
    """Production sites whose main site is open to all (so their functions are read)."""
    found = []
    for site in _sites(tenant):
        config = tenant.bodies[f"{site['id']}/config/web".lower()]["properties"]
        open_to_all = [rule["ipAddress"] for rule in config["ipSecurityRestrictions"]] == ["Any"]
        if open_to_all and not site["properties"]["publicNetworkAccess"]:
            found.append(site["id"])
    return found


def _path(resource_id: str, rest: str) -> str:
    return f"^{resource_id}/{rest}$"


def test_a_429_storm_is_outwaited_beyond_the_sdks_three_retries(ca_bundle: None) -> None:
    tenant = generate_tenant(12)
    target = _sites(tenant)[0]["id"]
    faults = [
        # Everything is throttled for a while, then one read six times in a row.
        Fault(
            "^/subscriptions/", "status", 429, "SubscriptionRequestsThrottled", times=30, retry_after="0.1"
        ),
        Fault(
            _path(target, "config/web"), "status", 429, "SubscriptionRequestsThrottled", 6, retry_after="0"
        ),
    ]
    pacer = ArmPacer()
    with FakeArm(tenant, faults=faults) as arm:
        inventory = _audit(arm, pacer)
    assert inventory.gaps == ()
    assert len(inventory.apps) == tenant.apps
    assert all(scan.status == "ok" for scan in inventory.subscriptions)
    assert pacer.throttled == 36 == sum(fault.hits for fault in faults)


def test_transient_5xx_resets_and_timeouts_are_retried_without_a_gap(ca_bundle: None) -> None:
    tenant = generate_tenant(12)
    first, second, third = (site["id"] for site in _sites(tenant)[:3])
    sub = tenant.subscriptions[0]
    faults = [
        Fault(
            f"^/subscriptions/{sub}/providers/Microsoft.Web/sites$", "status", 503, "ServiceUnavailable", 1
        ),
        Fault(_path(first, "config/web"), "status", 500, "InternalServerError", 2),
        Fault(_path(second, "config/web"), "reset", times=1),
        Fault(_path(third, "config/web"), "slow", times=1, delay=1.5),
    ]
    with FakeArm(tenant, faults=faults) as arm:
        inventory = _audit(arm, read_timeout=0.75)
    assert [fault.hits for fault in faults] == [1, 2, 1, 1]
    assert inventory.gaps == ()
    assert len(inventory.apps) == tenant.apps


def _fault_tenant() -> tuple[Tenant, list[Fault], dict[str, str]]:
    tenant = generate_tenant(30)
    public = _public_sites(tenant)
    others = [site["id"] for site in _sites(tenant) if site["id"] not in public[:2]]
    assert len(public) >= 2 and len(others) >= 5
    affected = {
        "forbidden config": others[0],
        "deleted mid-run": others[1],
        "reset config": others[2],
        "timed-out config": others[3],
        "truncated config": others[4],
        "failing functions": public[0],
        "looping functions": public[1],
    }
    faults = [
        Fault(_path(affected["forbidden config"], "config/web"), "status", 403, "AuthorizationFailed"),
        Fault(_path(affected["deleted mid-run"], "config/web"), "status", 404, "ResourceNotFound"),
        Fault(_path(affected["reset config"], "config/web"), "reset"),
        Fault(_path(affected["timed-out config"], "config/web"), "slow", delay=2.0),
        Fault(_path(affected["truncated config"], "config/web"), "truncate"),
        Fault(_path(affected["failing functions"], "functions"), "status", 500, "InternalServerError"),
        Fault(_path(affected["looping functions"], "functions"), "loop"),
    ]
    return tenant, faults, affected


def test_persistent_faults_are_gaps_on_exactly_the_affected_apps(
    ca_bundle: None, tmp_path: Path, point_cli_at_fake_arm: PointCli, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant, faults, affected = _fault_tenant()
    previous = tmp_path / "yesterday.json"
    previous.write_text('{"previous": true}\n', encoding="utf-8")
    saved = tmp_path / "today.json"
    with FakeArm(tenant, faults=faults) as arm:
        point_cli_at_fake_arm(arm.base_url, arm.ca_file, read_timeout=0.75)
        code = cli.main(
            ["audit", "--subscription", tenant.subscriptions[0], "--save", str(saved), "--format", "json"]
        )
    result = json.loads(saved.read_text(encoding="utf-8"))
    assert code == exit_codes.EXIT_CANNOT_VOUCH
    assert json.loads(capsys.readouterr().out) == result
    assert previous.read_text(encoding="utf-8") == '{"previous": true}\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["today.json", "yesterday.json"]
    assert len(result["resources"]) == tenant.apps
    gap_ids = {gap["resource_id"].lower() for gap in result["gaps"]}
    assert gap_ids == {resource_id.lower() for resource_id in affected.values()}
    unknown_ids = {
        finding["resource_id"].lower()
        for finding in result["findings"]
        if finding["status"] == "unknown" and "could not be read" in finding["message"]
    }
    assert unknown_ids == gap_ids
    reasons = {gap["resource_id"].lower(): (gap["status"], gap["reason"]) for gap in result["gaps"]}
    assert reasons[affected["forbidden config"].lower()][0] == 403
    assert reasons[affected["deleted mid-run"].lower()][0] == 404
    assert reasons[affected["failing functions"].lower()][0] == 500
    assert "nextLink loops" in reasons[affected["looping functions"].lower()][1]
    assert reasons[affected["reset config"].lower()][0] is None
    assert reasons[affected["timed-out config"].lower()][0] is None
    assert reasons[affected["truncated config"].lower()][0] == 200


def test_a_disabled_subscription_is_an_error_and_the_others_are_audited(ca_bundle: None) -> None:
    tenant = generate_tenant(20, apps_per_subscription=10)
    enabled, disabled = tenant.subscriptions
    faults = [Fault(f"^/subscriptions/{disabled}/", "status", 409, "SubscriptionDisabled")]
    with FakeArm(tenant, faults=faults) as arm:
        inventory = _audit(arm)
    scans = {scan.id: scan for scan in inventory.subscriptions}
    assert scans[enabled].status == "ok"
    assert scans[disabled].status == "error" and "SubscriptionDisabled" in (scans[disabled].error or "")
    assert {app.subscription_id for app in inventory.apps} == {enabled}
    assert len(inventory.apps) == 10
    assert [(gap.subscription_id, gap.status) for gap in inventory.gaps] == [(disabled, 409)]


@pytest.mark.slow  # waits for the fake's read budget to refill, as a real audit would
def test_the_pacer_slows_down_by_the_remaining_reads_header_before_arm_throttles(ca_bundle: None) -> None:
    # A bucket smaller and slower than the documented 250 at 25/s (a busy principal, a trial
    # subscription): only x-ms-ratelimit-remaining-subscription-reads tells the pacer.
    tenant = generate_tenant(40)
    pacer = ArmPacer()
    with FakeArm(tenant, throttle=True, bucket_size=20, refill_per_second=15) as arm:
        started = time.monotonic()
        inventory = _audit(arm, pacer)
        elapsed = time.monotonic() - started
        floor = arm.stats.throttle_floor()
    assert inventory.gaps == () and len(inventory.apps) == tenant.apps
    assert floor > 1.0
    # Requests already in flight when the first low header arrives may still hit an empty bucket.
    assert pacer.throttled <= 8
    assert elapsed < floor * 1.3 + 1.0


def test_a_retry_after_beyond_the_cap_is_a_gap_not_a_days_sleep(
    ca_bundle: None, tmp_path: Path, point_cli_at_fake_arm: PointCli, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = generate_tenant(12)
    target = _sites(tenant)[0]["id"]
    faults = [
        Fault(
            _path(target, "config/web"), "status", 429, "SubscriptionRequestsThrottled", retry_after="100000"
        )
    ]
    saved = tmp_path / "result.json"
    with FakeArm(tenant, faults=faults) as arm:
        point_cli_at_fake_arm(arm.base_url, arm.ca_file)
        started = time.monotonic()
        code = cli.main(
            [
                "audit",
                "--subscription",
                tenant.subscriptions[0],
                "--max-throttle-wait",
                "5",
                "--save",
                str(saved),
            ]
        )
        elapsed = time.monotonic() - started
    capsys.readouterr()
    assert code == exit_codes.EXIT_CANNOT_VOUCH
    assert elapsed < 30
    gaps = json.loads(saved.read_text(encoding="utf-8"))["gaps"]
    throttled = [gap for gap in gaps if (gap["resource_id"] or "").lower() == target.lower()]
    assert throttled and throttled[0]["status"] == 429
    assert "retry after 100000 s, longer than the 5 s this audit waits" in throttled[0]["reason"]


# Requests already on their way when the signal lands may still arrive; nothing may after this.
_IN_FLIGHT_GRACE = 0.5


def _interruptible_audit(arm: FakeArm, tenant: Tenant, saved: Path, report: Path) -> subprocess.Popen[str]:
    """The audit in a subprocess with the auditor's own connect and read timeouts."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.audit_fake",
            "--auditor-timeouts",
            arm.base_url,
            arm.ca_file,
            "audit",
            "--subscription",
            tenant.subscriptions[0],
            "--save",
            str(saved),
            "--output",
            str(report),
            "--format",
            "json",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow  # a real subprocess, stuck on purpose, then signalled
@pytest.mark.parametrize(
    ("network", "signals", "code"),
    [
        ("silent", (signal.SIGTERM,), 143),
        ("silent", (signal.SIGINT,), 130),
        ("slow", (signal.SIGTERM,), 143),
        ("silent", (signal.SIGTERM, signal.SIGINT), 143),  # a second signal while stopping
    ],
)
def test_a_signal_stops_a_stuck_audit_within_seconds_and_opens_nothing_after(
    tmp_path: Path, network: str, signals: tuple[int, ...], code: int
) -> None:
    tenant = generate_tenant(40)
    saved = tmp_path / "result.json"
    saved.write_text('{"previous": true}\n', encoding="utf-8")
    silent = [Fault("/config/web$", "silent")] if network == "silent" else []
    # "slow": every answer takes longer than the whole stop may.
    with FakeArm(tenant, faults=silent, latency=0.0 if silent else 8.0) as arm:
        process = _interruptible_audit(arm, tenant, saved, tmp_path / "report.json")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            # Stuck: every worker waits on an answer that does not come (or comes late).
            waiting = silent[0].hits if silent else arm.report()["requests"]
            if waiting >= 8:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        assert process.poll() is None, "the audit ended before it could be interrupted"
        sent = time.monotonic()
        for signum in signals:
            process.send_signal(signum)
            time.sleep(0.05)
        try:
            _, stderr = process.communicate(timeout=20)
        finally:
            process.kill()
        elapsed = time.monotonic() - sent
        time.sleep(_IN_FLIGHT_GRACE)
        opened_after = arm.opened_since(sent + _IN_FLIGHT_GRACE)
    assert process.returncode == code, stderr
    assert elapsed < 3.0
    assert opened_after == (0, 0)
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == "auditor: interrupted; nothing was written"
    assert saved.read_text(encoding="utf-8") == '{"previous": true}\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["result.json"]
