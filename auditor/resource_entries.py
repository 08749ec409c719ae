"""The result's resource entries: what was read about each app, and its exposure and egress verdicts."""

from __future__ import annotations

from typing import Any

from auditor.fingerprints import (
    jsonable,
)
from auditor.model import (
    AccessRule,
    App,
    Function,
    HybridConnection,
    PrivateEndpointConnection,
    Subnet,
)
from auditor.result_types import Resource
from auditor.rules.facts import AppFacts
from auditor.rules.inbound import InboundVerdict, Site, matches_every_source, rule_summary
from auditor.rules.outbound import IntegrationKind, OutboundVerdict


def _access_rule_entry(rule: AccessRule, deciding: AccessRule | None) -> dict[str, Any]:
    entry = rule_summary(rule)
    entry["description"] = rule.description
    entry["matches_every_source"] = matches_every_source(rule)
    # Equal rules have the same position: comparing that first spares the dataclass __eq__,
    # which builds and compares a tuple of every field, for all the other rules.
    entry["decides"] = deciding is not None and rule.position == deciding.position and rule == deciding
    return entry


def _access_rules(facts: AppFacts) -> dict[str, Any] | None:
    config = facts.app.config
    if config is None:
        return None
    # facts.rule_lists holds both lists in evaluation order (SCM's only when it has its own).
    main_rules = facts.rule_lists[Site.MAIN]
    scm_rules = main_rules if config.scm_ip_security_restrictions_use_main else facts.rule_lists[Site.SCM]
    main_deciding = facts.main.deciding_rule
    scm_deciding = facts.scm.deciding_rule
    main = [_access_rule_entry(rule, main_deciding) for rule in main_rules]
    # SCM on the main rules: the same list, and the same deciding rule, so the same entries.
    same = scm_rules is main_rules and scm_deciding is main_deciding
    return {
        "main": main,
        "scm": main if same else [_access_rule_entry(rule, scm_deciding) for rule in scm_rules],
        "scm_uses_main": config.scm_ip_security_restrictions_use_main,
        "main_default_action": config.ip_security_restrictions_default_action,
        "scm_default_action": config.scm_ip_security_restrictions_default_action,
    }


def _inbound_detail(verdict: InboundVerdict) -> dict[str, Any]:
    detail = verdict.as_dict()
    if verdict.deciding_rule is not None:
        rule = verdict.deciding_rule
        detail["deciding"] = f"rule {rule.name or '#' + str(rule.position)} (priority {rule.priority})"
    elif verdict.default_action_explicit is not None:  # the default action decided, explicit or implicit
        detail["deciding"] = f"{verdict.decided_by} ({verdict.effective_default_action})"
    else:
        detail["deciding"] = verdict.decided_by
    return detail


def _subnet_entry(subnet: Subnet) -> dict[str, Any]:
    return {
        "id": subnet.id,
        "name": subnet.name,
        "location": subnet.location,
        "address_prefixes": list(subnet.address_prefixes),
        "delegations": list(subnet.delegations),
        "service_endpoints": list(subnet.service_endpoints),
        "private_endpoint_ids": list(subnet.private_endpoint_ids),
        "network_security_group_id": subnet.network_security_group_id,
        "route_table_id": subnet.route_table_id,
        "nat_gateway_id": subnet.nat_gateway_id,
    }


def _outbound_detail(outbound: OutboundVerdict) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "reason": outbound.reason,
        "message": outbound.message,
        "missing": [key._value_ for key in outbound.missing],
    }
    # Optional: the NSG rule and default route that decided the verdict, when the subnet was
    # judged; the network picture names them on the egress path.
    evidence = outbound.evidence
    if "deciding_nsg_rule" in evidence:
        detail["nsg_rule"] = jsonable(evidence["deciding_nsg_rule"])
    if "default_route" in evidence:
        detail["default_route"] = jsonable(evidence["default_route"])
    return detail


def _private_endpoint_order(pe: PrivateEndpointConnection) -> str:
    return pe.id.lower()


def _hybrid_connection_order(hc: HybridConnection) -> tuple[str, int, str]:
    return (hc.hostname.lower(), hc.port, hc.name)


def _function_order(function: Function) -> str:
    return function.name.lower()


