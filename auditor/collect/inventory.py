"""Collect the inventory: exactly the ARM GETs of docs/collection.md, concurrently, failures as gaps.

The rooms: which subscription-wide lists there are (list_kinds.py), reading them from ARM
(arm_lists.py) or Resource Graph (resource_graph.py), the reads per app
(app_reads.py), what every read shares (arm_reader.py: clients, pool, gaps; pacing.py: ARM's
read budget; read_failures.py: a failure as a gap), and assembly into the model
(assembly.py). This module runs them in the order their inputs need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import requests
from azure.core.credentials import TokenCredential
from requests.adapters import HTTPAdapter

from auditor.collect.app_reads import (
    function_apps,
    read_configs,
    read_connections,
    read_functions,
    read_integration_subnets,
    read_plan_hybrids,
    slots_of,
)
from auditor.collect.arm_lists import (
    SubscriptionReads,
    read_slot_lists,
    read_subscription_lists,
    record_list_gaps,
    subscription_scan,
)
from auditor.collect.arm_reader import ArmReader
from auditor.collect.assembly import AuditReads, assemble_app, with_functions
from auditor.collect.clients import ARM_ENDPOINT, READ_TIMEOUT_SECONDS, CallCounter
from auditor.collect.list_kinds import PRIVATE_ENDPOINTS, SITES
from auditor.collect.network import private_endpoints_by_site
from auditor.collect.pacing import ArmPacer
from auditor.collect.reads_needed import ReadsNeeded
from auditor.model import Inventory

INVENTORY_SOURCES = ("arm", "resource-graph")


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            unique.append(value)
    return unique


def _collect(
    reader: ArmReader, subscription_ids: Sequence[str], inventory_source: str, reads_needed: ReadsNeeded
) -> Inventory:
    subscriptions = [
        SubscriptionReads(sub_id, reader.web_client(sub_id), reader.network_client(sub_id))
        for sub_id in _unique(subscription_ids)
    ]
    if inventory_source == "resource-graph":
        from auditor.collect.resource_graph import read_from_resource_graph

        read_from_resource_graph(reader, subscriptions)
    else:
        read_subscription_lists(reader, subscriptions)
    record_list_gaps(reader, subscriptions)
    scans = [subscription_scan(reader, subscription) for subscription in subscriptions]
    readable = [sub for sub in subscriptions if sub.listed(SITES) is not None]

    apps = function_apps(reader, readable)
    if inventory_source != "resource-graph":  # the query returned the slots already
        read_slot_lists(reader, readable, [(app.subscription.id, app.resource_group) for app in apps])
    slots = slots_of(readable, apps)
    every_app = apps + slots
    reader.say(f"reading {len(apps)} function apps and {len(slots)} slots")

    plan_hybrids = read_plan_hybrids(reader, every_app)
    read_configs(reader, every_app)
    read_connections(reader, every_app, plan_hybrids)
    shared = AuditReads(
        subscriptions=subscriptions,
        plan_hybrids=plan_hybrids,
        subnets=read_integration_subnets(reader, every_app, subscriptions),
        endpoints_by_site=private_endpoints_by_site(
            endpoint for sub in subscriptions for endpoint in sub.listed(PRIVATE_ENDPOINTS) or []
        ),
    )
    assembled = [assemble_app(reads, shared, reader.gaps) for reads in every_app]
    # Last, because whether a rule can use the functions depends on everything above.
    functions = read_functions(reader, every_app, [reads_needed.functions_needed(app) for app in assembled])
    completed = [
        with_functions(app, functions.get(index), reads_needed.functions_not_needed_because)
        for index, app in enumerate(assembled)
    ]
    completed.sort(key=lambda app: app.id.lower())
    return Inventory(
        subscriptions=tuple(scans),
        apps=tuple(completed),
        gaps=reader.gaps.sorted(),
        arm_calls=reader.counter.value,
    )


def collect_inventory(
    subscription_ids: Sequence[str],
    credential: TokenCredential,
    *,
    reads_needed: ReadsNeeded,
    max_concurrency: int = 16,
    base_url: str = ARM_ENDPOINT,
    counter: CallCounter | None = None,
    progress: Callable[[str], None] | None = None,
    pacer: ArmPacer | None = None,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    inventory_source: str = "arm",
    malformed_stops: bool = False,
) -> Inventory:
    """Read every function app (and slot) of the subscriptions with the GETs of docs/collection.md.

    ``reads_needed`` decides the optional reads (reads_needed.py); the command passes the
    rules' (auditor.rules.reads_needed.READS_NEEDED).
    ``pacer`` keeps ARM's read budget (pass one to read its figures afterwards);
    ``read_timeout`` (seconds): how long to wait for a response (clients.READ_TIMEOUT_SECONDS).
    ``inventory_source``: ``"arm"`` (the subscription lists) or ``"resource-graph"``
    (resource_graph.py: two paged queries instead of the lists and the slot lists).
    ``malformed_stops``: a body of the wrong shape raises :class:`MalformedResponse` instead of
    becoming a gap (under replay it means a corrupt cassette, not a fact about Azure).

    Raises ClientAuthenticationError when the credential fails, ReadOnlyViolation if a
    non-GET request was attempted, ReplayMiss when a replayed request has no recording.
    On any exception (KeyboardInterrupt included) waiting requests are cancelled and the
    pool is not waited for, so an interrupted audit ends promptly.
    """
    counter = counter if counter is not None else CallCounter()
    pacer = pacer if pacer is not None else ArmPacer()
    session = requests.Session()
    # One connection per worker thread, so a busy pool never drops (and logs) connections.
    adapter = HTTPAdapter(pool_maxsize=max(max_concurrency, 10))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="arm")
    if inventory_source not in INVENTORY_SOURCES:
        raise ValueError(f"unknown inventory source {inventory_source!r}")
    reader = ArmReader(
        credential, counter, base_url, session, pool, progress, pacer, read_timeout, malformed_stops
    )
    interrupted = False
    try:
        return _collect(reader, subscription_ids, inventory_source, reads_needed)
    except BaseException as error:
        # Requests waiting for budget or a Retry-After give up; queued reads never start.
        pacer.cancel()
        interrupted = not isinstance(error, Exception)
        raise
    finally:
        # Interrupted (SIGINT, SIGTERM): requests already on the wire are not waited for.
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        if not interrupted:
            reader.close()
            session.close()
