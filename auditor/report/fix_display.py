"""How reporters show a finding's fix: its commands as one bash text, ready to copy.

Reporters never quote shell text themselves; auditor/fix_script.py does, so what a report shows
is byte for byte what ``auditor fix`` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def with_fix_text(finding: Mapping[str, Any]) -> Mapping[str, Any]:
    """The finding with ``fix_text`` added for the HTML report's script (unchanged without a fix)."""
    text = fix_text(finding)
    if text is None:
        return finding
    return {**finding, "fix": finding_fix(finding), "fix_text": text}
