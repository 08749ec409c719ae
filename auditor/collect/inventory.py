"""Collect the inventory: exactly the ARM GETs of docs/collection.md, concurrently, failures as gaps.

Reads run on a bounded pool, interleaved across subscriptions, and pace themselves by
ARM's read budget (pacing.py). With ``inventory_source="resource-graph"`` the
subscription-wide lists come from Azure Resource Graph instead (resource_graph.py).

Each read returns either its wire data or a :class:`_Failure`; a failure becomes
a :class:`Gap` plus ``missing`` entries on the apps it affects. Only errors that
make the whole audit untrustworthy propagate: authentication failures, a
refused non-GET request and, under replay, a request the cassette lacks.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3.connectionpool
from azure.core.credentials import TokenCredential
from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    DecodeError,
    DeserializationError,
    HttpResponseError,
)
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.web import WebSiteManagementClient
from requests.adapters import HTTPAdapter
from vcr.errors import CannotOverwriteExistingCassetteException

from auditor.collect.cassettes import CASSETTE_EXCHANGE_LOCK
from auditor.collect.clients import (
    ARM_ENDPOINT,
    CONNECT_TIMEOUT_SECONDS,
    READ_TIMEOUT_SECONDS,
    CallCounter,
    build_network_client,
    build_web_client,
)
from auditor.collect.errors import MalformedResponse, ReadOnlyViolation, ReplayMiss, exception_chain
from auditor.collect.network import (
    private_endpoints_by_site,
    private_endpoints_for_site,
    subnets_of_vnets,
    transform_nsg,
    transform_route_table,
    transform_subnet,
)
from auditor.collect.pacing import ArmPacer, PacingCancelled, ThrottledTooLong, budget_key
from auditor.collect.web import (
    Wire,
    arm_object,
    arm_objects,
    id_segment,
    is_function_app,
    nested_id,
    non_empty_str,
    opt_str,
    parent_site_id,
    properties,
    transform_app,
    transform_ase,
    transform_functions,
    transform_hybrid_connections,
    transform_plan,
    transform_site_config,
    transform_vnet_connections,
)
from auditor.model import (
    App,
    AppServiceEnvironment,
    DataKey,
    Function,
    Gap,
    HybridConnection,
    Inventory,
    Plan,
    SiteConfig,
    Subnet,
    SubscriptionScan,
    VnetConnection,
)
from auditor.rules.facts import functions_needed

INVENTORY_SOURCES = ("arm", "resource-graph")

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_MAX_REASON = 300


@dataclass(frozen=True)
class _Failure:
    operation: str  # "GET /subscriptions/…" (path, no query)
    status: int | None
    reason: str


# -- errors -------------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 1] + "…"


def _http_reason(error: HttpResponseError) -> str:
    odata = error.error
    if odata is not None and odata.code:
        return _one_line(f"{odata.code}: {odata.message or ''}".rstrip(": "))
    return _one_line(error.reason or str(error.message) or type(error).__name__)


def _classify(error: Exception, operation: str, arm_host: str, malformed_stops: bool = False) -> _Failure:
    """The gap a failed read becomes, or the error re-raised when it must stop the audit."""
    if isinstance(error, RecursionError):
        # Raised while parsing or reading a body nested deeper than Python's stack.
        error = MalformedResponse("the JSON body is nested too deeply")
    for link in exception_chain(error):
        if isinstance(link, (ReadOnlyViolation, PacingCancelled)):
            raise link
        if malformed_stops and isinstance(link, MalformedResponse):
            raise link
        if malformed_stops and isinstance(link, DecodeError | DeserializationError):
            # Not JSON, or JSON the SDK cannot read as the operation's answer.
            detail = _one_line(f"{type(link).__name__}: {link}".rstrip(": "))
            raise MalformedResponse(f"the body is not what the operation answers ({detail})") from error
        if isinstance(link, CannotOverwriteExistingCassetteException):
            failed = link.failed_request
            raise ReplayMiss(f"{failed.method} {failed.uri}: no recording in the cassette") from error
        if isinstance(link, ThrottledTooLong):
            return _Failure(operation, link.status_code, _one_line(str(link)))
    if isinstance(error, ClientAuthenticationError):
        # A 401 that ARM answered is about one subscription; anything else came from the
        # credential (identity endpoint, az CLI …) and no later call can succeed either.
        request = getattr(error.response, "request", None)
        if urlsplit(str(getattr(request, "url", ""))).netloc.lower() != arm_host:
            raise error
    if isinstance(error, HttpResponseError):
        return _Failure(operation, error.status_code, _http_reason(error))
    if isinstance(error, (AzureError, ValueError)):
        return _Failure(operation, None, _one_line(f"{type(error).__name__}: {error}"))
    raise error


def _all_pages(pager: Any) -> list[Wire]:
    """Every item of a paged list, as wire data.

    azure-core follows ``nextLink`` for as long as there is one; a link that leads back to a
    page already read would never end, so it fails the read instead (a gap, like bad JSON).
    """
    pages = pager.by_page()
    seen: set[str] = set()
    items: list[Wire] = []
    try:
        for page in pages:
            items.extend(arm_object(_wire(item)) for item in page)
            link = pages.continuation_token
            if link:
                if link in seen:
                    raise ValueError(f"nextLink loops back to a page already read: {urlsplit(link).path}")
                seen.add(link)
    except (AttributeError, TypeError, KeyError) as error:
        # The SDK reads ``body["value"]`` and ``body.get("nextLink")``: a body that is not an
        # ARM list (a JSON array, a string) fails in there.
        raise MalformedResponse(f"the body is not an ARM list ({type(error).__name__}: {error})") from error
    return items


def _wire(value: Any) -> Any:
    """SDK hybrid models → the JSON ARM sent (``as_dict`` keeps wire names and unknown keys)."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value


