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


def test_resource_detail_lists_rules_in_evaluation_order_with_the_deciding_rule(
    open_report: Opener, result: dict[str, Any]
) -> None:
    page = open_report(result).page
    detail = open_resource_detail(page, "fa-payments")
    main_rules = _rule_rows(detail, "main")
    # DenyAll is first in the API list but has the largest priority number.
    assert [name for name, _, _ in main_rules] == ["AllowOffice", "AllowFrontDoor", "DenyAll"]
    assert [name for name, css, _ in main_rules if "deciding" in css] == ["DenyAll"]
    assert "deciding rule" in main_rules[2][2]
    assert [name for name, css, _ in _rule_rows(detail, "scm") if "deciding" in css] == ["AllowAllKudu"]
    text = detail.inner_text()
    for expected in ("EP1", "ElasticPremium", "snet-payments", "Settle", "serviceBusTrigger", "10.1.2.0/26"):
        assert expected in text


@pytest.mark.parametrize("named_as", ["name", "rule-copy", "decides-flag"])
def test_deciding_rule_is_marked_in_every_shape_results_carry(
    open_report: Opener, result: dict[str, Any], named_as: str
) -> None:
    reshaped = copy.deepcopy(result)
    for resource in reshaped["resources"]:
        for site, rules in (resource.get("access_rules") or {}).items():
            detail = resource["inbound_detail"][site]
            for rule in rules:
                flagged = rule.pop("deciding", False)
                if named_as == "decides-flag":
                    rule["decides"] = flagged
                elif named_as == "rule-copy" and rule["name"] == detail["deciding_rule"]:
                    detail["deciding_rule"] = {
                        key: value for key, value in rule.items() if key != "description"
                    }
    page = open_report(reshaped).page
    detail = open_resource_detail(page, "fa-erp-bridge")
    assert [name for name, css, _ in _rule_rows(detail, "main") if "deciding" in css] == ["AllowEveryone"]
    text = detail.inner_text()
    assert "sql01.corp.example:1433" in text
    assert "files.corp.example:445" in text


def test_resource_detail_tolerates_missing_optional_fields(
    open_report: Opener, result: dict[str, Any]
) -> None:
    page = open_report(result).page
    detail = open_resource_detail(page, "fa-aca-worker")
    assert "Not in this result" in detail.inner_text()
    detail = open_resource_detail(page, "fa-erp-bridge/staging")
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


HOSTILE_TEXT = [
    '"><img src=x onerror="window.__pwned=1;alert(1)">',
    "</script><script>window.__pwned=1;alert(1)</script>",
    "{{7*7}}",
    "javascript:window.__pwned=1;alert(1)",
    '<svg onload="window.__pwned=1"></svg>',
]


@pytest.mark.parametrize("strip_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_values_render_as_text_and_execute_nothing(open_report: Opener, strip_csp: bool) -> None:
    opened = open_report(load_fixture("html_result_hostile.json"), strip_csp=strip_csp)
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
    assert "{{7*7}}" in names
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


def test_print_stylesheet_keeps_content_and_drops_controls(
    open_report: Opener, result: dict[str, Any]
) -> None:
    page = open_report(result).page
    page.emulate_media(media="print")
    for control in ("nav", "#findings-filters", "#resources-filters", ".views", "#findings-pager button"):
        assert not page.locator(control).first.is_visible()
    for content in ("#exposure-grid", "#findings-table", "#capability-matrix", "#gaps-table"):
        assert page.locator(content).is_visible()


def test_references_link_only_to_microsoft_learn(open_report: Opener, result: dict[str, Any]) -> None:
    doctored = copy.deepcopy(result)
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
