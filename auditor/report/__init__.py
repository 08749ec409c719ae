"""Reporters: each renders the canonical JSON result (a plain dict) to text.

Reporters read only the result, never the inventory or Azure, so
``auditor report RESULT.json`` re-renders any saved audit offline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auditor.report import csv_report, html, json_report, markdown, ocsf, sarif, table

Renderer = Callable[[Mapping[str, Any]], str]

RENDERERS: dict[str, Renderer] = {
    "table": table.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "html": html.render,
    "csv": csv_report.render,
    "markdown": markdown.render,
    "ocsf": ocsf.render,
}


def render(result: Mapping[str, Any], fmt: str) -> str:
    return RENDERERS[fmt](result)
