"""A short Markdown summary for a pull request comment or a chat channel (GitHub, Teams).

Every value that comes from the result goes through :func:`escape_markdown`:
names, groups and messages are attacker-controlled, and a pipe, backtick,
newline or tag in one must not break a table, open a code span or inject HTML,
nor notify anyone (``@team``), reference an issue (``#12``) or become a live
link (``https://…``, ``www.…``, ``[text](url)``, ``<url>``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.counts import count_findings, counts_as_failing
from auditor.docs import reference_url
from auditor.report.common import (
    HOSTING_ORDER,
    INBOUND_ORDER,
    SEVERITY_ORDER,
    display_name,
    printable,
    rank,
    shorten,
)
from auditor.report.fix_display import markdown_fix_lines

TOP_FINDINGS = 10
MESSAGE_WIDTH = 160
GAPS_LISTED = 5

# Numeric entities, not backslash escapes: GitHub and Teams both decode
# entities, a table row is split on raw pipes before entities are decoded, and
# an entity cannot open a code span, emphasis, link or tag.
_MARKDOWN_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "`": "&#96;",
    "\\": "&#92;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "~": "&#126;",
    # GitHub finds @mentions and #references in the rendered text, after entities are decoded:
    # a zero-width space after the sign keeps the name from touching it.
    "#": "&#35;&#8203;",
    "@": "&#64;&#8203;",
}
_ESCAPE_TABLE = str.maketrans(_MARKDOWN_ENTITIES)
# Bare URLs GitHub links by itself ("extended autolinks"): broken by a zero-width space.
_AUTOLINK = re.compile(r"(?i)(?<=www)\.|:(?=//)")
_AUTOLINK_BREAK = {".": "&#8203;.", ":": "&#58;&#8203;"}


def escape_markdown(value: object) -> str:
    """Make ``value`` inert inline Markdown text, safe in a table cell.

    Control characters (newlines included) become visible ``\\xNN`` escapes
    first, so no value can end a table row or start a block.
    """
    text = printable(value).translate(_ESCAPE_TABLE)
    return _AUTOLINK.sub(lambda match: _AUTOLINK_BREAK[match.group()], text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _ordered(seen: Sequence[str], preferred: Sequence[str]) -> list[str]:
    return [value for value in preferred if value in seen] + sorted(set(seen) - set(preferred))


def exposure_grid(result: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    """How many resources fall in each (hosting model, main-site inbound verdict) cell."""
    grid: Counter[tuple[str, str]] = Counter()
    for resource in result.get("resources") or []:
        inbound = resource.get("inbound") or {}
        grid[(str(resource.get("hosting") or "unknown"), str(inbound.get("main") or "unknown"))] += 1
    return dict(grid)


def _exposure_section(result: Mapping[str, Any]) -> list[str]:
    grid = exposure_grid(result)
    if not grid:
        return ["No function apps were found."]
    hostings = _ordered([hosting for hosting, _ in grid], HOSTING_ORDER)
    verdicts = _ordered([verdict for _, verdict in grid], INBOUND_ORDER)
    rows = []
    for hosting in hostings:
        counts = [grid.get((hosting, verdict), 0) for verdict in verdicts]
        rows.append([escape_markdown(hosting), *(str(count) for count in counts), str(sum(counts))])
    column_totals = [sum(grid.get((hosting, verdict), 0) for hosting in hostings) for verdict in verdicts]
    rows.append(["**total**", *(f"**{count}**" for count in column_totals), f"**{sum(column_totals)}**"])
    headers = ["hosting", *(escape_markdown(verdict) for verdict in verdicts), "total"]
    return _table(headers, rows)


def _headline(result: Mapping[str, Any]) -> list[str]:
    counts = count_findings(result.get("findings") or [])
    failing = counts.failing_by_severity
    gaps = len(result.get("gaps") or [])
    resources = len(result.get("resources") or [])
    severities = [*SEVERITY_ORDER, *sorted(set(failing) - set(SEVERITY_ORDER))]
    headers = [
        "resources",
        "failing",
        *(escape_markdown(severity) for severity in severities),
        "unknown",
        "waived",
        "gaps",
    ]
    row = [
        str(resources),
        str(counts.failing),
        *(str(failing.get(severity, 0)) for severity in severities),
        str(counts.unknown),
        str(counts.waived),
        str(gaps),
    ]
    return _table(headers, [row])


def _rule_link(finding: Mapping[str, Any]) -> str:
    """The rule id, linked to its Microsoft Learn page (only such a URL is ever linked)."""
    rule = escape_markdown(finding.get("rule_id"))
    url = reference_url(finding.get("reference"))
    return f"[{rule}]({url})" if url else rule


def _failing(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Failing, unwaived findings, most severe first."""
    return sorted(
        (f for f in result.get("findings") or [] if counts_as_failing(f)),
        key=lambda finding: (
            rank(SEVERITY_ORDER, finding.get("severity")),
            str(finding.get("rule_id")),
            str(finding.get("resource_id")).lower(),
        ),
    )


