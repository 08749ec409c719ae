"""A fake Azure Resource Manager over TLS on loopback, for the benchmark and the fault tests.

It serves the GETs of docs/collection.md for a generated tenant of N function apps
(:func:`generate_tenant`), in ARM's wire shapes and paging (``value`` + ``nextLink``),
and can add, per request:

* latency (``latency`` seconds before the answer);
* ARM's read throttling: a token bucket per subscription (250 tokens, 25 per second;
  capabilities.md §5) answering 429 + ``Retry-After`` when empty, and reporting
  ``x-ms-ratelimit-remaining-subscription-reads`` otherwise;
* faults (:class:`Fault`): an HTTP status, a connection reset, a response slower than the
  client's read timeout, no answer at all (a silent network), truncated JSON, a ``nextLink``
  that points back at its own page, a whole subscription refused.

It notes when each connection was accepted and each request arrived (``time.monotonic()``),
so a test can tell whether a client opened anything after it was told to stop.

Certificates come from ``trustme``; the client trusts them through ``REQUESTS_CA_BUNDLE``
(the variable requests and azure-core's default transport honour), so the auditor reaches
the server through its normal live path. ``python -m bench.fake_arm N`` serves a tenant
until killed and prints ``READY <base_url> <ca_file>`` on stdout.
"""

from __future__ import annotations

import json
import math
import random
import re
import socket
import ssl
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.loopback_tls import serve_over_tls

WEB_API = "2025-05-01"
NETWORK_API = "2026-03-01"
PAGE_SIZE = 100  # items per page of every list (ARM's real page sizes vary by provider)
BUCKET_SIZE = 250
REFILL_PER_SECOND = 25.0
LOCATION = "West Europe"
NET_LOCATION = "westeurope"
APPS_PER_SUBSCRIPTION = 1000


def subscription_id(index: int) -> str:
    return f"{index + 1:08x}-1111-4111-8111-{index + 1:012x}"


# -- the generated tenant -------------------------------------------------------------------------


@dataclass
class Tenant:
    """Every answer the fake ARM gives, by lower-cased path: a list (paged) or one body."""

    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    bodies: dict[str, Any] = field(default_factory=dict)
    subscriptions: list[str] = field(default_factory=list)
    apps: int = 0  # function apps and slots

    def add_list(self, path: str, item: dict[str, Any] | None = None) -> None:
        items = self.lists.setdefault(path.lower(), [])
        if item is not None:
            items.append(item)


def _rule(name: str, cidr: str, priority: int, action: str = "Allow") -> dict[str, Any]:
    return {"ipAddress": cidr, "action": action, "tag": "Default", "priority": priority, "name": name}


_ALLOW_ALL = {"ipAddress": "Any", "action": "Allow", "priority": 1, "name": "Allow all"}
_DENY_ALL = {"ipAddress": "Any", "action": "Deny", "priority": 2147483647, "name": "Deny all"}

# (profile, weight): the mix of a large tenant, most apps on shared plans.
PROFILES = (
    ("consumption-windows", 25),
    ("consumption-linux", 10),
    ("flex", 10),
    ("premium", 25),
    ("premium-vnet", 10),
    ("premium-private", 5),
    ("dedicated", 10),
    ("dedicated-vnet", 5),
)
_PLAN_SHAPE = {
    # profile -> (sku, tier, family, kind, linux, apps per plan)
    "consumption-windows": ("Y1", "Dynamic", "Y", "functionapp", False, 8),
    "consumption-linux": ("Y1", "Dynamic", "Y", "functionapp", True, 8),
    "flex": ("FC1", "FlexConsumption", "FC", "functionapp", True, 1),
    "premium": ("EP1", "ElasticPremium", "EP", "elastic", False, 4),
    "premium-vnet": ("EP1", "ElasticPremium", "EP", "elastic", True, 4),
    "premium-private": ("EP2", "ElasticPremium", "EP", "elastic", False, 4),
    "dedicated": ("P1v3", "PremiumV3", "Pv3", "app", False, 5),
    "dedicated-vnet": ("P1v3", "PremiumV3", "Pv3", "app", False, 5),
}


