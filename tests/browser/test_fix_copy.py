"""The HTML report shows each fix as copyable text, and copying puts exactly that text on the clipboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.report.fix_display import fix_text
from tests.browser.conftest import OpenedReport, load_fixture
from tests.test_fixes import _hostile_result

Opener = Callable[..., OpenedReport]


def _open_fix(opened: OpenedReport, finding: dict[str, Any]) -> Any:
    """Filter the findings table to the finding's resource, open its row and return its fix <pre>."""
    page = opened.page
    name = str(finding["resource_id"]).rsplit("/", 1)[-1]
    page.fill("#findings-filters input[name=q]", name)
    rows = "#findings-table tr.finding-row"
    page.wait_for_function(
        "([rows, name]) => [...document.querySelectorAll(rows)].every(row => row.textContent.includes(name))",
        arg=[rows, name],
    )
    row = page.locator(rows, has=page.locator("code", has_text=str(finding["rule_id"]))).first
    row.locator("button.toggle").click()
    return page.locator("#findings-table tr.detail-row pre.fix-commands").first


def test_fix_commands_are_shown_and_copied_verbatim(open_report: Opener) -> None:
    result = load_fixture("html_result.json")
    fixed = [finding for finding in result["findings"] if fix_text(finding)]
    assert fixed, "the fixture should hold findings with a runnable fix"
    opened = open_report(result)
    page = opened.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    expected = fix_text(fixed[0])
    pre = _open_fix(opened, fixed[0])
    shown = pre.text_content()
    assert shown == expected
    page.locator("#findings-table tr.detail-row .fix button").first.click()
    page.wait_for_function("() => document.querySelector('.copy-status').textContent.length > 0")
    assert page.evaluate("() => navigator.clipboard.readText()") == shown
    assert opened.errors == [] and opened.blocked == [] and opened.dialogs == []


def test_hostile_fix_text_stays_text(open_report: Opener) -> None:
    hostile = _hostile_result()
    result = {"resources": [], "subscriptions": [], "gaps": [], "edition": "2026-09", **hostile}
    for finding in result["findings"]:
        payload = finding["message"] + "<img src=x onerror=alert(1)>"
        finding.update(category="risk", title="t", message=payload)
    opened = open_report(result)
    pre = _open_fix(opened, result["findings"][0])
    assert pre.text_content() == fix_text(result["findings"][0])
    assert opened.page.locator("#findings-table pre.fix-commands img").count() == 0
    assert opened.errors == [] and opened.dialogs == []
