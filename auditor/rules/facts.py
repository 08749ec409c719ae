"""Derived facts about one app, computed once and shared by every rule."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import AccessRule, App
from auditor.rules.inbound import (
    Exposure,
    InboundVerdict,
    Site,
    inbound_verdict,
    inbound_verdicts,
    is_allow,
    rule_lists_in_effect,
)
from auditor.rules.outbound import (
    Integration,
    OutboundVerdict,
    RouteAll,
    integration,
    outbound_verdict,
    route_all,
)


@dataclass(frozen=True, slots=True)
class AppFacts:
    app: App
    edition: str
    main: InboundVerdict
    scm: InboundVerdict
    outbound: OutboundVerdict
    integration: Integration
    route_all: RouteAll
    # rule_lists_in_effect(app): five rules and the report walk them, each sorted once here.
    rule_lists: dict[Site, tuple[AccessRule, ...]]
    # The Allow rules of those lists, in the same order, for the three rules that look only at them.
    allow_rules: tuple[tuple[Site, AccessRule], ...]


def facts_for(app: App, edition: str) -> AppFacts:
    lists = rule_lists_in_effect(app)
    main, scm = inbound_verdicts(app, lists)
    integ = integration(app)
    routing = route_all(app)
    return AppFacts(
        app=app,
        edition=edition,
        main=main,
        scm=scm,
        outbound=outbound_verdict(app, integ, routing),
        integration=integ,
        route_all=routing,
        rule_lists=lists,
        allow_rules=tuple(
            [(site, rule) for site, rules in lists.items() for rule in rules if is_allow(rule)]
        ),
    )


def functions_needed(app: App) -> bool:
    """Whether any rule can read ``app.functions`` for this app; the collector skips the call if not.

    Only risk/anonymous-http-trigger-public (when the main site is public or unknown) and
    drift/vnet-trigger-unsupported (when the app is VNet-integrated) look at the functions,
    and both decide those conditions first, from data read before the functions. Keep this
    in step with them: tests/test_functions_skip.py checks the two rules never reach their
    functions for an app this returns False for.
    """
    if inbound_verdict(app, Site.MAIN).exposure in (Exposure.PUBLIC, Exposure.UNKNOWN):
        return True
    integ = integration(app)
    return integ.regional or bool(integ.gateway)
