"""Reads from ARM's subscription-wide lists (list_kinds.py), and the slot lists per resource group.

With ``--inventory-source resource-graph`` the same lists come from Resource Graph instead
(resource_graph.py) into the same :class:`SubscriptionReads`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.web import WebSiteManagementClient

from auditor.collect.arm_reader import ArmReader, Job
from auditor.collect.list_kinds import LIST_KINDS, SITES, ListKind
from auditor.collect.read_failures import ReadFailure
from auditor.collect.sdk_answers import all_pages
from auditor.collect.web import Wire
from auditor.model import SubscriptionScan

# Resource group slot lists filed under this key instead when one query returned every slot.
ALL_SLOTS = "*"


def web_operation(subscription_id: str, resource_group: str, rest: str) -> str:
    return (
        f"GET /subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/Microsoft.Web/{rest}"
    )


@dataclass
class SubscriptionReads:
    """One audited subscription: its clients and the lists read from it (or why each failed)."""

    id: str
    web: WebSiteManagementClient
    network: NetworkManagementClient
    lists: dict[str, list[Wire] | ReadFailure] = field(default_factory=dict)
    # lower-cased resource group (or ALL_SLOTS) → its sites and slots
    slot_lists: dict[str, list[Wire] | ReadFailure] = field(default_factory=dict)
    # list name -> {lower-cased id: resource}, built on first lookup: apps name plans, ASEs,
    # NSGs and route tables by id, and a scan of the list per app grows with apps × list size.
    indexes: dict[str, dict[str, Wire]] = field(default_factory=dict)

    def listed(self, kind: ListKind[Any]) -> list[Wire] | None:
        value = self.lists.get(kind.name)
        return value if isinstance(value, list) else None

    def find(self, kind: ListKind[Any], resource_id: str) -> Wire | None:
        """The resource with ``resource_id`` in list ``kind`` (which must have been read)."""
        index = self.indexes.get(kind.name)
        if index is None:
            index = {str(raw.get("id") or "").lower(): raw for raw in self.listed(kind) or []}
            self.indexes[kind.name] = index
        return index.get(resource_id.lower())

    def failure(self, kind: ListKind[Any]) -> ReadFailure | None:
        value = self.lists.get(kind.name)
        return value if isinstance(value, ReadFailure) else None

    def fail_every_list(self, failure: ReadFailure) -> None:
        self.lists = {kind.name: failure for kind in LIST_KINDS}


def read_subscription_lists(reader: ArmReader, subscriptions: Sequence[SubscriptionReads]) -> None:
    reader.say(f"listing sites, plans and networks of {len(subscriptions)} subscription(s)")
    jobs: dict[tuple[int, str], Job[list[Wire]]] = {
        (index, kind.name): (kind.operation(sub.id), _list_call(kind, sub))
        for index, sub in enumerate(subscriptions)
        for kind in LIST_KINDS
    }
    for (index, name), result in reader.run_all(jobs).items():
        subscriptions[index].lists[name] = result


def _list_call(kind: ListKind[Any], sub: SubscriptionReads) -> Callable[[], list[Wire]]:
    return lambda: all_pages(kind.list_call(sub.web, sub.network))


def record_list_gaps(reader: ArmReader, subscriptions: Sequence[SubscriptionReads]) -> None:
    for sub in subscriptions:
        sites_failure = sub.failure(SITES)
        if sites_failure is not None:
            # The subscription is reported as an error; its other lists feed no app.
            reader.gaps.record(sub.id, sites_failure)
            continue
        for kind in LIST_KINDS:
            failure = sub.failure(kind)
            if failure is not None:
                reader.gaps.record(sub.id, failure, affects=kind.feeds)


def subscription_scan(reader: ArmReader, subscription: SubscriptionReads) -> SubscriptionScan:
    """Whether the subscription could be audited at all: its site list read."""
    failure = subscription.failure(SITES)
    if failure is None:
        return SubscriptionScan(id=subscription.id, status="ok")
    reader.say(f"subscription {subscription.id}: {failure.reason}")
    status = f"HTTP {failure.status}: " if failure.status is not None else ""
    return SubscriptionScan(id=subscription.id, status="error", error=f"{status}{failure.reason}")


def read_slot_lists(
    reader: ArmReader, subscriptions: Sequence[SubscriptionReads], resource_groups: Sequence[tuple[str, str]]
) -> None:
    """The sites and slots of each (subscription id, resource group) holding a function app.

    The subscription list omits slots; one call per resource group finds them.
    """
    by_sub = {sub.id: sub for sub in subscriptions}
    groups = {(sub_id, group.lower()): group for sub_id, group in resource_groups}
    jobs: dict[tuple[str, str], Job[list[Wire]]] = {
        (sub_id, group_key): (
            web_operation(sub_id, group, "sites"),
            _slot_list_call(by_sub[sub_id].web, group),
        )
        for (sub_id, group_key), group in groups.items()
    }
    for (sub_id, group_key), result in reader.run_all(jobs).items():
        by_sub[sub_id].slot_lists[group_key] = result
        if isinstance(result, ReadFailure):
            reader.gaps.record(sub_id, result)


def _slot_list_call(web: WebSiteManagementClient, resource_group: str) -> Callable[[], list[Wire]]:
    return lambda: all_pages(web.web_apps.list_by_resource_group(resource_group, include_slots=True))