def generate_tenant(
    apps: int, *, apps_per_subscription: int = APPS_PER_SUBSCRIPTION, seed: int = 7
) -> Tenant:
    """N function apps (slots included) spread over subscriptions of ``apps_per_subscription``."""
    rng = random.Random(seed)
    tenant = Tenant()
    remaining = apps
    index = 0
    while remaining > 0:
        count = min(remaining, apps_per_subscription)
        _generate_subscription(tenant, subscription_id(index), count, rng)
        remaining -= count
        index += 1
    return tenant


def _generate_subscription(tenant: Tenant, sub_id: str, count: int, rng: random.Random) -> None:
    sub = f"/subscriptions/{sub_id}"
    tenant.subscriptions.append(sub_id)
    for provider in (
        "Microsoft.Web/sites",
        "Microsoft.Web/serverfarms",
        "Microsoft.Web/hostingEnvironments",
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Network/routeTables",
        "Microsoft.Network/natGateways",
        "Microsoft.Network/privateEndpoints",
    ):
        tenant.add_list(f"{sub}/providers/{provider}")
    # One spoke VNet per subscription, an integration subnet per VNet-integrated plan.
    net_rg = f"{sub}/resourceGroups/rg-network"
    vnet_id = f"{net_rg}/providers/Microsoft.Network/virtualNetworks/vnet-spoke"
    nsg_id = f"{net_rg}/providers/Microsoft.Network/networkSecurityGroups/nsg-integration"
    rt_id = f"{net_rg}/providers/Microsoft.Network/routeTables/rt-to-firewall"
    subnets: list[dict[str, Any]] = []
    pe_subnet_id = f"{vnet_id}/subnets/snet-private-endpoints"
    pe_subnet: dict[str, Any] = {
        "id": pe_subnet_id,
        "name": "snet-private-endpoints",
        "properties": {"addressPrefix": "10.0.0.0/24", "privateEndpoints": [], "delegations": []},
    }
    subnets.append(pe_subnet)
    tenant.add_list(
        f"{sub}/providers/Microsoft.Network/networkSecurityGroups",
        {
            "id": nsg_id,
            "name": "nsg-integration",
            "location": NET_LOCATION,
            "properties": {
                "securityRules": [
                    {
                        "name": "deny-internet",
                        "properties": {
                            "priority": 4000,
                            "direction": "Outbound",
                            "access": "Deny",
                            "protocol": "*",
                            "destinationAddressPrefix": "Internet",
                            "destinationPortRange": "*",
                        },
                    }
                ]
            },
        },
    )
    tenant.add_list(
        f"{sub}/providers/Microsoft.Network/routeTables",
        {
            "id": rt_id,
            "name": "rt-to-firewall",
            "location": NET_LOCATION,
            "properties": {
                "routes": [
                    {
                        "name": "default",
                        "properties": {
                            "addressPrefix": "0.0.0.0/0",
                            "nextHopType": "VirtualAppliance",
                            "nextHopIpAddress": "10.1.0.4",
                        },
                    }
                ]
            },
        },
    )
    profiles = [name for name, _ in PROFILES]
    weights = [weight for _, weight in PROFILES]
    open_plans: dict[str, tuple[str, int]] = {}  # profile -> (plan id, apps left on it)
    plan_count = 0
    made = 0
    while made < count:
        profile = rng.choices(profiles, weights)[0]
        sku, tier, family, plan_kind, linux, per_plan = _PLAN_SHAPE[profile]
        group = f"rg-app-{made // 10:04d}"
        rg = f"{sub}/resourceGroups/{group}"
        plan_id, left = open_plans.get(profile, ("", 0))
        if left == 0:
            plan_count += 1
            plan_id = f"{rg}/providers/Microsoft.Web/serverfarms/asp-{plan_count:05d}"
            left = per_plan
            hybrid = profile == "dedicated" and plan_count % 7 == 0
            tenant.add_list(
                f"{sub}/providers/Microsoft.Web/serverfarms",
                {
                    "id": plan_id,
                    "name": f"asp-{plan_count:05d}",
                    "type": "Microsoft.Web/serverfarms",
                    "kind": plan_kind + (",linux" if linux else ""),
                    "location": LOCATION,
                    "sku": {"name": sku, "tier": tier, "size": sku, "family": family, "capacity": 1},
                    "properties": {"reserved": linux, "hostingEnvironmentProfile": None, "numberOfSites": 1},
                },
            )
            relays = [_relay(plan_id, "Microsoft.Web/serverfarms")] if hybrid else []
            tenant.lists[f"{plan_id}/hybridConnectionRelays".lower()] = relays
            subnet_id = None
            if profile.endswith("-vnet"):
                subnet_id = f"{vnet_id}/subnets/snet-{plan_count:05d}"
                third = len(subnets)
                subnets.append(
                    {
                        "id": subnet_id,
                        "name": f"snet-{plan_count:05d}",
                        "properties": {
                            "addressPrefix": f"10.{1 + third // 256}.{third % 256}.0/24",
                            "delegations": [
                                {"name": "web", "properties": {"serviceName": "Microsoft.Web/serverFarms"}}
                            ],
                            "networkSecurityGroup": {"id": nsg_id},
                            "routeTable": {"id": rt_id},
                            "privateEndpoints": [],
                            "serviceEndpoints": [],
                        },
                    }
                )
            open_plans[profile] = (plan_id, left)
            tenant.bodies[f"plan-subnet:{plan_id}".lower()] = subnet_id
        open_plans[profile] = (plan_id, left - 1)
        has_slot = profile.startswith(("premium", "dedicated")) and rng.random() < 0.2 and made + 2 <= count
        name = f"func-{made:05d}"
        site_id = f"{rg}/providers/Microsoft.Web/sites/{name}"
        tenant.add_list(f"{rg}/providers/Microsoft.Web/sites")
        sites: list[tuple[str, str, str | None]] = [(site_id, name, None)]
        if has_slot:
            sites.append((f"{site_id}/slots/staging", f"{name}/staging", "staging"))
        relays_of_plan = tenant.lists[f"{plan_id}/hybridConnectionRelays".lower()]
        for resource_id, resource_name, slot in sites:
            private = profile == "premium-private"
            site = _site(
                resource_id,
                resource_name,
                plan_id,
                linux,
                slot,
                tenant.bodies[f"plan-subnet:{plan_id}".lower()],
                "Disabled" if private else None,
            )
            if slot is None:
                tenant.add_list(f"{sub}/providers/Microsoft.Web/sites", site)
            tenant.add_list(f"{rg}/providers/Microsoft.Web/sites", site)
            restricted = rng.random() < 0.4
            subnet_id = tenant.bodies[f"plan-subnet:{plan_id}".lower()]
            tenant.bodies[f"{resource_id}/config/web".lower()] = _config(
                resource_id, restricted, profile, subnet_id
            )
            if subnet_id is not None:
                # A regional integration sets vnetName, so the collector lists the connections.
                tenant.add_list(
                    f"{resource_id}/virtualNetworkConnections", _swift_connection(resource_id, subnet_id)
                )
            tenant.add_list(f"{resource_id}/functions")
            for number in range(rng.randint(1, 4)):
                tenant.add_list(f"{resource_id}/functions", _function(resource_id, number, rng))
            tenant.lists[f"{resource_id}/hybridConnectionRelays".lower()] = (
                [_relay(resource_id, "Microsoft.Web/sites")] if relays_of_plan else []
            )
            if private:
                pe_name = f"pe-{resource_name.replace('/', '-')}"
                pe_id = f"{net_rg}/providers/Microsoft.Network/privateEndpoints/{pe_name}"
                pe_subnet["properties"]["privateEndpoints"].append({"id": pe_id})
                tenant.add_list(
                    f"{sub}/providers/Microsoft.Network/privateEndpoints",
                    {
                        "id": pe_id,
                        "name": pe_name,
                        "location": NET_LOCATION,
                        "properties": {
                            "subnet": {"id": pe_subnet_id},
                            "privateLinkServiceConnections": [
                                {
                                    "name": pe_name,
                                    "properties": {
                                        "privateLinkServiceId": site_id,
                                        "groupIds": [f"sites-{slot}" if slot else "sites"],
                                        "privateLinkServiceConnectionState": {"status": "Approved"},
                                    },
                                }
                            ],
                            "manualPrivateLinkServiceConnections": [],
                        },
                    },
                )
            made += 1
    tenant.apps += made
    tenant.add_list(
        f"{sub}/providers/Microsoft.Network/virtualNetworks",
        {
            "id": vnet_id,
            "name": "vnet-spoke",
            "location": NET_LOCATION,
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/8"]}, "subnets": subnets},
        },
    )


