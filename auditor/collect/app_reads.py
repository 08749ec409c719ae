"""Reads per function app (and slot): config/web, VNet and hybrid connections, the plan's relays,
integration subnets and functions. Run on the pool; the answers wait in :class:`AppReads`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.web import WebSiteManagementClient

from auditor.collect.arm_lists import SubscriptionReads, web_operation
from auditor.collect.arm_reader import ArmReader, Job
from auditor.collect.list_kinds import ASES, SITES, VNETS
from auditor.collect.network import subnets_of_vnets, transform_subnet
from auditor.collect.read_failures import ReadFailure
from auditor.collect.sdk_answers import all_pages, as_wire
from auditor.collect.web import (
    Wire,
    arm_object,
    arm_objects,
    id_segment,
    is_function_app,
    non_empty_str,
    opt_str,
    parent_site_id,
    properties,
    transform_ase,
    transform_functions,
    transform_hybrid_connections,
    transform_site_config,
    transform_vnet_connections,
)
from auditor.model import DataKey, Function, HybridConnection, SiteConfig, Subnet, VnetConnection

T = TypeVar("T")

# A plan's hybridConnectionRelays by lower-cased plan id.
PlanHybrids = dict[str, tuple[HybridConnection, ...] | ReadFailure]


@dataclass
class AppReads:
    site: Wire
    subscription: SubscriptionReads
    resource_group: str
    site_name: str  # the production site's name, also for a slot
    slot: str | None
    config: SiteConfig | ReadFailure | None = None
    vnet_connections: tuple[VnetConnection, ...] | ReadFailure | None = None
    hybrid_connections: tuple[HybridConnection, ...] | ReadFailure | None = None

    @property
    def id(self) -> str:
        return str(self.site.get("id") or "")

    @property
    def plan_id(self) -> str | None:
        return non_empty_str(properties(self.site).get("serverFarmId"))

    def operation(self, rest: str) -> str:
        site = f"sites/{self.site_name}" + (f"/slots/{self.slot}" if self.slot else "")
        return web_operation(self.subscription.id, self.resource_group, f"{site}/{rest}")


def _app_reads(site: Wire, subscription: SubscriptionReads) -> AppReads:
    site_id = str(site.get("id") or "")
    return AppReads(
        site=site,
        subscription=subscription,
        resource_group=id_segment(site_id, "resourceGroups") or "",
        site_name=id_segment(site_id, "sites") or str(site.get("name") or ""),
        slot=id_segment(site_id, "slots"),
    )


# -- which apps --


def function_apps(reader: ArmReader, subscriptions: Sequence[SubscriptionReads]) -> list[AppReads]:
    apps = []
    for sub in subscriptions:
        sites = sub.listed(SITES) or []
        found = [_app_reads(site, sub) for site in sites if is_function_app(opt_str(site.get("kind")))]
        reader.say(f"subscription {sub.id}: {len(found)} function apps")
        apps.extend(found)
    return apps


def slots_of(subscriptions: Sequence[SubscriptionReads], apps: Sequence[AppReads]) -> list[AppReads]:
    """The deployment slots of ``apps``, from the slot lists read."""
    function_app_ids = {app.id.lower() for app in apps}
    slots = []
    for sub in subscriptions:
        for listed in sub.slot_lists.values():
            if isinstance(listed, ReadFailure):
                continue
            for site in listed:
                site_id = str(site.get("id") or "")
                if "/slots/" not in site_id.lower():
                    continue
                if parent_site_id(site_id).lower() in function_app_ids:
                    slots.append(_app_reads(site, sub))
    return slots


# -- the reads, in the order they depend on each other --


def read_plan_hybrids(reader: ArmReader, apps: Sequence[AppReads]) -> PlanHybrids:
    """The Hybrid Connections of every plan an audited app uses, whatever its tier.

    Consumption and Flex Consumption plans are read too: the docs say they cannot hold one,
    and drift/hybrid-connection-unsupported exists to catch the plan that does anyway.
    """
    plans: dict[str, tuple[SubscriptionReads, str]] = {}
    for app in apps:
        if app.plan_id is not None:
            plans.setdefault(app.plan_id.lower(), (app.subscription, app.plan_id))
    jobs = {
        key: (
            web_operation(
                sub.id, id_segment(plan_id, "resourceGroups") or "", f"serverfarms/{_plan_name(plan_id)}"
            )
            + "/hybridConnectionRelays",
            _plan_hybrid_call(sub.web, plan_id),
        )
        for key, (sub, plan_id) in plans.items()
    }
    results = reader.run_all(jobs)
    for key, result in results.items():
        if isinstance(result, ReadFailure):
            reader.gaps.record(plans[key][0].id, result, plans[key][1], (DataKey.HYBRID_CONNECTIONS,))
    return results


def read_configs(reader: ArmReader, apps: Sequence[AppReads]) -> None:
    jobs = {index: (app.operation("config/web"), _config_call(app)) for index, app in enumerate(apps)}
    for index, result in reader.run_all(jobs).items():
        app = apps[index]
        app.config = result
        if isinstance(result, ReadFailure):
            reader.gaps.record(
                app.subscription.id, result, app.id, (DataKey.CONFIG, DataKey.VNET_CONNECTIONS)
            )


def read_connections(reader: ArmReader, apps: Sequence[AppReads], plan_hybrids: PlanHybrids) -> None:
    """Each app's VNet and hybrid connections, where config/web and the plan's relays say it has any."""
    jobs: dict[tuple[int, str], Job[Any]] = {}
    for index, app in enumerate(apps):
        config = app.config
        # config/web's vnetName is the platform's record of a VNet integration; empty, the app has
        # none. Set, the connections are listed even when the site names a regional subnet: the
        # docs say one form at a time, and drift/gateway-integration-* must see a second one anyway.
        if isinstance(config, SiteConfig) and config.vnet_name:
            jobs[(index, "vnet")] = (app.operation("virtualNetworkConnections"), _vnet_call(app))
        plan_result = plan_hybrids.get((app.plan_id or "").lower())
        # An empty plan list means no app of the plan has a hybrid connection.
        if isinstance(plan_result, tuple) and plan_result:
            jobs[(index, "hybrid")] = (app.operation("hybridConnectionRelays"), _hybrid_call(app))
    for (index, what), result in reader.run_all(jobs).items():
        app = apps[index]
        if what == "vnet":
            app.vnet_connections = result
            if isinstance(result, ReadFailure):
                reader.gaps.record(app.subscription.id, result, app.id, (DataKey.VNET_CONNECTIONS,))
        else:
            app.hybrid_connections = result
            if isinstance(result, ReadFailure):
                reader.gaps.record(app.subscription.id, result, app.id, (DataKey.HYBRID_CONNECTIONS,))


def read_integration_subnets(
    reader: ArmReader, apps: Sequence[AppReads], subscriptions: Sequence[SubscriptionReads]
) -> dict[str, Subnet | ReadFailure]:
    """Integration subnets by lower-cased id: from the VNet lists, else one ``subnets.get`` each."""
    listed: dict[str, Subnet] = {}
    for sub in subscriptions:
        listed.update(subnets_of_vnets(sub.listed(VNETS) or []))
    audited = {sub.id.lower(): sub for sub in subscriptions}
    resolved: dict[str, Subnet | ReadFailure] = {}
    wanted: dict[str, str] = {}
    # An ASE's own subnet is its apps' egress path, so it is read like an integration subnet.
    ase_subnet_ids = [transform_ase(raw).subnet_id for sub in subscriptions for raw in sub.listed(ASES) or []]
    for subnet_id in [integration_subnet_id(app) for app in apps] + ase_subnet_ids:
        if subnet_id is None:
            continue
        key = subnet_id.lower()
        owner = audited.get((id_segment(subnet_id, "subscriptions") or "").lower())
        vnet_failure = owner.failure(VNETS) if owner is not None else None
        if key in listed:
            resolved[key] = listed[key]
        elif vnet_failure is not None:
            # rules: a failed VNet list leaves every integration subnet of that subscription unknown.
            resolved[key] = vnet_failure
        else:
            wanted[key] = subnet_id
    jobs = {
        key: (f"GET {subnet_id}", _subnet_call(reader.network_client_for(subnet_id), subnet_id))
        for key, subnet_id in wanted.items()
    }
    for key, result in reader.run_all(jobs).items():
        resolved[key] = result
        if isinstance(result, ReadFailure):
            reader.gaps.record(
                id_segment(wanted[key], "subscriptions") or "", result, wanted[key], (DataKey.SUBNET,)
            )
    return resolved


def read_functions(
    reader: ArmReader, apps: Sequence[AppReads], needed: Sequence[bool]
) -> dict[int, tuple[Function, ...] | ReadFailure]:
    """The functions of ``apps[index]`` for every index ``needed`` says; failures are gaps."""
    jobs = {
        index: (app.operation("functions"), _functions_call(app))
        for index, app in enumerate(apps)
        if needed[index]
    }
    results = reader.run_all(jobs)
    for index, result in results.items():
        if isinstance(result, ReadFailure):
            reader.gaps.record(apps[index].subscription.id, result, apps[index].id, (DataKey.FUNCTIONS,))
    return results


def integration_subnet_id(reads: AppReads) -> str | None:
    """The subnet the app's outbound traffic enters: the site's, else a regional VNet connection's."""
    site_subnet = non_empty_str(properties(reads.site).get("virtualNetworkSubnetId"))
    if site_subnet is not None:
        return site_subnet
    if isinstance(reads.vnet_connections, tuple):
        for connection in reads.vnet_connections:
            if (
                connection.is_swift
                and connection.vnet_resource_id
                and "/subnets/" in connection.vnet_resource_id.lower()
            ):
                return connection.vnet_resource_id
    return None


