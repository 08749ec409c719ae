"""Inventory x matrix edition x rules -> the canonical JSON result (spec/output.md).

Every reporter renders this dict, and ``auditor report RESULT.json`` re-renders a
saved one, so it holds only JSON types and is sorted deterministically.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from auditor.counts import count_findings, fails_at_or_above
from auditor.exit_codes import EXIT_CANNOT_VOUCH, EXIT_FINDINGS, EXIT_OK
from auditor.finding_entries import FindingBuilder, policy_finding
from auditor.fingerprints import (
    fingerprint,
)
from auditor.matrix import DEFAULT_EDITION, load_edition
from auditor.model import (
    App,
    Gap,
    Inventory,
)
from auditor.resource_entries import (
    ResourceBuilder,
)
from auditor.result_file import SCHEMA_VERSION
from auditor.result_types import Finding, Resource, Result, WaiverEntry
from auditor.result_types import Gap as GapEntry
from auditor.rules.base import SEVERITY_RANK, Outcome, Rule, Status
from auditor.rules.catalogue import RULES, rule_catalogue
from auditor.rules.facts import facts_for

if TYPE_CHECKING:
    from auditor.policy import Policy
    from auditor.waivers import Waiver

FAIL_ON_CHOICES = ("info", "low", "medium", "high", "never")

__all__ = [
    "FAIL_ON_CHOICES",
    "SCHEMA_VERSION",
    "evaluate",
    "exit_code",
    "fingerprint",
    "rule_catalogue",
]


def _iso(moment: datetime) -> str:
    # A naive datetime is taken as UTC: the CLI always passes aware ones.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _gap_entry(gap: Gap, unknown_rules: list[str]) -> GapEntry:
    return {
        "subscription_id": gap.subscription_id,
        "resource_id": gap.resource_id,
        "operation": gap.operation,
        "status": gap.status,
        "reason": gap.reason,
        "affects": [key.value for key in gap.affects],
        "rules_unknown": unknown_rules,
    }


def _rules_made_unknown(gap: Gap, unknowns: list[tuple[App, Rule, Outcome]]) -> list[str]:
    """Rules left unknown by data this gap prevented (on its app, or on any app of its subscription)."""
    affected: set[str] = set()
    for app, rule, outcome in unknowns:
        if gap.resource_id is not None:
            related = gap.resource_id.lower() in (
                app.id.lower(),
                (app.plan_id or "").lower(),
                (app.ase_id or "").lower(),
            )
        else:
            related = gap.subscription_id.lower() == app.subscription_id.lower()
        if related and set(outcome.missing) & set(gap.affects):
            affected.add(rule.id)
    return sorted(affected)


# By value: building a Severity per finding to sort costs more than the rest of the key.
_RANK_BY_VALUE = {severity.value: rank for severity, rank in SEVERITY_RANK.items()}


def _severity_order(finding: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        -_RANK_BY_VALUE[finding["severity"]],
        finding["status"] != "fail",
        finding["rule_id"],
        str(finding["resource_id"]).lower(),
    )


def evaluate(
    inventory: Inventory,
    *,
    edition: str = DEFAULT_EDITION,
    started_at: datetime,
    finished_at: datetime,
    include_passed: bool = False,
    tool_version: str,
    cloud: str | None = None,
    policy: Policy | None = None,
    waivers: Sequence[Waiver] | None = None,
) -> Result:
    """Run every rule on every app and build the canonical result (spec/output.md).

    ``policy`` adds a ``policy/<name>`` finding (category drift) per unmet requirement;
    ``waivers`` mark the findings they cover (``waived``) and add a top-level ``waivers`` section,
    judged on the UTC date the audit started.
    """
    # The result is a tree of fresh dicts and lists with no reference cycles, yet building it
    # for 10,000 resources sets off the cyclic GC dozens of times, each pass walking the whole
    # inventory: a third of the time (bench/evaluation.py). Paused here, resumed on the way out.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(
            inventory,
            edition=edition,
            started_at=started_at,
            finished_at=finished_at,
            include_passed=include_passed,
            tool_version=tool_version,
            cloud=cloud,
            policy=policy,
            waivers=waivers,
        )
    finally:
        _promote_to_oldest_generation()
        if paused:
            gc.enable()


def _promote_to_oldest_generation() -> None:
    """Move what evaluation left in the young generations straight to the oldest one.

    With the collector paused, the whole result (hundreds of thousands of containers) sits in
    the youngest generation; once resumed, the next allocations would walk it there, again in
    the middle generation, and once more in a full pass, which made the JSON rendering that
    follows a quarter slower. freeze() then unfreeze() moves every tracked object to the oldest
    generation without a pass; any cyclic garbage among them is still found, by the next full
    collection. Skipped when the process has frozen objects of its own (unfreeze would release them).
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def _evaluate(
    inventory: Inventory,
    *,
    edition: str,
    started_at: datetime,
    finished_at: datetime,
    include_passed: bool,
    tool_version: str,
    cloud: str | None,
    policy: Policy | None,
    waivers: Sequence[Waiver] | None,
) -> Result:
    load_edition(edition)  # an unknown edition fails here, before any rule runs
    apps = sorted(inventory.apps, key=lambda app: app.id.lower())
    resources: list[Resource] = []
    findings: list[Finding] = []
    status_counts: dict[Status, int] = dict.fromkeys(Status, 0)
    unknowns: list[tuple[App, Rule, Outcome]] = []
    builder = FindingBuilder(edition)
    resource_builder = ResourceBuilder()
    # Rule.evaluate, unrolled: a rule outside this edition has the same outcome on every app.
    checks = [
        (rule, rule.check if rule.applies_to(edition) else None, rule.outside_editions(edition))
        for rule in RULES
    ]
    fail, unknown, passed = Status.FAIL, Status.UNKNOWN, Status.PASS
    listed = (fail, unknown, passed) if include_passed else (fail, unknown)
    for app in apps:
        facts = facts_for(app, edition)
        resources.append(resource_builder.resource(facts))
        for rule, check, outside in checks:
            outcome = outside if check is None else check(facts)
            status = outcome.status
            status_counts[status] += 1
            if status in listed:
                if status is unknown:
                    unknowns.append((app, rule, outcome))
                findings.append(builder.finding(rule, app, outcome))
        if policy is not None:
            from auditor.policy import requirement_outcomes

            for requirement_outcome in requirement_outcomes(policy, facts):
                status_counts[requirement_outcome.status] += 1
                if requirement_outcome.status is not Status.PASS or include_passed:
                    findings.append(policy_finding(app, requirement_outcome, edition, policy))
    findings.sort(key=_severity_order)
    waiver_section: list[WaiverEntry] | None = None
    if waivers is not None:
        from auditor.waivers import apply_waivers

        aware = started_at if started_at.tzinfo is not None else started_at.replace(tzinfo=UTC)
        waiver_section = apply_waivers(findings, waivers, aware.astimezone(UTC).date())
    # Waived findings stay listed but count as neither failing nor unknown (auditor/counts.py).
    counts = count_findings(findings)
    gaps = sorted(
        (_gap_entry(gap, _rules_made_unknown(gap, unknowns)) for gap in inventory.gaps),
        key=lambda gap: (
            gap["subscription_id"].lower(),
            (gap["resource_id"] or "").lower(),
            gap["operation"],
            gap["status"] if gap["status"] is not None else -1,
            gap["reason"],
        ),
    )
    # Every fail and unknown outcome is listed, so the counted and waived ones split those tallies.
    by_status = {status.value: status_counts[status] for status in Status}
    by_status[Status.FAIL.value] = counts.failing
    by_status[Status.UNKNOWN.value] = counts.unknown
    by_status["waived"] = counts.waived
    by_hosting = {
        hosting.value: count for hosting, count in sorted(Counter(app.hosting for app in apps).items())
    }
    result: Result = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": tool_version},
        "edition": edition,
        "started_at": _iso(started_at),
        "finished_at": _iso(finished_at),
        "subscriptions": [
            {"id": scan.id, "status": scan.status, "error": scan.error}
            for scan in sorted(inventory.subscriptions, key=lambda scan: scan.id.lower())
        ],
        "resources": resources,
        "findings": findings,
        "gaps": gaps,
        "summary": {
            "resources": len(resources),
            "failing": counts.failing,
            "unknown": counts.unknown,
            "waived": counts.waived,
            "by_severity": counts.failing_by_severity,
            "by_hosting": by_hosting,
            "by_status": by_status,
            "by_category": counts.failing_by_category,
            "arm_calls": inventory.arm_calls,
        },
    }
    if cloud is not None:
        result["cloud"] = cloud
    if policy is not None:
        result["policy"] = {
            "path": str(policy.path),
            "requirements": [requirement.name for requirement in policy.requirements],
        }
    if waiver_section is not None:
        result["waivers"] = waiver_section
    return result


def exit_code(result: Result | Mapping[str, Any], fail_on: str) -> int:
    """0 clean, 1 failing finding at or above ``fail_on``, 3 cannot vouch.

    3 wins over 1: when a subscription failed or data is missing, the findings
    are incomplete, and a job must not read "1" as "these are all the problems".
    """
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, not {fail_on!r}")
    if any(scan.get("status") == "error" for scan in result.get("subscriptions", ())) or result.get("gaps"):
        return EXIT_CANNOT_VOUCH
    if fail_on == "never":
        return EXIT_OK
    if any(fails_at_or_above(finding, fail_on) for finding in result.get("findings", ())):
        return EXIT_FINDINGS
    return EXIT_OK
