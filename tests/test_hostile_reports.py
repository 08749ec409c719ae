"""Every text format of an audit of the hostile cassette neutralizes Azure-supplied payloads."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli import main

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "cassettes" / "hostile"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def _audit(fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["audit", "--subscription", SUBSCRIPTION, "--replay", str(HOSTILE), "--format", fmt])
    assert code == 1
    return capsys.readouterr().out


def test_table_escapes_terminal_control_sequences(capsys: pytest.CaptureFixture[str]) -> None:
    out = _audit("table", capsys)
    assert "\x1b" not in out
    assert "\\x1b[2J" in out


def test_csv_cells_cannot_start_a_formula(capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.reader(io.StringIO(_audit("csv", capsys))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells) or any("<script>" in cell for cell in cells)
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]


def test_markdown_holds_no_raw_markup(capsys: pytest.CaptureFixture[str]) -> None:
    out = _audit("markdown", capsys)
    assert "<script" not in out and "<img" not in out and "\x1b" not in out


def test_sarif_stays_schema_valid(capsys: pytest.CaptureFixture[str]) -> None:
    sarif: dict[str, Any] = json.loads(_audit("sarif", capsys))
    schema = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    messages = [result["message"]["text"] for result in sarif["runs"][0]["results"]]
    assert any('"><img src=x' in message for message in messages)


def test_html_escapes_every_payload(capsys: pytest.CaptureFixture[str]) -> None:
    out = _audit("html", capsys)
    assert "<script>window.__pwned" not in out
    assert "<img src=x" not in out
