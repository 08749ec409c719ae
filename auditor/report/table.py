"""Terminal report: the exposure of each resource, then its findings, then gaps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from tabulate import tabulate

from auditor.counts import counts_as_failing, is_waived
from auditor.report.common import SEVERITY_ORDER, display_name, printable, rank, shorten
from auditor.waivers import waiver_note

MESSAGE_WIDTH = 96


def _severity_counts(findings: Sequence[Mapping[str, Any]]) -> str:
    counts = {severity: 0 for severity in SEVERITY_ORDER}
    for finding in findings:
        if counts_as_failing(finding) and finding.get("severity") in counts:
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
                display_name(resource),
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


def _findings_table(result: Mapping[str, Any], grouped: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    rows = []
    for resource in result.get("resources", []):
        findings = sorted(
            grouped.get(str(resource.get("id", "")).lower(), []),
            key=lambda finding: (rank(SEVERITY_ORDER, finding.get("severity")), str(finding.get("rule_id"))),
        )
        for index, finding in enumerate(findings):
            note = waiver_note(finding)
            rows.append(
                [
                    display_name(resource) if index == 0 else "",
                    printable(finding.get("severity")),
                    printable(finding.get("status")) + (" (waived)" if is_waived(finding) else ""),
                    printable(finding.get("rule_id")),
                    shorten(
                        printable(f"[{note}] " if note else "") + printable(finding.get("message")),
                        MESSAGE_WIDTH,
                    ),
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
            shorten(printable(gap.get("reason")), 60),
        ]
        for gap in gaps
    ]
    return tabulate(rows, headers=["resource", "operation", "status", "reason"], tablefmt="simple")


def _waivers_table(result: Mapping[str, Any]) -> str | None:
    waivers = result.get("waivers") or []
    if not waivers:
        return None
    rows = [
        [
            printable(waiver.get("status")),
            printable(waiver.get("rule_id")),
            shorten(printable(waiver.get("resource")), 50),
            printable(waiver.get("owner")),
            printable(waiver.get("expires")),
            printable(waiver.get("matches")),
        ]
        for waiver in waivers
    ]
    headers = ["waiver", "rule", "resource", "owner", "expires", "matches"]
    return tabulate(rows, headers=headers, tablefmt="simple")


def render(result: Mapping[str, Any]) -> str:
    grouped = _findings_by_resource(result)
    sections = [
        f"Exposure (edition {printable(result.get('edition'))})",
        _exposure_table(result, grouped),
        "",
        "Findings",
        _findings_table(result, grouped),
    ]
    waivers = _waivers_table(result)
    if waivers:
        sections += ["", "Waivers (expired ones no longer apply; stale ones match no finding)", waivers]
    gaps = _gaps_table(result)
    if gaps:
        sections += ["", "Gaps (data that could not be read; affected rules are unknown)", gaps]
    return "\n".join(sections) + "\n"
