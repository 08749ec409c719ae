"""Golden rule cases: every YAML file in cases/ holds inventory fragments and the outcome they must give."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.matrix import DEFAULT_EDITION
from auditor.model import AccessRule, DataKey
from auditor.rules import RULES, RULES_BY_ID, Status, facts_for
from tests.factories import make_app, make_config, make_rule

CASES_DIR = Path(__file__).parent / "cases"

# Rules whose subject every app has (a site, a config, an egress path): "not applicable"
# would hide a finding, so they have no such outcome.
NO_NOT_APPLICABLE = {
    "risk/public-unrestricted",
    "risk/outbound-uncontrolled",
    "risk/hybrid-connection-endpoint",
    "risk/https-only-disabled",
    "risk/tls-below-1.2",
    "risk/ftp-allowed",
    "risk/remote-debugging-enabled",
    "risk/cors-wildcard",
}
# Every rule can pass: a retirement notice passes where the app already uses the supported form.
NO_PASS: set[str] = set()
# httpsOnly comes with the site itself (an app is only audited once its site is read), and a
# site that leaves it out gets the documented platform default: there is nothing left unknown.
NO_UNKNOWN = {"risk/https-only-disabled"}


def _load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            cases.append((document["rule"], case))
    return cases


ALL_CASES = _load_cases()


def _assert_subset(expected: Any, actual: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a mapping, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: evidence lacks {key!r} (has {sorted(actual)})"
            _assert_subset(value, actual[key], f"{where}.{key}")
    else:
        assert actual == expected, f"{where}: expected {expected!r}, got {actual!r}"


@pytest.mark.parametrize(
    ("rule_id", "case"),
    ALL_CASES,
    ids=[f"{rule_id}: {case['name']}" for rule_id, case in ALL_CASES],
)
def test_rule_case(rule_id: str, case: dict[str, Any]) -> None:
    rule = RULES_BY_ID[rule_id]
    app = make_app(**(case.get("app") or {}))
    outcome = rule.evaluate(facts_for(app, str(case.get("edition", DEFAULT_EDITION))))
    assert outcome.status == Status(case["status"]), outcome.message
    assert outcome.message
    if "evidence" in case:
        _assert_subset(case["evidence"], dict(outcome.evidence), "evidence")
    if "missing" in case:
        assert {key.value for key in outcome.missing} == set(case["missing"])
        for key in outcome.missing:
            assert app.missing[key] in outcome.message, "an unknown outcome names the failed call"
    if "message_contains" in case:
        assert case["message_contains"] in outcome.message
    if "cell" in case:
        assert outcome.cell is not None
        _assert_subset(case["cell"], outcome.cell.as_dict(), "cell")


def test_every_rule_has_cases_for_each_outcome_it_can_give() -> None:
    covered: dict[str, set[str]] = defaultdict(set)
    for rule_id, case in ALL_CASES:
        assert rule_id in RULES_BY_ID, f"case file names unknown rule {rule_id}"
        covered[rule_id].add(case["status"])
    for rule in RULES:
        expected = {status.value for status in Status}
        if rule.id in NO_NOT_APPLICABLE:
            expected.discard(Status.NOT_APPLICABLE.value)
        if rule.id in NO_PASS:
            expected.discard(Status.PASS.value)
        if rule.id in NO_UNKNOWN:
            expected.discard(Status.UNKNOWN.value)
        assert covered[rule.id] == expected, f"{rule.id}: cases cover {sorted(covered[rule.id])}"


def test_drift_outcomes_name_their_matrix_cell() -> None:
    for rule_id, case in ALL_CASES:
        if case.get("cell"):
            assert rule_id.startswith("drift/")


def test_more_than_512_rules_exceeds_the_limit() -> None:
    rules: tuple[AccessRule, ...] = tuple(
        make_rule(i, ip_address=f"10.{i // 256}.{i % 256}.0/24") for i in range(513)
    )
    app = make_app(config=make_config(ip_security_restrictions=rules))
    outcome = RULES_BY_ID["drift/access-rule-limits"].evaluate(facts_for(app, DEFAULT_EDITION))
    assert outcome.status is Status.FAIL
    assert outcome.evidence["exceeded"] == [{"site": "main", "limit": "rules", "count": 513, "max": 512}]


def test_512_rules_is_within_the_limit() -> None:
    rules = tuple(make_rule(i, ip_address=f"10.{i // 256}.{i % 256}.0/24") for i in range(512))
    app = make_app(config=make_config(ip_security_restrictions=rules))
    outcome = RULES_BY_ID["drift/access-rule-limits"].evaluate(facts_for(app, DEFAULT_EDITION))
    assert outcome.status is Status.PASS


def test_a_failed_read_is_never_a_pass() -> None:
    """With every optional read failed, no rule that needs that data may pass."""
    app = make_app(
        config=None,
        private_endpoints=None,
        hybrid_connections=None,
        functions=None,
        vnet_connections=None,
        https_only=True,
        virtual_network_subnet_id="/subscriptions/x/subnets/integration",
        missing={DataKey.SUBNET.value: "GET …/virtualNetworks: 403"},
    )
    facts = facts_for(app, DEFAULT_EDITION)
    needs_reads = {rule.id for rule in RULES} - {
        "risk/https-only-disabled",
        "drift/vnet-integration-unsupported",  # Premium supports it: site data alone decides
        "drift/linux-consumption-retiring",  # hosting alone decides
        "drift/ase-retired",
        # An app uses one form of integration at a time (R-GW-07): the site's regional
        # subnet alone shows it is not on the retiring gateway form.
        "drift/gateway-integration-retiring",
    }
    for rule_id in sorted(needs_reads):
        outcome = RULES_BY_ID[rule_id].evaluate(facts)
        assert outcome.status is not Status.PASS, f"{rule_id} passed on unread data: {outcome.message}"
