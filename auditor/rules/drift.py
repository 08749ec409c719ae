"""Drift rules (rules.md, "Drift rules") judged by the matrix edition; DRIFT_RULES lists every drift rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditor import docs
from auditor.matrix import Cell, Feature, Support, supports, undocumented_reason
from auditor.model import App, DataKey, Hosting, SiteConfig
from auditor.rules.base import (
    Category,
    Outcome,
    Reference,
    Rule,
    Severity,
    Status,
    fail,
    not_applicable,
    passed,
    unknown,
    unknown_without_read,
)
from auditor.rules.defaults import DEFAULTS_BY_FIELD
from auditor.rules.drift_limits import (
    ACCESS_RULE_LIMITS,
    INTEGRATION_SUBNET_INVALID,
)
from auditor.rules.drift_retirement import (
    ASE_RETIRED,
    GATEWAY_INTEGRATION_RETIRING,
    LINUX_CONSUMPTION_RETIRING,
)
from auditor.rules.facts import AppFacts
from auditor.rules.inbound import is_subnet_rule, rule_summary

# Enum values are read as ``_value_``: ``.value`` is a Python-level property, and this code runs
# for every app (bench/RESULTS.md: what it buys).
SETTING_READERS: dict[str, Callable[[SiteConfig], bool | None]] = {
    "functionsRuntimeScaleMonitoringEnabled": lambda config: (
        config.functions_runtime_scale_monitoring_enabled
    ),
}


@dataclass(frozen=True, slots=True)
class Judgement:
    status: Status
    reason: str
    evidence: dict[str, Any]
    missing: tuple[DataKey, ...] = ()


def judge(cell: Cell, app: App) -> Judgement:
    """Whether the app, as configured, sits inside what the cell says is supported."""
    if app.hosting is Hosting.UNKNOWN:
        return Judgement(Status.UNKNOWN, "the app's plan could not be read", {}, (DataKey.PLAN,))
    if cell.value is Support.UNKNOWN:
        return Judgement(Status.UNKNOWN, undocumented_reason(cell), {})
    if cell.value is Support.NO:
        return Judgement(
            Status.FAIL, f"edition {cell.edition} marks it unsupported on {cell.hosting._value_}", {}
        )
    if cell.supported_os and app.os not in cell.supported_os:
        evidence: dict[str, Any] = {"os": app.os}
        if cell.conflict:
            evidence["conflict"] = cell.conflict
        return Judgement(
            Status.FAIL,
            f"edition {cell.edition} supports it on {' or '.join(cell.supported_os)} only, and the app is "
            f"{app.os}" + (" (the docs disagree on this)" if cell.conflict else ""),
            evidence,
        )
    if not cell.windows_containers and app.os == "windows" and app.is_container:
        return Judgement(
            Status.FAIL,
            f"edition {cell.edition} does not support it for Windows containers",
            {"os": app.os, "is_container": True},
        )
    if cell.unsupported_tiers:
        tier = app.plan.tier if app.plan is not None else None
        if tier is None:
            return Judgement(Status.UNKNOWN, "the plan's tier could not be read", {}, (DataKey.PLAN,))
        if tier.lower() in {excluded.lower() for excluded in cell.unsupported_tiers}:
            return Judgement(
                Status.FAIL,
                f"edition {cell.edition} does not support it on the {tier} tier",
                {"plan_tier": tier},
            )
    return Judgement(Status.PASS, f"edition {cell.edition} supports it on {cell.hosting._value_}", {})


def _judged(app: App, cell: Cell, what: str, evidence: dict[str, Any]) -> Outcome:
    judgement = judge(cell, app)
    evidence = {
        **evidence,
        "hosting": app.hosting._value_,
        "feature": cell.feature._value_,
        **judgement.evidence,
    }
    if judgement.status is Status.UNKNOWN:
        if judgement.missing:
            return unknown(app, judgement.missing, judgement.reason, cell=cell)
        return unknown_without_read(f"Cannot judge {what}: {judgement.reason}.", evidence, cell=cell)
    # Only the first letter: str.capitalize() would turn "VNet" into "vnet".
    subject = what[:1].upper() + what[1:]
    if judgement.status is Status.FAIL:
        return fail(f"{subject} is configured, but {judgement.reason}.", evidence, cell=cell)
    return passed(f"{subject}: {judgement.reason}.", evidence, cell=cell)


def check_vnet_integration_unsupported(facts: AppFacts) -> Outcome:
    if not facts.integration.regional:
        return not_applicable("No regional VNet integration.")
    cell = supports(facts.edition, facts.app.hosting, Feature.REGIONAL_VNET_INTEGRATION)
    return _judged(
        facts.app,
        cell,
        "regional VNet integration",
        {"virtual_network_subnet_id": facts.integration.subnet_id},
    )


def check_gateway_integration_unsupported(facts: AppFacts) -> Outcome:
    integ = facts.integration
    if integ.gateway is None:
        return unknown(facts.app, integ.missing, "the app's VNet connections")
    if not integ.gateway:
        return not_applicable("No gateway-required VNet integration.")
    cell = supports(facts.edition, facts.app.hosting, Feature.GATEWAY_VNET_INTEGRATION)
    return _judged(
        facts.app,
        cell,
        "gateway-required VNet integration",
        {"gateway_vnets": sorted(integ.gateway_vnet_ids)},
    )


def check_hybrid_connection_unsupported(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.hybrid_connections is None:
        return unknown(app, (DataKey.HYBRID_CONNECTIONS,), "the Hybrid Connections")
    if not app.hybrid_connections:
        return not_applicable("No Hybrid Connections.")
    cell = supports(facts.edition, app.hosting, Feature.HYBRID_CONNECTIONS)
    names = sorted(hc.name for hc in app.hybrid_connections)
    return _judged(app, cell, "Hybrid Connections", {"hybrid_connections": names})


def check_private_endpoint_unsupported(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.private_endpoints is None:
        return unknown(app, (DataKey.PRIVATE_ENDPOINTS,), "the private endpoint connections")
    if not app.private_endpoints:
        return not_applicable("No private endpoint.")
    cell = supports(facts.edition, app.hosting, Feature.PRIVATE_ENDPOINTS)
    endpoints = sorted(pe.id for pe in app.private_endpoints)
    return _judged(app, cell, "a private endpoint", {"private_endpoints": endpoints})


def _non_http_triggers(app: App) -> list[str]:
    return sorted(
        {
            f"{function.name}:{trigger.type}"
            for function in app.functions or ()
            for trigger in function.triggers
            if trigger.type.lower() != "httptrigger"
        }
    )


def check_vnet_trigger_unsupported(facts: AppFacts) -> Outcome:
    app = facts.app
    integ = facts.integration
    if not integ.regional and integ.gateway is None:
        return unknown(app, integ.missing, "the app's VNet connections")
    if not integ.regional and not integ.gateway:
        return not_applicable("The app is not VNet-integrated.")
    if app.functions is None:
        return unknown(app, (DataKey.FUNCTIONS,), "the functions and their triggers")
    triggers = _non_http_triggers(app)
    if not triggers:
        return not_applicable("No non-HTTP triggers.")
    cell = supports(facts.edition, app.hosting, Feature.VNET_TRIGGERS)
    evidence: dict[str, Any] = {"vnet_integration": integ.kind._value_, "non_http_triggers": triggers}
    judged = _judged(app, cell, "non-HTTP triggers over VNet integration", evidence)
    if judged.status is not Status.PASS or cell.requires_setting is None:
        return judged
    reader = SETTING_READERS.get(cell.requires_setting)
    if reader is None:
        return unknown_without_read(
            f"The edition requires {cell.requires_setting}, which the inventory does not hold.",
            evidence,
            cell=cell,
        )
    if app.config is None:
        return unknown(app, (DataKey.CONFIG,), f"config/web ({cell.requires_setting})", cell=cell)
    setting = reader(app.config)
    evidence = {**judged.evidence, cell.requires_setting: setting}
    default = DEFAULTS_BY_FIELD.get(cell.requires_setting)
    state = str(setting)
    if setting is None and default is not None:
        # Not set is the platform default (off for runtime scale monitoring).
        state = default.note()
        evidence["not_set"] = {cell.requires_setting: state}
    if setting is not True:
        return fail(
            f"Non-HTTP triggers run over VNet integration on {app.hosting._value_}, but "
            f"{cell.requires_setting} is "
            f"{state}: edition {cell.edition} says they won't scale beyond the prewarmed instances.",
            evidence,
            cell=cell,
        )
    return passed(f"{cell.requires_setting} is on.", evidence, cell=cell)


def check_service_endpoint_rule_unsupported(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.config is None:
        return unknown(app, (DataKey.CONFIG,), "the access restrictions (config/web)")
    rules = [
        {"site": site._value_, "rule": rule_summary(rule)}
        for site, site_rules in facts.rule_lists.items()
        for rule in site_rules
        if is_subnet_rule(rule)
    ]
    if not rules:
        return not_applicable("No service-endpoint access rule.")
    evidence: dict[str, Any] = {"service_endpoint_rules": rules}
    if app.hosting is Hosting.ASE or app.ase_id:
        evidence["ase_id"] = app.ase_id
        return fail(
            "Service-endpoint rules can't restrict apps that run in an App Service Environment.", evidence
        )
    if app.private_endpoints is None:
        return unknown(app, (DataKey.PRIVATE_ENDPOINTS,), "the private endpoint connections")
    if app.private_endpoints:
        evidence["private_endpoints"] = sorted(pe.id for pe in app.private_endpoints)
        return fail(
            "Service-endpoint rules are not supported on an app with a private endpoint: traffic from "
            "subnets with the Microsoft.Web service endpoint can't reach it.",
            evidence,
        )
    # No private endpoint and no ASE: whether the hosting model takes service-endpoint rules at all
    # is the edition's word (2026-09: not on Consumption, where the docs disagree with each other).
    cell = supports(facts.edition, app.hosting, Feature.SERVICE_ENDPOINT_RULES)
    return _judged(app, cell, "service-endpoint access rules", evidence)


VNET_INTEGRATION_UNSUPPORTED = Rule(
    id="drift/vnet-integration-unsupported",
    category=Category.DRIFT,
    severity=Severity.HIGH,
    title="Regional VNet integration on a plan that does not support it",
    rationale="The edition marks regional VNet integration unsupported for this hosting model or tier: "
    "outbound traffic may not take the path the configuration suggests.",
    remediation="Move the app to a plan that supports regional integration (Elastic Premium, Flex "
    "Consumption, Basic or higher Dedicated), or remove it: `az functionapp vnet-integration remove -g <rg> "
    "-n <app>`.",
    reference=Reference(
        docs.FUNCTIONS_HOSTING,
        "Networking features",
        "networking-features",
        basis="S8, S16; R-PLAN-01, R-PLAN-09, R-PLAN-10",
    ),
    matrix_feature=Feature.REGIONAL_VNET_INTEGRATION,
    check=check_vnet_integration_unsupported,
)

GATEWAY_INTEGRATION_UNSUPPORTED = Rule(
    id="drift/gateway-integration-unsupported",
    category=Category.DRIFT,
    severity=Severity.HIGH,
    title="Gateway-required VNet integration where it is unsupported",
    rationale="Gateway-required integration works only on Windows Dedicated (and ASE) plans, not "
    "Consumption, Premium, Flex, Linux apps or Windows containers.",
    remediation="Replace it with regional integration: `az functionapp vnet-integration remove -g <rg> -n "
    "<app>` then `az functionapp vnet-integration add -g <rg> -n <app> --vnet <vnet> --subnet <subnet>`.",
    reference=Reference(
        docs.GATEWAY_INTEGRATION, "Review limitations", basis="S18, S6; R-GW-01, R-GW-02, R-PLAN-08"
    ),
    matrix_feature=Feature.GATEWAY_VNET_INTEGRATION,
    check=check_gateway_integration_unsupported,
)

HYBRID_CONNECTION_UNSUPPORTED = Rule(
    id="drift/hybrid-connection-unsupported",
    category=Category.DRIFT,
    severity=Severity.MEDIUM,
    title="Hybrid Connections on a hosting model that does not support them",
    rationale="The edition marks Hybrid Connections unsupported here (2019-04: Consumption, Premium; "
    "2026-09: Consumption, Flex, and Linux apps per the Functions docs, which the App Service docs "
    "contradict for Linux).",
    remediation="Remove the connection (`az functionapp hybrid-connection remove -g <rg> -n <app> "
    "--namespace <ns> --hybrid-connection <name>`) or move the app to a Windows Dedicated or Premium plan.",
    reference=Reference(
        docs.FUNCTIONS_NETWORKING,
        "Hybrid Connections",
        "hybrid-connections",
        basis="S6, S8, S24; R-HC-01, R-HC-02; conflict C1",
    ),
    matrix_feature=Feature.HYBRID_CONNECTIONS,
    check=check_hybrid_connection_unsupported,
)

PRIVATE_ENDPOINT_UNSUPPORTED = Rule(
    id="drift/private-endpoint-unsupported",
    category=Category.DRIFT,
    severity=Severity.HIGH,
    title="Private endpoint on a hosting model that does not support it",
    rationale="Private endpoints aren't supported on the Consumption plan (nor for the function app in "
    "legacy Container Apps hosting): the app is not reachable the way the endpoint suggests.",
    remediation="Move the app to Flex Consumption, Elastic Premium or a Dedicated plan, or delete the "
    "endpoint: `az network private-endpoint delete -g <rg> -n <endpoint>`.",
    reference=Reference(
        docs.FUNCTIONS_NETWORKING,
        "Private endpoints (inbound)",
        "private-endpoints",
        basis="S6, S8; R-PLAN-02, R-PE-04",
    ),
    matrix_feature=Feature.PRIVATE_ENDPOINTS,
    check=check_private_endpoint_unsupported,
)

VNET_TRIGGER_UNSUPPORTED = Rule(
    id="drift/vnet-trigger-unsupported",
    category=Category.DRIFT,
    severity=Severity.MEDIUM,
    title="Non-HTTP triggers over VNet integration that will not work or scale",
    rationale="2019-04: Premium could not trigger over VNet integration. 2026-09: Premium needs runtime "
    "scale monitoring, otherwise triggers don't scale beyond the prewarmed instances.",
    remediation="`az resource update -g <rg> -n <app>/config/web --set "
    "properties.functionsRuntimeScaleMonitoringEnabled=1 --resource-type Microsoft.Web/sites`.",
    reference=Reference(
        docs.FUNCTIONS_NETWORKING,
        "Virtual network triggers (non-HTTP)",
        "virtual-network-triggers-non-http",
        basis="S6; R-TRG-01, R-TRG-05",
    ),
    matrix_feature=Feature.VNET_TRIGGERS,
    check=check_vnet_trigger_unsupported,
)


SERVICE_ENDPOINT_RULE_UNSUPPORTED = Rule(
    id="drift/service-endpoint-rule-unsupported",
    category=Category.DRIFT,
    severity=Severity.LOW,
    title="Service-endpoint rule where it cannot apply",
    rationale="Service-endpoint rules are not supported on an app with a private endpoint, can't "
    "restrict apps in an App Service Environment, and are not offered on the hosting models the "
    "edition marks unsupported (2026-09: Consumption): the rule gives a false sense of "
    "restriction.",
    remediation="Replace the rule with IP rules or rely on the private endpoint: "
    "`az functionapp config access-restriction remove -g <rg> -n <app> --rule-name <name>`.",
    reference=Reference(
        docs.ACCESS_RESTRICTIONS,
        "Access restriction rules based on service endpoints",
        "access-restriction-rules-based-on-service-endpoints",
        basis="S21, S20; R-AR-08",
    ),
    matrix_feature=Feature.SERVICE_ENDPOINT_RULES,
    check=check_service_endpoint_rule_unsupported,
)

DRIFT_RULES: tuple[Rule, ...] = (
    VNET_INTEGRATION_UNSUPPORTED,
    GATEWAY_INTEGRATION_UNSUPPORTED,
    HYBRID_CONNECTION_UNSUPPORTED,
    PRIVATE_ENDPOINT_UNSUPPORTED,
    VNET_TRIGGER_UNSUPPORTED,
    INTEGRATION_SUBNET_INVALID,
    ASE_RETIRED,
    GATEWAY_INTEGRATION_RETIRING,
    LINUX_CONSUMPTION_RETIRING,
    ACCESS_RULE_LIMITS,
    SERVICE_ENDPOINT_RULE_UNSUPPORTED,
)