def _resource_names(result: Mapping[str, Any]) -> dict[str, str]:
    return {str(r.get("id", "")).lower(): display_name(r) for r in result.get("resources") or []}


def _top_findings(result: Mapping[str, Any]) -> list[str]:
    names = _resource_names(result)
    failing = _failing(result)
    if not failing:
        return ["No failing findings."]
    rows = []
    for finding in failing[:TOP_FINDINGS]:
        resource_id = str(finding.get("resource_id") or "")
        resource = names.get(resource_id.lower()) or resource_id
        message = printable(finding.get("message") or finding.get("title"))
        rows.append(
            [
                escape_markdown(finding.get("severity")),
                _rule_link(finding),
                escape_markdown(resource),
                escape_markdown(shorten(message, MESSAGE_WIDTH)),
            ]
        )
    lines = _table(["severity", "rule", "resource", "finding"], rows)
    hidden = len(failing) - TOP_FINDINGS
    if hidden > 0:
        plural = "s" if hidden > 1 else ""
        lines += ["", f"…and {hidden} more failing finding{plural} in the full report."]
    return lines


def _waiver_note(result: Mapping[str, Any]) -> list[str]:
    waivers = result.get("waivers") or []
    if not waivers:
        return []
    waived = count_findings(result.get("findings") or []).waived
    rows = [
        [
            escape_markdown(waiver.get("status")),
            escape_markdown(waiver.get("rule_id")),
            escape_markdown(shorten(printable(waiver.get("resource")), MESSAGE_WIDTH)),
            escape_markdown(waiver.get("owner")),
            escape_markdown(waiver.get("expires")),
            escape_markdown(shorten(printable(waiver.get("reason")), MESSAGE_WIDTH)),
        ]
        for waiver in waivers
    ]
    return [
        "### Waivers",
        "",
        f"{waived} finding(s) are waived: listed in the full report, left out of the counts above. "
        "Expired waivers no longer apply; stale ones match no finding.",
        "",
        *_table(["waiver", "rule", "resource", "owner", "expires", "reason"], rows),
    ]


def _gap_note(result: Mapping[str, Any]) -> list[str]:
    gaps = result.get("gaps") or []
    if not gaps:
        return []
    names = {str(r.get("id", "")).lower(): display_name(r) for r in result.get("resources") or []}
    unknown = count_findings(result.get("findings") or []).unknown
    plural = "s" if len(gaps) != 1 else ""
    lines = [
        "### Gaps",
        "",
        f"{len(gaps)} read{plural} failed, so {unknown} finding outcome(s) are **unknown**, not passes. "
        "Grant the missing read permission or retry, then audit again.",
        "",
    ]
    for gap in gaps[:GAPS_LISTED]:
        resource_id = str(gap.get("resource_id") or "")
        target = names.get(resource_id.lower()) or resource_id or "(subscription)"
        status = gap.get("status")
        lines.append(
            f"- Status {escape_markdown(status if status is not None else 'n/a')} for "
            f"{escape_markdown(gap.get('operation'))} on {escape_markdown(target)}: "
            f"{escape_markdown(shorten(printable(gap.get('reason')), MESSAGE_WIDTH))}"
        )
    if len(gaps) > GAPS_LISTED:
        lines.append(f"- …and {len(gaps) - GAPS_LISTED} more in the full report.")
    return lines


def render(result: Mapping[str, Any]) -> str:
    subscriptions = result.get("subscriptions") or []
    plural = "s" if len(subscriptions) != 1 else ""
    context = f"Edition {escape_markdown(result.get('edition'))} · {len(subscriptions)} subscription{plural}"
    if result.get("finished_at"):
        context += f" · finished {escape_markdown(result.get('finished_at'))}"
    failed_subscriptions = [sub for sub in subscriptions if sub.get("status") != "ok"]
    sections = [
        "## Azure Function Apps network audit",
        "",
        context,
        "",
        *_headline(result),
        "",
    ]
    if failed_subscriptions:
        sections += [
            f"**{len(failed_subscriptions)} subscription(s) could not be audited:** "
            + ", ".join(escape_markdown(sub.get("id")) for sub in failed_subscriptions),
            "",
        ]
    sections += [
        "### Exposure (main site inbound access by hosting model)",
        "",
        *_exposure_section(result),
        "",
        "### Top findings",
        "",
        *_top_findings(result),
    ]
    names = _resource_names(result)
    fixes = markdown_fix_lines(
        _failing(result)[:TOP_FINDINGS],
        lambda finding: (
            f"**{escape_markdown(finding.get('rule_id'))}** on "
            + escape_markdown(
                names.get(str(finding.get("resource_id")).lower()) or finding.get("resource_id")
            )
        ),
        escape_markdown,
    )
    if fixes:
        sections += ["", *fixes]
    waiver_note = _waiver_note(result)
    if waiver_note:
        sections += ["", *waiver_note]
    gap_note = _gap_note(result)
    if gap_note:
        sections += ["", *gap_note]
    return "\n".join(sections) + "\n"
