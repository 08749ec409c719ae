"""The rule catalogue: every rule of rules.md, in one explicit tuple."""

from __future__ import annotations

from typing import Any

from auditor.rules.base import Rule
from auditor.rules.drift import DRIFT_RULES
from auditor.rules.risk import RISK_RULES

RULES: tuple[Rule, ...] = RISK_RULES + DRIFT_RULES

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rule_catalogue() -> list[dict[str, Any]]:
    """id, category, severity, title, rationale, remediation, reference (and editions) of every rule."""
    return [rule.catalogue_entry() for rule in RULES]