# -- the SDK calls (run on the pool; answers as model objects) --


def _plan_name(plan_id: str) -> str:
    return id_segment(plan_id, "serverfarms") or ""


def _plan_hybrid_call(
    web: WebSiteManagementClient, plan_id: str
) -> Callable[[], tuple[HybridConnection, ...]]:
    resource_group = id_segment(plan_id, "resourceGroups") or ""
    return lambda: transform_hybrid_connections(
        all_pages(web.app_service_plans.list_hybrid_connections(resource_group, _plan_name(plan_id)))
    )


def _site_read(
    app: AppReads,
    on_app: Callable[[str, str], Any],
    on_slot: Callable[[str, str, str], Any],
    transform: Callable[[Any], T],
) -> Callable[[], T]:
    """One read of an app or of a slot: the SDK has a twin operation for slots."""
    if app.slot is None:
        return lambda: transform(on_app(app.resource_group, app.site_name))
    slot = app.slot
    return lambda: transform(on_slot(app.resource_group, app.site_name, slot))


def _config_call(app: AppReads) -> Callable[[], SiteConfig]:
    ops = app.subscription.web.web_apps
    return _site_read(
        app,
        ops.get_configuration,
        ops.get_configuration_slot,
        lambda response: transform_site_config(arm_object(as_wire(response), needs_properties=True)),
    )


