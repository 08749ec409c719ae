"""Derived facts about one app, computed once and shared by every rule."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import App
from auditor.rules.inbound import InboundVerdict, Site, inbound_verdict
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
