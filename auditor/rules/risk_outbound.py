"""Outbound and network risk rules (rules.md, "Risk rules"): where traffic leaves, hybrid connections."""

from __future__ import annotations

from typing import Any

from auditor import docs
from auditor.model import DataKey
from auditor.rules.base import (
    Category,
    Outcome,
    Reference,
    Rule,
    Severity,
    fail,
    not_applicable,
    passed,
    unknown,
    unknown_without_read,
)
from auditor.rules.facts import AppFacts
from auditor.rules.inbound import (
    Exposure,
    is_allow,
    is_subnet_rule,
    rule_summary,
)
from auditor.rules.inbound_outcomes import inbound_unknown
from auditor.rules.outbound import Egress


# Enum values are read as ``_value_``: ``.value`` is a Python-level property, and this code runs
# for every app (bench/RESULTS.md: what it buys).
def check_service_endpoint_outbound_open(facts: AppFacts) -> Outcome:
    app = facts.app
    if facts.main.exposure is Exposure.UNKNOWN:
        return inbound_unknown(app, facts.main)
    if facts.main.exposure is not Exposure.RESTRICTED:
        return not_applicable(
            f"The main site is {facts.main.exposure._value_}, not restricted by access rules."
        )
    service_endpoint_rules = [
        rule_summary(rule) for rule in facts.main.rules_in_effect if is_allow(rule) and is_subnet_rule(rule)
    ]
    if not service_endpoint_rules:
        return not_applicable("Private site access does not rely on service-endpoint rules.")
    evidence: dict[str, Any] = {
        "service_endpoint_rules": service_endpoint_rules,
        "outbound": facts.outbound.status._value_,
        "outbound_reason": facts.outbound.reason,
    }
    if facts.outbound.status is Egress.UNKNOWN:
        return _outbound_unknown(facts)
    if facts.outbound.status is Egress.UNCONTROLLED:
        return fail(
            "Private site access relies on service-endpoint rules while outbound is uncontrolled: "
            f"the app keeps full outbound internet access ({facts.outbound.reason}).",
            evidence,
        )
    return passed("Outbound is controlled as well.", evidence)


def check_route_all_disabled(facts: AppFacts) -> Outcome:
    app = facts.app
    if not facts.integration.regional:
        return not_applicable("No regional VNet integration.")
    if app.hosting._value_ == "flex_consumption":
        return not_applicable("Flex Consumption routes all traffic through the VNet by design.")
    routing = facts.route_all
    evidence: dict[str, Any] = {
        "virtual_network_subnet_id": facts.integration.subnet_id,
        "flags": routing.flags,
    }
    if routing.enabled:
        return passed("Route all is enabled.", evidence)
    if routing.enabled is None:
        return unknown(app, (DataKey.CONFIG,), "config/web (vnetRouteAllEnabled)")
    if app.hosting._value_ == "unknown":
        return unknown(app, (DataKey.PLAN,), "the plan (a Flex Consumption app routes all by design)")
    return fail(
        "Regional VNet integration without route all: internet-bound traffic bypasses the VNet's NSGs and "
        "routes.",
        evidence,
    )


def _outbound_unknown(facts: AppFacts) -> Outcome:
    verdict = facts.outbound
    if verdict.missing:
        return unknown(facts.app, verdict.missing, f"the egress path ({verdict.reason})")
    return unknown_without_read(verdict.message, {"outbound_reason": verdict.reason})


def check_outbound_uncontrolled(facts: AppFacts) -> Outcome:
    verdict = facts.outbound
    evidence = dict(verdict.evidence)
    evidence["reason"] = verdict.reason
    if verdict.status is Egress.UNKNOWN:
        return _outbound_unknown(facts)
    if verdict.status is Egress.CONTROLLED:
        return passed(verdict.message, evidence)
    message = f"Internet egress is not controlled: {verdict.message}"
    if facts.edition == "2019-04":
        message += (
            " The 2019-04 edition says only an App Service Environment offers outbound IP restrictions."
        )
    return fail(message, evidence)


