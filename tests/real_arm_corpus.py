"""Replay the public ARM recordings of tests/corpus/ through the collector, whatever their api-version.

The recordings were made by other tools (Azure CLI, Azure PowerShell, the Python SDK's own tests),
with other api-versions and other URLs than the collector asks for, so they cannot be replayed
request for request. :func:`state_at` reads a recording the way a person reading it would: the
latest answer ARM gave for each resource up to a point in the test, a DELETE removing it.
:func:`tenant_for` turns that state into a :class:`bench.fake_arm.Tenant`, which the fake ARM
serves by resource path for any api-version, through the real SDK clients:

* single resources (``config/web``) are the recorded bodies;
* the lists the collector reads (sites, plans, virtual networks, private endpoints, the slots of
  a resource group, VNet and Hybrid Connections) hold the recorded bodies of their members; a
  virtual network's subnets are replaced by the subnet bodies recorded after it, when there are;
* a list the recording never read is answered empty, and :attr:`Replay.composed_empty` names
  them: the test behind the recording created none of them (no code deployed, so no functions;
  no ASE, NSG, route table or NAT gateway; no hybrid connection on any plan: the only ones are
  on the web app of cli-webapp-hybrid-connection, which is not a function app);
* a resource the recording never read (the plan of a CLI ``--consumption-plan-location`` app,
  ``config/web`` in the 2024 VNet tests) is not served at all: the collector reports a gap.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.collect.network import private_endpoints_for_site, subnets_of_vnets, transform_subnet
from auditor.collect.web import (
    slot_name,
    transform_app,
    transform_hybrid_connections,
    transform_plan,
    transform_site_config,
    transform_vnet_connections,
)
from auditor.model import App, DataKey
from bench.fake_arm import Tenant

CORPUS = Path(__file__).resolve().parent / "corpus"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

_WEB = r"/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.web"
_NETWORK = r"/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.network"
KINDS = {
    "site": re.compile(rf"^{_WEB}/sites/[^/]+$"),
    "slot": re.compile(rf"^{_WEB}/sites/[^/]+/slots/[^/]+$"),
    "config": re.compile(rf"^{_WEB}/sites/[^/]+(?:/slots/[^/]+)?/config/web$"),
    "vnet_connections": re.compile(rf"^{_WEB}/sites/[^/]+(?:/slots/[^/]+)?/virtualnetworkconnections$"),
    "site_hybrid_connections": re.compile(rf"^{_WEB}/sites/[^/]+(?:/slots/[^/]+)?/hybridconnectionrelays$"),
    "functions": re.compile(rf"^{_WEB}/sites/[^/]+(?:/slots/[^/]+)?/functions$"),
    "site_private_endpoint_connection": re.compile(
        rf"^{_WEB}/sites/[^/]+(?:/slots/[^/]+)?/privateendpointconnections/[^/]+$"
    ),
    "plan": re.compile(rf"^{_WEB}/serverfarms/[^/]+$"),
    "ase": re.compile(rf"^{_WEB}/hostingenvironments/[^/]+$"),
    "vnet": re.compile(rf"^{_NETWORK}/virtualnetworks/[^/]+$"),
    "subnet": re.compile(rf"^{_NETWORK}/virtualnetworks/[^/]+/subnets/[^/]+$"),
    "private_endpoint": re.compile(rf"^{_NETWORK}/privateendpoints/[^/]+$"),
    "nsg": re.compile(rf"^{_NETWORK}/networksecuritygroups/[^/]+$"),
    "route_table": re.compile(rf"^{_NETWORK}/routetables/[^/]+$"),
    "nat_gateway": re.compile(rf"^{_NETWORK}/natgateways/[^/]+$"),
}
# Subscription list (provider path, lower-cased) -> the kind of resource it holds.
SUBSCRIPTION_LISTS = {
    "microsoft.web/sites": "site",
    "microsoft.web/serverfarms": "plan",
    "microsoft.web/hostingenvironments": "ase",
    "microsoft.network/virtualnetworks": "vnet",
    "microsoft.network/networksecuritygroups": "nsg",
    "microsoft.network/routetables": "route_table",
    "microsoft.network/natgateways": "nat_gateway",
    "microsoft.network/privateendpoints": "private_endpoint",
}


@dataclass(frozen=True)
class Exchange:
    index: int
    method: str
    path: str  # lower-cased, no query
    status: int
    body: Any  # parsed JSON, None when empty


@dataclass(frozen=True)
class Recording:
    name: str
    source: Mapping[str, Any]
    exchanges: tuple[Exchange, ...]


@dataclass
class Resource:
    index: int  # the exchange that gave this state
    body: Any


@dataclass
class Replay:
    tenant: Tenant
    composed_empty: list[str] = field(default_factory=list)  # list paths answered [] by construction


def load(name: str) -> Recording:
    document = yaml.load((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    exchanges = []
    for index, interaction in enumerate(document["interactions"]):
        request, response = interaction["request"], interaction["response"]
        text = response["body"]["string"]
        exchanges.append(
            Exchange(
                index=index,
                method=request["method"],
                path=request["uri"].split("?", 1)[0].split("management.azure.com", 1)[1].lower(),
                status=int(response["status"]["code"]),
                body=json.loads(text) if text else None,
            )
        )
    return Recording(name=name, source=document["source"], exchanges=tuple(exchanges))


def corpus_names() -> list[str]:
    return sorted(path.stem for path in CORPUS.glob("*.yaml"))


def kind_of(path: str) -> str | None:
    return next((kind for kind, pattern in KINDS.items() if pattern.match(path)), None)


def state_at(recording: Recording, upto: int | None = None) -> dict[str, Resource]:
    """path -> the latest state ARM returned for it in exchanges [0, upto]; DELETE removes a
    resource and everything under it."""
    state: dict[str, Resource] = {}
    for exchange in recording.exchanges:
        if upto is not None and exchange.index > upto:
            break
        if exchange.method == "DELETE":
            for path in [
                path for path in state if path == exchange.path or path.startswith(exchange.path + "/")
            ]:
                del state[path]
            continue
        if exchange.status in (200, 201) and exchange.body is not None and kind_of(exchange.path):
            state[exchange.path] = Resource(exchange.index, exchange.body)
    return state


def of_kind(state: Mapping[str, Resource], kind: str) -> dict[str, Resource]:
    return {path: resource for path, resource in state.items() if kind_of(path) == kind}


def _vnet_with_recorded_subnets(vnet: Resource, subnets: Mapping[str, Resource]) -> Any:
    body = json.loads(json.dumps(vnet.body))
    for position, item in enumerate(body.get("properties", {}).get("subnets") or []):
        later = subnets.get(str(item.get("id") or "").lower())
        if later is not None and later.index > vnet.index:
            body["properties"]["subnets"][position] = later.body
    return body


def _items(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping) and isinstance(body.get("value"), list):
        return list(body["value"])
    return []


def _resource_group_path(resource_path: str) -> str:
    return resource_path.split("/providers/", 1)[0]


def tenant_for(recording: Recording, upto: int | None = None) -> Replay:
    """The fake ARM tenant answering what the recording shows at exchange ``upto``."""
    state = state_at(recording, upto)
    tenant = Tenant(subscriptions=[SUBSCRIPTION])
    replay = Replay(tenant=tenant)
    subscription = f"/subscriptions/{SUBSCRIPTION}"
    subnets = of_kind(state, "subnet")
    for provider_path, kind in SUBSCRIPTION_LISTS.items():
        members = of_kind(state, kind)
        if kind == "vnet":
            items = [_vnet_with_recorded_subnets(vnet, subnets) for vnet in members.values()]
        else:
            items = [resource.body for resource in members.values()]
        list_path = f"{subscription}/providers/{provider_path}"
        tenant.lists[list_path] = items
        if not items:
            replay.composed_empty.append(list_path)
    sites = {**of_kind(state, "site"), **of_kind(state, "slot")}
    for path, resource in sites.items():
        group_list = f"{_resource_group_path(path)}/providers/microsoft.web/sites"
        tenant.lists.setdefault(group_list, []).append(resource.body)
        for kind, suffix in (
            ("config", "config/web"),
            ("vnet_connections", "virtualnetworkconnections"),
            ("site_hybrid_connections", "hybridconnectionrelays"),
            ("functions", "functions"),
        ):
            recorded = state.get(f"{path}/{suffix}")
            if kind == "config":
                if recorded is not None:
                    tenant.bodies[f"{path}/{suffix}"] = recorded.body
                continue
            tenant.lists[f"{path}/{suffix}"] = _items(recorded.body) if recorded else []
            if recorded is None:
                replay.composed_empty.append(f"{path}/{suffix}")
    plans = set(of_kind(state, "plan"))
    plans.update(
        str(plan_id).lower()
        for resource in sites.values()
        if (plan_id := (resource.body.get("properties") or {}).get("serverFarmId"))
    )
    for path in sorted(plans):
        tenant.lists[f"{path}/hybridconnectionrelays"] = []
        replay.composed_empty.append(f"{path}/hybridconnectionrelays")
    tenant.apps = len(sites)
    for path, resource in state.items():
        if kind_of(path) == "subnet":
            tenant.bodies[path] = resource.body
    return replay


def position(recording: Recording, method: str, suffix: str, nth: int = -1) -> int:
    """The index of the ``nth`` exchange (1-based; -1 the last) with ``method`` whose path ends
    with ``suffix``: a point in the test to take the state at."""
    matches = [
        exchange.index
        for exchange in recording.exchanges
        if exchange.method == method and exchange.path.endswith(suffix.lower())
    ]
    return matches[nth if nth < 0 else nth - 1]


def before(recording: Recording, method: str, suffix: str) -> int:
    """The index just before the first ``method`` on a path ending with ``suffix`` (a DELETE)."""
    return position(recording, method, suffix, 1) - 1


def bodies(names: Iterable[str], kind: str, method: str | None = None) -> list[tuple[str, int, Any]]:
    """(recording, exchange index, body) of every successful reply of ``kind`` in the recordings,
    of ``method`` only when given."""
    found = []
    for name in names:
        for exchange in load(name).exchanges:
            if method is not None and exchange.method != method:
                continue
            if exchange.status in (200, 201) and exchange.body is not None and kind_of(exchange.path) == kind:
                found.append((name, exchange.index, exchange.body))
    return found


NOT_RECORDED = "not in the recording"


def assembled_app(recording: Recording, upto: int | None, site_suffix: str) -> App:
    """One app (a web app too) built from the recorded bodies with the collector's transforms.

    For recordings the collector cannot replay (web apps, which it does not audit): the same
    transforms, fed the state at ``upto``; a read the recording lacks is ``missing``.
    """
    state = state_at(recording, upto)
    sites = {**of_kind(state, "site"), **of_kind(state, "slot")}
    site_path = next(path for path in sites if path.endswith(site_suffix.lower()))
    site = sites[site_path].body
    props = site.get("properties") or {}
    missing: dict[DataKey, str] = {}

    def body(path: str, key: DataKey) -> Any:
        found = state.get(path.lower())
        if found is None:
            missing[key] = NOT_RECORDED
            return None
        return found.body

    plan_id = props.get("serverFarmId")
    plan_body = body(plan_id, DataKey.PLAN) if plan_id else None
    config_body = body(f"{site_path}/config/web", DataKey.CONFIG)
    vnet_body = state.get(f"{site_path}/virtualnetworkconnections")
    hybrid_body = state.get(f"{site_path}/hybridconnectionrelays")
    connections = transform_vnet_connections(vnet_body.body) if vnet_body else ()
    subnet_id = props.get("virtualNetworkSubnetId") or next(
        (c.vnet_resource_id for c in connections if c.is_swift and c.vnet_resource_id), None
    )
    # As the collector does: the subnet from its VNet (which gives the region), else its own GET.
    subnets = of_kind(state, "subnet")
    listed = subnets_of_vnets(
        _vnet_with_recorded_subnets(vnet, subnets) for vnet in of_kind(state, "vnet").values()
    )
    subnet = listed.get(subnet_id.lower()) if subnet_id else None
    if subnet is None and subnet_id:
        subnet_body = body(subnet_id, DataKey.SUBNET)
        subnet = transform_subnet(subnet_body) if subnet_body else None
    endpoints = [resource.body for resource in of_kind(state, "private_endpoint").values()]
    return transform_app(
        site,
        subscription_id=SUBSCRIPTION,
        plan=transform_plan(plan_body) if plan_body else None,
        config=transform_site_config(config_body) if config_body else None,
        vnet_connections=connections,
        private_endpoints=private_endpoints_for_site(endpoints, site["id"], slot_name(site)),
        hybrid_connections=transform_hybrid_connections(hybrid_body.body) if hybrid_body else (),
        functions=(),
        integration_subnet=subnet,
        missing=missing,
    )
