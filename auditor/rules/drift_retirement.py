"""Retirement drift rules (rules.md, "Drift rules"): hosting options Microsoft has retired or is retiring."""

from __future__ import annotations

from auditor import docs
from auditor.matrix import Feature
from auditor.model import DataKey, Hosting
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
)
from auditor.rules.facts import AppFacts

# Enum values are read as ``_value_``: ``.value`` is a Python-level property, and this code runs
# for every app (bench/RESULTS.md: what it buys).
RETIRED_ASE_KINDS = frozenset({"asev1", "asev2"})


def check_ase_retired(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.hosting is not Hosting.ASE and not app.ase_id:
        return not_applicable("The app does not run in an App Service Environment.")
    tier = app.plan.tier if app.plan is not None else None
    kind = app.ase.kind if app.ase is not None else None
    evidence = {"plan_tier": tier, "ase_kind": kind, "ase_id": app.ase_id}
    if (tier or "").lower() == "isolated" or (kind or "").lower() in RETIRED_ASE_KINDS:
        return fail(
            "The app runs in an App Service Environment v1/v2, which is retired and no longer supported.",
            evidence,
        )
    if (kind or "").lower() == "asev3" or (tier or "").lower() == "isolatedv2":
        return passed("The app runs in an App Service Environment v3.", evidence)
    missing = tuple(key for key in (DataKey.PLAN, DataKey.ASE) if key in app.missing)
    return unknown(app, missing or (DataKey.ASE,), "the ASE version (plan tier or ASE kind)")


def check_gateway_integration_retiring(facts: AppFacts) -> Outcome:
    integ = facts.integration
    if integ.gateway is None:
        return unknown(facts.app, integ.missing, "the app's VNet connections")
    if integ.gateway:
        return fail(
            "Gateway-required VNet integration retires on 2027-03-31; move to regional VNet integration.",
            {"gateway_vnets": sorted(integ.gateway_vnet_ids)},
        )
    if integ.regional:
        # An integrated app that already uses the regional form is what the retirement asks for.
        return passed(
            "The app's VNet integration is regional, which the retirement does not affect.",
            {"vnet_integration": "regional"},
        )
    return not_applicable("No VNet integration.")


def check_linux_consumption_retiring(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.hosting is Hosting.UNKNOWN:
        return unknown(app, (DataKey.PLAN,), "the plan")
    if app.hosting is not Hosting.CONSUMPTION:
        return not_applicable(f"The app is on {app.hosting._value_}, not Consumption.")
    evidence = {"hosting": app.hosting._value_, "os": app.os}
    if app.os == "linux":
        return fail("Linux Consumption retires on 2028-09-30; migrate to Flex Consumption.", evidence)
    return passed("Windows Consumption is not affected by the Linux retirement.", evidence)


ASE_RETIRED = Rule(
    id="drift/ase-retired",
    category=Category.DRIFT,
    severity=Severity.HIGH,
    title="App in a retired App Service Environment v1/v2",
    rationale="ASEv1 and v2 are retired and no longer supported; automigration started 2024-09-01 and apps "
    "that cannot be migrated are deleted.",
    remediation="Migrate to an App Service Environment v3 (IsolatedV2 plans).",
    reference=Reference(docs.ASE_AUTO_MIGRATION, "Retirement", basis="S27; R-PLAN-11"),
    check=check_ase_retired,
)


GATEWAY_INTEGRATION_RETIRING = Rule(
    id="drift/gateway-integration-retiring",
    category=Category.DRIFT,
    severity=Severity.LOW,
    title="Gateway-required VNet integration retires 2027-03-31",
    rationale="Gateway-required (point-to-site) VNet integration retires on 2027-03-31.",
    remediation="Move to regional VNet integration: `az functionapp vnet-integration add -g <rg> -n <app> "
    "--vnet <vnet> --subnet <subnet>`.",
    reference=Reference(docs.GATEWAY_INTEGRATION, "Retirement", basis="S18; R-GW-06"),
    matrix_feature=Feature.GATEWAY_VNET_INTEGRATION,
    check=check_gateway_integration_retiring,
    editions=("2026-09",),
)


LINUX_CONSUMPTION_RETIRING = Rule(
    id="drift/linux-consumption-retiring",
    category=Category.DRIFT,
    severity=Severity.LOW,
    title="Linux Consumption retires 2028-09-30",
    rationale="Linux Consumption retires on 2028-09-30 and gets no new features or language versions.",
    remediation="Migrate the app to the Flex Consumption plan.",
    reference=Reference(docs.CONSUMPTION, "Linux Consumption retirement", basis="S10; R-PLAN-05"),
    check=check_linux_consumption_retiring,
    editions=("2026-09",),
)
