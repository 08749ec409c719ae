"""How reporters show a finding's fix: its commands as one bash text, ready to copy.

Reporters never quote shell text themselves; auditor/fix_script.py does, so what a report shows
is byte for byte what ``auditor fix`` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

# The module, not its names: fix_script imports auditor.report.common, whose package imports this.
from auditor import fix_script
from auditor.fixes import finding_fix


def fix_text(finding: Mapping[str, Any]) -> str | None:
    """The finding's fix commands quoted for bash, one per line; None when it has no fix."""
    fix = finding_fix(finding)
    if not fix or not fix.get("commands"):
        return None
    return fix_script.display_commands(fix)


def html_fix(finding: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the HTML report's script shows of a fix: summary, caution, properties and the bash text."""
    text = fix_text(finding)
    fix = finding_fix(finding)
    if text is None or fix is None:
        return None
    return {
        "summary": fix.get("summary"),
        "caution": fix.get("caution"),
        "properties": fix.get("properties") or [],
        "text": text,
    }


# Characters a Markdown summary never prints raw (tests/test_hostile_reports.py): inside a code
# fence they would be inert on GitHub, but not every chat client renders fences.
_NOT_RAW_IN_MARKDOWN = frozenset("<>")


def markdown_fix_lines(
    findings: Sequence[Mapping[str, Any]],
    label: Callable[[Mapping[str, Any]], str],
    escape: Callable[[object], str],
) -> list[str]:
    """A "Fixes" section for the given findings: one fenced bash block each, or a pointer to `auditor fix`.

    ``label`` renders the finding's heading and ``escape`` any other text as inert inline Markdown.
    """
    lines: list[str] = []
    for finding in findings:
        text = fix_text(finding)
        if text is None:
            continue
        fix = finding_fix(finding) or {}
        lines += ["", f"- {label(finding)}: {escape(fix.get('summary'))}"]
        if _NOT_RAW_IN_MARKDOWN & set(text):
            lines.append(
                "  Its command holds characters this summary does not print raw: `auditor fix` prints it."
            )
            continue
        fence = "`" * max(3, _longest_backtick_run(text) + 1)
        lines += [f"  {fence}bash", *(f"  {line}" for line in text.splitlines()), f"  {fence}"]
    if not lines:
        return []
    return ["### Fixes (review before running; `auditor fix RESULT.json` prints them as a script)", *lines]


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


def sarif_fix_property(finding: Mapping[str, Any]) -> dict[str, Any] | None:
    """The fix as a SARIF result property (``fixes`` needs file edits; see auditor/report/sarif.py)."""
    text = fix_text(finding)
    fix = finding_fix(finding)
    if text is None or fix is None:
        return None
    entry: dict[str, Any] = {"summary": fix.get("summary"), "commands": text.splitlines()}
    for key in ("caution", "properties"):
        if fix.get(key):
            entry[key] = fix[key]
    return entry
