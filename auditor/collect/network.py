"""Microsoft.Network wire dicts → model dataclasses (pure functions, no SDK)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.collect.web import (
    Wire,
    as_list,
    as_mapping,
    nested_id,
    non_empty_str,
    opt_int,
    opt_str,
    parent_site_id,
    properties,
    str_tuple,
)
from auditor.model import (
    NetworkSecurityGroup,
    NsgRule,
    PrivateEndpointConnection,
    Route,
    RouteTable,
    Subnet,
)


def _joined(single: Any, many: Any) -> tuple[str, ...]:
    """``addressPrefix`` + ``addressPrefixes`` style pairs, in order, without repeats."""
    values: list[str] = []
    for value in (single, *as_list(many)):
        if isinstance(value, str) and value and value not in values:
            values.append(value)
    return tuple(values)


def transform_subnet(resource: Wire, *, location: str | None = None) -> Subnet:
    """A subnet object (vnet list item's ``properties.subnets[]`` or ``GET …/subnets/{name}``).

    ``location`` is the virtual network's: subnet bodies do not carry one.
    """
    props = properties(resource)
    return Subnet(
        id=str(resource.get("id") or ""),
        name=str(resource.get("name") or ""),
        location=location,
        address_prefixes=_joined(props.get("addressPrefix"), props.get("addressPrefixes")),
        delegations=tuple(
            service
            for service in (
                non_empty_str(properties(item).get("serviceName"))
                for item in as_list(props.get("delegations"))
            )
            if service is not None
        ),
        private_endpoint_ids=tuple(
            endpoint_id
            for endpoint_id in (nested_id(item) for item in as_list(props.get("privateEndpoints")))
            if endpoint_id
        ),
        service_endpoints=tuple(
            service
            for service in (
                non_empty_str(as_mapping(item).get("service"))
                for item in as_list(props.get("serviceEndpoints"))
            )
            if service is not None
        ),
        network_security_group_id=nested_id(props.get("networkSecurityGroup")),
        route_table_id=nested_id(props.get("routeTable")),
        nat_gateway_id=nested_id(props.get("natGateway")),
    )


def subnets_of_vnets(vnets: Iterable[Wire]) -> dict[str, Subnet]:
    """Every subnet of a virtual network list, keyed by lower-cased id."""
    subnets: dict[str, Subnet] = {}
    for vnet in vnets:
        location = opt_str(vnet.get("location"))
        for item in as_list(properties(vnet).get("subnets")):
            if isinstance(item, Mapping):
                subnet = transform_subnet(item, location=location)
                subnets[subnet.id.lower()] = subnet
    return subnets


def transform_nsg_rule(raw: Wire) -> NsgRule:
    props = properties(raw)
    return NsgRule(
        name=str(raw.get("name") or ""),
        priority=opt_int(props.get("priority")) or 0,
        direction=opt_str(props.get("direction")) or "",
        access=opt_str(props.get("access")) or "",
        protocol=opt_str(props.get("protocol")),
        destination_address_prefixes=_joined(
            props.get("destinationAddressPrefix"), props.get("destinationAddressPrefixes")
        ),
        destination_port_ranges=_joined(
            props.get("destinationPortRange"), props.get("destinationPortRanges")
        ),
    )


def transform_nsg(resource: Wire) -> NetworkSecurityGroup:
    # Only the custom rules: the defaultSecurityRules are the same everywhere (AllowInternetOutBound …).
    return NetworkSecurityGroup(
        id=str(resource.get("id") or ""),
        name=str(resource.get("name") or ""),
        security_rules=tuple(
            transform_nsg_rule(rule)
            for rule in as_list(properties(resource).get("securityRules"))
            if isinstance(rule, Mapping)
        ),
    )


def transform_route_table(resource: Wire) -> RouteTable:
    routes = []
    for item in as_list(properties(resource).get("routes")):
        if isinstance(item, Mapping):
            props = properties(item)
            routes.append(
                Route(
                    name=str(item.get("name") or ""),
                    address_prefix=opt_str(props.get("addressPrefix")),
                    next_hop_type=opt_str(props.get("nextHopType")),
                )
            )
    return RouteTable(
        id=str(resource.get("id") or ""), name=str(resource.get("name") or ""), routes=tuple(routes)
    )


def _targets(group_ids: tuple[str, ...], slot: str | None) -> bool:
    lowered = {group_id.lower() for group_id in group_ids}
    if slot is None:
        # A connection to the production app names group "sites"; some PEs send no groupIds at all.
        return not lowered or "sites" in lowered
    return f"sites-{slot.lower()}" in lowered


def private_endpoints_by_site(private_endpoints: Iterable[Wire]) -> dict[str, list[Wire]]:
    """Private endpoints grouped by the lower-cased site id they connect to, so each app
    looks up its own instead of scanning every endpoint of every subscription."""
    grouped: dict[str, list[Wire]] = {}
    for endpoint in private_endpoints:
        props = properties(endpoint)
        targets = {
            service_id.lower()
            for link in (
                *as_list(props.get("privateLinkServiceConnections")),
                *as_list(props.get("manualPrivateLinkServiceConnections")),
            )
            if (service_id := non_empty_str(properties(link).get("privateLinkServiceId"))) is not None
        }
        for target in targets:
            grouped.setdefault(target, []).append(endpoint)
    return grouped


def private_endpoints_for_site(
    private_endpoints: Iterable[Wire], site_id: str, slot: str | None
) -> tuple[PrivateEndpointConnection, ...]:
    """Private endpoints (subscription list, network side) connected to one app or slot.

    A slot's private endpoint targets the production site id with group ``sites-<slot>``.
    """
    target = parent_site_id(site_id).lower()
    connections = []
    for endpoint in private_endpoints:
        props = properties(endpoint)
        links = [
            *as_list(props.get("privateLinkServiceConnections")),
            *as_list(props.get("manualPrivateLinkServiceConnections")),
        ]
        for link in links:
            link_props = properties(link)
            service_id = non_empty_str(link_props.get("privateLinkServiceId"))
            if service_id is None or service_id.lower() != target:
                continue
            if not _targets(str_tuple(link_props.get("groupIds")), slot):
                continue
            endpoint_id = str(endpoint.get("id") or "")
            connections.append(
                PrivateEndpointConnection(
                    id=endpoint_id,
                    private_endpoint_id=endpoint_id or None,
                    status=opt_str(
                        as_mapping(link_props.get("privateLinkServiceConnectionState")).get("status")
                    ),
                    subnet_id=nested_id(props.get("subnet")),
                )
            )
    return tuple(connections)
