"""VNet integration, route all, and whether internet egress is controlled (risk/outbound-uncontrolled)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from auditor.model import App, DataKey, Hosting, NsgRule, Subnet

# Enum values are read as ``_value_`` here: ``.value`` is a Python-level property, and this code
# runs for every app (29 rules x 10,000 apps; bench/RESULTS.md: what it buys).
INTERNET_DESTINATIONS = frozenset({"internet", "0.0.0.0/0", "*"})
CONTROLLING_NEXT_HOPS = frozenset({"virtualappliance", "virtualnetworkgateway"})
ROUTE_ALL_FLAGS = frozenset({"alltraffic", "applicationtraffic"})


class IntegrationKind(enum.StrEnum):
    REGIONAL = "regional"
    GATEWAY = "gateway"
    NONE = "none"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Integration:
    regional: bool
    gateway: bool | None  # None: could not tell (config or virtualNetworkConnections unread)
    subnet_id: str | None
    gateway_vnet_ids: tuple[str, ...] = ()
    missing: tuple[DataKey, ...] = ()

    @property
    def kind(self) -> IntegrationKind:
        if self.regional:
            return IntegrationKind.REGIONAL
        if self.gateway is None:
            return IntegrationKind.UNKNOWN
        return IntegrationKind.GATEWAY if self.gateway else IntegrationKind.NONE


def integration(app: App) -> Integration:
    swift = [conn for conn in app.vnet_connections or () if conn.is_swift]
    subnet_id = app.virtual_network_subnet_id or next(
        (conn.vnet_resource_id for conn in swift if conn.vnet_resource_id), None
    )
    regional = bool(app.virtual_network_subnet_id) or bool(swift)
    if regional:
        # The docs allow one form at a time; a gateway-required connection beside it is still counted.
        gateways = [conn for conn in app.vnet_connections or () if not conn.is_swift]
        return Integration(
            True, bool(gateways), subnet_id, tuple(c.vnet_resource_id or c.name for c in gateways)
        )
    if app.vnet_connections is not None:
        gateways = [conn for conn in app.vnet_connections if not conn.is_swift]
        return Integration(False, bool(gateways), None, tuple(c.vnet_resource_id or c.name for c in gateways))
    if DataKey.VNET_CONNECTIONS in app.missing:
        return Integration(False, None, None, missing=(DataKey.VNET_CONNECTIONS,))
    if app.config is None:
        # Without config/web there is no vnetName hint, so a gateway integration may hide.
        return Integration(False, None, None, missing=(DataKey.CONFIG,))
    if app.config.vnet_name:
        return Integration(False, None, None, missing=(DataKey.VNET_CONNECTIONS,))
    return Integration(False, False, None)


@dataclass(frozen=True, slots=True)
class RouteAll:
    enabled: bool | None  # None: no flag is true and config/web (which holds one of them) is unread
    flags: dict[str, bool | None]
    by_design: bool = False


def route_all(app: App) -> RouteAll:
    flags: dict[str, bool | None] = (
        {
            f"outboundVnetRouting.{name}": value
            for name, value in sorted(app.outbound_vnet_routing.items())
            if name.lower() in ROUTE_ALL_FLAGS
        }
        if app.outbound_vnet_routing
        else {}
    )
    flags["site.vnetRouteAllEnabled"] = app.site_vnet_route_all_enabled
    flags["config.vnetRouteAllEnabled"] = app.config.vnet_route_all_enabled if app.config else None
    if app.hosting is Hosting.FLEX_CONSUMPTION:
        return RouteAll(True, flags, by_design=True)
    if any(value is True for value in flags.values()):
        return RouteAll(True, flags)
    if app.config is None:
        return RouteAll(None, flags)
    return RouteAll(False, flags)


def _nsg_denies_internet(subnet: Subnet) -> tuple[bool | None, dict[str, Any]]:
    if not subnet.network_security_group_id:
        return False, {"nsg": None}
    nsg = subnet.network_security_group
    if nsg is None:
        return None, {"nsg": subnet.network_security_group_id, "nsg_read": False}
    outbound = sorted(
        (rule for rule in nsg.security_rules if rule.direction.lower() == "outbound"),
        key=lambda rule: rule.priority,
    )
    for rule in outbound:
        if _to_internet(rule):
            denied = rule.access.lower() == "deny"
            return denied, {
                "nsg": nsg.id,
                "deciding_nsg_rule": {
                    "name": rule.name,
                    "priority": rule.priority,
                    "access": rule.access,
                    "destination": list(rule.destination_address_prefixes),
                },
            }
    return False, {"nsg": nsg.id, "deciding_nsg_rule": None}


def _to_internet(rule: NsgRule) -> bool:
    return any(prefix.lower() in INTERNET_DESTINATIONS for prefix in rule.destination_address_prefixes)


def _routes_to_appliance(subnet: Subnet) -> tuple[bool | None, dict[str, Any]]:
    if not subnet.route_table_id:
        return False, {"route_table": None}
    table = subnet.route_table
    if table is None:
        return None, {"route_table": subnet.route_table_id, "route_table_read": False}
    for route in table.routes:
        if (
            route.address_prefix == "0.0.0.0/0"
            and (route.next_hop_type or "").lower() in CONTROLLING_NEXT_HOPS
        ):
            return True, {
                "route_table": table.id,
                "default_route": {"name": route.name, "next_hop_type": route.next_hop_type},
            }
    return False, {"route_table": table.id, "default_route": None}


class Egress(enum.StrEnum):
    CONTROLLED = "controlled"
    UNCONTROLLED = "uncontrolled"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class OutboundVerdict:
    status: Egress
    # all-traffic-enters-vnet reasons: ase, flex-integrated, route-all; then nsg-denies-internet,
    # route-to-appliance, no-egress-control; or no-regional-integration, route-all-disabled,
    # container-apps-environment, and the unreadable-* codes for unknown.
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    missing: tuple[DataKey, ...] = ()
    message: str = ""


def outbound_verdict(
    app: App, integ: Integration | None = None, routing: RouteAll | None = None
) -> OutboundVerdict:
    """``integ`` and ``routing``: ``integration(app)`` and ``route_all(app)``, when the caller has them."""
    evidence: dict[str, Any] = {"hosting": app.hosting._value_}
    if app.hosting is Hosting.CONTAINER_APPS:
        return OutboundVerdict(
            Egress.UNKNOWN,
            "container-apps-environment",
            evidence,
            message="Egress is governed by the Container Apps environment, which the auditor does not read.",
        )
    if integ is None:
        integ = integration(app)
    evidence["vnet_integration"] = integ.kind._value_
    if app.hosting is Hosting.ASE:
        evidence["path"] = "ase"
    elif integ.regional:
        evidence["virtual_network_subnet_id"] = integ.subnet_id
        if routing is None:
            routing = route_all(app)
        evidence["route_all"] = routing.enabled
        if routing.by_design:
            evidence["path"] = "flex-integrated"
        elif routing.enabled:
            evidence["path"] = "route-all"
        elif app.hosting is Hosting.UNKNOWN:
            return OutboundVerdict(
                Egress.UNKNOWN,
                "hosting-unreadable",
                evidence,
                (DataKey.PLAN,),
                "Route all is off, but the plan could not be read: a Flex Consumption app routes all by "
                "design.",
            )
        elif routing.enabled is None:
            return OutboundVerdict(
                Egress.UNKNOWN,
                "config-unreadable",
                evidence,
                (DataKey.CONFIG,),
                "No route-all flag is set on the site, and config/web (vnetRouteAllEnabled) could not be "
                "read.",
            )
        else:
            evidence["route_all_flags"] = routing.flags
            return OutboundVerdict(
                Egress.UNCONTROLLED,
                "route-all-disabled",
                evidence,
                message="Regional VNet integration without route all: internet-bound traffic leaves outside "
                "the VNet.",
            )
    else:
        return OutboundVerdict(
            Egress.UNCONTROLLED,
            "no-regional-integration",
            evidence,
            message="Traffic does not enter a VNet (no ASE, no regional integration), so nothing can filter "
            "internet egress.",
        )
    subnet = app.ase.subnet if app.hosting is Hosting.ASE and app.ase is not None else app.integration_subnet
    if subnet is None:
        return OutboundVerdict(
            Egress.UNKNOWN,
            "subnet-unreadable",
            evidence,
            (DataKey.SUBNET,),
            "All traffic enters the VNet, but its subnet (NSG, route table) could not be read.",
        )
    evidence["subnet"] = subnet.id
    nsg_denies, nsg_evidence = _nsg_denies_internet(subnet)
    routes, route_evidence = _routes_to_appliance(subnet)
    evidence.update(nsg_evidence)
    evidence.update(route_evidence)
    if nsg_denies:
        return OutboundVerdict(
            Egress.CONTROLLED,
            "nsg-denies-internet",
            evidence,
            message="The subnet's NSG denies internet egress.",
        )
    if routes:
        return OutboundVerdict(
            Egress.CONTROLLED,
            "route-to-appliance",
            evidence,
            message="The subnet's route table sends 0.0.0.0/0 to an appliance or gateway.",
        )
    if nsg_denies is None or routes is None:
        return OutboundVerdict(
            Egress.UNKNOWN,
            "subnet-controls-unreadable",
            evidence,
            (DataKey.SUBNET,),
            "The subnet's NSG or route table is referenced but could not be read.",
        )
    return OutboundVerdict(
        Egress.UNCONTROLLED,
        "no-egress-control",
        evidence,
        message="All traffic enters the VNet, but the subnet has neither an NSG denying internet egress nor "
        "a default route to an appliance.",
    )