# -- operations ---------------------------------------------------------------------------------------


def _sub_path(subscription_id: str, provider_path: str) -> str:
    return f"GET /subscriptions/{subscription_id}/providers/{provider_path}"


def _web_path(subscription_id: str, resource_group: str, rest: str) -> str:
    return (
        f"GET /subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/Microsoft.Web/{rest}"
    )


_SUBSCRIPTION_LISTS: dict[str, tuple[str, tuple[DataKey, ...]]] = {
    # name → (provider path, data it feeds)
    "sites": ("Microsoft.Web/sites", ()),
    "plans": ("Microsoft.Web/serverfarms", (DataKey.PLAN,)),
    "ases": ("Microsoft.Web/hostingEnvironments", (DataKey.ASE,)),
    "vnets": ("Microsoft.Network/virtualNetworks", (DataKey.SUBNET,)),
    "nsgs": ("Microsoft.Network/networkSecurityGroups", (DataKey.SUBNET,)),
    "route_tables": ("Microsoft.Network/routeTables", (DataKey.SUBNET,)),
    "nat_gateways": ("Microsoft.Network/natGateways", ()),
    "private_endpoints": ("Microsoft.Network/privateEndpoints", (DataKey.PRIVATE_ENDPOINTS,)),
}


def _list_call(
    name: str, web: WebSiteManagementClient, network: NetworkManagementClient
) -> Callable[[], Any]:
    calls: dict[str, Callable[[], Any]] = {
        "sites": lambda: web.web_apps.list(),
        "plans": lambda: web.app_service_plans.list(),
        "ases": lambda: web.app_service_environments.list(),
        "vnets": lambda: network.virtual_networks.list_all(),
        "nsgs": lambda: network.network_security_groups.list_all(),
        "route_tables": lambda: network.route_tables.list_all(),
        "nat_gateways": lambda: network.nat_gateways.list_all(),
        "private_endpoints": lambda: network.private_endpoints.list_by_subscription(),
    }
    pager = calls[name]
    return lambda: _all_pages(pager())


# -- per-subscription and per-app state ---------------------------------------------------------------


@dataclass
class _Subscription:
    id: str
    web: WebSiteManagementClient
    network: NetworkManagementClient
    lists: dict[str, list[Wire] | _Failure] = field(default_factory=dict)
    slot_lists: dict[str, list[Wire] | _Failure] = field(default_factory=dict)
    # list name -> {lower-cased id: resource}, built on first lookup: apps name plans, ASEs,
    # NSGs and route tables by id, and a scan of the list per app grows with apps × list size.
    indexes: dict[str, dict[str, Wire]] = field(default_factory=dict)

    def listed(self, name: str) -> list[Wire] | None:
        value = self.lists.get(name)
        return value if isinstance(value, list) else None

    def find(self, name: str, resource_id: str) -> Wire | None:
        """The resource with ``resource_id`` in list ``name`` (which must have been read)."""
        index = self.indexes.get(name)
        if index is None:
            index = {str(raw.get("id") or "").lower(): raw for raw in self.listed(name) or []}
            self.indexes[name] = index
        return index.get(resource_id.lower())

    def failure(self, name: str) -> _Failure | None:
        value = self.lists.get(name)
        return value if isinstance(value, _Failure) else None


@dataclass
class _AppReads:
    site: Wire
    subscription: _Subscription
    resource_group: str
    site_name: str  # the production site's name, also for a slot
    slot: str | None
    config: SiteConfig | _Failure | None = None
    vnet_connections: tuple[VnetConnection, ...] | _Failure | None = None
    hybrid_connections: tuple[HybridConnection, ...] | _Failure | None = None

    @property
    def id(self) -> str:
        return str(self.site.get("id") or "")

    @property
    def plan_id(self) -> str | None:
        return non_empty_str(properties(self.site).get("serverFarmId"))

    def path(self, rest: str) -> str:
        site = f"sites/{self.site_name}" + (f"/slots/{self.slot}" if self.slot else "")
        return _web_path(self.subscription.id, self.resource_group, f"{site}/{rest}")