def _function_entry(function: Function) -> dict[str, Any]:
    return {
        "name": function.name,
        "triggers": [
            {"type": trigger.type, "auth_level": trigger.auth_level} for trigger in function.triggers
        ],
    }


class ResourceBuilder:
    """Builds the resource entries of one evaluation.

    Each resource gets its own plan, ASE and subnet entries: sharing one entry per object
    (a cache keyed by id()) bought no time in bench/evaluation.py and cost memory.
    Enum values are read as ``_value_``: the ``value`` property costs a Python call each time.
    """

    def _plan(self, app: App) -> dict[str, Any] | None:
        plan = app.plan
        if plan is None:
            return {"id": app.plan_id, "sku": None, "tier": None} if app.plan_id else None
        return {"id": plan.id, "sku": plan.sku_name, "tier": plan.tier}

    def _ase(self, app: App) -> dict[str, Any] | None:
        ase = app.ase
        if ase is None:
            return (
                {"id": app.ase_id, "kind": None, "internal_load_balancing_mode": None} if app.ase_id else None
            )
        return {
            "id": ase.id,
            "kind": ase.kind,
            "internal_load_balancing_mode": ase.internal_load_balancing_mode,
            # The ASE's subnet is its apps' egress path (NSG, route table, NAT gateway):
            # the HTML report's network picture draws it as an app's integration subnet.
            "subnet_id": ase.subnet_id,
            "subnet": self._subnet(ase.subnet),
        }

    def _subnet(self, subnet: Subnet | None) -> dict[str, Any] | None:
        return None if subnet is None else _subnet_entry(subnet)

    def resource(self, facts: AppFacts) -> Resource:
        app = facts.app
        integ = facts.integration
        kind = integ.kind
        regional = kind is IntegrationKind.REGIONAL
        outbound = facts.outbound
        private_endpoints = app.private_endpoints
        hybrid_connections = app.hybrid_connections
        functions = app.functions
        return {
            "id": app.id,
            "name": app.name,
            "slot": app.slot,
            "subscription_id": app.subscription_id,
            "resource_group": app.resource_group,
            "location": app.location,
            "kind": app.kind,
            "os": app.os,
            "is_container": app.is_container,
            "hosting": app.hosting._value_,
            "plan": self._plan(app),
            "ase": self._ase(app),
            "public_network_access": app.public_network_access,
            "https_only": app.https_only,
            "inbound": {"main": facts.main.exposure._value_, "scm": facts.scm.exposure._value_},
            "inbound_detail": {"main": _inbound_detail(facts.main), "scm": _inbound_detail(facts.scm)},
            "access_rules": _access_rules(facts),
            "outbound": outbound.status._value_,
            "outbound_detail": _outbound_detail(outbound),
            "vnet_integration": {
                "kind": kind._value_,
                "subnet_id": integ.subnet_id if regional else None,
                "gateway_vnets": list(integ.gateway_vnet_ids),
                "route_all": facts.route_all.enabled if regional else None,
            },
            "private_endpoints": (
                None
                if private_endpoints is None
                else [
                    {"id": pe.id, "private_endpoint_id": pe.private_endpoint_id, "status": pe.status}
                    for pe in (
                        sorted(private_endpoints, key=_private_endpoint_order)
                        if len(private_endpoints) > 1
                        else private_endpoints
                    )
                ]
            ),
            "hybrid_connections": (
                None
                if hybrid_connections is None
                else [
                    {
                        "name": hc.name,
                        "namespace": hc.namespace,
                        "relay_name": hc.relay_name,
                        "hostname": hc.hostname,
                        "port": hc.port,
                    }
                    for hc in (
                        sorted(hybrid_connections, key=_hybrid_connection_order)
                        if len(hybrid_connections) > 1
                        else hybrid_connections
                    )
                ]
            ),
            "functions": (
                None
                if functions is None
                else [
                    _function_entry(function)
                    for function in (
                        sorted(functions, key=_function_order) if len(functions) > 1 else functions
                    )
                ]
            ),
            "subnet": self._subnet(app.integration_subnet),
            "missing": {key._value_: reason for key, reason in sorted(app.missing.items())}
            if app.missing
            else {},
            # Skipped on purpose (no rule could use it), distinct from ``missing`` (failed).
            "not_read": (
                {key._value_: reason for key, reason in sorted(app.not_read.items())} if app.not_read else {}
            ),
        }
