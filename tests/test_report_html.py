"""The HTML report without a browser: escaping, the CSP, the embedded data and the overview numbers."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from auditor.docs import learn_url
from auditor.report import html
from auditor.report.html import build_context, json_for_script, render

FIXTURES = Path(__file__).parent / "fixtures"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return _load("html_result.json")


@pytest.fixture(scope="module")
def hostile() -> dict[str, Any]:
    return _load("html_result_hostile.json")


class _Document(HTMLParser):
    """Every element with its attributes, the raw text of each script/style, and data-count values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.raw_blocks: list[tuple[str, dict[str, str | None], str]] = []
        self.counts: dict[str, str] = {}
        self._open_block: tuple[str, dict[str, str | None]] | None = None
        self._open_count: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in ("script", "style"):
            self._open_block = (tag, attributes)
            self._text = []
        if attributes.get("data-count"):
            self._open_count = attributes["data-count"]
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open_block and tag == self._open_block[0]:
            self.raw_blocks.append((*self._open_block, "".join(self._text)))
            self._open_block = None
        elif self._open_count is not None:
            self.counts[self._open_count] = "".join(self._text).strip()
            self._open_count = None


def _parse(document: str) -> _Document:
    parsed = _Document()
    parsed.feed(document)
    parsed.close()
    return parsed


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_json_for_script_cannot_close_its_script_tag_and_round_trips() -> None:
    value = {"name": "</script><script>alert(1)</script>", "tag": "<!-- & -->", "sep": "a\u2028b\u2029c"}
    text = json_for_script(value)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == value


