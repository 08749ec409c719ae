"""Build model objects with sensible defaults, for rule cases and any other test.

Every ``make_*`` takes keyword overrides for the dataclass fields. ``build_app``
turns a plain dict (a YAML case's ``app:``) into an :class:`App`, converting
nested dicts and lists into the model's dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.model import (
    AccessRule,
    App,
    AppServiceEnvironment,
    DataKey,
    Function,
    FunctionBinding,
    Gap,
    Hosting,
    HybridConnection,
    Inventory,
    NetworkSecurityGroup,
    NsgRule,
    Plan,
    PrivateEndpointConnection,
    Route,
    RouteTable,
    SiteConfig,
    Subnet,
    SubscriptionScan,
    VnetConnection,
)

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "rg-functions"
LOCATION = "westeurope"
WEB = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.Web"
NETWORK = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-network/providers/Microsoft.Network"
VNET_ID = f"{NETWORK}/virtualNetworks/vnet-app"

# hosting -> (sku.tier, sku.name, plan kind)
PLAN_SKUS: dict[Hosting, tuple[str, str, str]] = {
    Hosting.CONSUMPTION: ("Dynamic", "Y1", "functionapp"),
    Hosting.FLEX_CONSUMPTION: ("FlexConsumption", "FC1", "functionapp"),
    Hosting.PREMIUM: ("ElasticPremium", "EP1", "elastic"),
    Hosting.DEDICATED: ("Standard", "S1", "app"),
    Hosting.ASE: ("IsolatedV2", "I1v2", "app"),
}

DEFAULT_MISSING_REASONS: dict[DataKey, str] = {
    DataKey.PLAN: "GET /subscriptions/…/serverfarms: 403 AuthorizationFailed",
    DataKey.ASE: "GET /subscriptions/…/hostingEnvironments: 403 AuthorizationFailed",
    DataKey.CONFIG: "GET …/config/web: 403 AuthorizationFailed",
    DataKey.VNET_CONNECTIONS: "GET …/virtualNetworkConnections: 500 InternalServerError",
    DataKey.PRIVATE_ENDPOINTS: "GET /subscriptions/…/privateEndpoints: 403 AuthorizationFailed",
    DataKey.HYBRID_CONNECTIONS: "GET …/hybridConnectionRelays: 403 AuthorizationFailed",
    DataKey.FUNCTIONS: "GET …/functions: 404 NotFound",
    DataKey.SUBNET: "GET /subscriptions/…/virtualNetworks: 403 AuthorizationFailed",
}


def app_id(name: str = "func-app", slot: str | None = None) -> str:
    site = f"{WEB}/sites/{name}"
    return f"{site}/slots/{slot}" if slot else site


def make_rule(position: int = 0, **overrides: Any) -> AccessRule:
    headers = overrides.pop("headers", {}) or {}
    fields: dict[str, Any] = {
        "position": position,
        "name": f"rule-{position}",
        "action": "Allow",
        "priority": 100 + position,
        "ip_address": "203.0.113.0/24",
        "tag": "Default",
        "vnet_subnet_resource_id": None,
        "headers": {str(name): tuple(str(v) for v in values) for name, values in headers.items()},
        "description": None,
    }
    fields.update(overrides)
    return AccessRule(**fields)


def _rules(raw: Any) -> tuple[AccessRule, ...]:
    rules: list[AccessRule] = []
    for position, entry in enumerate(raw or ()):
        if isinstance(entry, AccessRule):
            rules.append(entry)
        else:
            rules.append(make_rule(position, **dict(entry)))
    return tuple(rules)


def make_config(**overrides: Any) -> SiteConfig:
    fields: dict[str, Any] = {
        "ip_security_restrictions": (),
        "scm_ip_security_restrictions": (),
        "scm_ip_security_restrictions_use_main": False,
        "ip_security_restrictions_default_action": None,
        "scm_ip_security_restrictions_default_action": None,
        "public_network_access": None,
        "min_tls_version": "1.2",
        "scm_min_tls_version": "1.2",
        "ftps_state": "FtpsOnly",
        "remote_debugging_enabled": False,
        "cors_allowed_origins": (),
        "vnet_route_all_enabled": False,
        "vnet_name": None,
        "functions_runtime_scale_monitoring_enabled": False,
        "http20_enabled": True,
    }
    fields.update(overrides)
    fields["ip_security_restrictions"] = _rules(fields["ip_security_restrictions"])
    fields["scm_ip_security_restrictions"] = _rules(fields["scm_ip_security_restrictions"])
    fields["cors_allowed_origins"] = tuple(fields["cors_allowed_origins"])
    return SiteConfig(**fields)


def make_plan(hosting: Hosting = Hosting.PREMIUM, os: str = "windows", **overrides: Any) -> Plan:
    tier, sku, kind = PLAN_SKUS.get(hosting, ("Standard", "S1", "app"))
    fields: dict[str, Any] = {
        "id": f"{WEB}/serverfarms/plan-{hosting.value}",
        "name": f"plan-{hosting.value}",
        "location": LOCATION,
        "kind": kind if os == "windows" else f"{kind},linux",
        "sku_name": sku,
        "tier": tier,
        "reserved": os == "linux",
        "hosting_environment_id": None,
    }
    fields.update(overrides)
    return Plan(**fields)


def make_ase(**overrides: Any) -> AppServiceEnvironment:
    subnet = overrides.pop("subnet", None)
    if isinstance(subnet, Mapping):
        subnet = make_subnet(**dict(subnet))
    fields: dict[str, Any] = {
        "id": f"{WEB}/hostingEnvironments/ase-one",
        "name": "ase-one",
        "location": LOCATION,
        "kind": "ASEV3",
        "internal_load_balancing_mode": "None",
        "subnet_id": f"{VNET_ID}/subnets/ase",
        "allow_new_private_endpoint_connections": None,
        "subnet": subnet,
    }
    fields.update(overrides)
    return AppServiceEnvironment(**fields)


def make_nsg(rules: Any = (), **overrides: Any) -> NetworkSecurityGroup:
    security_rules = []
    for index, entry in enumerate(rules):
        if isinstance(entry, NsgRule):
            security_rules.append(entry)
            continue
        raw = dict(entry)
        destination = raw.pop("destination", raw.pop("destination_address_prefixes", ("Internet",)))
        rule_fields: dict[str, Any] = {
            "name": f"nsg-rule-{index}",
            "priority": 1000 + index * 10,
            "direction": "Outbound",
            "access": "Deny",
            "protocol": "*",
            "destination_address_prefixes": tuple(
                [destination] if isinstance(destination, str) else destination
            ),
            "destination_port_ranges": ("*",),
        }
        rule_fields.update(raw)
        rule_fields["destination_port_ranges"] = tuple(rule_fields["destination_port_ranges"])
        security_rules.append(NsgRule(**rule_fields))
    fields: dict[str, Any] = {
        "id": f"{NETWORK}/networkSecurityGroups/nsg-app",
        "name": "nsg-app",
        "security_rules": tuple(security_rules),
    }
    fields.update(overrides)
    return NetworkSecurityGroup(**fields)


def make_route_table(routes: Any = (), **overrides: Any) -> RouteTable:
    built = [
        entry if isinstance(entry, Route) else Route(**{"name": f"route-{i}", **dict(entry)})
        for i, entry in enumerate(routes)
    ]
    fields: dict[str, Any] = {"id": f"{NETWORK}/routeTables/rt-app", "name": "rt-app", "routes": tuple(built)}
    fields.update(overrides)
    return RouteTable(**fields)


def make_subnet(**overrides: Any) -> Subnet:
    nsg = overrides.pop("nsg", None)
    route_table = overrides.pop("route_table", None)
    fields: dict[str, Any] = {
        "id": f"{VNET_ID}/subnets/integration",
        "name": "integration",
        "location": LOCATION,
        "address_prefixes": ("10.0.1.0/26",),
        "delegations": ("Microsoft.Web/serverFarms",),
        "private_endpoint_ids": (),
        "service_endpoints": (),
        "network_security_group_id": None,
        "route_table_id": None,
        "nat_gateway_id": None,
        "network_security_group": None,
        "route_table": None,
    }
    if nsg is not None:
        built_nsg = nsg if isinstance(nsg, NetworkSecurityGroup) else make_nsg(**dict(nsg))
        fields["network_security_group"] = built_nsg
        fields["network_security_group_id"] = built_nsg.id
    if route_table is not None:
        built_table = (
            route_table if isinstance(route_table, RouteTable) else make_route_table(**dict(route_table))
        )
        fields["route_table"] = built_table
        fields["route_table_id"] = built_table.id
    fields.update(overrides)
    for key in ("address_prefixes", "delegations", "private_endpoint_ids", "service_endpoints"):
        fields[key] = tuple(fields[key])
    return Subnet(**fields)


def make_private_endpoint(index: int = 0, **overrides: Any) -> PrivateEndpointConnection:
    fields: dict[str, Any] = {
        "id": f"{app_id()}/privateEndpointConnections/pe-{index}",
        "private_endpoint_id": f"{NETWORK}/privateEndpoints/pe-{index}",
        "status": "Approved",
        "subnet_id": f"{VNET_ID}/subnets/private-endpoints",
    }
    fields.update(overrides)
    return PrivateEndpointConnection(**fields)


def make_hybrid_connection(index: int = 0, **overrides: Any) -> HybridConnection:
    fields: dict[str, Any] = {
        "name": f"hc-{index}",
        "namespace": "relay-ns",
        "relay_name": f"hc-{index}",
        "hostname": f"onprem-{index}.corp.example",
        "port": 1433,
    }
    fields.update(overrides)
    return HybridConnection(**fields)


def make_function(name: str = "func", bindings: Any = (), **_: Any) -> Function:
    built = [
        entry
        if isinstance(entry, FunctionBinding)
        else FunctionBinding(
            type=entry["type"],
            direction=entry.get("direction", "in"),
            auth_level=entry.get("auth_level"),
        )
        for entry in bindings
    ]
    return Function(name=name, bindings=tuple(built))


def make_vnet_connection(**overrides: Any) -> VnetConnection:
    fields: dict[str, Any] = {"name": "vnet-connection", "vnet_resource_id": VNET_ID, "is_swift": False}
    fields.update(overrides)
    return VnetConnection(**fields)


def make_app(**overrides: Any) -> App:
    """A Windows Premium function app, fully read, with no network settings; override any field.

    Extra keywords: ``hosting``/``os`` also shape the default plan; ``plan`` may be
    a dict of Plan overrides. A data field set to None without a ``missing``
    entry gets a default failed-call reason, as the collector would record.
    """
    hosting = Hosting(overrides.pop("hosting", Hosting.PREMIUM))
    os = overrides.pop(
        "os", "linux" if hosting in (Hosting.FLEX_CONSUMPTION, Hosting.CONTAINER_APPS) else "windows"
    )
    name = overrides.pop("name", "func-app")
    slot = overrides.pop("slot", None)
    missing: dict[DataKey, str] = {
        DataKey(key): reason for key, reason in dict(overrides.pop("missing", {}) or {}).items()
    }
    plan: Plan | None
    raw_plan = overrides.pop("plan", "default")
    if raw_plan == "default":
        plan = make_plan(hosting, os) if hosting in PLAN_SKUS else None
    elif raw_plan is None or isinstance(raw_plan, Plan):
        plan = raw_plan
    else:
        plan = make_plan(hosting, os, **dict(raw_plan))
    if hosting is Hosting.UNKNOWN and plan is None:
        missing.setdefault(DataKey.PLAN, DEFAULT_MISSING_REASONS[DataKey.PLAN])
    ase = overrides.pop("ase", make_ase() if hosting is Hosting.ASE else None)
    if isinstance(ase, Mapping):
        ase = make_ase(**dict(ase))
    config = overrides.pop("config", {})
    if isinstance(config, Mapping):
        config = make_config(**dict(config))
    subnet = overrides.pop("integration_subnet", None)
    if isinstance(subnet, Mapping):
        subnet = make_subnet(**dict(subnet))
    fields: dict[str, Any] = {
        "id": app_id(name, slot),
        "name": f"{name}/{slot}" if slot else name,
        "slot": slot,
        "subscription_id": SUBSCRIPTION_ID,
        "resource_group": RESOURCE_GROUP,
        "location": LOCATION,
        "kind": "functionapp,linux" if os == "linux" else "functionapp",
        "tags": {},
        "os": os,
        "is_container": False,
        "hosting": hosting,
        "plan_id": plan.id
        if plan is not None
        else (f"{WEB}/serverfarms/plan-unread" if hosting is Hosting.UNKNOWN else None),
        "plan": plan,
        "ase": ase,
        "ase_id": ase.id if ase is not None else None,
        "managed_environment_id": (
            f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.App/"
            "managedEnvironments/env"
            if hosting is Hosting.CONTAINER_APPS
            else None
        ),
        "https_only": True,
        "public_network_access": None,
        "virtual_network_subnet_id": None,
        "outbound_vnet_routing": {},
        "site_vnet_route_all_enabled": None,
        "config": config,
        "vnet_connections": (),
        "private_endpoints": (),
        "hybrid_connections": (),
        "functions": (),
        "integration_subnet": subnet,
    }
    if "vnet_connections" in overrides and overrides["vnet_connections"] is not None:
        overrides["vnet_connections"] = tuple(
            entry if isinstance(entry, VnetConnection) else make_vnet_connection(**dict(entry))
            for entry in overrides["vnet_connections"]
        )
    if "private_endpoints" in overrides and overrides["private_endpoints"] is not None:
        overrides["private_endpoints"] = tuple(
            entry if isinstance(entry, PrivateEndpointConnection) else make_private_endpoint(i, **dict(entry))
            for i, entry in enumerate(overrides["private_endpoints"])
        )
    if "hybrid_connections" in overrides and overrides["hybrid_connections"] is not None:
        overrides["hybrid_connections"] = tuple(
            entry if isinstance(entry, HybridConnection) else make_hybrid_connection(i, **dict(entry))
            for i, entry in enumerate(overrides["hybrid_connections"])
        )
    if "functions" in overrides and overrides["functions"] is not None:
        overrides["functions"] = tuple(
            entry if isinstance(entry, Function) else make_function(**dict(entry))
            for entry in overrides["functions"]
        )
    if "outbound_vnet_routing" in overrides:
        overrides["outbound_vnet_routing"] = dict(overrides["outbound_vnet_routing"] or {})
    fields.update(overrides)
    # A field left unread without a recorded reason would be a collector bug; fill the reason in.
    for key, field_name in (
        (DataKey.CONFIG, "config"),
        (DataKey.PRIVATE_ENDPOINTS, "private_endpoints"),
        (DataKey.HYBRID_CONNECTIONS, "hybrid_connections"),
        (DataKey.FUNCTIONS, "functions"),
        (DataKey.VNET_CONNECTIONS, "vnet_connections"),
    ):
        if fields[field_name] is None:
            missing.setdefault(key, DEFAULT_MISSING_REASONS[key])
    if fields["virtual_network_subnet_id"] and fields["integration_subnet"] is None:
        missing.setdefault(DataKey.SUBNET, DEFAULT_MISSING_REASONS[DataKey.SUBNET])
    if fields["ase_id"] and fields["ase"] is None:
        missing.setdefault(DataKey.ASE, DEFAULT_MISSING_REASONS[DataKey.ASE])
    fields["missing"] = missing
    return App(**fields)


def build_app(spec: Mapping[str, Any] | None) -> App:
    """An App from a YAML case's ``app:`` mapping (the keyword overrides of :func:`make_app`)."""
    return make_app(**dict(spec or {}))


def make_gap(**overrides: Any) -> Gap:
    fields: dict[str, Any] = {
        "subscription_id": SUBSCRIPTION_ID,
        "operation": f"GET {app_id()}/config/web",
        "status": 403,
        "reason": "AuthorizationFailed",
        "resource_id": app_id(),
        "affects": (DataKey.CONFIG,),
    }
    fields.update(overrides)
    fields["affects"] = tuple(DataKey(key) for key in fields["affects"])
    return Gap(**fields)


def make_inventory(apps: Any = (), gaps: Any = (), **overrides: Any) -> Inventory:
    fields: dict[str, Any] = {
        "subscriptions": (SubscriptionScan(SUBSCRIPTION_ID, "ok"),),
        "apps": tuple(apps),
        "gaps": tuple(gaps),
        "arm_calls": 12,
    }
    fields.update(overrides)
    return Inventory(**fields)