def _site(
    resource_id: str,
    name: str,
    plan_id: str,
    linux: bool,
    slot: str | None,
    subnet_id: str | None,
    public_network_access: str | None,
) -> dict[str, Any]:
    return {
        "id": resource_id,
        "name": name,
        "type": "Microsoft.Web/sites/slots" if slot else "Microsoft.Web/sites",
        "kind": "functionapp,linux" if linux else "functionapp",
        "location": LOCATION,
        "tags": {"env": "prod" if slot is None else "staging"},
        "properties": {
            "name": name,
            "state": "Running",
            "serverFarmId": plan_id,
            "reserved": linux,
            "httpsOnly": True,
            "publicNetworkAccess": public_network_access,
            "virtualNetworkSubnetId": subnet_id,
            "vnetRouteAllEnabled": subnet_id is not None,
            "outboundVnetRouting": {"allTraffic": subnet_id is not None},
            "hostingEnvironmentProfile": None,
            "siteConfig": {"ipSecurityRestrictions": None, "vnetName": None},
        },
    }


def _swift_connection_name(subnet_id: str) -> str:
    return "00000000-0000-0000-0000-00000000beef_" + subnet_id.rsplit("/", 1)[-1]


def _swift_connection(resource_id: str, subnet_id: str) -> dict[str, Any]:
    name = _swift_connection_name(subnet_id)
    return {
        "id": f"{resource_id}/virtualNetworkConnections/{name}",
        "name": name,
        "type": "Microsoft.Web/sites/virtualNetworkConnections",
        "location": LOCATION,
        "properties": {"vnetResourceId": subnet_id, "certThumbprint": None, "isSwift": True},
    }


