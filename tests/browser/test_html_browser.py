"""The HTML report in a real chromium, opened from disk as a security team would."""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from bench.html_report import synthetic_result
from tests.browser.conftest import OpenedReport, load_fixture, open_resource_detail
from tests.support.paths import REPO
from tools.build_hostile_cassette import ATTRIBUTE_BREAK, SCRIPT, SCRIPT_BREAK, TEMPLATE

pytestmark = pytest.mark.browser

REPORTS = REPO / "reports"
Opener = Callable[..., OpenedReport]


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return load_fixture("html_result.json")


def _shown_finding_indexes(page: Any) -> list[int]:
    indexes: list[int] = page.eval_on_selector_all(
        "#findings-table tbody tr.finding-row", "rows => rows.map(row => Number(row.dataset.index))"
    )
    return sorted(indexes)


def _haystack(result: Mapping[str, Any], finding: Mapping[str, Any]) -> str:
    """What the free-text search promises to look at, from the JSON alone."""
    owner: Mapping[str, Any] = next(
        (r for r in result["resources"] if r["id"].lower() == finding["resource_id"].lower()), {}
    )
    name = owner.get("name", "")
    if owner.get("slot") and not name.endswith("/" + owner["slot"]):
        name += "/" + owner["slot"]
    fields = [finding["rule_id"], finding.get("title") or "", finding.get("message") or ""]
    fields += [name, owner.get("resource_group") or "", finding["resource_id"]]
    return "\n".join(fields).lower()


def test_overview_numbers_equal_the_result(open_report: Opener, result: dict[str, Any]) -> None:
    opened = open_report(result)
    page = opened.page
    findings = result["findings"]

    def count(key: str) -> int:
        return int(page.inner_text(f'[data-count="{key}"]'))

    assert count("resources") == len(result["resources"])
    assert count("subscriptions") == len(result["subscriptions"])
    assert count("fail") == sum(f["status"] == "fail" for f in findings)
    assert count("unknown") == sum(f["status"] == "unknown" for f in findings)
    assert count("gaps") == len(result["gaps"])
    by_severity = Counter((f["severity"], f["status"]) for f in findings)
    for (severity, status), expected in by_severity.items():
        assert count(f"severity:{severity}:{status}") == expected
    by_category = Counter((f["category"], f["status"]) for f in findings)
    for (category, status), expected in by_category.items():
        assert count(f"category:{category}:{status}") == expected
    exposure = Counter((r["hosting"], r["inbound"]["main"]) for r in result["resources"])
    for (hosting, verdict), expected in exposure.items():
        assert count(f"exposure:{hosting}:{verdict}") == expected
    outbound = Counter((r["hosting"], r["outbound"]) for r in result["resources"])
    for (hosting, verdict), expected in outbound.items():
        assert count(f"outbound:{hosting}:{verdict}") == expected
    assert opened.errors == []


