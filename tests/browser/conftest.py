"""Browser fixtures: Debian's chromium driven by Playwright, never a downloaded browser.

Chromium is $CHROMIUM, else /usr/bin/chromium, else ``chromium`` or ``chromium-browser`` on PATH.
Browser tests skip, saying how to install it, only when none is found and AUDITOR_REQUIRE_BROWSER
is unset; CI sets it, so a missing browser fails there instead of passing silently.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from auditor.report.html import render
from tests.support.paths import REPO

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "install it with `sudo apt-get install chromium` (Debian) or set CHROMIUM=/path/to/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIXTURES = REPO / "tests" / "fixtures"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def _unavailable(reason: str) -> None:
    if os.environ.get("AUDITOR_REQUIRE_BROWSER"):
        pytest.fail(f"AUDITOR_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


def find_chromium() -> Path | None:
    """The chromium to drive: $CHROMIUM, Debian's, or the first on PATH; None when there is none."""
    if os.environ.get("CHROMIUM"):
        return Path(os.environ["CHROMIUM"])
    if DEBIAN_CHROMIUM.exists():
        return DEBIAN_CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = find_chromium()
    if chromium is None:
        _unavailable(f"no chromium ($CHROMIUM, {DEBIAN_CHROMIUM}, chromium on PATH): {INSTALL_HINT}")
    elif not chromium.exists():
        _unavailable(f"CHROMIUM={chromium} does not exist: {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def replayed_result(cassette: Path, workdir: Path) -> dict[str, Any]:
    """The saved result of a real audit replayed from ``cassette`` (through the CLI)."""
    from auditor.cli import main

    saved = workdir / "result.json"
    code = main(
        [
            "audit",
            "--subscription",
            SUBSCRIPTION,
            "--replay",
            str(cassette),
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


def open_resource_detail(page: Any, name: str) -> Any:
    """Search the resources for ``name``, open its detail row and return it."""
    page.fill("#resources-filters input[name=q]", name)
    page.wait_for_function(
        """name => [...document.querySelectorAll('#resources-table tbody tr.resource-row')]
            .every(row => row.firstChild.textContent.includes(name))""",
        arg=name,
    )
    row = page.locator("#resources-table tbody tr.resource-row").filter(
        has=page.get_by_role("cell", name=name, exact=True)
    )
    row.locator("button.toggle").click()
    detail = page.locator("#resources-table tr.detail-row").filter(
        has=page.get_by_role("heading", name=name, exact=True)
    )
    detail.wait_for()
    return detail


def load_fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


@dataclass
class OpenedReport:
    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _dismiss(dialog: Any, opened: OpenedReport) -> None:
    opened.dialogs.append(dialog.message)
    dialog.dismiss()


def _note_console_error(message: Any, opened: OpenedReport) -> None:
    if message.type == "error":
        opened.errors.append(message.text)


@pytest.fixture
def open_report(browser: Any, tmp_path: Path) -> Iterator[Callable[..., OpenedReport]]:
    """Render a result to disk, open it from file:// and watch every request it makes."""
    contexts: list[Any] = []

    def opener(
        result: Mapping[str, Any], *, strip_csp: bool = False, viewport: tuple[int, int] = (1400, 1000)
    ) -> OpenedReport:
        document = render(result)
        if strip_csp:
            # Without the CSP only our escaping stands between a payload and execution.
            start = document.index('<meta http-equiv="Content-Security-Policy"')
            document = document[:start] + document[document.index(">", start) + 1 :]
        path = tmp_path / f"report-{len(contexts)}.html"
        path.write_text(document, encoding="utf-8")
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        # A page that never gets ready (script blocked or broken) should fail fast, not hang.
        context.set_default_timeout(15_000)
        page = context.new_page()
        opened = OpenedReport(page=page, url=path.as_uri())

        def guard(route: Any) -> None:
            if route.request.url == opened.url:
                route.continue_()
            else:
                opened.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("dialog", lambda dialog: _dismiss(dialog, opened))
        page.on("pageerror", lambda error: opened.errors.append(str(error)))
        page.on("console", lambda message: _note_console_error(message, opened))
        page.goto(opened.url)
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        return opened

    yield opener
    for context in contexts:
        context.close()
