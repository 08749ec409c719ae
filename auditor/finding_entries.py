"""The result's finding entries: rule and policy outcomes with their references and matrix cells."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.fingerprints import (
    fingerprint,
    jsonable,
)
from auditor.fixes import fix_for
from auditor.matrix import Cell
from auditor.model import (
    App,
)
from auditor.result_types import Finding
from auditor.rules.base import Outcome, Rule

if TYPE_CHECKING:
    from auditor.policy import Policy, RequirementOutcome


def _reference(rule: Rule, outcome: Outcome, edition: str) -> dict[str, Any]:
    """The public page a user can open: the matrix cell's when the rule judged against one."""
    cell = outcome.cell
    if cell is not None:
        return {
            "edition": edition,
            "doc": cell.doc,
            "section": cell.section,
            "url": cell.url,
            "basis": cell.basis,
        }
    return {"edition": edition, **rule.reference.as_dict()}


def _matrix_cell(cell: Cell) -> dict[str, Any]:
    return {
        "edition": cell.edition,
        "feature": cell.feature.value,
        "hosting": cell.hosting.value,
        "value": cell.value.value,
        "qualifiers": cell.qualifiers(),
        "note": cell.note,
        "source": cell.source,
        "url": cell.url,
    }


class FindingBuilder:
    """Builds the findings of one evaluation, each with its own reference and matrix cell."""

    def __init__(self, edition: str) -> None:
        self.edition = edition

    def _cell_parts(self, rule: Rule, outcome: Outcome) -> tuple[dict[str, Any], dict[str, Any] | None]:
        cell = outcome.cell
        reference = _reference(rule, outcome, self.edition)
        return reference, None if cell is None else _matrix_cell(cell)

    def finding(self, rule: Rule, app: App, outcome: Outcome) -> Finding:
        evidence = jsonable(outcome.evidence)
        reference, matrix_cell = self._cell_parts(rule, outcome)
        finding: Finding = {
            "rule_id": rule.id,
            "category": rule.category._value_,  # ._value_: the .value property is slow, per finding
            "severity": rule.severity._value_,
            "status": outcome.status._value_,
            "resource_id": app.id,
            "resource_name": app.name,
            "title": rule.title,
            "message": outcome.message,
            "evidence": evidence,
            "reference": reference,
            "remediation": rule.remediation,
            "fingerprint": fingerprint(rule.id, app.id, evidence),
        }
        if matrix_cell is not None:
            finding["matrix_cell"] = matrix_cell
        fix = fix_for(rule.id, finding["status"], app.id, evidence)
        if fix is not None:
            finding["fix"] = fix
        return finding


def policy_finding(app: App, outcome: RequirementOutcome, edition: str, policy: Policy) -> Finding:
    requirement = outcome.requirement
    evidence = jsonable(outcome.evidence)
    return {
        "rule_id": requirement.rule_id,
        "category": "drift",
        "severity": requirement.severity.value,
        "status": outcome.status.value,
        "resource_id": app.id,
        "resource_name": app.name,
        "title": requirement.description or f"Policy requirement {requirement.name}",
        "message": outcome.message,
        "evidence": evidence,
        "reference": {"edition": edition, "doc": str(policy.path), "section": f"line {requirement.line}"},
        "remediation": "Bring the app in line with the organisation's policy, or change the policy "
        f"requirement {requirement.name!r} (line {requirement.line}) if it no longer applies.",
        "fingerprint": fingerprint(requirement.rule_id, app.id, evidence),
    }
