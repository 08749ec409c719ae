"""The Markdown summary as GitHub and Teams render it: right counts, tables a hostile name cannot break."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from auditor.report import markdown
from auditor.result_file import load_result

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sample_result.json"
HOSTILE_NAME = "=cmd|' /C calc'!A0 <script>alert(1)</script> a|b\nline2 `rm -rf ~`"


@pytest.fixture
def result() -> dict[str, Any]:
    return load_result(SAMPLE)


def _tables(text: str) -> list[list[list[str]]]:
    """Every table as rows of cells, split the way GFM splits them: on raw pipes."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def _table_after(text: str, heading: str) -> list[dict[str, str]]:
    section = text.split(heading, 1)[1]
    header, _, *rows = _tables(section)[0]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_every_table_row_has_its_header_width(result: dict[str, Any]) -> None:
    tables = _tables(markdown.render(result))
    assert len(tables) == 3
    for table in tables:
        assert {len(row) for row in table} == {len(table[0])}, table


def test_hostile_name_is_inert(result: dict[str, Any]) -> None:
    text = markdown.render(result)
    assert "<script>" not in text
    # Backticks appear only in the Fixes section's own code fences, never from the name.
    summary, _, fixes = text.partition("### Fixes")
    assert "`" not in summary
    assert HOSTILE_NAME not in fixes and "`rm -rf" not in fixes
    assert HOSTILE_NAME not in text
    escaped = markdown.escape_markdown(HOSTILE_NAME)
    assert escaped in text
    # What a reader sees once the entities are decoded: the name, its newline shown as \x0a.
    assert html.unescape(escaped) == HOSTILE_NAME.replace("\n", "\\x0a")
    top = _table_after(text, "### Top findings")
    assert sum(1 for row in top if row["resource"] == escaped) == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a|b", "a&#124;b"),
        ("`code`", "&#96;code&#96;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("line1\nline2\r\u2028", "line1&#92;x0aline2&#92;x0d&#92;u2028"),
        ("[click](https://evil)", "&#91;click&#93;(https&#58;&#8203;//evil)"),
        (
            "**bold** _it_ ~~del~~ # h",
            "&#42;&#42;bold&#42;&#42; &#95;it&#95; &#126;&#126;del&#126;&#126; &#35;&#8203; h",
        ),
        ("@platform-team", "&#64;&#8203;platform-team"),
        ("see www.evil.example or <http://x>", "see www&#8203;.evil.example or &lt;http&#58;&#8203;//x&gt;"),
        ("fixes #12", "fixes &#35;&#8203;12"),
        ("&lt;", "&amp;lt;"),
        (None, ""),
        ("func-orders", "func-orders"),
    ],
)
def test_escape_markdown(raw: object, expected: str) -> None:
    assert markdown.escape_markdown(raw) == expected


def test_headline_counts(result: dict[str, Any]) -> None:
    (headline,) = _table_after(markdown.render(result), "## Azure Function Apps network audit")
    assert headline == {
        "resources": "7",
        "failing": "11",
        "high": "5",
        "medium": "3",
        "low": "2",
        "info": "1",
        "unknown": "3",
        "waived": "0",
        "gaps": "3",
    }


def test_exposure_grid_counts(result: dict[str, Any]) -> None:
    grid = {row["hosting"]: row for row in _table_after(markdown.render(result), "### Exposure")}
    expected = {
        "consumption": {"public": "1", "restricted": "0", "private": "0", "internal": "0", "unknown": "0"},
        "flex&#95;consumption": {
            "public": "0",
            "restricted": "1",
            "private": "0",
            "internal": "0",
            "unknown": "0",
        },
        "premium": {"public": "1", "restricted": "0", "private": "1", "internal": "0", "unknown": "0"},
        "dedicated": {"public": "0", "restricted": "1", "private": "0", "internal": "0", "unknown": "0"},
        "ase": {"public": "0", "restricted": "0", "private": "0", "internal": "1", "unknown": "0"},
        "container&#95;apps": {
            "public": "0",
            "restricted": "0",
            "private": "0",
            "internal": "0",
            "unknown": "1",
        },
    }
    assert list(grid) == [*expected, "**total**"]
    for hosting, counts in expected.items():
        assert {verdict: grid[hosting][verdict] for verdict in counts} == counts, hosting
    assert grid["premium"]["total"] == "2"
    assert grid["**total**"] == {
        "hosting": "**total**",
        "public": "**2**",
        "restricted": "**2**",
        "private": "**1**",
        "internal": "**1**",
        "unknown": "**1**",
        "total": "**7**",
    }


def test_exposure_grid_function(result: dict[str, Any]) -> None:
    grid = markdown.exposure_grid(result)
    assert grid[("premium", "public")] == 1
    assert grid[("premium", "private")] == 1
    assert sum(grid.values()) == len(result["resources"])


def test_top_findings_are_the_ten_most_severe_failures(result: dict[str, Any]) -> None:
    text = markdown.render(result)
    top = _table_after(text, "### Top findings")
    assert len(top) == 10
    assert [row["severity"] for row in top] == ["high"] * 5 + ["medium"] * 3 + ["low"] * 2
    assert "…and 1 more failing finding in the full report." in text
    unknown_rules = {"drift/hybrid-connection-unsupported", "drift/vnet-integration-unsupported"}
    assert not unknown_rules & {row["rule"] for row in top}


def test_gaps_are_noted_and_listed(result: dict[str, Any]) -> None:
    text = markdown.render(result)
    assert "3 reads failed, so 3 finding outcome(s) are **unknown**" in text
    gap_lines = [line for line in text.split("### Gaps", 1)[1].splitlines() if line.startswith("- ")]
    assert len(gap_lines) == 3
    assert gap_lines[0].startswith("- Status 403 for GET /subscriptions/")
    assert "ResourceNotFound" in gap_lines[2]


def test_clean_result_has_no_gap_section() -> None:
    clean = {
        "edition": "2026-09",
        "subscriptions": [{"id": "s", "status": "ok"}],
        "resources": [],
        "findings": [],
        "gaps": [],
    }
    text = markdown.render(clean)
    assert "### Gaps" not in text
    assert "No failing findings." in text
    assert "No function apps were found." in text


def test_failed_subscription_is_called_out(result: dict[str, Any]) -> None:
    result["subscriptions"].append({"id": "sub-<b>x</b>", "status": "error", "error": "SubscriptionNotFound"})
    text = markdown.render(result)
    assert "**1 subscription(s) could not be audited:** sub-&lt;b&gt;x&lt;/b&gt;" in text
