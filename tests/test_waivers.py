"""Waivers: marked in the result and every report, out of the exit code, expired and stale reported."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest

from auditor.evaluate import exit_code, rule_catalogue
from auditor.report import render
from auditor.report.sarif import build as build_sarif
from auditor.result_types import Finding
from auditor.waivers import Waiver, WaiverError, apply_waivers, load_waivers
from tests.schedule_support import DAY1, EXAMPLES, audit, load

KNOWN = [rule["id"] for rule in rule_catalogue()]
LEGACY = (
    "/subscriptions/0/resourceGroups/rg-contoso-dedicated/providers/Microsoft.Web/sites/func-legacy-tools"
)


def _finding(rule: str, resource: str, severity: str = "high") -> Finding:
    # Only the fields waivers read: the rest of a finding does not matter here.
    return cast(
        Finding,
        {
            "rule_id": rule,
            "resource_id": resource,
            "severity": severity,
            "status": "fail",
            "fingerprint": rule,
        },
    )


def _waiver(rule: str, resource: str, expires: date) -> Waiver:
    return Waiver(rule, resource, "agreed", "team@contoso.example", expires, line=3)


def test_active_expired_and_stale_waivers() -> None:
    findings = [_finding("risk/ftp-allowed", LEGACY), _finding("risk/cors-wildcard", LEGACY + "/slots/DEV")]
    today = date(2026, 10, 21)
    section = apply_waivers(
        findings,
        [
            _waiver("risk/ftp-allowed", "*/sites/FUNC-LEGACY-TOOLS", date(2026, 10, 21)),  # last day: applies
            _waiver("risk/cors-wildcard", "*/sites/func-legacy-tools/slots/*", date(2026, 10, 20)),
            _waiver("risk/tls-below-1.2", "*", date(2027, 1, 1)),
        ],
        today,
    )
    assert findings[0]["waived"] == {
        "reason": "agreed",
        "owner": "team@contoso.example",
        "expires": "2026-10-21",
    }
    assert "waived" not in findings[1] and findings[1]["waiver_expired"]["expires"] == "2026-10-20"
    assert [(entry["status"], entry["matches"]) for entry in section] == [
        ("active", 1),
        ("expired", 1),
        ("stale", 0),
    ]
    result = {"findings": findings, "subscriptions": [], "gaps": []}
    assert exit_code(result, "high") == 1  # the expired waiver no longer shields its finding
    findings[1]["waived"] = findings[0]["waived"]
    assert exit_code(result, "high") == 0


def _entry(
    rule: str = "risk/ftp-allowed", resource: str = "x", reason: str = "r", expires: str = "2027-01-01"
) -> str:
    lines = [f"  - rule: {rule}", f"    resource: {resource}"]
    if reason:
        lines.append(f"    reason: {reason}")
    return "\n".join([*lines, "    owner: o", f"    expires: {expires}"]) + "\n"


def test_waivers_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    cases = [
        (
            "waivers:\n" + _entry(rule="risk/ftp-alowed"),
            2,
            "unknown rule id 'risk/ftp-alowed'",
        ),
        (
            "waivers:\n" + _entry(expires="31.12.2027"),
            6,
            "YYYY-MM-DD",
        ),
        (
            "waivers:\n" + _entry(reason=""),
            2,
            "missing required key 'reason'",
        ),
        (
            "waivers:\n" + _entry(resource="''"),
            3,
            "must not be empty",
        ),
    ]
    for text, line, message in cases:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(WaiverError) as error:
            load_waivers(path, KNOWN)
        assert f"{path}:{line}:" in str(error.value) and message in str(error.value)


def test_the_example_waivers_are_valid() -> None:
    waivers = load_waivers(EXAMPLES / "waivers.yaml", KNOWN)
    assert len(waivers) == 4


@pytest.fixture(scope="module")
def waived_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("waived")
    waivers = work / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - rule: risk/ftp-allowed\n    resource: '*/sites/func-legacy-tools*'\n"
        "    reason: Vendor tool uploads over FTP\n    owner: legacy@contoso.example\n"
        "    expires: 2999-12-31\n"
        "  - rule: risk/remote-debugging-enabled\n    resource: '*/sites/func-billing/slots/staging'\n"
        "    reason: Incident 4711\n    owner: finance@contoso.example\n    expires: 2001-01-31\n"
        "  - rule: risk/cors-wildcard\n    resource: '*/sites/func-gone'\n"
        "    reason: Status page\n    owner: web@contoso.example\n    expires: 2999-12-31\n",
        encoding="utf-8",
    )
    saved = work / "result.json"
    assert audit(DAY1, "--waivers", str(waivers), "--save", str(saved), "--fail-on", "never") == 0
    return load(saved)


def test_waived_findings_stay_in_the_result_and_out_of_the_counts(waived_result: dict[str, Any]) -> None:
    waived = [f for f in waived_result["findings"] if f.get("waived")]
    assert {(f["rule_id"], f["resource_name"]) for f in waived} == {
        ("risk/ftp-allowed", "func-legacy-tools"),
        ("risk/ftp-allowed", "func-legacy-tools/dev"),
    }
    assert waived_result["summary"]["waived"] == 2
    failing_medium = sum(
        1
        for f in waived_result["findings"]
        if f["status"] == "fail" and f["severity"] == "medium" and not f.get("waived")
    )
    assert waived_result["summary"]["by_severity"]["medium"] == failing_medium
    expired = [f for f in waived_result["findings"] if f.get("waiver_expired")]
    assert [f["resource_name"] for f in expired] == ["func-billing/staging"]
    assert [(w["status"], w["matches"]) for w in waived_result["waivers"]] == [
        ("active", 2),
        ("expired", 1),
        ("stale", 0),
    ]


def test_every_report_marks_waived_findings(waived_result: dict[str, Any]) -> None:
    table = render(waived_result, "table")
    assert "fail (waived)" in table and "waived until 2999-12-31 (legacy@contoso.example)" in table
    assert "waiver expired on 2001-01-31" in table and "stale" in table
    markdown = render(waived_result, "markdown")
    assert "### Waivers" in markdown and "2 finding(s) are waived" in markdown
    rows = list(csv.DictReader(io.StringIO(render(waived_result, "csv"))))
    marked = [row for row in rows if row["waiver"].startswith("waived until")]
    assert len(marked) == 2 and all(row["rule_id"] == "risk/ftp-allowed" for row in marked)
    sarif = build_sarif(waived_result)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == 2
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"
    assert suppressed[0]["suppressions"][0]["justification"] == "Vendor tool uploads over FTP"
    html = render(waived_result, "html")
    assert "waived findings (listed, not counted)" in html
    assert json.dumps("Vendor tool uploads over FTP")[1:-1] in html


def test_the_waived_sarif_is_still_valid_sarif(waived_result: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        (Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(build_sarif(waived_result), schema)


def test_waived_findings_do_not_fail_the_run(tmp_path: Path) -> None:
    # Waive every high finding of the demo: the run that failed on high now passes.
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        + "".join(
            _entry(rule=rule["id"], resource="'*'", expires="2999-01-01")
            for rule in rule_catalogue()
            if rule["severity"] == "high"
        ),
        encoding="utf-8",
    )
    assert audit(DAY1, "--fail-on", "high") == 1
    assert audit(DAY1, "--fail-on", "high", "--waivers", str(waivers)) == 0
