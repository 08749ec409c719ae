"""Evidence and unknown outcomes shared by the rules that read an inbound verdict."""

from __future__ import annotations

from typing import Any

from auditor.model import App
from auditor.rules.base import (
    Outcome,
    unknown,
    unknown_without_read,
)
from auditor.rules.inbound import (
    InboundVerdict,
    rule_summary,
)


# Enum values are read as ``_value_``: ``.value`` is a Python-level property, and this code runs
# for every app (bench/RESULTS.md: what it buys).
def inbound_evidence(verdict: InboundVerdict) -> dict[str, Any]:
    return {
        "site": verdict.site._value_,
        "exposure": verdict.exposure._value_,
        "reason": verdict.reason,
        "decided_by": verdict.decided_by,
        "deciding_rule": rule_summary(verdict.deciding_rule) if verdict.deciding_rule is not None else None,
        "effective_default_action": verdict.effective_default_action,
        "default_action_explicit": verdict.default_action_explicit,
        "uses_main_rules": verdict.uses_main_rules,
    }


def inbound_unknown(app: App, verdict: InboundVerdict) -> Outcome:
    what = f"the {verdict.site._value_} site's inbound access"
    if verdict.missing:
        return unknown(app, verdict.missing, what)
    return unknown_without_read(
        f"Could not decide {what}: {verdict.reason}.",
        {"site": verdict.site._value_, "reason": verdict.reason},
    )
