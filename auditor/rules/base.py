"""What a rule is, what it returns, and the helpers rules share."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from auditor.docs import Page
from auditor.matrix import Cell, Feature
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
# Display and counting order: high first.
SEVERITY_VALUES_HIGH_FIRST: tuple[str, ...] = tuple(
    severity.value for severity in sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__, reverse=True)
)


class Category(enum.StrEnum):
    RISK = "risk"
    DRIFT = "drift"


@dataclass(frozen=True)
class Reference:
    """Where a user can read what a rule checks: a public page, its section, and (secondary) the
    research ids it rests on (shared/reference/capabilities.md sources and claims)."""

    page: Page
    section: str
    anchor: str = ""  # the section's fragment on the page, when we checked the heading
    basis: str = ""

    @property
    def doc(self) -> str:
        return self.page.title

    @property
    def url(self) -> str:
        return self.page.url(self.anchor)

    def as_dict(self) -> dict[str, str]:
        entry = {"doc": self.doc, "section": self.section, "url": self.url}
        if self.basis:
            entry["basis"] = self.basis
        return entry


# slots: an audit builds one Outcome per rule per app (290,000 for 10,000 apps), and a frozen
# dataclass with slots sets its fields about twice as fast as one with a __dict__.
@dataclass(frozen=True, slots=True)
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
    # The matrix feature a drift rule judges the app's hosting against (the HTML's matrix view
    # places a finding that does not name its cell by it); None for rules no cell decides.
    matrix_feature: Feature | None = None

    def evaluate(self, facts: AppFacts) -> Outcome:
        if self.editions is not None and facts.edition not in self.editions:
            return self.outside_editions(facts.edition)
        return self.check(facts)

    def applies_to(self, edition: str) -> bool:
        return self.editions is None or edition in self.editions

    def outside_editions(self, edition: str) -> Outcome:
        """The outcome on every app of an edition the rule does not apply to."""
        return not_applicable(
            f"{self.id} applies to edition {', '.join(self.editions or ())} only, not {edition}."
        )

    def catalogue_entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category.value,
            "severity": self.severity.value,
            "title": self.title,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "reference": self.reference.as_dict(),
            "editions": list(self.editions) if self.editions is not None else None,
        }


# Most pass and not-applicable outcomes carry a fixed message and no evidence, and nine in
# ten outcomes are passes or not applicable: those are built once and shared (an Outcome is
# frozen; the shared evidence is a read-only empty mapping). Bounded, in case a rule ever
# puts per-app text in such a message.
_NO_EVIDENCE: Mapping[str, Any] = MappingProxyType({})
_SHARED_PASS: dict[str, Outcome] = {}
_SHARED_NOT_APPLICABLE: dict[str, Outcome] = {}
_SHARED_MAX = 2048


def _shared(status: Status, message: str, shared: dict[str, Outcome]) -> Outcome:
    outcome = Outcome(status, message, _NO_EVIDENCE)
    if len(shared) < _SHARED_MAX:
        shared[message] = outcome
    return outcome


def _own(evidence: Mapping[str, Any]) -> dict[str, Any]:
    # Rules build a fresh evidence dict per outcome and return the outcome at once: a dict is
    # kept as is (copying every one cost more than a tenth of the rules' time), any other
    # mapping becomes one.
    return evidence if type(evidence) is dict else dict(evidence)


def fail(message: str, evidence: Mapping[str, Any], cell: Cell | None = None) -> Outcome:
    return Outcome(Status.FAIL, message, _own(evidence), (), cell)


def passed(message: str, evidence: Mapping[str, Any] | None = None, cell: Cell | None = None) -> Outcome:
    if not evidence:
        if cell is None:
            return _SHARED_PASS.get(message) or _shared(Status.PASS, message, _SHARED_PASS)
        return Outcome(Status.PASS, message, {}, (), cell)
    return Outcome(Status.PASS, message, _own(evidence), (), cell)


def not_applicable(message: str, evidence: Mapping[str, Any] | None = None) -> Outcome:
    if not evidence:
        return _SHARED_NOT_APPLICABLE.get(message) or _shared(
            Status.NOT_APPLICABLE, message, _SHARED_NOT_APPLICABLE
        )
    return Outcome(Status.NOT_APPLICABLE, message, _own(evidence))


def missing_reason(app: App, key: DataKey) -> str:
    return app.missing.get(key) or "not collected"


def unknown(app: App, keys: tuple[DataKey, ...], what: str, cell: Cell | None = None) -> Outcome:
    """An outcome that names the failed call(s) behind each missing key."""
    reasons = {key._value_: missing_reason(app, key) for key in keys}
    detail = "; ".join(f"{key}: {reason}" for key, reason in reasons.items())
    message = (
        f"Could not decide: {what} could not be read ({detail})." if keys else f"Could not decide: {what}."
    )
    return Outcome(Status.UNKNOWN, message, {"missing": reasons}, missing=keys, cell=cell)


def unknown_without_read(message: str, evidence: Mapping[str, Any], cell: Cell | None = None) -> Outcome:
    """Unknown because the edition or the data model cannot answer, not because a read failed."""
    return Outcome(Status.UNKNOWN, message, _own(evidence), cell=cell)
