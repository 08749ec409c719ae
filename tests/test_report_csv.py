"""CSV as a spreadsheet or SIEM reads it: one row per finding, no cell a spreadsheet would run."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.report import csv_report
from auditor.result_file import load_result

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sample_result.json"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "html_result_hostile.json"
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2, "info": 3}


@pytest.fixture
def result() -> dict[str, Any]:
    return load_result(SAMPLE)


def _parse(text: str) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row, strict=True)) for row in body]


def test_one_row_per_finding_with_the_documented_columns(result: dict[str, Any]) -> None:
    header, rows = _parse(csv_report.render(result))
    assert tuple(header) == csv_report.COLUMNS
    assert header[:5] == ["severity", "status", "category", "rule_id", "resource_id"]
    assert len(rows) == len(result["findings"]) > 0
    assert sorted(row["fingerprint"] for row in rows) == sorted(f["fingerprint"] for f in result["findings"])
    assert {row["status"] for row in rows} == {"fail", "unknown"}


def test_no_cell_starts_a_formula(result: dict[str, Any]) -> None:
    _, rows = _parse(csv_report.render(result))
    for row in rows:
        for column, cell in row.items():
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\0")), (column, cell)


def test_hostile_cells_are_neutralized_not_dropped() -> None:
    hostile_result = load_result(HOSTILE)
    # The hostile cassette names two apps so that a spreadsheet would run them: one behind a
    # non-breaking space, one with a full-width equals sign.
    formula_names = {
        resource["name"]
        for resource in hostile_result["resources"]
        if resource["name"].startswith(("\xa0=", "\uff1d"))
    }
    assert len(formula_names) == 2
    _, rows = _parse(csv_report.render(hostile_result))
    hostile = [row for row in rows if row["resource_name"].lstrip("'") in formula_names]
    assert hostile
    assert {row["resource_name"] for row in hostile} == {"'" + name for name in formula_names}
    # The resource id does not start a formula, so it survives byte for byte.
    ids = {resource["name"]: resource["id"] for resource in hostile_result["resources"]}
    assert all(row["resource_id"] == ids[row["resource_name"][1:]] for row in hostile)
    # Text fields are neutralized the same way, whatever finding carries the payload.
    finding = copy.deepcopy(hostile_result["findings"][0])
    finding.update(message="=cmd|' /C calc'!A0", remediation="-Set ftpsState to FtpsOnly.", title="@The app")
    _, (row,) = _parse(csv_report.render({"resources": [], "findings": [finding]}))
    assert row["message"] == "'=cmd|' /C calc'!A0"
    assert row["remediation"] == "'-Set ftpsState to FtpsOnly."
    assert row["title"] == "'@The app"


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "\0", " =", "  @"])
def test_neutralize_prefixes_every_formula_trigger(trigger: str) -> None:
    assert csv_report.neutralize(trigger + "SUM(A1:A9)") == "'" + trigger + "SUM(A1:A9)"


@pytest.mark.parametrize("benign", ["", "func-orders", "a=b", "2026-09", '{"a":"=1"}', "'quoted"])
def test_neutralize_leaves_ordinary_cells_alone(benign: str) -> None:
    assert csv_report.neutralize(benign) == benign


def test_every_cell_is_quoted(result: dict[str, Any]) -> None:
    # Quoted cells keep a separator inside a value from starting a new cell when
    # a spreadsheet guesses another delimiter (";" in many locales).
    text = csv_report.render(result)
    assert text.splitlines()[0] == ",".join(f'"{column}"' for column in csv_report.COLUMNS)
    assert text.splitlines()[1].startswith('"high","fail",')


def test_evidence_and_reference_are_compact_json(result: dict[str, Any]) -> None:
    _, rows = _parse(csv_report.render(result))
    by_fingerprint = {finding["fingerprint"]: finding for finding in result["findings"]}
    for row in rows:
        finding = by_fingerprint[row["fingerprint"]]
        assert json.loads(row["evidence"]) == finding["evidence"]
        assert json.loads(row["reference"]) == finding["reference"]
        compact = json.dumps(finding["evidence"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert row["evidence"] == compact


def test_rows_are_sorted_and_stable(result: dict[str, Any]) -> None:
    text = csv_report.render(result)
    shuffled = copy.deepcopy(result)
    shuffled["findings"].reverse()
    assert csv_report.render(shuffled) == text
    _, rows = _parse(text)
    keys = [(SEVERITY_RANK[row["severity"]], row["status"] != "fail") for row in rows]
    assert keys == sorted(keys)
    first = min(result["findings"], key=lambda f: (SEVERITY_RANK[f["severity"]], f["status"] != "fail"))
    assert (rows[0]["severity"], rows[0]["status"]) == (first["severity"], first["status"])


def test_resource_columns_come_from_the_resource_or_its_id(result: dict[str, Any]) -> None:
    _, rows = _parse(csv_report.render(result))
    slot = next(row for row in rows if "/slots/" in row["resource_id"])
    resource = next(r for r in result["resources"] if r["id"] == slot["resource_id"])
    assert "/" in resource["name"]
    assert slot["resource_name"] == resource["name"]
    assert slot["resource_group"] == resource["resource_group"]
    assert slot["subscription"] == slot["resource_id"].split("/")[2]
    # A finding whose resource is not listed, with optional fields missing.
    orphan = {
        "rule_id": "risk/cors-wildcard",
        "category": "risk",
        "severity": "low",
        "status": "fail",
        "resource_id": "/subscriptions/S1/resourceGroups/RG-Other/providers/Microsoft.Web/sites/func-x",
        "title": "CORS allows any origin",
        "message": "func-x allows *",
    }
    _, rows = _parse(csv_report.render({"resources": [], "findings": [orphan]}))
    assert rows[0]["resource_name"] == "func-x"
    assert rows[0]["resource_group"] == "RG-Other"
    assert rows[0]["subscription"] == "S1"
    assert (
        rows[0]["evidence"] == rows[0]["remediation"] == rows[0]["reference"] == rows[0]["fingerprint"] == ""
    )


def test_no_findings_is_a_header_only_file() -> None:
    header, rows = _parse(csv_report.render({"resources": [], "findings": []}))
    assert tuple(header) == csv_report.COLUMNS
    assert rows == []
