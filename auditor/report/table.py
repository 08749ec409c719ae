"""Terminal report: the exposure of each resource, then its findings, then gaps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from tabulate import tabulate

SEVERITY_ORDER = ("high", "medium", "low", "info")
MESSAGE_WIDTH = 96


def printable(value: object) -> str:
    """Render an Azure-supplied value safely for a terminal.

    Names, tags and rule descriptions are attacker-controlled; an escape
    sequence in one must not repaint or hide the operator's terminal.
    """
    text = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _shorten(text: str, width: int = MESSAGE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _display_name(resource: Mapping[str, Any]) -> str:
    name = printable(resource.get("name"))
    slot = resource.get("slot")
    if slot and not name.endswith(f"/{slot}"):
        name = f"{name}/{printable(slot)}"
    return name


def _severity_counts(findings: Sequence[Mapping[str, Any]]) -> str:
    counts = {severity: 0 for severity in SEVERITY_ORDER}
    for finding in findings:
        if finding.get("status") == "fail" and finding.get("severity") in counts:
            counts[finding["severity"]] += 1
    return " ".join(f"{severity[0].upper()}{counts[severity]}" for severity in SEVERITY_ORDER)


def _findings_by_resource(result: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for finding in result.get("findings", []):
        grouped[str(finding.get("resource_id", "")).lower()].append(finding)
    return grouped


def _exposure_table(result: Mapping[str, Any], grouped: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    rows = []
    for resource in result.get("resources", []):
        inbound = resource.get("inbound") or {}
        plan = resource.get("plan") or {}
        rows.append(
            [
                _display_name(resource),
                printable(resource.get("resource_group")),
                printable(resource.get("hosting")),
                printable(resource.get("os")),
                printable(plan.get("sku")),
                printable(inbound.get("main")),
                printable(inbound.get("scm")),
                printable(resource.get("outbound")),
                _severity_counts(grouped.get(str(resource.get("id", "")).lower(), [])),
            ]
        )
    headers = ["resource", "group", "hosting", "os", "sku", "inbound", "scm", "outbound", "fails"]
    return tabulate(rows, headers=headers, tablefmt="simple")


def _severity_rank(finding: Mapping[str, Any]) -> int:
    severity = finding.get("severity")
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _findings_table(result: Mapping[str, Any], grouped: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    rows = []
    for resource in result.get("resources", []):
        findings = sorted(
            grouped.get(str(resource.get("id", "")).lower(), []),
            key=lambda finding: (_severity_rank(finding), str(finding.get("rule_id"))),
        )
        for index, finding in enumerate(findings):
            rows.append(
                [
                    _display_name(resource) if index == 0 else "",
                    printable(finding.get("severity")),
                    printable(finding.get("status")),
                    printable(finding.get("rule_id")),
                    _shorten(printable(finding.get("message"))),
                ]
            )
    if not rows:
        return "No failing or unknown findings."
    return tabulate(rows, headers=["resource", "severity", "status", "rule", "message"], tablefmt="simple")


def _gaps_table(result: Mapping[str, Any]) -> str | None:
    gaps = result.get("gaps") or []
    if not gaps:
        return None
    rows = [
        [
            printable(gap.get("resource_id") or "(subscription)"),
            printable(gap.get("operation")),
            printable(gap.get("status")),
            _shorten(printable(gap.get("reason")), 60),
        ]
        for gap in gaps
    ]
    return tabulate(rows, headers=["resource", "operation", "status", "reason"], tablefmt="simple")


def render(result: Mapping[str, Any]) -> str:
    grouped = _findings_by_resource(result)
    sections = [
        f"Exposure (edition {printable(result.get('edition'))})",
        _exposure_table(result, grouped),
        "",
        "Findings",
        _findings_table(result, grouped),
    ]
    gaps = _gaps_table(result)
    if gaps:
        sections += ["", "Gaps (data that could not be read; affected rules are unknown)", gaps]
    return "\n".join(sections) + "\n"