def check_hybrid_connection_endpoint(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.hybrid_connections is None:
        return unknown(app, (DataKey.HYBRID_CONNECTIONS,), "the Hybrid Connections")
    if not app.hybrid_connections:
        return passed("No Hybrid Connections.")
    endpoints = sorted({f"{hc.hostname}:{hc.port}" for hc in app.hybrid_connections})
    return fail(
        "The app can reach these endpoints in another network through Hybrid Connections: "
        + ", ".join(endpoints)
        + ".",
        {"endpoints": endpoints},
    )


SERVICE_ENDPOINT_OUTBOUND_OPEN = Rule(
    id="risk/service-endpoint-outbound-open",
    category=Category.RISK,
    severity=Severity.LOW,
    title="Service-endpoint private access with open outbound",
    rationale="Service-endpoint rules restrict who can call the app, not where it can call: the Functions "
    "networking docs have warned since 2019 that the function still has full outbound access to the "
    "internet.",
    remediation="Route all traffic into the VNet and deny internet egress on the integration subnet: `az "
    "resource update --ids <app-id> --set properties.outboundVnetRouting.allTraffic=true` and `az network "
    "nsg rule create -g <rg> --nsg-name <nsg> -n deny-internet --priority 4000 --direction Outbound "
    "--access Deny --destination-address-prefixes Internet --destination-port-ranges '*'`.",
    reference=Reference(
        docs.FUNCTIONS_NETWORKING,
        "Outbound IP restrictions",
        "outbound-ip-restrictions",
        basis="S1 (2019: Private site access), S13, S6; R-RT-08",
    ),
    check=check_service_endpoint_outbound_open,
)


ROUTE_ALL_DISABLED = Rule(
    id="risk/route-all-disabled",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Regional VNet integration without route all",
    rationale="Without route all only RFC1918 traffic enters the VNet; internet-bound traffic bypasses its "
    "NSGs and routes.",
    remediation="`az resource update --ids <app-id> --set properties.outboundVnetRouting.allTraffic=true` "
    "(or `az functionapp config set -g <rg> -n <app> --vnet-route-all-enabled true`).",
    reference=Reference(
        docs.VNET_ROUTING,
        "Configure application routing",
        "configure-application-routing",
        basis="S17, S16; R-RT-03",
    ),
    check=check_route_all_disabled,
)


OUTBOUND_UNCONTROLLED = Rule(
    id="risk/outbound-uncontrolled",
    category=Category.RISK,
    severity=Severity.LOW,
    title="Internet egress not controlled",
    rationale="Unless all traffic enters a VNet whose subnet denies internet egress (NSG) or sends the "
    "default route to an appliance (UDR), a compromised function can exfiltrate data anywhere.",
    remediation="Integrate with a VNet and route all traffic, then deny egress on the subnet: `az network "
    "nsg rule create -g <rg> --nsg-name <nsg> -n deny-internet --priority 4000 --direction Outbound "
    "--access Deny --destination-address-prefixes Internet --destination-port-ranges '*'`, or `az network "
    "route-table route create -g <rg> --route-table-name <rt> -n default --address-prefix 0.0.0.0/0 "
    "--next-hop-type VirtualAppliance --next-hop-ip-address <firewall-ip>`.",
    reference=Reference(
        docs.FUNCTIONS_NETWORKING,
        "Outbound IP restrictions; Network security groups; Routes",
        "outbound-ip-restrictions",
        basis="S6, S16; R-RT-03, R-RT-05, R-ASE-05",
    ),
    check=check_outbound_uncontrolled,
)


HYBRID_CONNECTION_ENDPOINT = Rule(
    id="risk/hybrid-connection-endpoint",
    category=Category.RISK,
    severity=Severity.INFO,
    title="Hybrid Connection endpoints reachable from the app",
    rationale="Each Hybrid Connection is a TCP path from the app into another network, outside VNet "
    "controls; they should be known and intended.",
    remediation="Review the endpoints; remove unneeded ones with "
    "`az functionapp hybrid-connection remove -g <rg> -n <app> --namespace <namespace> --hybrid-connection "
    "<name>`.",
    reference=Reference(docs.HYBRID_CONNECTIONS, "How it works", basis="S24; R-HC-04"),
    check=check_hybrid_connection_endpoint,
)
