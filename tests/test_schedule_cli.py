"""The scheduled-run flags: --all-subscriptions, --cloud, --store, --fail-on-new, --log-format, history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import auditor.cli as cli
from auditor.cli import main
from auditor.model import Inventory
from tests.schedule_support import DAY1, DAY2, SUBSCRIPTION, audit, load
from tests.support.paths import REPO

SUBSCRIPTION_LIST = REPO / "tests" / "cassettes" / "subscriptions" / "list.yaml"


def _err_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.fixture
def tenant_cassette(tmp_path: Path) -> Path:
    """GET /subscriptions (two pages: one Enabled, one Disabled) followed by night 2 of the demo."""
    listing = yaml.safe_load(SUBSCRIPTION_LIST.read_text(encoding="utf-8"))["interactions"]
    night = yaml.safe_load((DAY2 / "arm.yaml").read_text(encoding="utf-8"))
    night["interactions"] = listing + night["interactions"]
    directory = tmp_path / "tenant"
    directory.mkdir()
    (directory / "arm.yaml").write_text(yaml.safe_dump(night), encoding="utf-8")
    shutil.copy(DAY2 / "manifest.json", directory / "manifest.json")
    return directory


def test_all_subscriptions_lists_through_the_sdk_and_a_disabled_one_is_a_gap(
    tenant_cassette: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "result.json"
    code = main(
        [
            "audit",
            "--all-subscriptions",
            "--replay",
            str(tenant_cassette),
            "--save",
            str(saved),
            "--format",
            "json",
            "--fail-on",
            "never",
            "-v",
        ]
    )
    assert code == 3  # one subscription could not be audited: the run cannot vouch for the tenant
    result = load(saved)
    scans = {scan["id"]: scan for scan in result["subscriptions"]}
    assert scans[SUBSCRIPTION]["status"] == "ok"
    assert scans["00000000-0000-0000-0000-000000000001"]["status"] == "error"
    assert "Disabled" in scans["00000000-0000-0000-0000-000000000001"]["error"]
    assert len(result["resources"]) == 35  # the enabled subscription was audited in full
    assert any("ARM calls:" in line for line in _err_lines(capsys))


def test_subscription_and_all_subscriptions_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "--all-subscriptions", "--subscription", SUBSCRIPTION, "--replay", str(DAY1)])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["audit", "--replay", str(DAY1)])  # neither: a scope is required


@pytest.mark.parametrize(
    ("cloud", "endpoint", "authority"),
    [
        ("AzureCloud", "https://management.azure.com", "login.microsoftonline.com"),
        ("AzureUSGovernment", "https://management.usgovcloudapi.net", "login.microsoftonline.us"),
        ("AzureChinaCloud", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
    ],
)
def test_cloud_picks_endpoint_and_authority_and_is_recorded(
    cloud: str, endpoint: str, authority: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    def credential(authority: str) -> object:
        seen["authority"] = authority
        return object()

    def collect(subscriptions: Any, credential: Any, **kwargs: Any) -> Inventory:
        seen["base_url"] = kwargs["base_url"]
        return Inventory(subscriptions=(), apps=(), gaps=())

    monkeypatch.setattr(cli, "_live_credential", credential)
    monkeypatch.setattr("auditor.collect.inventory.collect_inventory", collect)
    saved = tmp_path / "r.json"
    assert main(["audit", "--subscription", SUBSCRIPTION, "--cloud", cloud, "--save", str(saved)]) == 0
    assert seen == {"authority": authority, "base_url": endpoint}
    assert load(saved)["cloud"] == cloud


def test_fail_on_new_exits_1_only_for_new_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "history.sqlite")
    # First night: every finding is new.
    assert audit(DAY1, "--store", store, "--fail-on-new", "high") == 1
    # Same night again: nothing new, though high findings are still open.
    assert audit(DAY1, "--store", store, "--fail-on-new", "high") == 0
    # Night 2: func-orders became public, a new high finding.
    assert audit(DAY2, "--store", store, "--fail-on-new", "high") == 1
    # Night 2 again: it is no longer new.
    assert audit(DAY2, "--store", store, "--fail-on-new", "high") == 0
    assert any("0 new failing finding(s) at or above high since run 3" in line for line in _err_lines(capsys))


def test_fail_on_new_ignores_new_findings_below_the_threshold_and_waived_ones(tmp_path: Path) -> None:
    store = str(tmp_path / "history.sqlite")
    assert audit(DAY1, "--store", store, "--fail-on", "never") == 0
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - rule: risk/public-unrestricted\n    resource: '*/sites/func-orders'\n"
        "    reason: Cut-over weekend\n    owner: orders@contoso.example\n    expires: 2999-01-01\n",
        encoding="utf-8",
    )
    assert audit(DAY2, "--store", store, "--fail-on-new", "high", "--waivers", str(waivers)) == 0


def test_fail_on_new_needs_a_store(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDITOR_STORE", raising=False)
    assert audit(DAY1, "--fail-on-new", "high") == 2
    assert "--fail-on-new needs a run history" in _err_lines(capsys)[-1]


def test_the_environment_variable_turns_recording_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITOR_STORE", str(tmp_path / "env.sqlite"))
    audit(DAY1, "--fail-on", "never")
    capsys.readouterr()
    assert main(["history", "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert len(runs) == 1 and runs[0]["source"] == f"replay:{DAY1}"
    assert runs[0]["scope"] == f"AzureCloud:{SUBSCRIPTION}"


def test_history_lists_runs_newest_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "history.sqlite")
    assert main(["history", "--store", store]) == 2  # nothing recorded there yet
    audit(DAY1, "--store", store, "--fail-on", "never")
    audit(DAY2, "--store", store, "--fail-on", "never")
    capsys.readouterr()
    assert main(["history", "--store", store]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["run", "started", "scope"]
    assert lines[2].split()[0] == "2" and lines[3].split()[0] == "1"
    assert "replay:" in lines[2] and "demo-day2" in lines[2]


def test_log_format_json_gives_one_json_object_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "history.sqlite")
    capsys.readouterr()
    audit(DAY1, "--store", store, "--log-format", "json", "--fail-on", "never")
    records = [json.loads(line) for line in _err_lines(capsys)]
    events = [record["event"] for record in records]
    assert events == ["audit.summary", "store.recorded"]  # no progress lines off a terminal
    assert records[0]["resources"] == 35 and records[1]["run_id"] == 1
    assert audit(DAY1, "--policy", str(tmp_path / "missing.yaml"), "--log-format", "json") == 2
    (error,) = [json.loads(line) for line in _err_lines(capsys)]
    assert error["level"] == "error" and "missing.yaml" in error["message"]


def test_a_corrupt_store_fails_before_the_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "history.sqlite"
    store.write_text("garbage " * 200, encoding="utf-8")
    saved = tmp_path / "r.json"
    assert audit(DAY1, "--store", str(store), "--save", str(saved)) == 2
    assert "not a usable auditor run history" in _err_lines(capsys)[-1]
    assert not saved.exists()
