"""One meaning of the counts: which findings count as failing, unknown and waived.

Every place that counts findings or decides on them uses these predicates: the result's
``summary`` (and so the ``audit.summary`` log event and the status line built from it), the
exit code, ``--fail-on-new`` and ``auditor diff``, the run history, and the HTML, Markdown and
table reports.

- **failing**: a ``fail`` outcome that no active waiver covers. This is what the exit code and
  every headline count.
- **unknown**: an ``unknown`` outcome that no active waiver covers.
- **waived**: a ``fail`` or ``unknown`` outcome an active waiver covers. It stays listed, marked
  with its waiver, and counts in neither of the above. A finding whose waiver has expired
  (``waiver_expired``) is not waived: it counts again.

So every listed ``fail`` or ``unknown`` finding is exactly one of failing, unknown or waived.

Some views show the outcome itself, waived or not (SARIF lists a waived fail as suppressed, the
HTML matrix view places every fail on its cell): :func:`is_fail` and :func:`is_unknown` say that,
and :func:`is_waived` whether an active waiver covers a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.rules.base import SEVERITY_RANK, SEVERITY_VALUES_HIGH_FIRST, Severity, Status

__all__ = [
    "FindingCounts",
    "count_findings",
    "counts_as_failing",
    "counts_as_unknown",
    "counts_as_waived",
    "fails_at_or_above",
    "is_fail",
    "is_unknown",
    "is_waived",
]

_FAIL = Status.FAIL.value
_UNKNOWN = Status.UNKNOWN.value
_WAIVABLE = frozenset({_FAIL, _UNKNOWN})
_SEVERITIES = SEVERITY_VALUES_HIGH_FIRST


def is_waived(finding: Mapping[str, Any]) -> bool:
    """An active waiver covers the finding (its ``waived`` mark; an expired one is ``waiver_expired``)."""
    return bool(finding.get("waived"))


def is_fail(finding: Mapping[str, Any]) -> bool:
    """A fail outcome, waived or not."""
    return finding.get("status") == _FAIL


def is_unknown(finding: Mapping[str, Any]) -> bool:
    """An unknown outcome, waived or not."""
    return finding.get("status") == _UNKNOWN


def counts_as_failing(finding: Mapping[str, Any]) -> bool:
    """A fail outcome no active waiver covers: what the exit code and every headline count."""
    return is_fail(finding) and not is_waived(finding)


def counts_as_unknown(finding: Mapping[str, Any]) -> bool:
    return is_unknown(finding) and not is_waived(finding)


def counts_as_waived(finding: Mapping[str, Any]) -> bool:
    return finding.get("status") in _WAIVABLE and is_waived(finding)


def fails_at_or_above(finding: Mapping[str, Any], threshold: str) -> bool:
    """Failing (as above) with a severity at or above ``threshold`` (info, low, medium, high)."""
    severity = finding.get("severity")
    if not counts_as_failing(finding) or severity not in _SEVERITIES:
        return False
    return SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity(threshold)]


@dataclass
class FindingCounts:
    failing: int = 0
    unknown: int = 0
    waived: int = 0
    # Failing findings only, high first; a severity outside the four is counted under its own name.
    failing_by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_SEVERITIES, 0))
    failing_by_category: dict[str, int] = field(default_factory=lambda: {"risk": 0, "drift": 0})


def count_findings(findings: Iterable[Mapping[str, Any]]) -> FindingCounts:
    """The three counts in one pass (the predicates above, unrolled: it runs per finding of a run)."""
    counts = FindingCounts()
    by_severity, by_category = counts.failing_by_severity, counts.failing_by_category
    for finding in findings:
        status = finding.get("status")
        if status not in _WAIVABLE:
            continue
        if finding.get("waived"):  # is_waived, inlined: this loop runs per finding of a run
            counts.waived += 1
        elif status == _UNKNOWN:
            counts.unknown += 1
        else:
            counts.failing += 1
            severity = str(finding.get("severity"))
            by_severity[severity] = by_severity.get(severity, 0) + 1
            category = str(finding.get("category"))
            by_category[category] = by_category.get(category, 0) + 1
    return counts
