"""CSV for spreadsheets and SIEM ingestion: one row per finding (fail and unknown).

Columns, in this order (a public contract: append new columns at the end):

``severity, status, category, rule_id, resource_id, resource_name,
resource_group, subscription, title, message, evidence, remediation,
reference, fingerprint, waiver``

``waiver`` is empty, or says the finding is waived (until when, by whom, why) or that its waiver
has expired.

``evidence`` and ``reference`` are compact JSON with sorted keys. Rows are
sorted by severity (high first), status (fail before unknown), rule, resource.

Formula injection (OWASP "CSV Injection"; ASVS 1.2.10): resource names and
groups are attacker-controlled, and a spreadsheet runs a cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab, carriage return or NUL in front of
one) as a formula. Spreadsheets also look past leading blanks (a non-breaking or
other Unicode space, a zero-width character) and read the full-width and small
forms (``＝`` ``＋`` ``－`` ``＠``, ``﹦``) and the minus sign ``−`` as the ASCII
ones. Such a cell gets a leading ``'``, which spreadsheets show as text; every
cell is also quoted, so a separator inside a value cannot start a new cell under
a spreadsheet's other delimiter guesses.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from auditor.report.common import SEVERITY_ORDER, STATUS_ORDER, display_name, rank
from auditor.waivers import waiver_note

COLUMNS = (
    "severity",
    "status",
    "category",
    "rule_id",
    "resource_id",
    "resource_name",
    "resource_group",
    "subscription",
    "title",
    "message",
    "evidence",
    "remediation",
    "reference",
    "fingerprint",
    "waiver",
)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
_FORMULA_STARTS = frozenset("=+-@")
_MINUS_SIGN = "\u2212"


def neutralize(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would evaluate as a formula.

    Leading blanks are looked through too (spaces of any kind, zero-width and
    other invisible format characters): some spreadsheets trim them before
    deciding whether a cell is a formula.
    """
    if cell.startswith(FORMULA_TRIGGERS):
        return "'" + cell
    for char in cell:
        if char.isspace() or unicodedata.category(char) in ("Cf", "Cc"):
            continue
        if char == _MINUS_SIGN or unicodedata.normalize("NFKC", char) in _FORMULA_STARTS:
            return "'" + cell
        break
    return cell


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _compact_json(value: object) -> str:
    if value is None or value == {}:
        return ""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _id_segment(resource_id: str, key: str) -> str:
    """The value after ``/key/`` in an ARM id, for findings whose resource is not listed."""
    parts = resource_id.split("/")
    lowered = [part.lower() for part in parts]
    try:
        return parts[lowered.index(key.lower()) + 1]
    except (ValueError, IndexError):
        return ""


def _row(finding: Mapping[str, Any], resource: Mapping[str, Any]) -> list[str]:
    resource_id = _text(finding.get("resource_id"))
    cells = {
        "severity": _text(finding.get("severity")),
        "status": _text(finding.get("status")),
        "category": _text(finding.get("category")),
        "rule_id": _text(finding.get("rule_id")),
        "resource_id": resource_id,
        "resource_name": display_name(resource, _text) if resource else _id_segment(resource_id, "sites"),
        "resource_group": _text(resource.get("resource_group")) or _id_segment(resource_id, "resourceGroups"),
        "subscription": _id_segment(resource_id, "subscriptions"),
        "title": _text(finding.get("title")),
        "message": _text(finding.get("message")),
        "evidence": _compact_json(finding.get("evidence")),
        "remediation": _text(finding.get("remediation")),
        "reference": _compact_json(finding.get("reference")),
        "fingerprint": _text(finding.get("fingerprint")),
        "waiver": waiver_note(finding) or "",
    }
    return [neutralize(cells[column]) for column in COLUMNS]


def render(result: Mapping[str, Any]) -> str:
    resources = {_text(r.get("id")).lower(): r for r in result.get("resources") or []}
    findings = sorted(
        result.get("findings") or [],
        key=lambda finding: (
            rank(SEVERITY_ORDER, finding.get("severity")),
            rank(STATUS_ORDER, finding.get("status")),
            _text(finding.get("rule_id")),
            _text(finding.get("resource_id")).lower(),
            _text(finding.get("fingerprint")),
        ),
    )
    buffer = io.StringIO()
    # "\n", not the csv module's "\r\n": the CLI writes text mode, which already
    # turns "\n" into the platform's line ending.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(COLUMNS)
    for finding in findings:
        resource = resources.get(_text(finding.get("resource_id")).lower(), {})
        writer.writerow(_row(finding, resource))
    return buffer.getvalue()
