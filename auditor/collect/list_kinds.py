"""The subscription-wide lists the collector reads: one row per kind of resource listed.

Each kind names the list (the key the collector files it under), where ARM lists it, the
Resource Graph type that holds the same resources (``--inventory-source resource-graph``),
the SDK call that reads it, the model transform for a resource an app names from it, and
the data of an app it feeds (the ``missing`` keys and gap ``affects`` when it fails).
Resources of a list are looked up by their lower-cased id (collect/arm_lists.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.web import WebSiteManagementClient

from auditor.collect.network import transform_nsg, transform_route_table
from auditor.collect.web import Wire, transform_ase, transform_plan
from auditor.model import AppServiceEnvironment, DataKey, NetworkSecurityGroup, Plan, RouteTable

Model = TypeVar("Model")


@dataclass(frozen=True)
class ListKind(Generic[Model]):
    name: str
    provider_path: str  # after /subscriptions/{id}/providers/
    resource_graph_type: str  # lower-cased, as Resource Graph's ``type`` column holds it
    list_call: Callable[[WebSiteManagementClient, NetworkManagementClient], Any]  # → an SDK pager
    feeds: tuple[DataKey, ...]
    # Resources an app names by id (its plan, ASE, a subnet's NSG …) become model objects;
    # the others are read whole (sites, VNets with their subnets, private endpoints) or not at all.
    to_model: Callable[[Wire], Model] | None = None

    def operation(self, subscription_id: str) -> str:
        return subscription_list_operation(subscription_id, self.provider_path)


def subscription_list_operation(subscription_id: str, provider_path: str) -> str:
    return f"GET /subscriptions/{subscription_id}/providers/{provider_path}"


SITES: ListKind[Wire] = ListKind(
    "sites", "Microsoft.Web/sites", "microsoft.web/sites", lambda web, _: web.web_apps.list(), ()
)
PLANS: ListKind[Plan] = ListKind(
    "plans",
    "Microsoft.Web/serverfarms",
    "microsoft.web/serverfarms",
    lambda web, _: web.app_service_plans.list(),
    (DataKey.PLAN,),
    transform_plan,
)
ASES: ListKind[AppServiceEnvironment] = ListKind(
    "ases",
    "Microsoft.Web/hostingEnvironments",
    "microsoft.web/hostingenvironments",
    lambda web, _: web.app_service_environments.list(),
    (DataKey.ASE,),
    transform_ase,
)
VNETS: ListKind[Wire] = ListKind(
    "vnets",
    "Microsoft.Network/virtualNetworks",
    "microsoft.network/virtualnetworks",
    lambda _, network: network.virtual_networks.list_all(),
    (DataKey.SUBNET,),
)
NSGS: ListKind[NetworkSecurityGroup] = ListKind(
    "nsgs",
    "Microsoft.Network/networkSecurityGroups",
    "microsoft.network/networksecuritygroups",
    lambda _, network: network.network_security_groups.list_all(),
    (DataKey.SUBNET,),
    transform_nsg,
)
ROUTE_TABLES: ListKind[RouteTable] = ListKind(
    "route_tables",
    "Microsoft.Network/routeTables",
    "microsoft.network/routetables",
    lambda _, network: network.route_tables.list_all(),
    (DataKey.SUBNET,),
    transform_route_table,
)
NAT_GATEWAYS: ListKind[Wire] = ListKind(
    "nat_gateways",
    "Microsoft.Network/natGateways",
    "microsoft.network/natgateways",
    lambda _, network: network.nat_gateways.list_all(),
    (),
)
PRIVATE_ENDPOINTS: ListKind[Wire] = ListKind(
    "private_endpoints",
    "Microsoft.Network/privateEndpoints",
    "microsoft.network/privateendpoints",
    lambda _, network: network.private_endpoints.list_by_subscription(),
    (DataKey.PRIVATE_ENDPOINTS,),
)

# In the order they are read (and recorded in cassettes).
LIST_KINDS: tuple[ListKind[Any], ...] = (
    SITES,
    PLANS,
    ASES,
    VNETS,
    NSGS,
    ROUTE_TABLES,
    NAT_GATEWAYS,
    PRIVATE_ENDPOINTS,
)
