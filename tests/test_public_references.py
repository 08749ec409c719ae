"""Users read findings, not our research notes: every reference they see is a page they can open.

Every user-facing output — the demo audit in every report format, ``auditor rules``,
``auditor matrix`` of both editions, ``auditor --help`` — is scanned for the project's internal
labels (capabilities.md source ids such as ``S22 overview-private-endpoint.md``, claim ids such as
``R-PLAN-11``, ``conflict C6``, "the seed", the names of our spec files). One may appear only as
secondary detail beside a Microsoft Learn URL: in the same JSON object (or the object holding
it), the same table row or line, or the same paragraph of a text listing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.docs import learn_url
from auditor.evaluate import rule_catalogue
from auditor.matrix import available_editions
from auditor.report import RENDERERS
from tests.support.paths import REPO

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

INTERNAL_LABEL = re.compile(
    r"\bS\d{1,2}[ab]?\s+[\w./-]+\.md\b"  # S22 overview-private-endpoint.md
    r"|\bS\d{1,2}[ab]?-\d{4}\b"  # S20-2022
    r"|[(\[,;]\s*S\d{1,2}[ab]?\s*[)\],;]"  # (S15), [S8,S6]
    r"|\bS\d{1,2}[ab]?,\s*S\d{1,2}\b"  # S21, S20
    r"|\bR-[A-Z]{2,5}-\d{2}\b"  # R-PLAN-11
    r"|\bconflict C\d{1,2}\b"
    r"|\bthe seed\b|\bseed document\b"
    r"|\bcapabilities\.md\b|\brules\.md\b"
)
LEARN_IN_TEXT = re.compile(r"https://learn\.microsoft\.com/[^\s\"'<>)\]]+")


def labels(text: str) -> list[str]:
    return [match.group(0) for match in INTERNAL_LABEL.finditer(text)]


def test_the_label_pattern_catches_each_kind_and_spares_plan_skus() -> None:
    for text in (
        "S22 overview-private-endpoint.md 01/31/2025",
        "S20-2022",
        "documented in 2020 (S15).",
        "[S8,S6]",
        "basis S21, S20",
        "Retirement (R-PLAN-11)",
        "conflict C6",
        "the seed warns",
        "see capabilities.md",
    ):
        assert labels(text), text
    for text in ("plan S1 (Standard)", "sku P1v2, EP1, S2", "Azure Functions hosting options (09/16/2026)"):
        assert not labels(text), text


# -- the checks -------------------------------------------------------------------------------------


def _has_learn_url(node: Mapping[str, Any]) -> bool:
    for value in node.values():
        if learn_url(value):
            return True
        if isinstance(value, Mapping) and learn_url(value.get("url")):
            return True
    return False


def _strings_with_context(
    node: Any, path: tuple[Mapping[str, Any], ...] = ()
) -> Iterator[tuple[str, tuple[Mapping[str, Any], ...]]]:
    if isinstance(node, str):
        yield node, path
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield str(key), (*path, node)
            yield from _strings_with_context(value, (*path, node))
    elif isinstance(node, list):
        for item in node:
            yield from _strings_with_context(item, path)


def unsourced_in_json(document: Any) -> list[str]:
    """Labels in a JSON document with no Learn URL in their object or an enclosing one; the
    document's own top-level object does not count (it would excuse everything)."""
    problems = []
    skip = 1 if isinstance(document, Mapping) else 0
    for text, path in _strings_with_context(document):
        found = labels(text)
        if found and not any(_has_learn_url(node) for node in path[skip:]):
            problems.append(f"{found[0]!r} in {text[:120]!r}")
    return problems


def unsourced_in_units(units: list[str]) -> list[str]:
    return [
        f"{labels(unit)[0]!r} in {unit[:160]!r}"
        for unit in units
        if labels(unit) and not LEARN_IN_TEXT.search(unit)
    ]


def lines(text: str) -> list[str]:
    return text.splitlines()