def test_csp_admits_exactly_the_inline_script_and_style(result: dict[str, Any]) -> None:
    parsed = _parse(render(result))
    csp_tags = [
        attrs for tag, attrs in parsed.elements if attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(csp_tags) == 1
    policy = dict(directive.partition(" ")[::2] for directive in str(csp_tags[0]["content"]).split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "data:"
    assert "connect-src" not in policy  # falls back to default-src 'none'
    code_scripts = [text for tag, attrs, text in parsed.raw_blocks if tag == "script" and "type" not in attrs]
    styles = [text for tag, _, text in parsed.raw_blocks if tag == "style"]
    assert len(code_scripts) == 1 and len(styles) == 1
    assert policy["script-src"] == _sha256(code_scripts[0])
    assert policy["style-src"] == _sha256(styles[0])


def test_nothing_in_the_report_loads_from_outside_and_links_go_only_to_learn(result: dict[str, Any]) -> None:
    document = render(result)
    parsed = _parse(document)
    learn_links = 0
    for tag, attrs in parsed.elements:
        if tag == "a" and learn_url(attrs.get("href")):
            # Documentation links: Microsoft Learn only, opened without opener or referrer.
            assert set((attrs.get("rel") or "").split()) >= {"noopener", "noreferrer"}, attrs
            learn_links += 1
            continue
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
        assert not (tag == "link" and attrs.get("rel") == "stylesheet")
    assert learn_links  # the capability matrix names its sources
    assert "@import" not in document and "url(" not in document


def test_embedded_data_is_the_result(result: dict[str, Any]) -> None:
    parsed = _parse(render(result))
    data_blocks = [text for tag, attrs, text in parsed.raw_blocks if attrs.get("id") == "data"]
    assert len(data_blocks) == 1
    data = json.loads(data_blocks[0])
    assert data["resources"] == result["resources"]
    assert data["findings"] == result["findings"]


# What a server-side part would show if ARM echoed attacker text into an error, a gap reason
# or a resource group: the hostile audit has no failed read, so the tests put it there.
SERVER_SIDE_PAYLOAD = "<script>window.__pwned=1;alert(1)</script>"
ATTRIBUTE_PAYLOAD = 'rg-"><img src=x onerror="window.__pwned=1;alert(1)">'


def _with_server_side_payloads(hostile: dict[str, Any]) -> dict[str, Any]:
    poisoned = copy.deepcopy(hostile)
    poisoned["subscriptions"].append({"id": "s-2", "status": "error", "error": SERVER_SIDE_PAYLOAD})
    poisoned["gaps"].append(
        {
            "resource_id": poisoned["resources"][0]["id"],
            "operation": "GET " + poisoned["resources"][0]["id"] + "/config/web",
            "status": 403,
            "reason": "AuthorizationFailed: " + SERVER_SIDE_PAYLOAD,
            "affects": ["config"],
        }
    )
    poisoned["resources"][1]["resource_group"] = ATTRIBUTE_PAYLOAD
    return poisoned


def test_hostile_values_never_appear_as_markup(hostile: dict[str, Any]) -> None:
    for result in (hostile, _with_server_side_payloads(hostile)):
        document = render(result)
        parsed = _parse(document)
        assert [tag for tag, _ in parsed.elements].count("script") == 2
        assert not [tag for tag, _ in parsed.elements if tag in ("img", "iframe", "object", "embed")]
        assert not [
            (tag, attrs) for tag, attrs in parsed.elements if any(a.lower().startswith("on") for a in attrs)
        ]
        for payload in ("<img src=x", "<script>window", "<svg onload", "</script><script>"):
            assert payload not in document
        # The hostile apps' names and tags travel in the data block, their template text inert.
        assert "{{7*7}}" in document and ">49<" not in document
    # Server-side parts (subscription errors, gap reasons) show the payload escaped, as text.
    document = render(_with_server_side_payloads(hostile))
    assert document.count("&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;") >= 2


def test_escaping_survives_in_attributes_too(hostile: dict[str, Any]) -> None:
    document = render(_with_server_side_payloads(hostile))
    options = re.findall(r'<option value="([^"]*)">', document)
    assert "rg-&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned=1;alert(1)&#34;&gt;" in options


def test_overview_counts_equal_the_result(result: dict[str, Any]) -> None:
    counts = _parse(render(result)).counts
    findings = result["findings"]
    assert counts["resources"] == str(len(result["resources"]))
    assert counts["fail"] == str(sum(f["status"] == "fail" for f in findings))
    assert counts["unknown"] == str(sum(f["status"] == "unknown" for f in findings))
    assert counts["gaps"] == str(len(result["gaps"]))
    for (severity, status), expected in Counter((f["severity"], f["status"]) for f in findings).items():
        assert counts[f"severity:{severity}:{status}"] == str(expected)
    for (hosting, verdict), expected in Counter(
        (r["hosting"], r["inbound"]["main"]) for r in result["resources"]
    ).items():
        assert counts[f"exposure:{hosting}:{verdict}"] == str(expected)


def test_exposure_grid_links_filter_the_resources(result: dict[str, Any]) -> None:
    context = build_context(result)
    premium = next(row for row in context["inbound_rows"] if row.label == "premium")
    restricted = premium.cells[context["inbound_columns"].index("restricted")]
    expected = sum(
        1 for r in result["resources"] if (r["hosting"], r["inbound"]["main"]) == ("premium", "restricted")
    )
    assert restricted.count == expected > 0
    assert restricted.link == "#resources?hosting=premium&inbound=restricted"
    assert context["inbound_columns"][:5] == ["public", "restricted", "private", "internal", "unknown"]


def test_gaps_say_what_they_prevented_judging() -> None:
    # The demo-gap audit: one app's config/web read refused, so its config rules are unknown.
    gapped = _load("sample_result.json")
    (gap,) = gapped["gaps"]
    unknown = sorted(f["rule_id"] for f in gapped["findings"] if f["status"] == "unknown")
    assert unknown and all(
        f["resource_id"] == gap["resource_id"] for f in gapped["findings"] if f["status"] == "unknown"
    )
    # A read of the whole subscription failing too (a list of plans): it covers every app there.
    subscription = gap["subscription_id"]
    gapped["gaps"].append(
        {
            "resource_id": None,
            "operation": f"GET /subscriptions/{subscription}/providers/Microsoft.Web/serverfarms",
            "status": 429,
            "reason": "TooManyRequests: subscription read limit reached",
            "affects": ["plan"],
            "subscription_id": subscription,
        }
    )
    gaps = build_context(gapped)["gaps"]
    app_gap = next(g for g in gaps if g["status"] == "403")
    name = next(r["name"] for r in gapped["resources"] if r["id"] == gap["resource_id"])
    assert app_gap["scope"] == name
    assert app_gap["affects"] == gap["affects"] == ["config", "vnet_connections"]
    assert app_gap["unjudged"] == unknown == sorted(gap["rules_unknown"])
    plan_gap = next(g for g in gaps if g["status"] == "429")
    assert plan_gap["scope"] == f"subscription {subscription}"
    assert plan_gap["unjudged"] == unknown


def test_matrix_highlights_the_cells_drift_findings_relied_on(result: dict[str, Any]) -> None:
    context = build_context(result)
    assert context["matrix"] is not None
    _, hostings, rows = context["matrix"]
    by_label = {row.label: dict(zip(hostings, row.cells, strict=True)) for row in rows}
    assert by_label["Private endpoints (inbound)"]["consumption"].relied_on_by == [
        "drift/private-endpoint-unsupported"
    ]
    assert by_label["Private endpoints (inbound)"]["premium"].relied_on_by == []
    highlighted = sum(bool(cell.relied_on_by) for row in rows for cell in row.cells)
    assert highlighted == len(context["relied"])


def test_relied_cells_fall_back_to_the_rule_and_resource_hosting(result: dict[str, Any]) -> None:
    older = copy.deepcopy(result)
    for finding in older["findings"]:
        finding.pop("matrix_cell", None)
        finding["evidence"].pop("matrix_cell", None)
    relied = {(feature, hosting): rules for feature, hosting, rules in build_context(older)["relied"]}
    assert relied[("private_endpoints", "consumption")] == ["drift/private-endpoint-unsupported"]
    assert relied[("gateway_vnet_integration", "dedicated")] == ["drift/gateway-integration-retiring"]


def test_relied_cells_read_a_matrix_cell_beside_or_inside_the_evidence(result: dict[str, Any]) -> None:
    # Evaluation writes the cell beside the evidence; results saved before carried it inside.
    assert any("matrix_cell" in finding for finding in result["findings"])
    for inside in (False, True):
        moved = copy.deepcopy(result)
        for finding in moved["findings"]:
            if "matrix_cell" in finding:
                if inside:
                    finding["evidence"]["matrix_cell"] = finding.pop("matrix_cell")
                finding["rule_id"] = finding["rule_id"] + "-renamed"
        relied = {(feature, hosting): rules for feature, hosting, rules in build_context(moved)["relied"]}
        assert relied[("private_endpoints", "consumption")] == ["drift/private-endpoint-unsupported-renamed"]


def test_unknown_edition_renders_without_a_matrix(result: dict[str, Any]) -> None:
    future = dict(result, edition="2031-01")
    document = render(future)
    assert build_context(future)["matrix"] is None
    assert 'id="capability-matrix"' not in document
    assert "regional_vnet_integration" in document  # the relied-on cells are still listed


def test_an_empty_result_renders() -> None:
    document = render({})
    counts = _parse(document).counts
    assert counts["resources"] == "0"
    assert "No failing or unknown findings." in document


def test_assets_cannot_end_their_own_blocks() -> None:
    for name, closer in (("report.js", "</script"), ("report.css", "</style")):
        assert closer not in (html.TEMPLATES / name).read_text(encoding="utf-8").lower()


def test_script_builds_no_html_from_strings() -> None:
    script = (html.TEMPLATES / "report.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script
