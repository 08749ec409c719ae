"""Assembly of the reads into the model: one :class:`App` per function app or slot.

A resource an app names but that could not be read leaves its part of the app unknown and
``missing`` (named by the failed operation); a list that was read but lacks it is a gap too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from auditor.collect.app_reads import AppReads, PlanHybrids, integration_subnet_id
from auditor.collect.arm_lists import SubscriptionReads
from auditor.collect.list_kinds import ASES, NSGS, PLANS, PRIVATE_ENDPOINTS, ROUTE_TABLES, ListKind
from auditor.collect.network import private_endpoints_for_site
from auditor.collect.read_failures import GapLog, ReadFailure, value_or_missing
from auditor.collect.web import Wire, id_segment, nested_id, parent_site_id, properties, transform_app
from auditor.model import (
    App,
    AppServiceEnvironment,
    DataKey,
    Function,
    HybridConnection,
    Plan,
    Subnet,
    VnetConnection,
)

T = TypeVar("T")


@dataclass(frozen=True)
class AuditReads:
    """Everything read that more than one app may draw on."""

    subscriptions: Sequence[SubscriptionReads]
    plan_hybrids: PlanHybrids
    subnets: Mapping[str, Subnet | ReadFailure]  # by lower-cased id
    # Across every audited subscription: an endpoint may live in another one than its app.
    endpoints_by_site: Mapping[str, Sequence[Wire]]


def assemble_app(reads: AppReads, shared: AuditReads, gaps: GapLog) -> App:
    """The app as the model holds it; its functions are added later (:func:`with_functions`)."""
    missing: dict[DataKey, str] = {}
    plan = _plan(reads, gaps, missing)
    ase = _ase(reads, plan, gaps, missing)
    if ase is not None and ase.subnet_id is not None:
        ase_subnet = _subnet_with_controls(ase.subnet_id, reads, shared, gaps, missing)
        ase = dataclasses.replace(ase, subnet=ase_subnet)
    config = value_or_missing(reads.config, DataKey.CONFIG, missing)
    vnet_connections = _vnet_connections(reads, missing)
    hybrid_connections = _hybrid_connections(reads, shared.plan_hybrids, missing)
    private_endpoints = _private_endpoints(reads, shared.endpoints_by_site, missing)
    subnet_id = integration_subnet_id(reads)
    subnet = None if subnet_id is None else _subnet_with_controls(subnet_id, reads, shared, gaps, missing)
    return transform_app(
        reads.site,
        subscription_id=reads.subscription.id,
        plan=plan,
        ase=ase,
        config=config,
        vnet_connections=vnet_connections,
        private_endpoints=private_endpoints,
        hybrid_connections=hybrid_connections,
        functions=None,
        integration_subnet=subnet,
        missing=missing,
    )


def with_functions(
    app: App, functions: tuple[Function, ...] | ReadFailure | None, not_needed_because: str
) -> App:
    """``app`` with its functions: as read, missing when the read failed, or not read and why."""
    if functions is None:
        return dataclasses.replace(app, not_read={**app.not_read, DataKey.FUNCTIONS: not_needed_because})
    if isinstance(functions, ReadFailure):
        return dataclasses.replace(app, missing={**app.missing, DataKey.FUNCTIONS: functions.operation})
    return dataclasses.replace(app, functions=functions)


def _plan(reads: AppReads, gaps: GapLog, missing: dict[DataKey, str]) -> Plan | None:
    if reads.plan_id is None:
        return None
    return _from_own_list(reads, PLANS, reads.plan_id, gaps, missing)


def _ase(
    reads: AppReads, plan: Plan | None, gaps: GapLog, missing: dict[DataKey, str]
) -> AppServiceEnvironment | None:
    ase_id = nested_id(properties(reads.site).get("hostingEnvironmentProfile")) or (
        plan.hosting_environment_id if plan is not None else None
    )
    if ase_id is None:
        return None
    return _from_own_list(reads, ASES, ase_id, gaps, missing)


def _from_own_list(
    reads: AppReads, kind: ListKind[T], resource_id: str, gaps: GapLog, missing: dict[DataKey, str]
) -> T | None:
    """The resource an app names, found in its subscription's list (a plan, an ASE).

    A failed list leaves it unknown; a list that succeeded but lacks it is a gap of its own.
    """
    (key,) = kind.feeds  # the one part of the app it is (its plan, its ASE)
    sub = reads.subscription
    failure = sub.failure(kind)
    if failure is not None:
        missing[key] = failure.operation
        return None
    raw = sub.find(kind, resource_id)
    if raw is not None:
        return _to_model(kind, raw)
    operation = kind.operation(sub.id)
    missing[key] = operation
    gaps.record(sub.id, ReadFailure(operation, None, f"{resource_id} is not in the list"), reads.id, (key,))
    return None


def _to_model(kind: ListKind[T], raw: Wire) -> T:
    assert kind.to_model is not None, f"{kind.name} has no model transform"
    return kind.to_model(raw)


def _vnet_connections(reads: AppReads, missing: dict[DataKey, str]) -> tuple[VnetConnection, ...] | None:
    if isinstance(reads.config, ReadFailure):
        # Without config/web there is no vnetName hint: gateway integration is unknown.
        missing[DataKey.VNET_CONNECTIONS] = reads.config.operation
        return None
    if reads.vnet_connections is None:
        return ()
    return value_or_missing(reads.vnet_connections, DataKey.VNET_CONNECTIONS, missing)


def _hybrid_connections(
    reads: AppReads, plan_hybrids: PlanHybrids, missing: dict[DataKey, str]
) -> tuple[HybridConnection, ...] | None:
    if reads.plan_id is None:
        return ()
    plan_result = plan_hybrids.get(reads.plan_id.lower())
    if isinstance(plan_result, ReadFailure):
        missing[DataKey.HYBRID_CONNECTIONS] = plan_result.operation
        return None
    if reads.hybrid_connections is None:
        return ()
    return value_or_missing(reads.hybrid_connections, DataKey.HYBRID_CONNECTIONS, missing)


def _private_endpoints(
    reads: AppReads, endpoints_by_site: Mapping[str, Sequence[Wire]], missing: dict[DataKey, str]
) -> tuple[Any, ...] | None:
    failure = reads.subscription.failure(PRIVATE_ENDPOINTS)
    if failure is not None:
        missing[DataKey.PRIVATE_ENDPOINTS] = failure.operation
        return None
    candidates = endpoints_by_site.get(parent_site_id(reads.id).lower(), ())
    return private_endpoints_for_site(candidates, reads.id, reads.slot)


def _subnet_with_controls(
    subnet_id: str, reads: AppReads, shared: AuditReads, gaps: GapLog, missing: dict[DataKey, str]
) -> Subnet | None:
    """A subnet read earlier, with the NSG and route table it names resolved."""
    found = shared.subnets.get(subnet_id.lower())
    if found is None or isinstance(found, ReadFailure):
        if found is not None:
            missing[DataKey.SUBNET] = found.operation
        return None
    nsg = _named_by_subnet(found.network_security_group_id, NSGS, reads, shared, gaps, missing)
    route_table = _named_by_subnet(found.route_table_id, ROUTE_TABLES, reads, shared, gaps, missing)
    return dataclasses.replace(found, network_security_group=nsg, route_table=route_table)


def _named_by_subnet(
    resource_id: str | None,
    kind: ListKind[T],
    reads: AppReads,
    shared: AuditReads,
    gaps: GapLog,
    missing: dict[DataKey, str],
) -> T | None:
    """An NSG or route table named by a subnet, from its subscription's list (maybe not the app's)."""
    if resource_id is None:
        return None
    owner_id = id_segment(resource_id, "subscriptions") or ""
    owner = next((sub for sub in shared.subscriptions if sub.id.lower() == owner_id.lower()), None)
    operation = kind.operation(owner_id)
    if owner is not None:
        failure = owner.failure(kind)
        if failure is not None:
            missing[DataKey.SUBNET] = failure.operation
            return None
        raw = owner.find(kind, resource_id)
        if raw is not None:
            return _to_model(kind, raw)
        reason = f"{resource_id} is not in the list"
    else:
        reason = f"{resource_id} belongs to a subscription outside the audit"
    missing[DataKey.SUBNET] = operation
    gaps.record(reads.subscription.id, ReadFailure(operation, None, reason), reads.id, (DataKey.SUBNET,))
    return None
