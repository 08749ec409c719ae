"""A report built from the hostile cassette (through the real audit) executes nothing.

cassettes/hostile/ is the demo with script, markup, template, terminal-escape,
formula and Markdown payloads in site names, tags, access-rule names and
descriptions, and function names, as Azure would return them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import OpenedReport, replayed_result

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "cassettes" / "hostile"
PAYLOAD = "<script>window.__pwned=1</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror="window.__pwned=1">'

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
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert opened.dialogs == []
    assert page.locator("img, iframe, object, embed").count() == 0
    assert page.locator("script").count() == 2
    assert opened.requests == [opened.url]
    assert opened.errors == []
