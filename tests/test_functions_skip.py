"""Skipping an app's functions read never changes an outcome (auditor.rules.facts.functions_needed).

The collector reads ``…/functions`` only when ``functions_needed`` says a rule can use the
answer. For every app of the rule golden cases and of the demo where it says no, each rule
must give the same outcome whatever the functions are, including when they are unknown.
"""

from __future__ import annotations

import dataclasses

import pytest

from auditor.collect.cassettes import replaying
from auditor.collect.clients import FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.matrix import DEFAULT_EDITION
from auditor.model import App, DataKey, Function, FunctionBinding
from auditor.rules import RULES, facts_for
from auditor.rules.facts import functions_needed
from auditor.rules.reads_needed import READS_NEEDED
from tests.factories import build_app
from tests.rules.test_cases import ALL_CASES
from tests.support.paths import REPO

DEMO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

# Functions that make both function rules fail wherever they are looked at.
TELLING = (
    Function("open", (FunctionBinding("httpTrigger", "in", "anonymous"),)),
    Function("queue", (FunctionBinding("queueTrigger", "in", None),)),
)


def _demo_apps() -> list[App]:
    with replaying(REPO / "cassettes" / "demo"):
        return list(collect_inventory([DEMO_SUBSCRIPTION], FakeCredential(), reads_needed=READS_NEEDED).apps)


def _case_apps() -> list[App]:
    return [build_app(case.get("app")) for _, case in ALL_CASES]


def _outcomes(app: App) -> list[tuple[str, str, str]]:
    facts = facts_for(app, DEFAULT_EDITION)
    outcomes = [(rule.id, rule.evaluate(facts)) for rule in RULES]
    return [(rule_id, outcome.status.value, outcome.message) for rule_id, outcome in outcomes]


def _variants(app: App) -> list[App]:
    missing: dict[DataKey, str] = {
        key: reason for key, reason in app.missing.items() if key is not DataKey.FUNCTIONS
    }
    return [
        dataclasses.replace(app, functions=None, missing=missing),  # skipped
        dataclasses.replace(app, functions=(), missing=missing),
        dataclasses.replace(app, functions=TELLING, missing=missing),
        dataclasses.replace(app, functions=None, missing={**missing, DataKey.FUNCTIONS: "GET …/functions"}),
    ]


@pytest.mark.parametrize("source", ["rule cases", "demo"])
def test_an_app_whose_functions_are_not_needed_gets_the_same_outcomes_whatever_they_are(source: str) -> None:
    apps = _case_apps() if source == "rule cases" else _demo_apps()
    skipped = [app for app in apps if not functions_needed(app)]
    needed = [app for app in apps if functions_needed(app)]
    assert skipped and needed, "both kinds must be exercised"
    for app in skipped:
        first, *others = (_outcomes(variant) for variant in _variants(app))
        for other in others:
            assert other == first, app.id


def test_an_app_whose_functions_are_needed_can_change_outcome_with_them() -> None:
    # The converse: the check above would be empty if the functions never mattered.
    changed = 0
    for app in _demo_apps():
        if functions_needed(app):
            outcomes = [_outcomes(variant) for variant in _variants(app)]
            changed += any(outcome != outcomes[0] for outcome in outcomes)
    assert changed > 0
