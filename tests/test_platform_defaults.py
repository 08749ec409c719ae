"""Fields a rule reads, null or left out of the wire body: judged as the platform documents them.

Each case takes a complete ``config/web`` (or site) body in ARM's wire format, sets the field to
null or removes it, runs it through the transforms and the rule, and checks the outcome and the
"not set: platform default …, per <URL>" evidence. Where no default is documented (ftpsState) the
outcome stays unknown, and docs/defaults.md lists every field with its default and source.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest

from auditor.collect.web import transform_app, transform_functions, transform_plan, transform_site_config
from auditor.model import App
from auditor.rules import RULES_BY_ID, facts_for
from auditor.rules.defaults import DEFAULTS, DEFAULTS_BY_FIELD
from tests.support.paths import REPO

SUB = "00000000-0000-0000-0000-000000000000"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-func"
SITE_ID = f"{RG}/providers/Microsoft.Web/sites/func-defaults"
SUBNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-integration"

PLAN = {
    "id": f"{RG}/providers/Microsoft.Web/serverfarms/plan-ep1",
    "name": "plan-ep1",
    "type": "Microsoft.Web/serverfarms",
    "kind": "elastic",
    "location": "West Europe",
    "properties": {"reserved": False, "hostingEnvironmentProfile": None},
    "sku": {"name": "EP1", "tier": "ElasticPremium", "size": "EP1", "family": "EP", "capacity": 1},
}
SITE = {
    "id": SITE_ID,
    "name": "func-defaults",
    "type": "Microsoft.Web/sites",
    "kind": "functionapp",
    "location": "West Europe",
    "properties": {
        "serverFarmId": PLAN["id"],
        "httpsOnly": True,
        "publicNetworkAccess": "Enabled",
        "virtualNetworkSubnetId": SUBNET,
        "outboundVnetRouting": {"allTraffic": True},
    },
}
CONFIG = {
    "id": f"{SITE_ID}/config/web",
    "name": "func-defaults",
    "type": "Microsoft.Web/sites/config",
    "location": "West Europe",
    "properties": {
        "ipSecurityRestrictions": [
            {"ipAddress": "Any", "action": "Allow", "priority": 1, "name": "Allow all"},
        ],
        "scmIpSecurityRestrictionsUseMain": True,
        "minTlsVersion": "1.2",
        "scmMinTlsVersion": "1.2",
        "ftpsState": "FtpsOnly",
        "remoteDebuggingEnabled": False,
        "http20Enabled": True,
        "cors": {"allowedOrigins": ["https://portal.azure.com"], "supportCredentials": False},
        "vnetName": "00000000-0000-0000-0000-00000000a1a1_snet-integration",
        "vnetRouteAllEnabled": True,
        "functionsRuntimeScaleMonitoringEnabled": True,
    },
}
FUNCTIONS = [
    {
        "id": f"{SITE_ID}/functions/Drain",
        "name": "func-defaults/Drain",
        "properties": {
            "name": "Drain",
            "config": {"bindings": [{"type": "queueTrigger", "direction": "in"}]},
        },
    }
]


def _app(site: dict[str, Any], config: dict[str, Any]) -> App:
    return transform_app(
        site,
        subscription_id=SUB,
        plan=transform_plan(PLAN),
        config=transform_site_config(config),
        vnet_connections=(),
        private_endpoints=(),
        hybrid_connections=(),
        functions=transform_functions(FUNCTIONS),
    )


@dataclass(frozen=True)
class FieldCase:
    field: str  # wire name; "cors" covers cors.allowedOrigins
    on_site: bool  # the field is a site property, not a config/web one
    rule_id: str
    status: str  # the outcome when the field is not set
    not_set: bool = True  # the evidence carries the not-set note (the field has a default entry)


FIELD_CASES = (
    FieldCase("minTlsVersion", False, "risk/tls-below-1.2", "pass"),
    FieldCase("scmMinTlsVersion", False, "risk/tls-below-1.2", "pass"),
    FieldCase("httpsOnly", True, "risk/https-only-disabled", "fail"),
    FieldCase("ftpsState", False, "risk/ftp-allowed", "unknown"),
    FieldCase("remoteDebuggingEnabled", False, "risk/remote-debugging-enabled", "pass"),
    FieldCase("functionsRuntimeScaleMonitoringEnabled", False, "drift/vnet-trigger-unsupported", "fail"),
    FieldCase("cors", False, "risk/cors-wildcard", "pass", not_set=False),
)


def _without(body: dict[str, Any], field: str, how: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    if how == "null":
        changed["properties"][field] = None
    else:
        changed["properties"].pop(field, None)
    return changed


@pytest.mark.parametrize("how", ["null", "absent"])
@pytest.mark.parametrize("case", FIELD_CASES, ids=[case.field for case in FIELD_CASES])
def test_a_field_not_set_is_judged_as_the_platform_default(case: FieldCase, how: str) -> None:
    site = _without(SITE, case.field, how) if case.on_site else SITE
    config = CONFIG if case.on_site else _without(CONFIG, case.field, how)
    outcome = RULES_BY_ID[case.rule_id].evaluate(facts_for(_app(site, config), "2026-09"))
    assert outcome.status.value == case.status, outcome.message
    if not case.not_set:
        return
    default = DEFAULTS_BY_FIELD[case.field]
    assert outcome.evidence["not_set"] == {case.field: default.note()}
    assert default.note() in outcome.message or f"{case.field} {default.note()}" in outcome.message
    if default.documented:
        assert f"per {default.url}" in outcome.message
        assert str(default.url).startswith("https://learn.microsoft.com/")


@pytest.mark.parametrize("case", FIELD_CASES, ids=[case.field for case in FIELD_CASES])
def test_the_same_fields_set_explicitly_carry_no_default_note(case: FieldCase) -> None:
    outcome = RULES_BY_ID[case.rule_id].evaluate(facts_for(_app(SITE, CONFIG), "2026-09"))
    assert outcome.status.value == "pass", outcome.message
    assert "not_set" not in outcome.evidence


def test_every_field_a_rule_reads_is_covered_here() -> None:
    assert {default.field for default in DEFAULTS} <= {case.field for case in FIELD_CASES}


def test_docs_list_every_default_and_every_field_left_unknown() -> None:
    text = (REPO / "docs" / "defaults.md").read_text(encoding="utf-8")
    for default in DEFAULTS:
        assert f"`{default.field}`" in text, default.field
        if default.documented:
            assert str(default.url) in text, default.field
    undocumented = [default.field for default in DEFAULTS if not default.documented]
    assert undocumented == ["ftpsState"]