def test_overview_screenshot_is_written_for_review(open_report: Opener, result: dict[str, Any]) -> None:
    opened = open_report(result, viewport=(1280, 900))
    REPORTS.mkdir(exist_ok=True)
    target = REPORTS / "html-overview.png"
    target.unlink(missing_ok=True)
    opened.page.locator("#overview").screenshot(path=str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.stat().st_size > 10_000


@pytest.mark.parametrize("severity", ["high", "medium", "low", "info"])
def test_filtering_by_severity_shows_exactly_the_matching_findings(
    open_report: Opener, result: dict[str, Any], severity: str
) -> None:
    page = open_report(result).page
    page.select_option("#findings-filters select[name=severity]", severity)
    expected = [i for i, f in enumerate(result["findings"]) if f["severity"] == severity]
    page.wait_for_function(
        "n => document.getElementById('findings-status').dataset.matching === String(n)", arg=len(expected)
    )
    assert _shown_finding_indexes(page) == expected
    shown_severities = page.eval_on_selector_all(
        "#findings-table tbody tr.finding-row td:first-child", "cells => cells.map(c => c.textContent)"
    )
    assert set(shown_severities) == {severity}


@pytest.mark.parametrize("query", ["AllowEveryone", "RG-LEGACY", "private endpoint", "kudu", "no-such-text"])
def test_free_text_search_shows_exactly_the_matching_findings(
    open_report: Opener, result: dict[str, Any], query: str
) -> None:
    page = open_report(result).page
    page.fill("#findings-filters input[name=q]", query)
    expected = [i for i, f in enumerate(result["findings"]) if query.lower() in _haystack(result, f)]
    page.wait_for_function(
        "n => document.getElementById('findings-status').dataset.matching === String(n)", arg=len(expected)
    )
    assert _shown_finding_indexes(page) == expected
    if not expected:
        assert "No findings match" in page.inner_text("#findings-status")


def test_filters_combine_and_views_switch_category(open_report: Opener, result: dict[str, Any]) -> None:
    page = open_report(result).page
    page.click(".view-button[data-view=drift]")
    page.select_option("#findings-filters select[name=status]", "unknown")
    expected = [
        i for i, f in enumerate(result["findings"]) if f["category"] == "drift" and f["status"] == "unknown"
    ]
    page.wait_for_function(
        "n => document.getElementById('findings-status').dataset.matching === String(n)", arg=len(expected)
    )
    assert _shown_finding_indexes(page) == expected
    assert page.get_attribute(".view-button[data-view=drift]", "aria-pressed") == "true"
    assert page.is_visible(".drift-only")


def test_exposure_grid_count_links_to_the_filtered_resources(
    open_report: Opener, result: dict[str, Any]
) -> None:
    page = open_report(result).page
    page.click('[data-count="exposure:premium:restricted"]')
    expected = sorted(
        r["name"]
        for r in result["resources"]
        if r["hosting"] == "premium" and r["inbound"]["main"] == "restricted"
    )
    page.wait_for_function(
        "n => document.getElementById('resources-status').dataset.matching === String(n)", arg=len(expected)
    )
    names = page.eval_on_selector_all(
        "#resources-table tbody tr.resource-row td:first-child", "cells => cells.map(c => c.textContent)"
    )
    assert sorted(names) == expected
    assert page.input_value("#resources-filters select[name=inbound]") == "restricted"


def _rule_rows(detail: Any, site: str) -> list[list[str]]:
    rows: list[list[str]] = detail.locator(f".rules-{site} tbody tr").evaluate_all(
        "rows => rows.map(row => [row.children[3].textContent, row.className, row.children[7].textContent])"
    )
    return rows


def _deciding(rules: list[dict[str, Any]]) -> list[str]:
    return [rule["name"] for rule in rules if rule["decides"]]


def test_resource_detail_lists_rules_in_evaluation_order_with_the_deciding_rule(
    open_report: Opener, result: dict[str, Any]
) -> None:
    # An app with the most main-site rules among those with functions and hybrid connections.
    resource = max(
        (r for r in result["resources"] if r["functions"] and r["hybrid_connections"] and r["plan"]),
        key=lambda r: len(r["access_rules"]["main"]),
    )
    rules = resource["access_rules"]["main"]
    assert len(rules) >= 3 and len(_deciding(rules)) == 1
    reordered = copy.deepcopy(result)
    shown = next(r for r in reordered["resources"] if r["id"] == resource["id"])
    # The API may list rules in any order: the largest priority number first here.
    shown["access_rules"]["main"].reverse()
    page = open_report(reordered).page
    detail = open_resource_detail(page, resource["name"])
    main_rules = _rule_rows(detail, "main")
    by_priority = sorted(rules, key=lambda rule: (rule["priority"], rule["position"]))
    assert [name for name, _, _ in main_rules] == [rule["name"] for rule in by_priority]
    assert [name for name, css, _ in main_rules if "deciding" in css] == _deciding(rules)
    decider = [name for name, _, _ in main_rules].index(_deciding(rules)[0])
    assert "deciding rule" in main_rules[decider][2]
    scm = resource["access_rules"]["scm"]
    assert [name for name, css, _ in _rule_rows(detail, "scm") if "deciding" in css] == _deciding(scm)
    text = detail.inner_text()
    connection = resource["hybrid_connections"][0]
    expected = [
        resource["plan"]["sku"],
        resource["plan"]["tier"],
        f"{connection['hostname']}:{connection['port']}",
    ]
    expected += [function["name"] for function in resource["functions"]]
    expected += [trigger["type"] for function in resource["functions"] for trigger in function["triggers"]]
    expected += [rule["ip_address"] for rule in rules if rule["ip_address"] not in (None, "Any")]
    for value in expected:
        assert value in text


@pytest.mark.parametrize("named_as", ["name", "rule-copy", "decides-flag"])
def test_deciding_rule_is_marked_in_every_shape_results_carry(
    open_report: Opener, result: dict[str, Any], named_as: str
) -> None:
    # Evaluation flags the deciding rule (``decides``) and copies it into the detail; older
    # results named it, or only copied it. An app whose deciding rule is an Allow, not the last.
    resource = next(
        r
        for r in result["resources"]
        if r["access_rules"]
        and any(rule["decides"] and rule["action"] == "Allow" for rule in r["access_rules"]["main"])
    )
    reshaped = copy.deepcopy(result)
    for shown in reshaped["resources"]:
        for site in ("main", "scm"):
            rules = (shown.get("access_rules") or {}).get(site) or []
            detail = shown["inbound_detail"][site]
            for rule in rules:
                if named_as != "decides-flag":
                    del rule["decides"]
            if named_as == "name" and isinstance(detail.get("deciding_rule"), dict):
                detail["deciding_rule"] = detail["deciding_rule"]["name"]
    page = open_report(reshaped).page
    detail = open_resource_detail(page, resource["name"])
    expected = _deciding(resource["access_rules"]["main"])
    assert [name for name, css, _ in _rule_rows(detail, "main") if "deciding" in css] == expected


def test_resource_detail_tolerates_missing_optional_fields(
    open_report: Opener, result: dict[str, Any]
) -> None:
    # A container app has no function list in the result; the other loses its optional fields.
    no_functions = next(r for r in result["resources"] if r["functions"] is None)
    trimmed = copy.deepcopy(result)
    stripped = next(r for r in trimmed["resources"] if r["functions"] and r["slot"])
    for key in ("access_rules", "inbound_detail", "hybrid_connections", "functions", "private_endpoints"):
        del stripped[key]
    page = open_report(trimmed).page
    detail = open_resource_detail(page, no_functions["name"])
    assert "Not in this result" in detail.inner_text()
    detail = open_resource_detail(page, stripped["name"])
    assert "Not in this result" in detail.inner_text()


def test_keyboard_sorts_and_opens_details(open_report: Opener, result: dict[str, Any]) -> None:
    page = open_report(result).page
    page.focus("#resources-table thead button[data-sort=name]")
    page.keyboard.press("Enter")
    header = page.locator("#resources-table thead th", has=page.locator("button[data-sort=name]"))
    assert header.get_attribute("aria-sort") == "ascending"
    names = page.eval_on_selector_all(
        "#resources-table tbody tr.resource-row td:first-child", "cells => cells.map(c => c.textContent)"
    )
    assert names == sorted(names, key=str.lower)
    page.focus("#resources-table tbody tr.resource-row button.toggle")
    page.keyboard.press("Enter")
    assert page.locator("#resources-table tr.detail-row").count() == 1
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-expanded')")
    assert focused == "true"


def test_no_request_leaves_the_page(open_report: Opener, result: dict[str, Any]) -> None:
    opened = open_report(result)
    page = opened.page
    for toggle in range(page.locator("#resources-table button.toggle").count()):
        page.locator("#resources-table tr.resource-row button.toggle").nth(toggle).click()
    for toggle in range(page.locator("#findings-table tr.finding-row button.toggle").count()):
        page.locator("#findings-table tr.finding-row button.toggle").nth(toggle).click()
    page.click("nav a[href='#matrix']")
    page.emulate_media(media="print")
    page.screenshot()
    assert opened.requests == [opened.url]
    assert opened.blocked == []
    assert opened.errors == []


def test_capability_matrix_highlights_the_cells_findings_relied_on(
    open_report: Opener, result: dict[str, Any]
) -> None:
    page = open_report(result).page
    relied = page.eval_on_selector_all(
        "#capability-matrix td.relied .relied-by", "cells => cells.map(c => c.textContent)"
    )
    assert any("drift/private-endpoint-unsupported" in text for text in relied)
    assert any("drift/vnet-trigger-unsupported" in text for text in relied)


# The payloads the hostile cassette puts into names, access rules and functions (its tag
# payload, a javascript: URL, never reaches a result: the audit does not record tags).
HOSTILE_TEXT = [ATTRIBUTE_BREAK, SCRIPT_BREAK, TEMPLATE, SCRIPT]


@pytest.mark.parametrize("strip_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_values_render_as_text_and_execute_nothing(open_report: Opener, strip_csp: bool) -> None:
    hostile = load_fixture("html_result_hostile.json")
    opened = open_report(hostile, strip_csp=strip_csp)
    page = opened.page
    for table in ("resources", "findings"):
        toggles = page.locator(f"#{table}-table tbody button.toggle")
        for _ in range(toggles.count()):
            page.locator(f"#{table}-table tbody button.toggle[aria-expanded=false]").first.click()
    page.wait_for_timeout(300)
    text = page.inner_text("body")
    for payload in HOSTILE_TEXT:
        assert payload in text
    names = page.eval_on_selector_all(
        "#resources-table tbody tr.resource-row td:first-child", "cells => cells.map(c => c.textContent)"
    )
    assert (
        sum(SCRIPT in name for name in names) == sum(SCRIPT in r["name"] for r in hostile["resources"]) == 3
    )
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert opened.dialogs == []
    assert page.locator("img, svg[onload], iframe, object, embed").count() == 0
    assert page.locator("script").count() == 2
    assert (
        page.evaluate(
            "() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
            ".filter(a => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)).length"
        )
        == 0
    )
    assert opened.requests == [opened.url]
    assert opened.errors == []


def test_five_thousand_resources_stay_usable(open_report: Opener) -> None:
    started = time.perf_counter()
    opened = open_report(synthetic_result(5000))
    loaded_in = time.perf_counter() - started
    page = opened.page
    assert page.locator("#resources-table tbody tr.resource-row").count() == 50
    assert "of 5000 resources" in page.inner_text("#resources-status")
    page.click("#resources-pager button[data-page=last]")
    assert page.inner_text("#resources-pager .page-label") == "Page 100 of 100"
    page.fill("#resources-filters input[name=q]", "fa-synthetic-04999")
    page.wait_for_function("() => document.getElementById('resources-status').dataset.matching === '1'")
    # Generous bound: CI machines are slow, but a report that takes this long is unusable.
    assert loaded_in < 30
    assert opened.errors == []


def test_print_stylesheet_keeps_content_and_drops_controls(open_report: Opener) -> None:
    # The demo-gap audit: it has a gap to list.
    page = open_report(load_fixture("sample_result.json")).page
    page.emulate_media(media="print")
    for control in ("nav", "#findings-filters", "#resources-filters", ".views", "#findings-pager button"):
        assert not page.locator(control).first.is_visible()
    for content in ("#exposure-grid", "#findings-table", "#capability-matrix", "#gaps-table"):
        assert page.locator(content).is_visible()


def test_references_link_only_to_microsoft_learn(open_report: Opener) -> None:
    # The demo-gap audit: its findings fit on the first page, so every reference is shown.
    doctored = load_fixture("sample_result.json")
    findings = doctored["findings"]
    findings[0]["reference"]["url"] = "javascript:alert(1)"
    findings[1]["reference"]["url"] = "https://learn.microsoft.com.evil.example/azure/x"
    opened = open_report(doctored)
    page = opened.page
    for toggle in range(page.locator("#findings-table tr.finding-row button.toggle").count()):
        page.locator("#findings-table tr.finding-row button.toggle").nth(toggle).click()
    links = page.eval_on_selector_all(
        ".finding-detail a[href]", "links => links.map(link => [link.getAttribute('href'), link.rel])"
    )
    expected = {
        finding["reference"]["url"]
        for finding in doctored["findings"]
        if "learn.microsoft.com/" in finding["reference"]["url"]
    } - {"https://learn.microsoft.com.evil.example/azure/x"}
    assert {href for href, _ in links if not href.startswith("#")} == expected
    assert all(rel == "noopener noreferrer" for href, rel in links if not href.startswith("#"))
    page.click("nav a[href='#matrix']")
    sources = page.eval_on_selector_all("#capability-matrix a.cell-source", "links => links.map(l => l.href)")
    assert sources and all(href.startswith("https://learn.microsoft.com/azure/") for href in sources)
    assert opened.requests == [opened.url] and opened.errors == []