def _config(resource_id: str, restricted: bool, profile: str, subnet_id: str | None) -> dict[str, Any]:
    rules = [_rule("office", "203.0.113.0/24", 100), _DENY_ALL] if restricted else [_ALLOW_ALL]
    return {
        "id": f"{resource_id}/config/web",
        "name": "web",
        "type": "Microsoft.Web/sites/config",
        "location": LOCATION,
        "properties": {
            "ipSecurityRestrictions": rules,
            "scmIpSecurityRestrictions": rules,
            "scmIpSecurityRestrictionsUseMain": False,
            "ipSecurityRestrictionsDefaultAction": "Deny" if restricted else None,
            "scmIpSecurityRestrictionsDefaultAction": "Deny" if restricted else None,
            "publicNetworkAccess": None,
            "minTlsVersion": "1.2",
            "scmMinTlsVersion": "1.2",
            "ftpsState": "FtpsOnly",
            "remoteDebuggingEnabled": False,
            "cors": None,
            "vnetRouteAllEnabled": profile.endswith("-vnet"),
            "vnetName": _swift_connection_name(subnet_id) if subnet_id else "",
            "functionsRuntimeScaleMonitoringEnabled": profile.endswith("-vnet"),
            "http20Enabled": True,
        },
    }


_TRIGGERS = (
    {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "function"},
    {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
    {"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "work"},
    {"name": "timer", "type": "timerTrigger", "direction": "in", "schedule": "0 */5 * * * *"},
)


def _function(resource_id: str, number: int, rng: random.Random) -> dict[str, Any]:
    name = f"fn{number}"
    trigger = rng.choices(_TRIGGERS, (50, 15, 20, 15))[0]
    return {
        "id": f"{resource_id}/functions/{name}",
        "name": name,
        "type": "Microsoft.Web/sites/functions",
        "properties": {
            "name": name,
            "language": "dotnet-isolated",
            "isDisabled": False,
            "config": {"bindings": [trigger, {"name": "$return", "type": "http", "direction": "out"}]},
        },
    }


def _relay(owner_id: str, owner_type: str) -> dict[str, Any]:
    return {
        "id": f"{owner_id}/hybridConnectionNamespaces/sb-relay/relays/sql-onprem",
        "name": "sql-onprem",
        "type": f"{owner_type}/hybridConnectionNamespaces/relays",
        "properties": {
            "serviceBusNamespace": "sb-relay",
            "relayName": "sql-onprem",
            "relayArmUri": f"{owner_id.split('/resourceGroups/')[0]}/resourceGroups/rg-relay"
            "/providers/Microsoft.Relay/namespaces/sb-relay",
            "hostname": "sql01.corp.example.com",
            "port": 1433,
            "sendKeyName": "RootManageSharedAccessKey",
            "sendKeyValue": "",
            "serviceBusSuffix": ".servicebus.windows.net",
        },
    }


# -- faults -----------------------------------------------------------------------------------------


@dataclass
class Fault:
    """Misbehave on requests whose path matches ``path`` (a regex, searched case-insensitively).

    kind: "status" (answer ``status`` with an ARM error body), "reset" (close the connection
    without answering), "slow" (answer after ``delay`` seconds), "silent" (keep the connection
    open and never answer), "truncate" (cut the JSON body in half), "loop" (a list whose
    nextLink points back at its own page).
    ``times``: how many matching requests misbehave (None: all of them).
    """

    path: str
    kind: str
    status: int = 500
    code: str = "InternalServerError"
    times: int | None = None
    delay: float = 0.0
    retry_after: str | None = None
    hits: int = 0

    def matches(self, path: str) -> bool:
        return re.search(self.path, path, re.IGNORECASE) is not None


@dataclass
class Stats:
    bucket_size: int = BUCKET_SIZE
    refill_per_second: float = REFILL_PER_SECOND
    requests: int = 0
    throttled: int = 0
    connection_times: list[float] = field(default_factory=list)  # monotonic, when accepted
    request_times: list[float] = field(default_factory=list)  # monotonic, when read
    by_subscription: dict[str, int] = field(default_factory=dict)  # answered (non-429) reads

    def throttle_floor(self) -> float:
        """Seconds the read budget alone requires: per subscription, reads past the burst, refilled."""
        return max(
            (
                max(0, count - self.bucket_size) / self.refill_per_second
                for count in self.by_subscription.values()
            ),
            default=0.0,
        )


# -- the server -------------------------------------------------------------------------------------

_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)


class FakeArm:
    """Serves a :class:`Tenant` on https://127.0.0.1:<port> until :meth:`close`."""

    def __init__(
        self,
        tenant: Tenant,
        *,
        latency: float = 0.0,
        throttle: bool = False,
        faults: list[Fault] | None = None,
        directory: Path | None = None,
        bucket_size: int = BUCKET_SIZE,
        refill_per_second: float = REFILL_PER_SECOND,
        graph_page_rows: int = 1000,
    ) -> None:
        self.tenant = tenant
        # Resource Graph may answer fewer rows than $top asks for; the client must page on.
        self.graph_page_rows = graph_page_rows
        self.latency = latency
        self.throttle = throttle
        self.faults = list(faults or [])
        self.stats = Stats(bucket_size=bucket_size, refill_per_second=refill_per_second)
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # sub -> (tokens, updated)
        self._directory = Path(tempfile.mkdtemp(prefix="fake-arm-")) if directory is None else directory
        self.ca_file = str(self._directory / "ca.pem")
        self._closing = threading.Event()  # releases the handlers of "silent" faults
        self._server = _CountingServer(self, ("127.0.0.1", 0), _handler_for(self))
        self.base_url = serve_over_tls(self._server, Path(self.ca_file))
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-arm", daemon=True)

    def __enter__(self) -> FakeArm:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    # -- decisions (called from handler threads) --

    def connection_accepted(self) -> None:
        with self._lock:
            self.stats.connection_times.append(time.monotonic())

    def opened_since(self, moment: float) -> tuple[int, int]:
        """(connections accepted, requests read) after ``moment`` (``time.monotonic()``)."""
        with self._lock:
            return (
                sum(1 for at in self.stats.connection_times if at > moment),
                sum(1 for at in self.stats.request_times if at > moment),
            )

    def wait_silently(self) -> None:
        """Hold a request unanswered until the server closes."""
        self._closing.wait()

    def take_token(self, sub: str | None) -> tuple[bool, int, int]:
        """(allowed, remaining after this read, Retry-After seconds when refused)."""
        with self._lock:
            self.stats.requests += 1
            self.stats.request_times.append(time.monotonic())
            size, refill = self.stats.bucket_size, self.stats.refill_per_second
            if sub is None:
                return True, size - 1, 0
            now = time.monotonic()
            tokens, updated = self._buckets.get(sub, (float(size), now))
            tokens = min(float(size), tokens + (now - updated) * refill)
            if self.throttle and tokens < 1:
                self._buckets[sub] = (tokens, now)
                self.stats.throttled += 1
                return False, 0, max(1, math.ceil((1 - tokens) / refill))
            tokens = max(0.0, tokens - 1)
            self._buckets[sub] = (tokens, now)
            self.stats.by_subscription[sub] = self.stats.by_subscription.get(sub, 0) + 1
            # Without throttling the budget is never short, and says so.
            return True, int(tokens) if self.throttle else size - 1, 0

    def report(self) -> dict[str, Any]:
        with self._lock:
            return {
                "subscriptions": self.tenant.subscriptions,
                "apps": self.tenant.apps,
                "requests": self.stats.requests,
                "throttled": self.stats.throttled,
                "throttle_floor": self.stats.throttle_floor(),
                "by_subscription": dict(self.stats.by_subscription),
            }

    def graph_query(self, request: dict[str, Any]) -> dict[str, Any]:
        """A Resource Graph answer: only the two queries resource_graph.py sends are understood."""
        wanted = {str(sub).lower() for sub in request.get("subscriptions") or []}
        query = str(request.get("query") or "")
        options = request.get("options") or {}
        rows: list[dict[str, Any]] = []
        if query.startswith("resourcecontainers"):
            rows = [{"subscriptionId": sub} for sub in self.tenant.subscriptions if sub.lower() in wanted]
        else:
            types = re.findall(r"'(microsoft\.[a-z]+/[a-z/]+)'", query.lower())
            for sub in self.tenant.subscriptions:
                if sub.lower() not in wanted:
                    continue
                prefix = f"/subscriptions/{sub}".lower()
                for path, items in self.tenant.lists.items():
                    listed_here = [
                        item
                        for item in items
                        if str(item.get("type") or _type_of(str(item.get("id")))).lower() in types
                    ]
                    if not path.startswith(prefix) or not listed_here:
                        continue
                    whole_subscription = path.startswith(f"{prefix}/providers/")
                    for item in listed_here:
                        is_slot = "/slots/" in str(item.get("id")).lower()
                        # Sites come from the subscription lists; slots from the slot lists.
                        if (whole_subscription and not is_slot) or (
                            is_slot and path.endswith("/providers/microsoft.web/sites")
                        ):
                            rows.append({**item, "type": _type_of(str(item["id"])), "subscriptionId": sub})
            rows.sort(key=lambda row: str(row["id"]).lower())
        start = int(options.get("$skipToken") or 0)
        top = min(int(options.get("$top") or 1000), self.graph_page_rows)
        page = rows[start : start + top]
        answer: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(page),
            "resultTruncated": "false",
            "data": page,
        }
        if start + top < len(rows):
            answer["$skipToken"] = str(start + top)
        return answer

    def fault_for(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(path) and (fault.times is None or fault.hits < fault.times):
                    fault.hits += 1
                    return fault
        return None


class _CountingServer(ThreadingHTTPServer):
    """Notes every accepted connection; a client that hangs up mid-answer is no server error."""

    def __init__(self, arm: FakeArm, *args: Any) -> None:
        super().__init__(*args)
        self._arm = arm

    def get_request(self) -> tuple[Any, Any]:
        accepted = super().get_request()
        self._arm.connection_accepted()
        return accepted

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


def _error(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


def _handler_for(arm: FakeArm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like ARM

        def log_message(self, format: str, *args: Any) -> None:  # the base class names it so
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            if urlsplit(self.path).path.lower() != GRAPH_PATH.lower():
                self._send(405, _error("MethodNotAllowed", "the fake ARM answers GETs and graph queries"))
                return
            arm.take_token(None)
            if arm.latency:
                time.sleep(arm.latency)
            fault = arm.fault_for(GRAPH_PATH)
            if fault is not None and fault.kind == "status":
                self._send(fault.status, _error(fault.code, f"injected {fault.status}"))
                return
            self._send(200, json.dumps(arm.graph_query(request)).encode())

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            path = url.path
            if path in ("/_stats", "/_tenant"):
                # The bench's own questions (not ARM paths): the figures and the subscription ids.
                self._send(200, json.dumps(arm.report()).encode())
                return
            match = _SUBSCRIPTION.match(path)
            sub = match.group(1).lower() if match else None
            allowed, remaining, retry_after = arm.take_token(sub)
            if arm.latency:
                time.sleep(arm.latency)
            if not allowed:
                self._send(
                    429,
                    _error("SubscriptionRequestsThrottled", "Number of 'read' requests exceeded."),
                    {"Retry-After": str(retry_after), REMAINING: "0"},
                )
                return
            headers = {REMAINING: str(remaining)}
            fault = arm.fault_for(path)
            if fault is not None and fault.kind == "reset":
                # An RST instead of an answer, as a dropped connection looks to the client.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                self.close_connection = True
                self.connection.close()
                return
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
            if fault is not None and fault.kind == "silent":
                arm.wait_silently()
                self.close_connection = True
                return
            if fault is not None and fault.kind == "status":
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
                self._send(fault.status, _error(fault.code, f"injected {fault.status}"), headers)
                return
            body = self._answer(path.lower(), parse_qs(url.query), fault)
            if body is None:
                self._send(404, _error("ResourceNotFound", f"{path} was not found."), headers)
                return
            if fault is not None and fault.kind == "truncate":
                body = body[: len(body) // 2]
            self._send(200, body, headers)

        def _answer(self, path: str, query: dict[str, list[str]], fault: Fault | None) -> bytes | None:
            if path in arm.tenant.bodies:
                return json.dumps(arm.tenant.bodies[path]).encode()
            items = arm.tenant.lists.get(path)
            if items is None:
                return None
            start = int((query.get("$skiptoken") or ["0"])[0])
            page = items[start : start + PAGE_SIZE]
            next_link = None
            api = NETWORK_API if "/microsoft.network/" in path else WEB_API
            base = f"{arm.base_url}{urlsplit(self.path).path}?api-version={api}"
            if "includeslots" in {key.lower() for key in query}:
                base += "&includeSlots=true"
            if fault is not None and fault.kind == "loop":
                next_link = f"{base}&$skiptoken={start}"
            elif start + PAGE_SIZE < len(items):
                next_link = f"{base}&$skiptoken={start + PAGE_SIZE}"
            if path.endswith("/virtualnetworkconnections"):
                return json.dumps(page).encode()
            return json.dumps({"value": page, "nextLink": next_link}).encode()

    return Handler


REMAINING = "x-ms-ratelimit-remaining-subscription-reads"
GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"


def _type_of(resource_id: str) -> str:
    """The resource type an id names, lower-cased as Resource Graph reports it."""
    parts = resource_id.strip("/").split("/")
    provider = parts.index("providers")
    segments = parts[provider + 1 :]
    return "/".join([segments[0], *segments[1::2]]).lower()


def tenant_from_cassette(path: Path) -> Tenant:
    """A tenant that answers exactly what a recorded audit (a vcrpy cassette) read."""
    import yaml

    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    tenant = Tenant()
    for interaction in loaded["interactions"]:
        response = interaction["response"]
        if response["status"]["code"] != 200:
            continue  # a recorded 429 or error: the fake answers the read itself
        uri = urlsplit(interaction["request"]["uri"])
        body = json.loads(response["body"]["string"])
        key = uri.path.lower()
        if isinstance(body, list):
            tenant.lists[key] = body
        elif isinstance(body, dict) and isinstance(body.get("value"), list):
            # A later page of a paged list (its nextLink's query) adds to the first.
            later_page = any(name.lower().startswith("$skip") for name in parse_qs(uri.query))
            tenant.lists[key] = [*tenant.lists.get(key, []), *body["value"]] if later_page else body["value"]
        else:
            tenant.bodies[key] = body
        match = _SUBSCRIPTION.match(uri.path)
        if match and match.group(1) not in tenant.subscriptions:
            tenant.subscriptions.append(match.group(1))
    return tenant


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    apps = int(args[0]) if args else 100
    latency = float(args[1]) if len(args) > 1 else 0.05
    with FakeArm(generate_tenant(apps), latency=latency, throttle=True) as arm:
        print(f"READY {arm.base_url} {arm.ca_file}", flush=True)
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
