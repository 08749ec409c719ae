"""A report built from the hostile cassette (through the real audit) executes nothing.

cassettes/hostile/ is the demo with script, markup, template, terminal-escape (C0,
C1, OSC 8), bidi-override, formula, Markdown, mention and link payloads in site
names, tags, access-rule names and descriptions, and function names, as Azure
would return them. Control and bidi characters show as visible ``\\u202e`` text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main

from .conftest import OpenedReport

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "cassettes" / "hostile"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
PAYLOAD = "<script>window.__pwned=1</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror="window.__pwned=1">'

# Characters that would reorder or hide text if rendered raw (C0 but tab/newline, C1, bidi, LS/PS).
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

Opener = Callable[..., OpenedReport]


@pytest.fixture(scope="module")
def hostile_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    saved = tmp_path_factory.mktemp("hostile") / "result.json"
    code = main(
        [
            "audit",
            "--subscription",
            SUBSCRIPTION,
            "--replay",
            str(HOSTILE),
            "--fail-on",
            "never",
            "--format",
            "json",
            "--output",
            str(saved.with_suffix(".stdout.json")),
            "--save",
            str(saved),
        ]
    )
    assert code == 0
    result: dict[str, Any] = json.loads(saved.read_text(encoding="utf-8"))
    return result


@pytest.mark.browser
@pytest.mark.parametrize("strip_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_cassette_report_renders_payloads_as_text(
    open_report: Opener, hostile_result: dict[str, Any], strip_csp: bool
) -> None:
    names = [resource["name"] for resource in hostile_result["resources"]]
    assert any(PAYLOAD in name for name in names), "the cassette must carry the payloads into the result"
    opened = open_report(hostile_result, strip_csp=strip_csp)
    page = opened.page
    page.fill("#resources-filters input[name=q]", "window.__pwned")
    page.wait_for_function("() => document.getElementById('resources-status').dataset.matching === '3'")
    toggles = page.locator("#resources-table tbody button.toggle[aria-expanded=false]")
    while toggles.count():
        toggles.first.click()
    text = page.inner_text("body")
    assert PAYLOAD in text
    assert ATTRIBUTE_BREAK in text
    # The right-to-left override, the C1 CSI and ESC read as what they are, and act on nothing.
    assert "func-\\u202etxt.exe" in text and "\\u009b2J" in text and "\\u001b[2J" in text
    assert not HIDDEN.search(text)
    assert page.locator("a[href*='evil']").count() == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert opened.dialogs == []
    assert page.locator("img, iframe, object, embed").count() == 0
    assert page.locator("script").count() == 2
    assert opened.requests == [opened.url]
    assert opened.errors == []
