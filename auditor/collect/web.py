"""Microsoft.Web wire dicts (camelCase JSON exactly as ARM sends it) → model dataclasses.

Every function here is pure: no SDK, no I/O. A body or list item that is not a JSON object
(or whose ``properties`` is not one) is a :class:`MalformedResponse` (:func:`arm_object`);
inside one, values of an unexpected type are treated as absent rather than trusted, since they
come from the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.collect.errors import MalformedResponse
from auditor.model import (
    AccessRule,
    App,
    AppServiceEnvironment,
    DataKey,
    Function,
    FunctionBinding,
    Hosting,
    HybridConnection,
    Plan,
    PrivateEndpointConnection,
    SiteConfig,
    Subnet,
    VnetConnection,
)
from auditor.result_file import json_type

Wire = Mapping[str, Any]


# -- small readers ---------------------------------------------------------------------------------


def as_mapping(value: Any) -> Wire:
    return value if isinstance(value, Mapping) else {}


def properties(resource: Any) -> Wire:
    return as_mapping(as_mapping(resource).get("properties"))


def opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def non_empty_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def opt_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def opt_int(value: Any) -> int | None:
    # bool is an int subclass; a JSON true is never a priority or a port.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def str_tuple(value: Any) -> tuple[str, ...]:
    return tuple(item for item in as_list(value) if isinstance(item, str))


def nested_id(value: Any) -> str | None:
    """``{"id": "…"}`` sub-resource references (networkSecurityGroup, hostingEnvironmentProfile …)."""
    return non_empty_str(as_mapping(value).get("id"))


def kind_tokens(kind: str | None) -> frozenset[str]:
    if not kind:
        return frozenset()
    return frozenset(token.strip().lower() for token in kind.split(",") if token.strip())


def is_function_app(kind: str | None) -> bool:
    tokens = kind_tokens(kind)
    return "functionapp" in tokens and "workflowapp" not in tokens


def arm_object(value: Any, *, needs_properties: bool = False) -> Wire:
    """``value`` if it is a JSON object whose ``properties`` (when present) is one too."""
    if not isinstance(value, Mapping):
        raise MalformedResponse(f"expected a JSON object, got {json_type(value)}")
    properties_value = value.get("properties")
    if properties_value is None and needs_properties:
        raise MalformedResponse("the resource has no 'properties'")
    if properties_value is not None and not isinstance(properties_value, Mapping):
        raise MalformedResponse(f"'properties' is {json_type(properties_value)}, not an object")
    return value


def arm_objects(value: Any) -> list[Wire]:
    """A bare JSON array of objects (``virtualNetworkConnections`` answers one)."""
    if not isinstance(value, list):
        raise MalformedResponse(f"expected a JSON array, got {json_type(value)}")
    return [arm_object(item) for item in value]


# -- resource ids -------------------------------------------------------------------------------------


def id_segment(resource_id: str, key: str) -> str | None:
    """The value after ``/key/`` in an ARM id (case-insensitive key), e.g. resourceGroups → name."""
    parts = resource_id.strip("/").split("/")
    for index in range(0, len(parts) - 1):
        if parts[index].lower() == key.lower():
            return parts[index + 1]
    return None


def parent_site_id(slot_id: str) -> str:
    """``…/sites/app/slots/stage`` → ``…/sites/app``; a site id is returned unchanged."""
    marker = slot_id.lower().rfind("/slots/")
    return slot_id[:marker] if marker >= 0 else slot_id


# -- config/web ---------------------------------------------------------------------------------------


def transform_headers(raw: Any) -> dict[str, tuple[str, ...]]:
    headers: dict[str, tuple[str, ...]] = {}
    for name, values in as_mapping(raw).items():
        if isinstance(values, str):
            headers[str(name)] = (values,)
        else:
            headers[str(name)] = str_tuple(values)
    return headers


def transform_access_rule(position: int, raw: Wire) -> AccessRule:
    return AccessRule(
        position=position,
        name=opt_str(raw.get("name")),
        action=opt_str(raw.get("action")) or "",
        priority=opt_int(raw.get("priority")),
        ip_address=opt_str(raw.get("ipAddress")),
        tag=opt_str(raw.get("tag")),
        vnet_subnet_resource_id=non_empty_str(raw.get("vnetSubnetResourceId")),
        headers=transform_headers(raw.get("headers")),
        description=opt_str(raw.get("description")),
    )


def transform_access_rules(raw: Any) -> tuple[AccessRule, ...]:
    # position is the index ARM sent: rule walks sort by priority and keep this order on ties.
    return tuple(
        transform_access_rule(position, item)
        for position, item in enumerate(as_list(raw))
        if isinstance(item, Mapping)
    )


def transform_site_config(resource: Wire) -> SiteConfig:
    """``GET …/config/web`` (a SiteConfigResource: the fields sit under ``properties``)."""
    config = properties(resource)
    return SiteConfig(
        ip_security_restrictions=transform_access_rules(config.get("ipSecurityRestrictions")),
        scm_ip_security_restrictions=transform_access_rules(config.get("scmIpSecurityRestrictions")),
        scm_ip_security_restrictions_use_main=config.get("scmIpSecurityRestrictionsUseMain") is True,
        ip_security_restrictions_default_action=non_empty_str(
            config.get("ipSecurityRestrictionsDefaultAction")
        ),
        scm_ip_security_restrictions_default_action=non_empty_str(
            config.get("scmIpSecurityRestrictionsDefaultAction")
        ),
        public_network_access=opt_str(config.get("publicNetworkAccess")),
        min_tls_version=opt_str(config.get("minTlsVersion")),
        scm_min_tls_version=opt_str(config.get("scmMinTlsVersion")),
        ftps_state=opt_str(config.get("ftpsState")),
        remote_debugging_enabled=opt_bool(config.get("remoteDebuggingEnabled")),
        cors_allowed_origins=str_tuple(as_mapping(config.get("cors")).get("allowedOrigins")),
        vnet_route_all_enabled=opt_bool(config.get("vnetRouteAllEnabled")),
        # ARM sends "" when there is no integration; only a real name hints at one.
        vnet_name=non_empty_str(config.get("vnetName")),
        functions_runtime_scale_monitoring_enabled=opt_bool(
            config.get("functionsRuntimeScaleMonitoringEnabled")
        ),
        http20_enabled=opt_bool(config.get("http20Enabled")),
    )


# -- plans and ASEs -----------------------------------------------------------------------------------


def transform_plan(resource: Wire) -> Plan:
    props = properties(resource)
    sku = as_mapping(resource.get("sku"))
    return Plan(
        id=str(resource.get("id") or ""),
        name=str(resource.get("name") or ""),
        location=str(resource.get("location") or ""),
        kind=opt_str(resource.get("kind")),
        sku_name=opt_str(sku.get("name")),
        tier=opt_str(sku.get("tier")),
        reserved=props.get("reserved") is True,
        hosting_environment_id=nested_id(props.get("hostingEnvironmentProfile")),
    )


def transform_ase(resource: Wire) -> AppServiceEnvironment:
    props = properties(resource)
    networking = properties(props.get("networkingConfiguration"))
    return AppServiceEnvironment(
        id=str(resource.get("id") or ""),
        name=str(resource.get("name") or ""),
        location=str(resource.get("location") or ""),
        kind=opt_str(resource.get("kind")),
        internal_load_balancing_mode=opt_str(props.get("internalLoadBalancingMode")),
        subnet_id=nested_id(props.get("virtualNetwork")),
        allow_new_private_endpoint_connections=opt_bool(networking.get("allowNewPrivateEndpointConnections")),
    )


# -- per-app lists ------------------------------------------------------------------------------------


def transform_vnet_connections(raw: Any) -> tuple[VnetConnection, ...]:
    """``GET …/virtualNetworkConnections``: a bare JSON array, ``[]`` when none."""
    connections = []
    for item in as_list(raw):
        if not isinstance(item, Mapping):
            continue
        props = properties(item)
        connections.append(
            VnetConnection(
                name=str(item.get("name") or ""),
                vnet_resource_id=non_empty_str(props.get("vnetResourceId")),
                is_swift=props.get("isSwift") is True,
            )
        )
    return tuple(connections)


def hybrid_connection_items(raw: Any) -> list[Wire]:
    """The SDK types ``hybridConnectionRelays`` as one object; accept a list wrapper or array too."""
    if isinstance(raw, list):
        return [item for item in raw if isinstance(item, Mapping)]
    body = as_mapping(raw)
    if isinstance(body.get("value"), list):
        return [item for item in body["value"] if isinstance(item, Mapping)]
    if non_empty_str(properties(body).get("hostname")):
        return [body]
    return []


def transform_hybrid_connection(item: Wire) -> HybridConnection | None:
    # Only the endpoint is kept: sendKeyName/sendKeyValue never leave this function.
    props = properties(item)
    hostname = non_empty_str(props.get("hostname"))
    port = opt_int(props.get("port"))
    if hostname is None or port is None:
        return None
    relay_name = opt_str(props.get("relayName"))
    return HybridConnection(
        name=str(item.get("name") or relay_name or hostname),
        namespace=opt_str(props.get("serviceBusNamespace")),
        relay_name=relay_name,
        hostname=hostname,
        port=port,
    )


def transform_hybrid_connections(raw: Any) -> tuple[HybridConnection, ...]:
    connections = (transform_hybrid_connection(item) for item in hybrid_connection_items(raw))
    return tuple(connection for connection in connections if connection is not None)


def _function_config(raw: Any) -> Wire:
    # FunctionEnvelope.config is typed Any: ARM sends an object, older hosts a JSON string.
    if isinstance(raw, str):
        try:
            return as_mapping(json.loads(raw))
        except ValueError:
            return {}
    return as_mapping(raw)


def transform_binding(raw: Wire) -> FunctionBinding:
    binding_type = opt_str(raw.get("type")) or ""
    return FunctionBinding(
        type=binding_type,
        direction=opt_str(raw.get("direction")),
        auth_level=opt_str(raw.get("authLevel")) if binding_type.lower() == "httptrigger" else None,
    )


def transform_function(item: Wire) -> Function:
    props = properties(item)
    # ARM names functions "app/function" (slots: "app/slot/function").
    name = opt_str(props.get("name")) or str(item.get("name") or "").rsplit("/", 1)[-1]
    bindings = as_list(_function_config(props.get("config")).get("bindings"))
    return Function(
        name=name,
        bindings=tuple(transform_binding(binding) for binding in bindings if isinstance(binding, Mapping)),
    )


def transform_functions(items: Iterable[Wire]) -> tuple[Function, ...]:
    return tuple(transform_function(item) for item in items)


# -- hosting and OS -----------------------------------------------------------------------------------

_TIER_HOSTING = {
    "dynamic": Hosting.CONSUMPTION,
    "flexconsumption": Hosting.FLEX_CONSUMPTION,
    "elasticpremium": Hosting.PREMIUM,
    "isolated": Hosting.ASE,
    "isolatedv2": Hosting.ASE,
}


def classify_hosting(site: Wire, plan: Plan | None) -> Hosting:
    """rules.md "Hosting model": site markers first, then the plan tier.

    ``plan`` is None when the site names no plan or the plan could not be read;
    both leave the hosting model unknown.
    """
    props = properties(site)
    if non_empty_str(props.get("managedEnvironmentId")) or "azurecontainerapps" in kind_tokens(
        opt_str(site.get("kind"))
    ):
        return Hosting.CONTAINER_APPS
    if nested_id(props.get("hostingEnvironmentProfile")):
        return Hosting.ASE
    if plan is None:
        return Hosting.UNKNOWN
    return _TIER_HOSTING.get((plan.tier or "").lower(), Hosting.DEDICATED)


def detect_os(site: Wire, plan: Plan | None) -> str:
    if (plan is not None and plan.reserved) or properties(site).get("reserved") is True:
        return "linux"
    return "linux" if "linux" in kind_tokens(opt_str(site.get("kind"))) else "windows"


# -- the app ------------------------------------------------------------------------------------------


def slot_name(site: Wire) -> str | None:
    site_id = str(site.get("id") or "")
    if "/slots/" not in site_id.lower():
        return None
    return site_id.rstrip("/").rsplit("/", 1)[-1]


def transform_app(
    site: Wire,
    *,
    subscription_id: str,
    plan: Plan | None = None,
    ase: AppServiceEnvironment | None = None,
    config: SiteConfig | None = None,
    vnet_connections: Sequence[VnetConnection] | None = None,
    private_endpoints: Sequence[PrivateEndpointConnection] | None = None,
    hybrid_connections: Sequence[HybridConnection] | None = None,
    functions: Sequence[Function] | None = None,
    integration_subnet: Subnet | None = None,
    missing: Mapping[DataKey, str] | None = None,
) -> App:
    """One function app or slot from its ``Microsoft.Web/sites`` list item and the reads about it.

    ``plan=None`` with a ``serverFarmId`` means the plan could not be read: hosting is unknown.
    """
    props = properties(site)
    site_id = str(site.get("id") or "")
    kind = opt_str(site.get("kind")) or ""
    plan_id = non_empty_str(props.get("serverFarmId"))
    site_public_access = non_empty_str(props.get("publicNetworkAccess"))
    config_public_access = config.public_network_access if config is not None else None
    routing = as_mapping(props.get("outboundVnetRouting"))
    return App(
        id=site_id,
        name=str(site.get("name") or ""),
        slot=slot_name(site),
        subscription_id=subscription_id,
        resource_group=opt_str(props.get("resourceGroup")) or id_segment(site_id, "resourceGroups") or "",
        location=str(site.get("location") or ""),
        kind=kind,
        tags={str(key): str(value) for key, value in as_mapping(site.get("tags")).items()},
        os=detect_os(site, plan),
        is_container="container" in kind_tokens(kind),
        hosting=classify_hosting(site, plan),
        plan_id=plan_id,
        plan=plan,
        ase=ase,
        ase_id=nested_id(props.get("hostingEnvironmentProfile"))
        or (plan.hosting_environment_id if plan is not None else None),
        managed_environment_id=non_empty_str(props.get("managedEnvironmentId")),
        https_only=opt_bool(props.get("httpsOnly")),
        public_network_access=site_public_access
        or config_public_access
        or opt_str(props.get("publicNetworkAccess")),
        virtual_network_subnet_id=non_empty_str(props.get("virtualNetworkSubnetId")),
        outbound_vnet_routing={str(key): value for key, value in routing.items() if isinstance(value, bool)},
        site_vnet_route_all_enabled=opt_bool(props.get("vnetRouteAllEnabled")),
        config=config,
        vnet_connections=tuple(vnet_connections) if vnet_connections is not None else None,
        private_endpoints=tuple(private_endpoints) if private_endpoints is not None else None,
        hybrid_connections=tuple(hybrid_connections) if hybrid_connections is not None else None,
        functions=tuple(functions) if functions is not None else None,
        integration_subnet=integration_subnet,
        missing=dict(missing or {}),
    )


def transform_site_private_endpoint_connection(item: Wire) -> PrivateEndpointConnection:
    """A site-side ``privateEndpointConnections`` item (``GET …/sites/{name}/privateEndpointConnections``).

    The collector reads private endpoints from the network side (docs/collection.md);
    this reads the same facts when a site-side body is at hand.
    """
    props = properties(item)
    return PrivateEndpointConnection(
        id=str(item.get("id") or ""),
        private_endpoint_id=nested_id(props.get("privateEndpoint")),
        status=opt_str(as_mapping(props.get("privateLinkServiceConnectionState")).get("status")),
    )
