"""The command line as a user and a scheduled job meet it: exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from tests.support.paths import REPO

DEMO = REPO / "cassettes" / "demo"
DEMO_GAP = REPO / "cassettes" / "demo-gap"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def _stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_malformed_subscription_id_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "--subscription", "not-a-guid", "--replay", str(DEMO)])
    assert exit_info.value.code == 2
    lines = _stderr_lines(capsys)
    assert len(lines) == 1
    assert "malformed subscription id 'not-a-guid'" in lines[0]


def test_missing_credentials_name_what_to_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Developer credentials only (no managed identity probe, so no network), and
    # neither `az`, `azd` nor PowerShell on PATH: DefaultAzureCredential finds nothing.
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "dev")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    saved = tmp_path / "result.json"
    code = main(["audit", "--subscription", SUBSCRIPTION, "--save", str(saved)])
    assert code == 3
    lines = _stderr_lines(capsys)
    assert len(lines) == 1
    assert "AZURE_CLIENT_ID" in lines[0] and "az login" in lines[0]
    assert not saved.exists()


def test_missing_cassette_directory_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["audit", "--subscription", SUBSCRIPTION, "--replay", str(tmp_path / "nowhere")])
    assert code == 2
    lines = _stderr_lines(capsys)
    assert len(lines) == 1 and "nowhere" in lines[0]


def test_corrupt_cassette_is_a_usage_error_and_leaves_previous_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cassette = tmp_path / "broken"
    cassette.mkdir()
    (cassette / "arm.yaml").write_text("interactions: [\n  - {request: ", encoding="utf-8")
    saved = tmp_path / "result.json"
    saved.write_text("previous", encoding="utf-8")
    code = main(["audit", "--subscription", SUBSCRIPTION, "--replay", str(cassette), "--save", str(saved)])
    assert code == 2
    assert len(_stderr_lines(capsys)) == 1
    assert saved.read_text(encoding="utf-8") == "previous"
    assert list(tmp_path.glob(".result.json.*")) == []


def test_request_missing_from_cassette_fails_loudly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The demo cassette holds one subscription; asking for another has no recording.
    other = "00000000-0000-0000-0000-0000000000ff"
    code = main(["audit", "--subscription", other, "--replay", str(DEMO)])
    assert code == 2
    lines = _stderr_lines(capsys)
    assert len(lines) == 1
    assert "incomplete" in lines[0] and other in lines[0]


def test_demo_audit_exit_codes_follow_fail_on(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    saved = tmp_path / "demo.json"
    assert main(["audit", "--subscription", SUBSCRIPTION, "--replay", str(DEMO), "--save", str(saved)]) == 1
    capsys.readouterr()
    assert main(["audit", "--subscription", SUBSCRIPTION, "--replay", str(DEMO), "--fail-on", "never"]) == 0
    result = json.loads(saved.read_text(encoding="utf-8"))
    assert result["schema_version"] == 1
    assert result["gaps"] == []
    assert {scan["status"] for scan in result["subscriptions"]} == {"ok"}


def test_audit_with_gaps_cannot_vouch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    saved = tmp_path / "gap.json"
    code = main(
        [
            "audit",
            "--subscription",
            SUBSCRIPTION,
            "--replay",
            str(DEMO_GAP),
            "--fail-on",
            "never",
            "--save",
            str(saved),
        ]
    )
    assert code == 3
    result = json.loads(saved.read_text(encoding="utf-8"))
    assert result["gaps"], "the 403 on config/web must be recorded as a gap"
    assert any(finding["status"] == "unknown" for finding in result["findings"])
    summary = capsys.readouterr().err
    assert "gaps" in summary


def test_verbose_prints_arm_call_count(capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", "--subscription", SUBSCRIPTION, "--replay", str(DEMO), "--format", "json", "-v"])
    captured = capsys.readouterr()
    json.loads(captured.out)  # stdout holds only the report
    assert "ARM calls:" in captured.err


def test_report_rerenders_a_saved_result(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    saved = tmp_path / "demo.json"
    main(["audit", "--subscription", SUBSCRIPTION, "--replay", str(DEMO), "--save", str(saved)])
    table_from_audit = capsys.readouterr().out
    assert main(["report", str(saved), "--format", "table"]) == 0
    assert capsys.readouterr().out == table_from_audit
    assert main(["report", str(saved), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(saved.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not an auditor result"),
        ('{"schema_version": 1}', "missing"),
        (
            '{"schema_version": 9, "edition": "x", "subscriptions": [], "resources": [], '
            '"findings": [], "gaps": [], "summary": {}}',
            "schema_version 9",
        ),
    ],
)
def test_corrupt_result_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "result.json"
    path.write_text(content, encoding="utf-8")
    assert main(["report", str(path)]) == 2
    lines = _stderr_lines(capsys)
    assert len(lines) == 1 and expected in lines[0]


def test_missing_result_file_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["report", str(tmp_path / "absent.json")]) == 2
    assert "cannot read result file" in _stderr_lines(capsys)[0]


def test_rules_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)["rules"]
    ids = {rule["id"] for rule in rules}
    assert {"risk/public-unrestricted", "drift/ase-retired", "risk/scm-unrestricted"} <= ids
    assert all(rule["remediation"] and rule["severity"] for rule in rules)
    assert main(["rules"]) == 0
    assert "risk/public-unrestricted" in capsys.readouterr().out


@pytest.mark.parametrize("edition", ["2019-04", "2026-09"])
def test_matrix_prints_each_edition_with_sources(capsys: pytest.CaptureFixture[str], edition: str) -> None:
    assert main(["matrix", "--edition", edition, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["edition"] == edition
    assert printed["cells"]
    assert main(["matrix", "--edition", edition]) == 0
    assert capsys.readouterr().out.strip()


def test_matrix_says_what_an_undocumented_cell_means_for_drift(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "--edition", "2019-04"]) == 0
    table = capsys.readouterr().out
    assert "drift rules judged against such a cell report unknown, never a guess" in table
    assert "no column for flex_consumption, container_apps" in table
    assert main(["matrix", "--edition", "2019-04", "--format", "json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("report unknown" in note for note in notes)
    assert main(["matrix", "--edition", "2026-09", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["notes"]) == 1  # every hosting model has a column
