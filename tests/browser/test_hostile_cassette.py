"""A report built from the hostile cassette (through the real audit) executes nothing.

cassettes/hostile/ is the demo with script, markup, template, terminal-escape (C0,
C1, OSC 8), bidi-override, formula, Markdown, mention and link payloads in site
names, tags, access-rule names and descriptions, and function names, as Azure
would return them. Control and bidi characters show as visible ``\\u202e`` text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.paths import REPO

from .conftest import OpenedReport, replayed_result

HOSTILE = REPO / "cassettes" / "hostile"
PAYLOAD = "<script>window.__pwned=1</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror="window.__pwned=1">'

# Characters that would reorder or hide text if rendered raw (C0 but tab/newline, C1, bidi, LS/PS).
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

Opener = Callable[..., OpenedReport]


@pytest.fixture(scope="module")
def hostile_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return replayed_result(HOSTILE, tmp_path_factory.mktemp("hostile"))


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
    # The network pictures of those apps hold the names as SVG text, and the overview is drawn.
    pictures = page.locator("svg.app-network")
    assert pictures.count() == 3
    svg_text = "\n".join(pictures.locator("title").all_text_contents())
    assert PAYLOAD in svg_text
    assert ATTRIBUTE_BREAK in svg_text
    assert page.locator("#network-overview g.group-node").count() >= 1
    assert page.locator("svg script, svg foreignObject, svg [href^='javascript' i]").count() == 0
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
