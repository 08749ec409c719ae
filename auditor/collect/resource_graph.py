"""``--inventory-source resource-graph``: the subscription-wide lists from Azure Resource Graph.

With ``arm`` (the default) the collector reads eight lists per subscription and one slot
list per resource group holding a function app (docs/collection.md). With
``resource-graph`` one paged query over every audited subscription returns the same
resources (sites *and* slots, plans, ASEs, virtual networks with their subnets, NSGs,
route tables, NAT gateways, private endpoints), a second one which of the subscriptions
the caller can see; the per-app reads (``config/web``, functions …) are unchanged,
since Resource Graph does not hold them.

A query is a POST to ``/providers/Microsoft.ResourceGraph/resources``: the one non-GET
request the read-only guard lets through (clients.RESOURCE_GRAPH_PATH). It reads resource
properties, never keys or settings. Rows are taken to carry the properties the ARM list
calls return, which is how Resource Graph stores them (reference/wire-format.md §8).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.pipeline.transport import HttpTransport
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph import __version__ as GRAPH_SDK_VERSION
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from auditor.collect.arm_lists import ALL_SLOTS, SubscriptionReads
from auditor.collect.arm_reader import ArmReader
from auditor.collect.clients import (
    ARM_ENDPOINT,
    RESOURCE_GRAPH_PATH,
    ArmPacer,
    CallCounter,
    build_pipeline_policies,
)
from auditor.collect.errors import MalformedResponse
from auditor.collect.list_kinds import LIST_KINDS, SITES
from auditor.collect.read_failures import ReadFailure
from auditor.collect.web import Wire, arm_object

OPERATION = f"POST {RESOURCE_GRAPH_PATH}"
SLOTS_TYPE = "microsoft.web/sites/slots"
# The collector's list names (list_kinds.py) and "slots", by Resource Graph type.
# (Sites and slots first: the order is the query's, which a recording matches on.)
TYPES: dict[str, str] = {SITES.resource_graph_type: SITES.name, SLOTS_TYPE: "slots"} | {
    kind.resource_graph_type: kind.name for kind in LIST_KINDS
}
RESOURCES_QUERY = (
    "resources | where type in~ ("
    + ", ".join(f"'{resource_type}'" for resource_type in TYPES)
    + ") | project id, name, type, kind, location, tags, sku, properties, subscriptionId | order by id asc"
)
SUBSCRIPTIONS_QUERY = (
    "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId"
)
PAGE_ROWS = 1000  # Resource Graph's maximum per response
# Resource Graph takes at most 1,000 subscriptions per query; larger audits are batched.
SUBSCRIPTIONS_PER_QUERY = 1000


def build_graph_client(
    credential: TokenCredential,
    counter: CallCounter,
    *,
    base_url: str = ARM_ENDPOINT,
    transport: HttpTransport[Any, Any] | None = None,
    pacer: ArmPacer | None = None,
) -> ResourceGraphClient:
    kwargs: dict[str, Any] = {}
    if transport is not None:
        kwargs["transport"] = transport
    return ResourceGraphClient(
        credential,
        base_url=base_url,
        policies=build_pipeline_policies(
            credential,
            counter,
            sdk_moniker=f"mgmt-resourcegraph/{GRAPH_SDK_VERSION}",
            base_url=base_url,
            pacer=pacer,
            allow_resource_graph_query=True,
        ),
        **kwargs,
    )


def query_all(client: ResourceGraphClient, query: str, subscriptions: Sequence[str]) -> list[Wire]:
    """Every row of ``query`` over ``subscriptions``, following ``$skipToken`` page by page."""
    rows: list[Wire] = []
    for start in range(0, len(subscriptions), SUBSCRIPTIONS_PER_QUERY):
        batch = list(subscriptions[start : start + SUBSCRIPTIONS_PER_QUERY])
        seen: set[str] = set()
        token: str | None = None
        while True:
            options = QueryRequestOptions(top=PAGE_ROWS, skip_token=token, result_format="objectArray")
            response = client.resources(QueryRequest(query=query, subscriptions=batch, options=options))
            data = response.data
            if not isinstance(data, list):
                raise MalformedResponse("Resource Graph answered without an objectArray 'data' list")
            rows.extend(arm_object(row) for row in data)
            token = response.skip_token
            if not token:
                break
            if token in seen:
                raise ValueError("Resource Graph's $skipToken leads back to a page already read")
            seen.add(token)
    return rows


def visible_subscriptions(client: ResourceGraphClient, subscriptions: Sequence[str]) -> set[str]:
    """The audited subscriptions Resource Graph shows the caller (lower-cased ids)."""
    rows = query_all(client, SUBSCRIPTIONS_QUERY, subscriptions)
    return {str(row.get("subscriptionId") or "").lower() for row in rows}


def lists_by_subscription(
    rows: Sequence[Wire], subscriptions: Sequence[str]
) -> dict[str, dict[str, list[Wire]]]:
    """Rows split into the collector's lists per subscription (lower-cased id → list name → rows)."""
    split: dict[str, dict[str, list[Wire]]] = {
        sub.lower(): {name: [] for name in TYPES.values()} for sub in subscriptions
    }
    for row in rows:
        lists = split.get(str(row.get("subscriptionId") or "").lower())
        name = TYPES.get(str(row.get("type") or "").lower())
        if lists is not None and name is not None:
            lists[name].append(row)
    return split


def read_from_resource_graph(reader: ArmReader, subscriptions: Sequence[SubscriptionReads]) -> None:
    """Every subscription list (and the slots) from two paged Resource Graph queries."""
    reader.say(f"querying Resource Graph for {len(subscriptions)} subscription(s)")
    client = reader.built_client(build_graph_client)
    ids = [sub.id for sub in subscriptions]

    def query() -> tuple[set[str], list[Wire]]:
        visible = visible_subscriptions(client, ids)
        return visible, query_all(client, RESOURCES_QUERY, ids)

    result = reader.read(OPERATION, query)
    if isinstance(result, ReadFailure):
        for sub in subscriptions:
            sub.fail_every_list(result)
        return
    visible, rows = result
    split = lists_by_subscription(rows, ids)
    for sub in subscriptions:
        if sub.id.lower() not in visible:
            # Resource Graph leaves out what the caller cannot see: not an empty subscription.
            sub.fail_every_list(
                ReadFailure(OPERATION, None, "subscription not found, disabled or not readable")
            )
            continue
        lists = split[sub.id.lower()]
        sub.lists = {kind.name: lists[kind.name] for kind in LIST_KINDS}
        sub.slot_lists = {ALL_SLOTS: lists["slots"]}