def _functions_call(app: AppReads) -> Callable[[], tuple[Function, ...]]:
    ops = app.subscription.web.web_apps
    return _site_read(
        app,
        ops.list_functions,
        ops.list_instance_functions_slot,
        lambda pages: transform_functions(all_pages(pages)),
    )


def _vnet_call(app: AppReads) -> Callable[[], tuple[VnetConnection, ...]]:
    ops = app.subscription.web.web_apps
    return _site_read(
        app,
        ops.list_vnet_connections,
        ops.list_vnet_connections_slot,
        lambda response: transform_vnet_connections(arm_objects(as_wire(response))),
    )


def _hybrid_call(app: AppReads) -> Callable[[], tuple[HybridConnection, ...]]:
    ops = app.subscription.web.web_apps
    return _site_read(
        app,
        ops.list_hybrid_connections,
        ops.list_hybrid_connections_slot,
        lambda response: transform_hybrid_connections(_hybrid_body(as_wire(response))),
    )


def _subnet_call(network: NetworkManagementClient, subnet_id: str) -> Callable[[], Subnet]:
    resource_group = id_segment(subnet_id, "resourceGroups") or ""
    vnet = id_segment(subnet_id, "virtualNetworks") or ""
    name = id_segment(subnet_id, "subnets") or ""
    return lambda: transform_subnet(
        arm_object(as_wire(network.subnets.get(resource_group, vnet, name)), needs_properties=True)
    )


def _hybrid_body(value: Any) -> Any:
    """hybridConnectionRelays as ARM answers it: ``{"value": [...]}``, a bare list, or (as the SDK
    types it) one relay object."""
    if isinstance(value, list):
        return arm_objects(value)
    body = arm_object(value)
    if "value" in body:
        return {**body, "value": arm_objects(body["value"])}
    return arm_object(body, needs_properties=True)