def paragraphs(text: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n", text) if block.strip()]


def html_units(document: str) -> list[str]:
    """The server-rendered blocks of the HTML report (table rows, list items, paragraphs); the
    embedded result is checked as JSON."""
    without_scripts = re.sub(r"<script\b.*?</script>", "", document, flags=re.DOTALL)
    return re.split(r"(?=<(?:tr|li|p|h[1-6]|section|td|th)\b)", without_scripts)


def embedded_result(document: str) -> Any:
    (data,) = re.findall(r'<script type="application/json" id="data">(.*?)</script>', document, re.DOTALL)
    return json.loads(data)


# -- the outputs --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    saved = tmp_path_factory.mktemp("demo") / "demo.json"
    code = main(
        [
            "audit",
            "--subscription",
            SUBSCRIPTION,
            "--replay",
            str(REPO / "cassettes" / "demo"),
            "--save",
            str(saved),
            "--format",
            "json",
            "--output",
            str(saved.with_suffix(".stdout.json")),
            "--fail-on",
            "never",
        ]
    )
    assert code == 0
    return saved


def rendered(result: Path, report_format: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["report", str(result), "--format", report_format]) == 0
    return capsys.readouterr().out


def test_every_report_format_is_covered() -> None:
    assert set(RENDERERS) == {"json", "table", "markdown", "csv", "sarif", "html", "ocsf"}


def test_demo_result_as_ocsf(demo_result: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = [json.loads(line) for line in rendered(demo_result, "ocsf", capsys).splitlines()]
    assert events
    for event in events:
        assert unsourced_in_json(event) == []
        # Each event's remediation names the Learn page of its rule, and nothing that is not public.
        references = event["remediation"]["references"]
        assert references and all(learn_url(url) for url in references)


def test_demo_result_as_json(demo_result: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = json.loads(rendered(demo_result, "json", capsys))
    assert unsourced_in_json(result) == []
    drift = [finding for finding in result["findings"] if finding["category"] == "drift"]
    assert drift and all(learn_url(finding["reference"]["url"]) for finding in result["findings"])
    # What a finding says is plain language: research ids stay in reference.basis.
    prose = [finding[key] for finding in result["findings"] for key in ("title", "message", "remediation")]
    assert [text for text in prose if labels(text)] == []


def test_demo_result_as_table_and_markdown(demo_result: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for report_format in ("table", "markdown"):
        assert unsourced_in_units(lines(rendered(demo_result, report_format, capsys))) == [], report_format
    markdown = rendered(demo_result, "markdown", capsys)
    assert re.search(r"\| \[risk/[\w.-]+\]\(https://learn\.microsoft\.com/[^)\s]+\) \|", markdown)


def test_demo_result_as_csv(demo_result: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(rendered(demo_result, "csv", capsys))))
    assert rows
    for row in rows:
        assert learn_url(json.loads(row["reference"])["url"]), row["rule_id"]
    assert unsourced_in_units([",".join(row.values()) for row in rows]) == []


def test_demo_result_as_sarif(demo_result: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sarif = json.loads(rendered(demo_result, "sarif", capsys))
    assert unsourced_in_json(sarif) == []
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(rule_catalogue())
    for rule in rules:
        assert learn_url(rule["helpUri"]), rule["id"]
        assert rule["helpUri"] in rule["help"]["text"] and f"]({rule['helpUri']})" in rule["help"]["markdown"]


def test_demo_result_as_html(demo_result: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = rendered(demo_result, "html", capsys)
    assert unsourced_in_units(html_units(document)) == []
    assert unsourced_in_json(embedded_result(document)) == []
    hrefs = re.findall(r'href="([^"]+)"', document)
    outside = [href for href in hrefs if not href.startswith("#")]
    assert outside and all(learn_url(href) for href in outside)


def test_rules_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["rules", "--format", "json"]) == 0
    catalogue = json.loads(capsys.readouterr().out)["rules"]
    assert unsourced_in_json(catalogue) == []
    assert all(learn_url(rule["reference"]["url"]) for rule in catalogue)
    prose = [rule[key] for rule in catalogue for key in ("title", "rationale", "remediation")]
    assert [text for text in prose if labels(text)] == []
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    assert unsourced_in_units(paragraphs(text)) == []
    assert len(LEARN_IN_TEXT.findall(text)) == len(catalogue)


@pytest.mark.parametrize("edition", available_editions())
def test_capability_matrix(edition: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["matrix", "--edition", edition, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert unsourced_in_json(printed) == []
    assert all(learn_url(cell["url"]) for cell in printed["sources"])
    prose = [cell[key] for cell in printed["sources"] for key in ("note", "doc", "section", "source")]
    assert [text for text in prose if labels(text)] == []
    assert main(["matrix", "--edition", edition]) == 0
    text = capsys.readouterr().out
    assert unsourced_in_units(lines(text)) == []
    numbers = set(re.findall(r"\[(\d+)\]", text.split("sources:")[0]))
    notes = re.findall(r"^\[(\d+)\] .+\n    (https://\S+)$", text.split("sources:")[1], re.MULTILINE)
    assert numbers == {number for number, _ in notes} and all(learn_url(url) for _, url in notes)


def test_help_describes_the_tool_for_its_users(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert unsourced_in_units(paragraphs(text)) == []
    assert "Audit the network exposure of Azure Function Apps" in text
    assert "argument parsing" not in text  # the module docstring is for developers
    for command in ("audit", "report", "rules", "matrix", "history", "diff"):
        assert re.search(rf"^\s+{command}\s+\S", text, re.MULTILINE), command
    assert "examples:" in text and "auditor audit --subscription" in text
    assert "README.md" in text and "exit codes:" in text
