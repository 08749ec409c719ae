"""The Markdown summary as GitHub and Teams render it: right counts, tables a hostile name cannot break."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.report import markdown
from auditor.result_file import load_result

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The demo-gap audit (one refused read) and the full demo audit (over ten failing findings).
SAMPLE = FIXTURES / "sample_result.json"
DEMO = FIXTURES / "html_result.json"
HOSTILE = FIXTURES / "html_result_hostile.json"
SEVERITIES = ("high", "medium", "low", "info")


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


def test_hostile_name_is_inert() -> None:
    result = load_result(HOSTILE)
    # The apps the hostile cassette poisoned, and only their findings, so they lead the report.
    hostile = {
        r["id"]: r["name"] for r in result["resources"] if markdown.escape_markdown(r["name"]) != r["name"]
    }
    assert len(hostile) == 3
    result["findings"] = [finding for finding in result["findings"] if finding["resource_id"] in hostile]
    text = markdown.render(result)
    assert "<script>" not in text and "\x1b" not in text
    # Backticks appear only in the Fixes section's own code fences, never from a name.
    summary, _, _fixes = text.partition("### Fixes")
    assert "`" not in summary
    top = _table_after(text, "### Top findings")
    escaped = {markdown.escape_markdown(name) for name in hostile.values()}
    assert {row["resource"] for row in top} == escaped
    assert not any(name in text for name in hostile.values())


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


def test_headline_counts() -> None:
    result = load_result(SAMPLE)
    (headline,) = _table_after(markdown.render(result), "## Azure Function Apps network audit")
    failing = [f for f in result["findings"] if f["status"] == "fail"]
    assert failing and result["gaps"]
    assert headline == {
        "resources": str(len(result["resources"])),
        "failing": str(len(failing)),
        **{severity: str(sum(1 for f in failing if f["severity"] == severity)) for severity in SEVERITIES},
        "unknown": str(sum(1 for f in result["findings"] if f["status"] == "unknown")),
        "waived": "0",
        "gaps": str(len(result["gaps"])),
    }


def _resource_grid(result: dict[str, Any]) -> dict[tuple[str, str], int]:
    grid: dict[tuple[str, str], int] = {}
    for resource in result["resources"]:
        cell = (resource["hosting"], resource["inbound"]["main"])
        grid[cell] = grid.get(cell, 0) + 1
    return grid


def test_exposure_grid_counts() -> None:
    result = load_result(DEMO)
    grid = {row["hosting"]: row for row in _table_after(markdown.render(result), "### Exposure")}
    cells = _resource_grid(result)
    hostings = list(dict.fromkeys(hosting for hosting, _ in cells))
    verdicts = {verdict for _, verdict in cells}
    assert len(hostings) >= 5 and len(verdicts) >= 4
    # The hosting models in the catalogue's order, then the total row.
    assert sorted(grid) == sorted([*(markdown.escape_markdown(h) for h in hostings), "**total**"])
    for hosting in hostings:
        row = grid[markdown.escape_markdown(hosting)]
        for verdict in verdicts:
            assert row[verdict] == str(cells.get((hosting, verdict), 0)), (hosting, verdict)
        assert row["total"] == str(sum(n for (h, _), n in cells.items() if h == hosting))
    total = grid["**total**"]
    for verdict in verdicts:
        assert total[verdict] == f"**{sum(n for (_, v), n in cells.items() if v == verdict)}**"
    assert total["total"] == f"**{len(result['resources'])}**"


def test_exposure_grid_function() -> None:
    result = load_result(DEMO)
    grid = markdown.exposure_grid(result)
    assert grid == _resource_grid(result)
    assert sum(grid.values()) == len(result["resources"])


def test_top_findings_are_the_ten_most_severe_failures() -> None:
    result = load_result(DEMO)
    text = markdown.render(result)
    top = _table_after(text, "### Top findings")
    failing = [f for f in result["findings"] if f["status"] == "fail"]
    assert len(failing) > 10 and any(f["status"] == "unknown" for f in result["findings"])
    assert len(top) == 10
    worst = sorted(SEVERITIES.index(f["severity"]) for f in failing)[:10]
    assert [row["severity"] for row in top] == [SEVERITIES[rank] for rank in worst]
    assert f"…and {len(failing) - 10} more failing findings in the full report." in text
    names = {r["id"]: r["name"] for r in result["resources"]}
    fails = {(f["rule_id"], names[f["resource_id"]]) for f in failing}
    for row in top:
        rule = row["rule"].split("]", 1)[0].lstrip("[")
        assert (rule, row["resource"]) in fails, row


def test_gaps_are_noted_and_listed() -> None:
    result = load_result(SAMPLE)
    text = markdown.render(result)
    unknown = sum(1 for f in result["findings"] if f["status"] == "unknown")
    assert f"1 read failed, so {unknown} finding outcome(s) are **unknown**" in text
    gap_lines = [line for line in text.split("### Gaps", 1)[1].splitlines() if line.startswith("- ")]
    assert len(gap_lines) == len(result["gaps"]) == 1
    assert gap_lines[0].startswith("- Status 403 for GET /subscriptions/")
    assert "AuthorizationFailed" in gap_lines[0]


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
