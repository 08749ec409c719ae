"""auditor diff: new / resolved / still-open by fingerprint, configuration changes field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.diff import diff_results, new_failing, render_text
from tests.schedule_support import DAY1, DAY2, audit, load


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    work = tmp_path_factory.mktemp("nights")
    store = work / "history.sqlite"
    for cassette, name in ((DAY1, "day1.json"), (DAY2, "day2.json")):
        assert audit(cassette, "--store", str(store), "--save", str(work / name), "--fail-on", "never") == 0
    return work / "day1.json", work / "day2.json", store


def _keys(entries: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(entry["rule_id"], entry["resource_name"]) for entry in entries}


def test_findings_new_resolved_and_still_open(nights: tuple[Path, Path, Path]) -> None:
    day1, day2 = load(nights[0]), load(nights[1])
    diff = diff_results(day1, day2, before_label="a", after_label="b")
    assert _keys(diff["new"]) == {
        ("risk/public-unrestricted", "func-orders"),
        ("risk/private-endpoint-bypassed", "func-orders"),
        ("risk/outbound-uncontrolled", "func-crm-sync"),
        ("risk/service-endpoint-outbound-open", "func-crm-sync"),
        ("risk/hybrid-connection-endpoint", "func-reporting"),
    }
    assert _keys(diff["resolved"]) == {
        ("risk/tls-below-1.2", "func-docs"),
        ("risk/hybrid-connection-endpoint", "func-reporting"),  # its evidence changed: a new endpoint
    }
    listed = [f for f in day2["findings"] if f["status"] in ("fail", "unknown")]
    assert len(diff["still_open"]) == len(listed) - len(diff["new"])
    assert [entry["rule_id"] for entry in new_failing(diff, "high")] == ["risk/public-unrestricted"]
    assert diff_results(day2, day2, before_label="a", after_label="b")["summary"]["new"] == 0


def _fields(diff: dict[str, Any]) -> dict[str, dict[str, tuple[Any, Any]]]:
    return {
        change["resource_name"]: {
            field["field"]: (field["before"], field["after"]) for field in change["fields"]
        }
        for change in diff["changes"]
    }


def test_configuration_changes_from_result_files(nights: tuple[Path, Path, Path]) -> None:
    diff = diff_results(load(nights[0]), load(nights[1]), before_label="a", after_label="b")
    fields = _fields(diff)
    assert set(fields) == {"func-orders", "func-crm-sync", "func-reporting", "func-search-linux"}
    assert fields["func-orders"]["public_network_access"] == ("Disabled", "Enabled")
    assert fields["func-orders"]["inbound.main"] == ("private", "public")
    assert fields["func-crm-sync"]["vnet_integration.kind"] == ("regional", "none")
    assert fields["func-crm-sync"]["outbound"] == ("controlled", "uncontrolled")
    added = fields["func-reporting"]["hybrid_connections[ldap.corp.contoso.com:636]"]
    assert added[0] is None and added[1]["port"] == 636
    rule = fields["func-search-linux"]["access_rules.main[vendor-support@150]"]
    assert rule[0] is None and rule[1]["ip_address"] == "192.0.2.0/28"
    # Only the added rule: the rules after it moved a position, which is not a change.
    assert list(fields["func-search-linux"]) == ["access_rules.main[vendor-support@150]"]


def test_store_runs_diff_on_the_inventory_too(
    nights: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "--store", str(nights[2]), "--format", "json"]) == 0
    import json

    diff = json.loads(capsys.readouterr().out)
    assert (diff["from"]["label"], diff["to"]["label"]) == ("run 1", "run 2")
    fields = _fields(diff)
    # The minimum TLS is not in the result's resources, but it is in the inventory snapshot.
    assert fields["func-docs"]["config.min_tls_version"] == ("1.0", "1.2")
    assert (
        fields["func-search-linux"]["config.ip_security_restrictions[vendor-support@150]"][1]["priority"]
        == 150
    )
    assert fields["func-crm-sync"]["virtual_network_subnet_id"][1] is None
    assert fields["func-orders"]["public_network_access"] == ("Disabled", "Enabled")


def test_text_diff_reads_as_a_change_list(nights: tuple[Path, Path, Path]) -> None:
    text = render_text(
        diff_results(load(nights[0]), load(nights[1]), before_label="night 1", after_label="night 2")
    )
    assert "5 new (5 failing, 0 unknown, 0 waived), 2 resolved" in text
    assert "public_network_access: Disabled -> Enabled" in text
    assert "hybrid_connections[ldap.corp.contoso.com:636]: added" in text
    assert "vnet_integration.kind: regional -> none" in text


def test_diff_of_two_files_needs_no_store(
    nights: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUDITOR_STORE", str(tmp_path / "absent.sqlite"))
    assert main(["diff", str(nights[0]), str(nights[1])]) == 0
    assert "risk/public-unrestricted" in capsys.readouterr().out
    assert not (tmp_path / "absent.sqlite").exists()


def test_diff_errors_are_one_line_exit_2(
    nights: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "--store", str(nights[2]), "1"]) == 2  # run 1 is the first of its scope
    assert main(["diff", "--store", str(nights[2]), "7", "1"]) == 2
    assert main(["diff", "--store", str(tmp_path / "none.sqlite")]) == 2
    assert main(["diff", str(nights[0]), str(tmp_path / "missing.json")]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 4 and all(line.startswith("auditor: error: ") for line in lines)
    assert "first run of its scope" in lines[0] and "no run 7" in lines[1] and "no run history" in lines[2]
