"""What a rule is, what it returns, and the helpers rules share."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.matrix import Cell
from auditor.model import App, DataKey

if TYPE_CHECKING:
    from auditor.rules.facts import AppFacts


class Status(enum.StrEnum):
    FAIL = "fail"
    PASS = "pass"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class Severity(enum.StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self]


SEVERITY_RANK: dict[Severity, int] = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
}


class Category(enum.StrEnum):
    RISK = "risk"
    DRIFT = "drift"


@dataclass(frozen=True)
class Reference:
    doc: str
    section: str


@dataclass(frozen=True)
class Outcome:
    """One rule's verdict on one resource.

    ``evidence`` holds only the decisive live-state fields (it feeds the
    fingerprint); ``cell`` is the matrix cell a drift rule judged against,
    kept apart so that the same live state keeps its fingerprint across editions.
    """

    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    missing: tuple[DataKey, ...] = ()
    cell: Cell | None = None


CheckFunction = Callable[["AppFacts"], Outcome]


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    title: str
    rationale: str
    remediation: str
    reference: Reference
    check: CheckFunction
    # None: every edition; otherwise the editions in which the rule's facts hold.
    editions: tuple[str, ...] | None = None

    def evaluate(self, facts: AppFacts) -> Outcome:
        if self.editions is not None and facts.edition not in self.editions:
            return Outcome(
                Status.NOT_APPLICABLE,
                f"{self.id} applies to edition {', '.join(self.editions)} only, not {facts.edition}.",
            )
        return self.check(facts)

    def catalogue_entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category.value,
            "severity": self.severity.value,
            "title": self.title,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "reference": {"doc": self.reference.doc, "section": self.reference.section},
            "editions": list(self.editions) if self.editions is not None else None,
        }


def fail(message: str, evidence: Mapping[str, Any], cell: Cell | None = None) -> Outcome:
    return Outcome(Status.FAIL, message, dict(evidence), cell=cell)


def passed(message: str, evidence: Mapping[str, Any] | None = None, cell: Cell | None = None) -> Outcome:
    return Outcome(Status.PASS, message, dict(evidence or {}), cell=cell)


def not_applicable(message: str, evidence: Mapping[str, Any] | None = None) -> Outcome:
    return Outcome(Status.NOT_APPLICABLE, message, dict(evidence or {}))


def missing_reason(app: App, key: DataKey) -> str:
    return app.missing.get(key) or "not collected"


def unknown(app: App, keys: tuple[DataKey, ...], what: str, cell: Cell | None = None) -> Outcome:
    """An outcome that names the failed call(s) behind each missing key."""
    reasons = {key.value: missing_reason(app, key) for key in keys}
    detail = "; ".join(f"{key}: {reason}" for key, reason in reasons.items())
    message = (
        f"Could not decide: {what} could not be read ({detail})." if keys else f"Could not decide: {what}."
    )
    return Outcome(Status.UNKNOWN, message, {"missing": reasons}, missing=keys, cell=cell)


def unknown_without_read(message: str, evidence: Mapping[str, Any], cell: Cell | None = None) -> Outcome:
    """Unknown because the edition or the data model cannot answer, not because a read failed."""
    return Outcome(Status.UNKNOWN, message, dict(evidence), cell=cell)