def _app_reads(site: Wire, subscription: _Subscription) -> _AppReads:
    site_id = str(site.get("id") or "")
    return _AppReads(
        site=site,
        subscription=subscription,
        resource_group=id_segment(site_id, "resourceGroups") or "",
        site_name=id_segment(site_id, "sites") or str(site.get("name") or ""),
        slot=id_segment(site_id, "slots"),
    )


# -- transport ----------------------------------------------------------------------------------------


def _cassette_active() -> bool:
    """True while vcrpy (record or replay) has replaced urllib3's connection classes."""
    connection_class = getattr(urllib3.connectionpool.HTTPSConnectionPool, "ConnectionCls", None)
    return str(getattr(connection_class, "__module__", "")).startswith("vcr")


class _PacedTransport(RequestsTransport):  # type: ignore[misc]  # lazily exported, typed Any
    """The requests transport, whose retry back-off sleeps end the moment the audit is cancelled.

    azure-core's RetryPolicy sleeps through ``transport.sleep``, a plain ``time.sleep``.
    """

    def __init__(self, pacer: ArmPacer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pacer = pacer

    def sleep(self, duration: float) -> None:
        self._pacer.pause(duration)


class _SerializedTransport(_PacedTransport):
    """One HTTP exchange at a time while a cassette is active (see CASSETTE_EXCHANGE_LOCK).

    vcrpy is not thread-safe: while one thread builds a connection (or records) it briefly
    restores urllib3's real classes for every thread, so a concurrent request could slip
    past the cassette to the network unrecorded.

    Work still runs on the pool, and waits for ARM's budget (PacingPolicy, above the
    transport) happen outside the lock; only the exchange itself takes turns.
    """

    def send(self, request: Any, **kwargs: Any) -> Any:
        with CASSETTE_EXCHANGE_LOCK:
            return super().send(request, **kwargs)


# -- the collector ------------------------------------------------------------------------------------


class _Collector:
    def __init__(
        self,
        credential: TokenCredential,
        counter: CallCounter,
        base_url: str,
        session: requests.Session,
        pool: ThreadPoolExecutor,
        progress: Callable[[str], None] | None,
        pacer: ArmPacer,
        read_timeout: float,
        inventory_source: str = "arm",
        malformed_stops: bool = False,
    ) -> None:
        self._malformed_stops = malformed_stops
        self._pacer = pacer
        self._read_timeout = read_timeout
        self._credential = credential
        self._counter = counter
        self._base_url = base_url
        self._arm_host = urlsplit(base_url).netloc.lower()
        self._session = session
        self._pool = pool
        self._progress = progress
        self._network_clients: dict[str, NetworkManagementClient] = {}
        self._clients: list[Any] = []  # every SDK client built, to close
        self._gaps: list[Gap] = []
        self._gaps_lock = threading.Lock()
        self._serialize_sends = _cassette_active()
        self._inventory_source = inventory_source

    # -- plumbing --

    def _say(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    def _transport(self) -> RequestsTransport:
        transport_class = _SerializedTransport if self._serialize_sends else _PacedTransport
        return transport_class(
            self._pacer,
            session=self._session,
            session_owner=False,
            connection_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=self._read_timeout,
        )

    def _web_client(self, subscription_id: str) -> WebSiteManagementClient:
        client = build_web_client(
            subscription_id,
            self._credential,
            self._counter,
            base_url=self._base_url,
            transport=self._transport(),
            pacer=self._pacer,
        )
        self._clients.append(client)
        return client

    def _network_client(self, subscription_id: str) -> NetworkManagementClient:
        key = subscription_id.lower()
        if key not in self._network_clients:
            client = build_network_client(
                subscription_id,
                self._credential,
                self._counter,
                base_url=self._base_url,
                transport=self._transport(),
                pacer=self._pacer,
            )
            self._clients.append(client)
            self._network_clients[key] = client
        return self._network_clients[key]

    def close(self) -> None:
        for client in self._clients:
            client.close()

    def _read(self, operation: str, fetch: Callable[[], T]) -> T | _Failure:
        try:
            return fetch()
        except Exception as error:
            return _classify(error, operation, self._arm_host, self._malformed_stops)

    def _run_all(self, jobs: Mapping[K, tuple[str, Callable[[], T]]]) -> dict[K, T | _Failure]:
        """Run every (operation, fetch) job on the pool; the first audit-stopping error cancels the rest."""
        futures: dict[K, Future[T | _Failure]] = {
            key: self._pool.submit(self._read, jobs[key][0], jobs[key][1]) for key in _interleaved(jobs)
        }
        try:
            return {key: future.result() for key, future in futures.items()}
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise

    def _gap(
        self,
        subscription_id: str,
        failure: _Failure,
        resource_id: str | None = None,
        affects: tuple[DataKey, ...] = (),
    ) -> None:
        gap = Gap(
            subscription_id=subscription_id,
            operation=failure.operation,
            status=failure.status,
            reason=failure.reason,
            resource_id=resource_id,
            affects=affects,
        )
        with self._gaps_lock:
            self._gaps.append(gap)

    # -- the audit --

    def run(self, subscription_ids: Sequence[str]) -> Inventory:
        subscriptions = [
            _Subscription(sub_id, self._web_client(sub_id), self._network_client(sub_id))
            for sub_id in _unique(subscription_ids)
        ]
        if self._inventory_source == "resource-graph":
            self._read_resource_graph(subscriptions)
        else:
            self._read_subscription_lists(subscriptions)
        self._record_list_gaps(subscriptions)
        scans = [self._scan(subscription) for subscription in subscriptions]
        readable = [sub for sub in subscriptions if sub.listed("sites") is not None]

        apps = self._function_apps(readable)
        if self._inventory_source != "resource-graph":  # the query returned the slots already
            self._read_slots(readable, apps)
        slots = self._slots(readable, apps)
        every_app = apps + slots
        self._say(f"reading {len(apps)} function apps and {len(slots)} slots")

        plan_hybrids = self._read_plan_hybrids(every_app)
        self._read_configs(every_app)
        self._read_dependent(every_app, plan_hybrids)
        subnets = self._read_integration_subnets(every_app, subscriptions)

        endpoints = private_endpoints_by_site(
            endpoint for sub in subscriptions for endpoint in sub.listed("private_endpoints") or []
        )
        assembled = [
            self._assemble(reads, subscriptions, plan_hybrids, subnets, endpoints) for reads in every_app
        ]
        # Last, because whether a rule can use the functions depends on everything above.
        assembled = self._read_functions(every_app, assembled)
        assembled.sort(key=lambda app: app.id.lower())
        gaps = sorted(self._gaps, key=lambda gap: (gap.subscription_id.lower(), gap.operation.lower()))
        return Inventory(
            subscriptions=tuple(scans), apps=tuple(assembled), gaps=tuple(gaps), arm_calls=self._counter.value
        )

    def _read_subscription_lists(self, subscriptions: Sequence[_Subscription]) -> None:
        self._say(f"listing sites, plans and networks of {len(subscriptions)} subscription(s)")
        jobs = {
            (index, name): (_sub_path(sub.id, provider_path), _list_call(name, sub.web, sub.network))
            for index, sub in enumerate(subscriptions)
            for name, (provider_path, _) in _SUBSCRIPTION_LISTS.items()
        }
        for (index, name), result in self._run_all(jobs).items():
            subscriptions[index].lists[name] = result

    def _read_resource_graph(self, subscriptions: Sequence[_Subscription]) -> None:
        """Every subscription list (and the slots) from two paged Resource Graph queries."""
        from auditor.collect import resource_graph

        self._say(f"querying Resource Graph for {len(subscriptions)} subscription(s)")
        client = resource_graph.build_graph_client(
            self._credential,
            self._counter,
            base_url=self._base_url,
            transport=self._transport(),
            pacer=self._pacer,
        )
        self._clients.append(client)
        ids = [sub.id for sub in subscriptions]

        def query() -> tuple[set[str], list[Wire]]:
            visible = resource_graph.visible_subscriptions(client, ids)
            return visible, resource_graph.query_all(client, resource_graph.RESOURCES_QUERY, ids)

        result = self._read(resource_graph.OPERATION, query)
        if isinstance(result, _Failure):
            for sub in subscriptions:
                sub.lists = {name: result for name in _SUBSCRIPTION_LISTS}
            return
        visible, rows = result
        split = resource_graph.lists_by_subscription(rows, ids)
        for sub in subscriptions:
            if sub.id.lower() not in visible:
                # Resource Graph leaves out what the caller cannot see: not an empty subscription.
                hidden = _Failure(
                    resource_graph.OPERATION, None, "subscription not found, disabled or not readable"
                )
                sub.lists = {name: hidden for name in _SUBSCRIPTION_LISTS}
                continue
            lists = split[sub.id.lower()]
            sub.lists = {name: lists[name] for name in _SUBSCRIPTION_LISTS}
            sub.slot_lists = {"*": lists["slots"]}

    def _record_list_gaps(self, subscriptions: Sequence[_Subscription]) -> None:
        for sub in subscriptions:
            sites_failure = sub.failure("sites")
            if sites_failure is not None:
                # The subscription is reported as an error; its other lists feed no app.
                self._gap(sub.id, sites_failure)
                continue
            for name, (_, affects) in _SUBSCRIPTION_LISTS.items():
                failure = sub.failure(name)
                if failure is not None:
                    self._gap(sub.id, failure, affects=affects)

    def _scan(self, subscription: _Subscription) -> SubscriptionScan:
        failure = subscription.failure("sites")
        if failure is None:
            return SubscriptionScan(id=subscription.id, status="ok")
        self._say(f"subscription {subscription.id}: {failure.reason}")
        status = f"HTTP {failure.status}: " if failure.status is not None else ""
        return SubscriptionScan(id=subscription.id, status="error", error=f"{status}{failure.reason}")

    def _function_apps(self, subscriptions: Sequence[_Subscription]) -> list[_AppReads]:
        apps = []
        for sub in subscriptions:
            sites = sub.listed("sites") or []
            found = [_app_reads(site, sub) for site in sites if is_function_app(opt_str(site.get("kind")))]
            self._say(f"subscription {sub.id}: {len(found)} function apps")
            apps.extend(found)
        return apps

    def _read_slots(self, subscriptions: Sequence[_Subscription], apps: Sequence[_AppReads]) -> None:
        # The subscription list omits slots; one call per resource group holding a function app finds them.
        by_sub = {sub.id: sub for sub in subscriptions}
        groups = {(app.subscription.id, app.resource_group.lower()): app.resource_group for app in apps}
        jobs = {
            (sub_id, group_key): (
                _web_path(sub_id, group, "sites"),
                _slot_list_call(by_sub[sub_id].web, group),
            )
            for (sub_id, group_key), group in groups.items()
        }
        for (sub_id, group_key), result in self._run_all(jobs).items():
            by_sub[sub_id].slot_lists[group_key] = result
            if isinstance(result, _Failure):
                self._gap(sub_id, result)

    def _slots(self, subscriptions: Sequence[_Subscription], apps: Sequence[_AppReads]) -> list[_AppReads]:
        function_app_ids = {app.id.lower() for app in apps}
        slots = []
        for sub in subscriptions:
            for listed in sub.slot_lists.values():
                if isinstance(listed, _Failure):
                    continue
                for site in listed:
                    site_id = str(site.get("id") or "")
                    if "/slots/" not in site_id.lower():
                        continue
                    if parent_site_id(site_id).lower() in function_app_ids:
                        slots.append(_app_reads(site, sub))
        return slots

    def _read_plan_hybrids(
        self, apps: Sequence[_AppReads]
    ) -> dict[str, tuple[HybridConnection, ...] | _Failure]:
        """The Hybrid Connections of every plan an audited app uses, whatever its tier.

        Consumption and Flex Consumption plans are read too: the docs say they cannot hold one,
        and drift/hybrid-connection-unsupported exists to catch the plan that does anyway.
        """
        plans: dict[str, tuple[_Subscription, str]] = {}
        for app in apps:
            if app.plan_id is not None:
                plans.setdefault(app.plan_id.lower(), (app.subscription, app.plan_id))
        jobs = {
            key: (
                _web_path(
                    sub.id, id_segment(plan_id, "resourceGroups") or "", f"serverfarms/{_plan_name(plan_id)}"
                )
                + "/hybridConnectionRelays",
                _plan_hybrid_call(sub.web, plan_id),
            )
            for key, (sub, plan_id) in plans.items()
        }
        results = self._run_all(jobs)
        for key, result in results.items():
            if isinstance(result, _Failure):
                self._gap(plans[key][0].id, result, plans[key][1], (DataKey.HYBRID_CONNECTIONS,))
        return results

    def _read_configs(self, apps: Sequence[_AppReads]) -> None:
        jobs = {index: (app.path("config/web"), _config_call(app)) for index, app in enumerate(apps)}
        for index, result in self._run_all(jobs).items():
            app = apps[index]
            app.config = result
            if isinstance(result, _Failure):
                self._gap(app.subscription.id, result, app.id, (DataKey.CONFIG, DataKey.VNET_CONNECTIONS))

    def _read_functions(self, reads: Sequence[_AppReads], apps: Sequence[App]) -> list[App]:
        """The functions of the apps a rule can use them for; the others say why they were not read."""
        jobs = {
            index: (reads[index].path("functions"), _functions_call(reads[index]))
            for index, app in enumerate(apps)
            if functions_needed(app)
        }
        results = self._run_all(jobs)
        completed = []
        for index, app in enumerate(apps):
            if index not in results:
                reason = "not needed: the main site is not public and the app is not VNet-integrated"
                completed.append(
                    dataclasses.replace(app, not_read={**app.not_read, DataKey.FUNCTIONS: reason})
                )
                continue
            result = results[index]
            if isinstance(result, _Failure):
                self._gap(app.subscription_id, result, app.id, (DataKey.FUNCTIONS,))
                missing = {**app.missing, DataKey.FUNCTIONS: result.operation}
                completed.append(dataclasses.replace(app, missing=missing))
            else:
                completed.append(dataclasses.replace(app, functions=result))
        return completed

    def _read_dependent(
        self, apps: Sequence[_AppReads], plan_hybrids: Mapping[str, tuple[HybridConnection, ...] | _Failure]
    ) -> None:
        jobs: dict[tuple[int, str], tuple[str, Callable[[], Any]]] = {}
        for index, app in enumerate(apps):
            config = app.config
            # config/web's vnetName is the platform's record of a VNet integration; empty, the app has
            # none. Set, the connections are listed even when the site names a regional subnet: the
            # docs say one form at a time, and drift/gateway-integration-* must see a second one anyway.
            if isinstance(config, SiteConfig) and config.vnet_name:
                jobs[(index, "vnet")] = (app.path("virtualNetworkConnections"), _vnet_call(app))
            plan_result = plan_hybrids.get((app.plan_id or "").lower())
            # An empty plan list means no app of the plan has a hybrid connection.
            if isinstance(plan_result, tuple) and plan_result:
                jobs[(index, "hybrid")] = (app.path("hybridConnectionRelays"), _hybrid_call(app))
        for (index, what), result in self._run_all(jobs).items():
            app = apps[index]
            if what == "vnet":
                app.vnet_connections = result
                if isinstance(result, _Failure):
                    self._gap(app.subscription.id, result, app.id, (DataKey.VNET_CONNECTIONS,))
            else:
                app.hybrid_connections = result
                if isinstance(result, _Failure):
                    self._gap(app.subscription.id, result, app.id, (DataKey.HYBRID_CONNECTIONS,))

    def _read_integration_subnets(
        self, apps: Sequence[_AppReads], subscriptions: Sequence[_Subscription]
    ) -> dict[str, Subnet | _Failure]:
        """Integration subnets by lower-cased id: from the VNet lists, else one ``subnets.get`` each."""
        listed: dict[str, Subnet] = {}
        for sub in subscriptions:
            listed.update(subnets_of_vnets(sub.listed("vnets") or []))
        audited = {sub.id.lower(): sub for sub in subscriptions}
        resolved: dict[str, Subnet | _Failure] = {}
        wanted: dict[str, str] = {}
        # An ASE's own subnet is its apps' egress path, so it is read like an integration subnet.
        ase_subnet_ids = [
            transform_ase(raw).subnet_id for sub in subscriptions for raw in sub.listed("ases") or []
        ]
        for subnet_id in [_integration_subnet_id(app) for app in apps] + ase_subnet_ids:
            if subnet_id is None:
                continue
            key = subnet_id.lower()
            owner = audited.get((id_segment(subnet_id, "subscriptions") or "").lower())
            vnet_failure = owner.failure("vnets") if owner is not None else None
            if key in listed:
                resolved[key] = listed[key]
            elif vnet_failure is not None:
                # rules: a failed VNet list leaves every integration subnet of that subscription unknown.
                resolved[key] = vnet_failure
            else:
                wanted[key] = subnet_id
        jobs = {
            key: (f"GET {subnet_id}", _subnet_call(self._network_client_for(subnet_id), subnet_id))
            for key, subnet_id in wanted.items()
        }
        for key, result in self._run_all(jobs).items():
            resolved[key] = result
            if isinstance(result, _Failure):
                self._gap(
                    id_segment(wanted[key], "subscriptions") or "", result, wanted[key], (DataKey.SUBNET,)
                )
        return resolved

    def _network_client_for(self, resource_id: str) -> NetworkManagementClient:
        return self._network_client(id_segment(resource_id, "subscriptions") or "")

    # -- assembly --

    def _assemble(
        self,
        reads: _AppReads,
        subscriptions: Sequence[_Subscription],
        plan_hybrids: Mapping[str, tuple[HybridConnection, ...] | _Failure],
        subnets: Mapping[str, Subnet | _Failure],
        endpoints_by_site: Mapping[str, Sequence[Wire]],
    ) -> App:
        sub = reads.subscription
        missing: dict[DataKey, str] = {}

        plan = self._plan(reads, missing)
        ase = self._ase(reads, plan, missing)
        if ase is not None and ase.subnet_id is not None:
            ase_subnet = self._subnet_with_controls(ase.subnet_id, reads, subscriptions, subnets, missing)
            ase = dataclasses.replace(ase, subnet=ase_subnet)
        config = _value(reads.config, DataKey.CONFIG, missing)
        vnet_connections = self._vnet_connections(reads, missing)
        hybrid_connections = self._hybrid_connections(reads, plan_hybrids, missing)
        private_endpoints = self._private_endpoints(reads, endpoints_by_site, missing)
        subnet = self._subnet(reads, subscriptions, subnets, missing)
        return transform_app(
            reads.site,
            subscription_id=sub.id,
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

    def _plan(self, reads: _AppReads, missing: dict[DataKey, str]) -> Plan | None:
        if reads.plan_id is None:
            return None
        return self._from_subscription_list(
            reads, "plans", "Microsoft.Web/serverfarms", reads.plan_id, transform_plan, DataKey.PLAN, missing
        )

    def _ase(
        self, reads: _AppReads, plan: Plan | None, missing: dict[DataKey, str]
    ) -> AppServiceEnvironment | None:
        ase_id = nested_id(properties(reads.site).get("hostingEnvironmentProfile")) or (
            plan.hosting_environment_id if plan is not None else None
        )
        if ase_id is None:
            return None
        return self._from_subscription_list(
            reads, "ases", "Microsoft.Web/hostingEnvironments", ase_id, transform_ase, DataKey.ASE, missing
        )

    def _from_subscription_list(
        self,
        reads: _AppReads,
        list_name: str,
        provider_path: str,
        resource_id: str,
        transform: Callable[[Wire], T],
        key: DataKey,
        missing: dict[DataKey, str],
    ) -> T | None:
        """The resource an app names, found in its subscription's list (a plan, an ASE).

        A failed list leaves it unknown; a list that succeeded but lacks it is a gap of its own.
        """
        sub = reads.subscription
        failure = sub.failure(list_name)
        if failure is not None:
            missing[key] = failure.operation
            return None
        raw = sub.find(list_name, resource_id)
        if raw is not None:
            return transform(raw)
        operation = _sub_path(sub.id, provider_path)
        missing[key] = operation
        self._gap(sub.id, _Failure(operation, None, f"{resource_id} is not in the list"), reads.id, (key,))
        return None

    @staticmethod
    def _vnet_connections(reads: _AppReads, missing: dict[DataKey, str]) -> tuple[VnetConnection, ...] | None:
        if isinstance(reads.config, _Failure):
            # Without config/web there is no vnetName hint: gateway integration is unknown.
            missing[DataKey.VNET_CONNECTIONS] = reads.config.operation
            return None
        if reads.vnet_connections is None:
            return ()
        return _value(reads.vnet_connections, DataKey.VNET_CONNECTIONS, missing)

    @staticmethod
    def _hybrid_connections(
        reads: _AppReads,
        plan_hybrids: Mapping[str, tuple[HybridConnection, ...] | _Failure],
        missing: dict[DataKey, str],
    ) -> tuple[HybridConnection, ...] | None:
        if reads.plan_id is None:
            return ()
        plan_result = plan_hybrids.get(reads.plan_id.lower())
        if isinstance(plan_result, _Failure):
            missing[DataKey.HYBRID_CONNECTIONS] = plan_result.operation
            return None
        if reads.hybrid_connections is None:
            return ()
        return _value(reads.hybrid_connections, DataKey.HYBRID_CONNECTIONS, missing)

    @staticmethod
    def _private_endpoints(
        reads: _AppReads, endpoints_by_site: Mapping[str, Sequence[Wire]], missing: dict[DataKey, str]
    ) -> tuple[Any, ...] | None:
        failure = reads.subscription.failure("private_endpoints")
        if failure is not None:
            missing[DataKey.PRIVATE_ENDPOINTS] = failure.operation
            return None
        # The index spans every audited subscription: an endpoint may live in another one.
        candidates = endpoints_by_site.get(parent_site_id(reads.id).lower(), ())
        return private_endpoints_for_site(candidates, reads.id, reads.slot)

    def _subnet(
        self,
        reads: _AppReads,
        subscriptions: Sequence[_Subscription],
        subnets: Mapping[str, Subnet | _Failure],
        missing: dict[DataKey, str],
    ) -> Subnet | None:
        subnet_id = _integration_subnet_id(reads)
        if subnet_id is None:
            return None
        return self._subnet_with_controls(subnet_id, reads, subscriptions, subnets, missing)

    def _subnet_with_controls(
        self,
        subnet_id: str,
        reads: _AppReads,
        subscriptions: Sequence[_Subscription],
        subnets: Mapping[str, Subnet | _Failure],
        missing: dict[DataKey, str],
    ) -> Subnet | None:
        """A subnet read earlier, with the NSG and route table it names resolved."""
        found = subnets.get(subnet_id.lower())
        if found is None or isinstance(found, _Failure):
            if found is not None:
                missing[DataKey.SUBNET] = found.operation
            return None
        nsg = self._resolve(
            found.network_security_group_id, "nsgs", transform_nsg, reads, subscriptions, missing
        )
        route_table = self._resolve(
            found.route_table_id, "route_tables", transform_route_table, reads, subscriptions, missing
        )
        return dataclasses.replace(found, network_security_group=nsg, route_table=route_table)

    def _resolve(
        self,
        resource_id: str | None,
        list_name: str,
        transform: Callable[[Wire], T],
        reads: _AppReads,
        subscriptions: Sequence[_Subscription],
        missing: dict[DataKey, str],
    ) -> T | None:
        """An NSG or route table named by a subnet, from its subscription's list."""
        if resource_id is None:
            return None
        owner_id = id_segment(resource_id, "subscriptions") or ""
        owner = next((sub for sub in subscriptions if sub.id.lower() == owner_id.lower()), None)
        operation = _sub_path(owner_id, _SUBSCRIPTION_LISTS[list_name][0])
        if owner is not None:
            failure = owner.failure(list_name)
            if failure is not None:
                missing[DataKey.SUBNET] = failure.operation
                return None
            raw = owner.find(list_name, resource_id)
            if raw is not None:
                return transform(raw)
            reason = f"{resource_id} is not in the list"
        else:
            reason = f"{resource_id} belongs to a subscription outside the audit"
        missing[DataKey.SUBNET] = operation
        self._gap(reads.subscription.id, _Failure(operation, None, reason), reads.id, (DataKey.SUBNET,))
        return None


# -- fetchers (run on the pool; return wire data) ----------------------------------------------------


def _slot_list_call(web: WebSiteManagementClient, resource_group: str) -> Callable[[], list[Wire]]:
    return lambda: _all_pages(web.web_apps.list_by_resource_group(resource_group, include_slots=True))


def _plan_name(plan_id: str) -> str:
    return id_segment(plan_id, "serverfarms") or ""


def _plan_hybrid_call(
    web: WebSiteManagementClient, plan_id: str
) -> Callable[[], tuple[HybridConnection, ...]]:
    resource_group = id_segment(plan_id, "resourceGroups") or ""
    return lambda: transform_hybrid_connections(
        _all_pages(web.app_service_plans.list_hybrid_connections(resource_group, _plan_name(plan_id)))
    )


def _site_read(
    app: _AppReads,
    on_app: Callable[[str, str], Any],
    on_slot: Callable[[str, str, str], Any],
    transform: Callable[[Any], T],
) -> Callable[[], T]:
    """One read of an app or of a slot: the SDK has a twin operation for slots."""
    if app.slot is None:
        return lambda: transform(on_app(app.resource_group, app.site_name))
    slot = app.slot
    return lambda: transform(on_slot(app.resource_group, app.site_name, slot))


def _config_call(app: _AppReads) -> Callable[[], SiteConfig]:
    ops = app.subscription.web.web_apps
    return _site_read(
        app,
        ops.get_configuration,
        ops.get_configuration_slot,
        lambda response: transform_site_config(arm_object(_wire(response), needs_properties=True)),
    )


def _functions_call(app: _AppReads) -> Callable[[], tuple[Function, ...]]:
    ops = app.subscription.web.web_apps
    return _site_read(
        app,
        ops.list_functions,
        ops.list_instance_functions_slot,
        lambda pages: transform_functions(_all_pages(pages)),
    )


def _vnet_call(app: _AppReads) -> Callable[[], tuple[VnetConnection, ...]]:
    ops = app.subscription.web.web_apps
    return _site_read(
        app,
        ops.list_vnet_connections,
        ops.list_vnet_connections_slot,
        lambda response: transform_vnet_connections(arm_objects(_wire(response))),
    )


def _hybrid_call(app: _AppReads) -> Callable[[], tuple[HybridConnection, ...]]:
    ops = app.subscription.web.web_apps
    return _site_read(
        app,
        ops.list_hybrid_connections,
        ops.list_hybrid_connections_slot,
        lambda response: transform_hybrid_connections(_hybrid_body(_wire(response))),
    )


def _subnet_call(network: NetworkManagementClient, subnet_id: str) -> Callable[[], Subnet]:
    resource_group = id_segment(subnet_id, "resourceGroups") or ""
    vnet = id_segment(subnet_id, "virtualNetworks") or ""
    name = id_segment(subnet_id, "subnets") or ""
    return lambda: transform_subnet(
        arm_object(_wire(network.subnets.get(resource_group, vnet, name)), needs_properties=True)
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


# -- helpers ------------------------------------------------------------------------------------------


def _integration_subnet_id(reads: _AppReads) -> str | None:
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


def _value(result: T | _Failure | None, key: DataKey, missing: dict[DataKey, str]) -> T | None:
    if isinstance(result, _Failure):
        missing[key] = result.operation
        return None
    return result


def _interleaved(jobs: Mapping[K, tuple[str, Callable[[], T]]]) -> list[K]:
    """The job keys taking turns across subscriptions, so the pool's queue is not one's backlog.

    A worker that waits for a subscription's ARM budget is idle; submitted in order, every
    worker would wait on the first subscription while the others' reads sit in the queue.
    """
    by_budget: dict[str, list[K]] = {}
    for key, (operation, _) in jobs.items():
        by_budget.setdefault(budget_key(operation), []).append(key)
    queues = list(by_budget.values())
    order: list[K] = []
    for position in range(max((len(queue) for queue in queues), default=0)):
        order.extend(queue[position] for queue in queues if position < len(queue))
    return order


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            unique.append(value)
    return unique


def collect_inventory(
    subscription_ids: Sequence[str],
    credential: TokenCredential,
    *,
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
    collector = _Collector(
        credential,
        counter,
        base_url,
        session,
        pool,
        progress,
        pacer,
        read_timeout,
        inventory_source,
        malformed_stops,
    )
    interrupted = False
    try:
        return collector.run(subscription_ids)
    except BaseException as error:
        # Requests waiting for budget or a Retry-After give up; queued reads never start.
        pacer.cancel()
        interrupted = not isinstance(error, Exception)
        raise
    finally:
        # Interrupted (SIGINT, SIGTERM): requests already on the wire are not waited for.
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        if not interrupted:
            collector.close()
            session.close()
