"""The inventory: what collection read from Azure, as frozen dataclasses.

This module is the contract between ``collect/`` (which knows Azure) and
``rules/``/``evaluate`` (which know only this model). A value of ``None`` on a
field documented as "None = could not be read" means *unknown*: the read
failed and a :class:`Gap` says why. It never means "absent" -- absence is an
empty tuple, ``False`` or an explicit enum value.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Hosting(enum.StrEnum):
    """The real hosting model of a function app (rules.md, "Hosting model")."""

    CONSUMPTION = "consumption"
    FLEX_CONSUMPTION = "flex_consumption"
    PREMIUM = "premium"
    DEDICATED = "dedicated"
    ASE = "ase"
    CONTAINER_APPS = "container_apps"
    UNKNOWN = "unknown"


class DataKey(enum.StrEnum):
    """What a failed read prevented us from knowing about one resource.

    Rules declare which keys they need; a resource whose needed key is in
    ``App.missing`` gets an ``unknown`` outcome naming the failed call.
    """

    PLAN = "plan"
    ASE = "ase"
    CONFIG = "config"
    VNET_CONNECTIONS = "vnet_connections"
    PRIVATE_ENDPOINTS = "private_endpoints"
    HYBRID_CONNECTIONS = "hybrid_connections"
    FUNCTIONS = "functions"
    SUBNET = "subnet"


@dataclass(frozen=True)
class Gap:
    """One ARM read that failed; the audit went on without its answer."""

    subscription_id: str
    operation: str  # "GET /subscriptions/…/config/web" (path without query)
    status: int | None  # HTTP status, None for transport errors
    reason: str  # one line: the ARM error code/message or the exception
    resource_id: str | None = None  # the app (or plan, subnet …) it was about
    affects: tuple[DataKey, ...] = ()


@dataclass(frozen=True)
class AccessRule:
    """One entry of ``ipSecurityRestrictions`` / ``scmIpSecurityRestrictions``."""

    position: int  # index in the API's list: ties in priority keep this order
    name: str | None
    action: str  # "Allow" | "Deny" (as sent; compare case-insensitively)
    priority: int | None
    ip_address: str | None  # CIDR, comma-separated CIDRs, "Any", a service tag name, "AnyVnets"
    tag: str | None  # "Default" | "XffProxy" | "ServiceTag" | None
    vnet_subnet_resource_id: str | None
    headers: Mapping[str, tuple[str, ...]]  # header name (as sent) -> values; empty = none
    description: str | None = None


@dataclass(frozen=True)
class SiteConfig:
    """What ``GET …/config/web`` returned (the security-relevant subset)."""

    ip_security_restrictions: tuple[AccessRule, ...]
    scm_ip_security_restrictions: tuple[AccessRule, ...]
    scm_ip_security_restrictions_use_main: bool
    ip_security_restrictions_default_action: str | None  # None = not set explicitly
    scm_ip_security_restrictions_default_action: str | None
    public_network_access: str | None
    min_tls_version: str | None
    scm_min_tls_version: str | None
    ftps_state: str | None
    remote_debugging_enabled: bool | None
    cors_allowed_origins: tuple[str, ...]
    vnet_route_all_enabled: bool | None
    vnet_name: str | None
    functions_runtime_scale_monitoring_enabled: bool | None
    http20_enabled: bool | None = None


@dataclass(frozen=True)
class Plan:
    """An App Service plan (``Microsoft.Web/serverfarms``)."""

    id: str
    name: str
    location: str
    kind: str | None
    sku_name: str | None  # "EP1", "Y1", "FC1", "P1v3", "I1v2" …
    tier: str | None  # "ElasticPremium", "Dynamic", "FlexConsumption" …
    reserved: bool  # True = Linux
    hosting_environment_id: str | None


@dataclass(frozen=True)
class AppServiceEnvironment:
    """An App Service Environment (``Microsoft.Web/hostingEnvironments``)."""

    id: str
    name: str
    location: str
    kind: str | None  # "ASEV2", "ASEV3" …
    internal_load_balancing_mode: str | None  # "None" | "Web" | "Publishing" | "Web, Publishing"
    subnet_id: str | None
    allow_new_private_endpoint_connections: bool | None = None
    # The ASE's own subnet with its NSG and route table: its apps' egress path.
    # None when the ASE names no subnet or it could not be read (see the app's ``missing``).
    subnet: Subnet | None = None


@dataclass(frozen=True)
class VnetConnection:
    """One item of ``GET …/virtualNetworkConnections`` (a bare JSON array)."""

    name: str
    vnet_resource_id: str | None
    is_swift: bool  # True: regional integration; False: gateway-required


@dataclass(frozen=True)
class PrivateEndpointConnection:
    """A private endpoint connected to the site (or slot)."""

    id: str  # connection id (site side) or private endpoint id (network side)
    private_endpoint_id: str | None
    status: str | None  # "Approved" | "Pending" | "Rejected" | "Disconnected"
    subnet_id: str | None = None


@dataclass(frozen=True)
class HybridConnection:
    """A Hybrid Connection the app can use (never its send key)."""

    name: str
    namespace: str | None
    relay_name: str | None
    hostname: str
    port: int


@dataclass(frozen=True)
class FunctionBinding:
    type: str  # "httpTrigger", "queueTrigger" …
    direction: str | None
    auth_level: str | None  # httpTrigger only: "anonymous" | "function" | "admin"


@dataclass(frozen=True)
class Function:
    name: str
    bindings: tuple[FunctionBinding, ...]

    @property
    def triggers(self) -> tuple[FunctionBinding, ...]:
        return tuple(b for b in self.bindings if b.type.lower().endswith("trigger"))


@dataclass(frozen=True)
class NsgRule:
    name: str
    priority: int
    direction: str  # "Inbound" | "Outbound"
    access: str  # "Allow" | "Deny"
    protocol: str | None
    destination_address_prefixes: tuple[str, ...]  # destinationAddressPrefix + …Prefixes
    destination_port_ranges: tuple[str, ...]


@dataclass(frozen=True)
class NetworkSecurityGroup:
    id: str
    name: str
    security_rules: tuple[NsgRule, ...]  # custom rules only, not defaultSecurityRules


@dataclass(frozen=True)
class Route:
    name: str
    address_prefix: str | None
    next_hop_type: str | None  # "VirtualAppliance", "VirtualNetworkGateway", "Internet" …


@dataclass(frozen=True)
class RouteTable:
    id: str
    name: str
    routes: tuple[Route, ...]


@dataclass(frozen=True)
class Subnet:
    id: str
    name: str
    location: str | None  # the region of its virtual network
    address_prefixes: tuple[str, ...]  # addressPrefix and addressPrefixes together
    delegations: tuple[str, ...]  # serviceName of each delegation
    private_endpoint_ids: tuple[str, ...]
    service_endpoints: tuple[str, ...]  # service names ("Microsoft.Web" …)
    network_security_group_id: str | None
    route_table_id: str | None
    nat_gateway_id: str | None
    # Resolved from the subscription-wide lists; None when the id is set but
    # the NSG / route table could not be read (see the app's ``missing``).
    network_security_group: NetworkSecurityGroup | None = None
    route_table: RouteTable | None = None


@dataclass(frozen=True)
class App:
    """One function app or one deployment slot, with everything read about it."""

    id: str  # ARM casing kept; compare case-insensitively
    name: str  # the site name ("app" for the app, "app/slot" as ARM names slots)
    slot: str | None  # slot name, None for the production app
    subscription_id: str
    resource_group: str
    location: str
    kind: str
    tags: Mapping[str, str]
    os: str  # "linux" | "windows"
    is_container: bool  # kind has the token "container"
    hosting: Hosting
    plan_id: str | None
    plan: Plan | None  # None = no plan id, or the plan could not be read
    ase: AppServiceEnvironment | None  # the ASE the app runs in, when read
    ase_id: str | None  # from hostingEnvironmentProfile or the plan
    managed_environment_id: str | None
    https_only: bool | None
    # The site property; the config/web copy only when the site omits it.
    public_network_access: str | None
    virtual_network_subnet_id: str | None
    # outboundVnetRouting flags as sent (allTraffic, applicationTraffic …)
    outbound_vnet_routing: Mapping[str, bool]
    site_vnet_route_all_enabled: bool | None  # legacy site-level vnetRouteAllEnabled
    config: SiteConfig | None  # None = GET config/web failed
    vnet_connections: tuple[VnetConnection, ...] | None  # None = failed
    private_endpoints: tuple[PrivateEndpointConnection, ...] | None  # None = failed
    hybrid_connections: tuple[HybridConnection, ...] | None  # None = failed
    functions: tuple[Function, ...] | None  # None = failed, or not read (see not_read)
    integration_subnet: Subnet | None  # None = no integration, or unread (see missing)
    # Data we could not read about this app, with the operation that failed.
    missing: Mapping[DataKey, str] = field(default_factory=dict)
    # Data deliberately not read because no rule can use it for this app, with why (a
    # skipped call is not a failure: it is never in ``missing`` and never makes a gap).
    not_read: Mapping[DataKey, str] = field(default_factory=dict)

    def missing_reason(self, key: DataKey) -> str | None:
        return self.missing.get(key)


@dataclass(frozen=True)
class SubscriptionScan:
    id: str
    status: str  # "ok" | "error"
    error: str | None = None


@dataclass(frozen=True)
class Inventory:
    subscriptions: tuple[SubscriptionScan, ...]
    apps: tuple[App, ...]
    gaps: tuple[Gap, ...]
    arm_calls: int = 0  # HTTP requests sent to ARM (retries included)
