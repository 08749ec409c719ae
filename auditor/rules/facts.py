"""Derived facts about one app, computed once and shared by every rule."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import App
from auditor.rules.inbound import Exposure, InboundVerdict, Site, inbound_verdict
from auditor.rules.outbound import (
    Integration,
    OutboundVerdict,
    RouteAll,
    integration,
    outbound_verdict,
    route_all,
)


@dataclass(frozen=True)
class AppFacts:
    app: App
    edition: str
    main: InboundVerdict
    scm: InboundVerdict
    outbound: OutboundVerdict
    integration: Integration
    route_all: RouteAll


def facts_for(app: App, edition: str) -> AppFacts:
    return AppFacts(
        app=app,
        edition=edition,
        main=inbound_verdict(app, Site.MAIN),
        scm=inbound_verdict(app, Site.SCM),
        outbound=outbound_verdict(app),
        integration=integration(app),
        route_all=route_all(app),
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
