"""Every text format of an audit of the hostile cassette neutralizes Azure-supplied payloads.

cassettes/hostile/ (tools/build_hostile_cassette.py) carries script, markup, terminal escapes
(C0, the one-byte C1 CSI, an OSC-8 hyperlink), bidi overrides, spreadsheet formulas (also behind a
non-breaking space and in full-width forms), Markdown, @mentions and links, as Azure returns them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli import main
from auditor.report import render
from tests.support.paths import REPO
from tools.build_hostile_cassette import BIDI, C1_CSI, FULL_WIDTH_FORMULAS, NBSP_FORMULA, OSC8_LINK

HOSTILE = REPO / "cassettes" / "hostile"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# What no text for people may carry raw: C0 but tab and newline, DEL, C1, bidi controls, LS/PS.
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same without C0, which JSON escapes by itself.
HIDDEN_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    saved = tmp_path_factory.mktemp("hostile") / "result.json"
    argv = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(HOSTILE), "--format", "json"]
    assert main([*argv, "--output", str(saved.with_suffix(".out")), "--save", str(saved)]) == 1
    result: dict[str, Any] = json.loads(saved.read_text(encoding="utf-8"))
    return result


def _names(result: dict[str, Any]) -> str:
    return " ".join(str(resource["name"]) for resource in result["resources"])


def test_the_cassette_carries_every_payload_into_the_result(hostile_result: dict[str, Any]) -> None:
    names = _names(hostile_result)
    for payload in (
        C1_CSI,
        BIDI,
        OSC8_LINK,
        NBSP_FORMULA,
        FULL_WIDTH_FORMULAS[0],
        "@security-team",
        "\x1b[2J",
    ):
        assert payload in names
    # Access-rule names and descriptions (resources' access_rules, findings' evidence).
    everything = json.dumps(hostile_result["resources"], ensure_ascii=False)
    assert (
        "www.evil.example" in everything and json.dumps(NBSP_FORMULA, ensure_ascii=False)[1:-1] in everything
    )


def test_table_escapes_terminal_control_sequences(hostile_result: dict[str, Any]) -> None:
    out = render(hostile_result, "table")
    assert not HIDDEN.search(out)
    assert "\\x1b[2J" in out and "\\x9b2J" in out and "\\u202etxt.exe" in out


def _cells(text: str) -> list[str]:
    return [cell for row in list(csv.reader(io.StringIO(text)))[1:] for cell in row]


def _formula_start(cell: str) -> bool:
    for char in cell:
        if char.isspace() or unicodedata.category(char) in ("Cf", "Cc"):
            continue
        return unicodedata.normalize("NFKC", char) in "=+-@" or char == "\u2212"
    return False


def test_csv_cells_cannot_start_a_formula(hostile_result: dict[str, Any]) -> None:
    cells = _cells(render(hostile_result, "csv"))
    assert any("HYPERLINK" in cell for cell in cells)
    assert any(cell.startswith("'\u00a0=HYPERLINK") for cell in cells)
    assert any(cell.startswith("'\uff1dSUM") for cell in cells)
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert not [cell for cell in cells if _formula_start(cell)]


def test_csv_on_a_terminal_carries_no_escape_sequence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    argv = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(HOSTILE), "--format", "csv"]
    assert main([*argv, "--fail-on", "never"]) == 0
    out = terminal.getvalue()
    assert "HYPERLINK" in out and "\\u001b[2J" in out and "\\u009b2J" in out
    assert not HIDDEN.search(out)


def test_json_escapes_c1_and_bidi_and_reads_back_unchanged(
    hostile_result: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = render(hostile_result, "json")
    assert not HIDDEN_IN_JSON.search(out)
    assert "\\u202e" in out and "\\u009b" in out
    assert "func-docs<script>" in out  # the rest stays readable
    assert json.loads(out) == hostile_result
    saved = tmp_path / "result.json"
    saved.write_text(out, encoding="utf-8")
    assert main(["diff", str(saved), str(saved), "--format", "json"]) == 0
    assert not HIDDEN_IN_JSON.search(capsys.readouterr().out)


def test_markdown_holds_no_raw_markup_mention_or_link(hostile_result: dict[str, Any]) -> None:
    # Only the hostile apps' findings, so every one of them is in the top findings.
    hostile_ids = {r["id"].lower() for r in hostile_result["resources"] if "<script>" in r["name"]}
    only_hostile = {
        **hostile_result,
        "findings": [f for f in hostile_result["findings"] if f["resource_id"].lower() in hostile_ids],
    }
    out = render(only_hostile, "markdown")
    assert "&#64;&#8203;security-team" in out and "www&#8203;.evil" in out
    assert "<script" not in out and "<img" not in out and not HIDDEN.search(out)
    # The only live links are the report's own, to the rules' Microsoft Learn pages.
    own_links = re.findall(r"\]\((https://[^)\s]*)\)", out)
    assert own_links and all(link.startswith("https://learn.microsoft.com/") for link in own_links)
    rest = re.sub(r"\]\(https://learn\.microsoft\.com/[^)\s]*\)", "", out)
    assert "@" not in rest and "://" not in rest and "www." not in rest and "](" not in rest
    assert not re.search(r"&#35;\d", out)


def test_sarif_stays_schema_valid_and_escapes_c1_and_bidi(hostile_result: dict[str, Any]) -> None:
    out = render(hostile_result, "sarif")
    assert not HIDDEN_IN_JSON.search(out)
    sarif: dict[str, Any] = json.loads(out)
    schema = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    messages = [result["message"]["text"] for result in sarif["runs"][0]["results"]]
    assert any('"><img src=x' in message for message in messages)


def test_html_escapes_every_payload(hostile_result: dict[str, Any]) -> None:
    out = render(hostile_result, "html")
    assert "<script>window.__pwned" not in out
    assert "<img src=x" not in out
    # No control or bidi character sits raw anywhere in the file, data block included.
    assert not HIDDEN.search(out)
    assert "\\u202e" in out and "\\u009b" in out
