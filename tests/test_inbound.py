"""The effective inbound access algorithm (rules.md), site by site."""

from __future__ import annotations

import pytest

from auditor.rules.inbound import (
    Exposure,
    Site,
    evaluation_order,
    inbound_verdict,
    is_legacy_deny_all,
    matches_every_source,
)
from tests.factories import make_app, make_config, make_rule


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"ip_address": "Any"}, True),
        ({"ip_address": "any"}, True),
        ({"ip_address": "0.0.0.0/0"}, True),
        ({"ip_address": "::/0"}, True),
        ({"ip_address": "203.0.113.0/24,0.0.0.0/0"}, True),
        ({"ip_address": "203.0.113.0/24"}, False),
        ({"ip_address": "Any", "headers": {"X-Forwarded-Host": ["a.example"]}}, False),
        ({"ip_address": "Any", "headers": {"X-Azure-FDID": []}}, True),
        ({"ip_address": "AzureCloud", "tag": "ServiceTag"}, False),
        ({"ip_address": "AzureFrontDoor.Backend", "tag": "ServiceTag"}, False),
        ({"ip_address": "AnyVnets"}, False),
        ({"ip_address": None, "vnet_subnet_resource_id": "/subscriptions/x/subnets/a"}, False),
        ({"ip_address": "Any", "tag": "XffProxy"}, False),
    ],
)
def test_matches_every_source(overrides: dict[str, object], expected: bool) -> None:
    assert matches_every_source(make_rule(0, **overrides)) is expected


def test_legacy_deny_all_shape() -> None:
    assert is_legacy_deny_all(make_rule(0, ip_address="Any", action="Deny", priority=2147483647))
    assert not is_legacy_deny_all(make_rule(0, ip_address="Any", action="Deny", priority=65000))
    assert not is_legacy_deny_all(make_rule(0, ip_address="Any", action="Allow", priority=2147483647))


def test_evaluation_order_is_priority_then_api_position() -> None:
    rules = (
        make_rule(0, priority=300),
        make_rule(1, priority=100),
        make_rule(2, priority=100),
        make_rule(3, priority=None),
        make_rule(4, priority=200),
    )
    assert [rule.position for rule in evaluation_order(rules)] == [1, 2, 4, 0, 3]


def test_scm_use_main_takes_the_main_default_action_too() -> None:
    app = make_app(
        config=make_config(
            scm_ip_security_restrictions_use_main=True,
            ip_security_restrictions_default_action="Deny",
            scm_ip_security_restrictions_default_action="Allow",
        )
    )
    verdict = inbound_verdict(app, Site.SCM)
    assert verdict.exposure is Exposure.RESTRICTED
    assert verdict.reason == "default-deny"
    assert verdict.uses_main_rules is True


def test_scm_own_rules_are_walked_when_not_using_main() -> None:
    app = make_app(
        config=make_config(
            ip_security_restrictions=[{"action": "Allow", "ip_address": "Any", "priority": 100}],
            scm_ip_security_restrictions=[{"action": "Allow", "ip_address": "203.0.113.0/24"}],
        )
    )
    assert inbound_verdict(app, Site.MAIN).exposure is Exposure.PUBLIC
    scm = inbound_verdict(app, Site.SCM)
    assert (scm.exposure, scm.reason, scm.effective_default_action) == (
        Exposure.RESTRICTED,
        "implicit-deny",
        "Deny",
    )


def test_site_level_steps_decide_both_sites() -> None:
    app = make_app(public_network_access="Disabled", config=None)
    for site in Site:
        verdict = inbound_verdict(app, site)
        assert verdict.exposure is Exposure.PRIVATE
        assert verdict.rules_in_effect == ()


def test_private_endpoint_step_needs_null_or_empty_public_network_access() -> None:
    approved = [{"status": "Approved"}]
    assert inbound_verdict(
        make_app(public_network_access="", private_endpoints=approved), Site.MAIN
    ).reason == ("private-endpoint")
    assert inbound_verdict(
        make_app(public_network_access="Enabled", private_endpoints=approved), Site.MAIN
    ).reason == ("no-rules")


def test_external_ase_with_mode_omitted_goes_on_to_the_rule_walk() -> None:
    app = make_app(hosting="ase", ase={"internal_load_balancing_mode": None})
    assert inbound_verdict(app, Site.MAIN).reason == "no-rules"


def test_deciding_rule_is_reported_with_its_position() -> None:
    app = make_app(
        config=make_config(
            ip_security_restrictions=[
                {"name": "corp", "action": "Allow", "ip_address": "203.0.113.0/24", "priority": 100},
                {"name": "block", "action": "Deny", "ip_address": "0.0.0.0/0", "priority": 500},
            ],
            ip_security_restrictions_default_action="Allow",
        )
    )
    verdict = inbound_verdict(app, Site.MAIN)
    assert verdict.deciding_rule is not None
    assert (verdict.deciding_rule.name, verdict.reason, verdict.decided_by) == (
        "block",
        "deny-all-rule",
        "rule",
    )
    assert verdict.as_dict()["deciding_rule"]["position"] == 1


def test_unrecognized_default_action_is_unknown_not_guessed() -> None:
    app = make_app(config=make_config(ip_security_restrictions_default_action="Maybe"))
    verdict = inbound_verdict(app, Site.MAIN)
    assert (verdict.exposure, verdict.reason) == (Exposure.UNKNOWN, "unrecognized-default-action")
