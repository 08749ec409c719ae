"""Risk and drift rules over the inventory model; see ``catalogue.RULES``."""

from auditor.rules.base import Category, Outcome, Reference, Rule, Severity, Status
from auditor.rules.catalogue import RULES, RULES_BY_ID, rule_catalogue
from auditor.rules.facts import AppFacts, facts_for

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "AppFacts",
    "Category",
    "Outcome",
    "Reference",
    "Rule",
    "Severity",
    "Status",
    "facts_for",
    "rule_catalogue",
]
