"""The "contoso" demo subscription: the one description of the demo, from which all else is built.

Every function app and slot carries an ``Expect``: what it is in the demo to show and which rules
of shared/spec/rules.md it fails (or leaves unknown) under the default edition 2026-09. `make regen`
renders this module to ARM cassettes (tools/build_demo_cassettes.py), to the hostile cassette, to
the golden digests and to cassettes/demo/EXPECTED.md (tools/write_demo_expected.py);
tests/test_demo_regen.py fails when any of them, or the goldens' outcomes, disagree with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
TENANT = "00000000-0000-0000-0000-000000000000"
LOCATION = "West Europe"  # Microsoft.Web spells regions this way
NET_LOCATION = "westeurope"  # Microsoft.Network spells them this way

NETWORK_RG = "rg-contoso-network"
VNET = "vnet-contoso-weu"
VNET_NEU = "vnet-contoso-neu"


def subnet_id(subnet: str, vnet: str = VNET, rg: str = NETWORK_RG) -> str:
    return (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Network"
        f"/virtualNetworks/{vnet}/subnets/{subnet}"
    )


# --- access rules, in the shapes ARM returns them ---------------------------------------------

ALLOW_ALL = {
    "ipAddress": "Any",
    "action": "Allow",
    "priority": 1,
    "name": "Allow all",
    "description": "Allow all access",
}
# Newer apps (and the Flex example in the spec) carry the default rule at the last priority.
ALLOW_ALL_LAST = {**ALLOW_ALL, "priority": 2147483647}
# What ARM appends after the first rule is added (recording: access_restriction_add_service_endpoint).
DENY_ALL = {
    "ipAddress": "Any",
    "action": "Deny",
    "priority": 2147483647,
    "name": "Deny all",
    "description": "Deny all access",
}


def ip_rule(name: str, cidr: str, priority: int, action: str = "Allow", **extra: Any) -> dict[str, Any]:
    return {
        "ipAddress": cidr,
        "action": action,
        "tag": "Default",
        "priority": priority,
        "name": name,
        **extra,
    }


def tag_rule(
    name: str, service_tag: str, priority: int, headers: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "ipAddress": service_tag,
        "action": "Allow",
        "tag": "ServiceTag",
        "priority": priority,
        "name": name,
    }
    if headers:
        rule["headers"] = headers
    return rule


def subnet_rule(name: str, subnet: str, priority: int) -> dict[str, Any]:
    return {
        "vnetSubnetResourceId": subnet_id(subnet),
        "action": "Allow",
        "tag": "Default",
        "priority": priority,
        "name": name,
    }


OFFICE = ip_rule("contoso-office", "203.0.113.0/24", 100)
FRONT_DOOR_FDID = "00000000-0000-0000-0000-0000000fd001"


# --- function bindings ------------------------------------------------------------------------


def http(auth: str = "function") -> dict[str, Any]:
    return {
        "name": "req",
        "type": "httpTrigger",
        "direction": "in",
        "authLevel": auth,
        "methods": ["get", "post"],
    }


HTTP_OUT = {"name": "$return", "type": "http", "direction": "out"}
QUEUE = {
    "name": "msg",
    "type": "queueTrigger",
    "direction": "in",
    "queueName": "work-items",
    "connection": "AzureWebJobsStorage",
}
SERVICE_BUS = {
    "name": "message",
    "type": "serviceBusTrigger",
    "direction": "in",
    "queueName": "telemetry",
    "connection": "ServiceBusConnection",
}
TIMER = {"name": "timer", "type": "timerTrigger", "direction": "in", "schedule": "0 */5 * * * *"}
BLOB_OUT = {
    "name": "outputBlob",
    "type": "blob",
    "direction": "out",
    "path": "archive/{rand-guid}",
    "connection": "AzureWebJobsStorage",
}


@dataclass(frozen=True)
class Fn:
    name: str
    bindings: tuple[dict[str, Any], ...]
    language: str = "dotnet-isolated"


def http_fn(name: str, auth: str = "function") -> Fn:
    return Fn(name, (http(auth), HTTP_OUT))


# --- hosting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    name: str
    rg: str
    sku: str
    tier: str
    family: str
    kind: str
    linux: bool
    ase: str | None = None
    capacity: int = 1


@dataclass(frozen=True)
class Ase:
    name: str
    rg: str
    kind: str  # ASEV3 / ASEV2
    ilb_mode: str
    subnet: str


@dataclass(frozen=True)
class HybridConnection:
    namespace: str
    relay: str
    hostname: str
    port: int
    rg: str = "rg-contoso-relay"


@dataclass(frozen=True)
class Config:
    """GET config/web; defaults are what a function app created today gets."""

    ip_rules: tuple[dict[str, Any], ...] = (ALLOW_ALL,)
    scm_rules: tuple[dict[str, Any], ...] = (ALLOW_ALL,)
    scm_use_main: bool = False
    default_action: str | None = None
    scm_default_action: str | None = None
    min_tls: str = "1.2"
    scm_min_tls: str = "1.2"
    ftps: str = "FtpsOnly"
    remote_debugging: bool = False
    cors: tuple[str, ...] | None = None
    vnet_route_all: bool = False
    vnet_name: str = ""
    scale_monitoring: bool = False
    http20: bool = True
    always_on: bool = False


@dataclass(frozen=True)
class VnetConnection:
    """One item of GET virtualNetworkConnections (gateway-required when is_swift is False)."""

    vnet: str
    is_swift: bool


@dataclass(frozen=True)
class Expect:
    """What a resource is in the demo to show, and its outcomes under the default edition 2026-09.

    Each mapping goes from a rule id to why (empty when the rule's name says it all). A rule not
    in ``fails`` or ``unknown`` passes or does not apply; ``passes`` names the rules this resource
    is the example of a pass for, ``not_applicable`` those it shows a rule leaving alone (no
    outcome at all). ``unknown_2019_04`` lists the outcomes that are ``unknown`` under edition
    2019-04. tools/write_demo_expected.py renders all of it as
    cassettes/demo/EXPECTED.md; tests/test_demo_regen.py checks it against the goldens.
    """

    shows: str = ""
    fails: Mapping[str, str] = field(default_factory=dict)
    unknown: Mapping[str, str] = field(default_factory=dict)
    passes: Mapping[str, str] = field(default_factory=dict)
    not_applicable: Mapping[str, str] = field(default_factory=dict)
    unknown_2019_04: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Site:
    """A function app, a slot (in ``App.slots``) or a non-function site."""

    name: str
    expect: Expect = field(default_factory=Expect)
    config: Config = field(default_factory=Config)
    functions: tuple[Fn, ...] = ()
    https_only: bool = True
    public_network_access: str | None = "Enabled"
    integration_subnet: str | None = None  # site virtualNetworkSubnetId (subnet id)
    all_traffic: bool = False  # outboundVnetRouting.allTraffic
    application_traffic: bool = False  # outboundVnetRouting.applicationTraffic
    legacy_route_all: bool | None = None  # site-level vnetRouteAllEnabled (older apps)
    vnet_connections: tuple[VnetConnection, ...] = ()
    hybrid_connections: tuple[HybridConnection, ...] = ()


@dataclass(frozen=True)
class App(Site):
    rg: str = ""
    plan: str | None = None
    kind: str = "functionapp"
    managed_environment: str | None = None
    slots: tuple[Site, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def is_function_app(self) -> bool:
        """Audited: a function app, and not a Logic Apps Standard app (which runs on Functions)."""
        tokens = {token.strip().lower() for token in self.kind.split(",")}
        return "functionapp" in tokens and "workflowapp" not in tokens


@dataclass(frozen=True)
class PrivateEndpoint:
    name: str
    app: str  # target site name
    slot: str | None
    status: str  # Approved / Pending / Rejected / Disconnected
    subnet: str
    ip: str


@dataclass(frozen=True)
class Subnet:
    name: str
    prefix: str
    delegation: str | None = None
    nsg: str | None = None
    route_table: str | None = None
    nat_gateway: str | None = None
    service_endpoints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vnet:
    name: str
    location: str
    address_space: str
    subnets: tuple[Subnet, ...]


@dataclass(frozen=True)
class NsgRule:
    name: str
    priority: int
    direction: str
    access: str
    destination: str
    port: str = "*"
    protocol: str = "*"


@dataclass(frozen=True)
class Nsg:
    name: str
    rules: tuple[NsgRule, ...]


@dataclass(frozen=True)
class Route:
    name: str
    prefix: str
    next_hop: str
    next_hop_ip: str | None = None


@dataclass(frozen=True)
class RouteTable:
    name: str
    routes: tuple[Route, ...]


# --- the subscription -------------------------------------------------------------------------


def consumption_plan(name: str, linux: bool) -> Plan:
    return Plan(name, "rg-contoso-consumption", "Y1", "Dynamic", "Y", "functionapp", linux, capacity=0)


def flex_plan(name: str) -> Plan:
    return Plan(name, "rg-contoso-flex", "FC1", "FlexConsumption", "FC", "functionapp", True, capacity=0)


PLANS = (
    consumption_plan("ASP-rgcontosoconsumption-win", linux=False),
    consumption_plan("ASP-rgcontosoconsumption-linux", linux=True),
    # A Consumption plan of its own, as the portal creates one per app: it holds a Hybrid Connection.
    consumption_plan("ASP-rgcontosoconsumption-9f2c", linux=False),
    flex_plan("ASP-func-bridge-flex"),
    flex_plan("ASP-func-ingest-flex"),
    flex_plan("ASP-func-notify-flex"),
    Plan("asp-contoso-ep1-win", "rg-contoso-premium", "EP1", "ElasticPremium", "EP", "elastic", False),
    Plan("asp-contoso-ep2-linux", "rg-contoso-premium", "EP2", "ElasticPremium", "EP", "elastic", True),
    Plan("asp-contoso-b1-win", "rg-contoso-dedicated", "B1", "Basic", "B", "app", False),
    Plan("asp-contoso-s1-win", "rg-contoso-dedicated", "S1", "Standard", "S", "app", False, capacity=2),
    Plan("asp-contoso-p1v3-linux", "rg-contoso-dedicated", "P1v3", "PremiumV3", "Pv3", "linux", True),
    Plan(
        "asp-contoso-ase-ilb",
        "rg-contoso-ase",
        "I1v2",
        "IsolatedV2",
        "Iv2",
        "app",
        False,
        ase="ase-contoso-ilb",
    ),
    Plan(
        "asp-contoso-ase-ext",
        "rg-contoso-ase",
        "I1v2",
        "IsolatedV2",
        "Iv2",
        "linux",
        True,
        ase="ase-contoso-ext",
    ),
    Plan("asp-contoso-ase-v2", "rg-contoso-ase", "I1", "Isolated", "I", "app", False, ase="ase-contoso-v2"),
    Plan("asp-contoso-web", "rg-contoso-web", "S1", "Standard", "S", "app", False),
    Plan("asp-contoso-logic", "rg-contoso-integration", "WS1", "WorkflowStandard", "WS", "elastic", False),
)

ASES = (
    Ase("ase-contoso-ilb", "rg-contoso-ase", "ASEV3", "Web, Publishing", "snet-ase-ilb"),
    Ase("ase-contoso-ext", "rg-contoso-ase", "ASEV3", "None", "snet-ase-ext"),
    Ase("ase-contoso-v2", "rg-contoso-ase", "ASEV2", "None", "snet-ase-v2"),
)

NSGS = (
    # Controls egress: a custom outbound Deny to Internet with nothing allowing it before.
    Nsg(
        "nsg-integration-egress",
        (
            NsgRule("AllowStorageOutbound", 100, "Outbound", "Allow", "Storage", "443", "Tcp"),
            NsgRule("AllowSqlOutbound", 110, "Outbound", "Allow", "Sql", "1433", "Tcp"),
            NsgRule("DenyInternetOutbound", 4000, "Outbound", "Deny", "Internet"),
        ),
    ),
    Nsg(
        "nsg-flex-egress",
        (
            NsgRule("AllowAzureMonitorOutbound", 100, "Outbound", "Allow", "AzureMonitor", "443", "Tcp"),
            NsgRule("DenyAllOutbound", 4096, "Outbound", "Deny", "0.0.0.0/0"),
        ),
    ),
    # Looks like a lockdown but an earlier Allow to Internet wins: not controlled.
    Nsg(
        "nsg-search-egress",
        (
            NsgRule("AllowInternetHttpsOutbound", 200, "Outbound", "Allow", "Internet", "443", "Tcp"),
            NsgRule("DenyInternetOutbound", 300, "Outbound", "Deny", "Internet"),
        ),
    ),
    # Inbound only: an NSG that does nothing for egress.
    Nsg(
        "nsg-endpoints",
        (NsgRule("AllowHttpsInbound", 100, "Inbound", "Allow", "VirtualNetwork", "443", "Tcp"),),
    ),
)

ROUTE_TABLES = (
    RouteTable(
        "rt-to-firewall",
        (
            Route("default-to-firewall", "0.0.0.0/0", "VirtualAppliance", "10.10.250.4"),
            Route("onprem", "192.168.0.0/16", "VirtualNetworkGateway"),
        ),
    ),
    RouteTable("rt-onprem-only", (Route("onprem", "192.168.0.0/16", "VirtualNetworkGateway"),)),
)

NAT_GATEWAYS = ("ng-contoso-weu",)

SERVER_FARMS = "Microsoft.Web/serverFarms"
APP_ENVIRONMENTS = "Microsoft.App/environments"
HOSTING_ENVIRONMENTS = "Microsoft.Web/hostingEnvironments"

VNETS = (
    Vnet(
        VNET,
        NET_LOCATION,
        "10.10.0.0/16",
        (
            Subnet("snet-premium-integration", "10.10.1.0/24", SERVER_FARMS, nsg="nsg-integration-egress"),
            Subnet("snet-premium-linux", "10.10.2.0/26", SERVER_FARMS),
            Subnet("snet-dedicated-integration", "10.10.3.0/26", SERVER_FARMS, route_table="rt-to-firewall"),
            Subnet("snet-natgw", "10.10.4.0/26", SERVER_FARMS, nat_gateway="ng-contoso-weu"),
            Subnet("snet-flex", "10.10.5.0/27", APP_ENVIRONMENTS, nsg="nsg-flex-egress"),
            Subnet("snet-undelegated", "10.10.6.0/26", None, route_table="rt-onprem-only"),
            Subnet("snet-tiny", "10.10.7.0/29", SERVER_FARMS),
            Subnet("snet-private-endpoints", "10.10.8.0/24", None, nsg="nsg-endpoints"),
            Subnet("snet-mixed", "10.10.9.0/26", SERVER_FARMS),
            Subnet("snet-dedicated-linux", "10.10.10.0/26", SERVER_FARMS, nsg="nsg-search-egress"),
            Subnet("snet-ase-ilb", "10.10.16.0/24", HOSTING_ENVIRONMENTS, route_table="rt-to-firewall"),
            Subnet("snet-ase-ext", "10.10.17.0/24", HOSTING_ENVIRONMENTS),
            Subnet("snet-ase-v2", "10.10.18.0/24", None),
            Subnet(
                "snet-apim", "10.10.20.0/24", None, nsg="nsg-endpoints", service_endpoints=("Microsoft.Web",)
            ),
            Subnet("snet-aca-env", "10.10.32.0/23", APP_ENVIRONMENTS),
            Subnet("GatewaySubnet", "10.10.255.0/27", None),
        ),
    ),
    Vnet(
        VNET_NEU,
        "northeurope",
        "10.20.0.0/16",
        (Subnet("snet-integration-neu", "10.20.1.0/26", SERVER_FARMS, nsg=None),),
    ),
)

PRIVATE_ENDPOINTS = (
    PrivateEndpoint("pe-func-orders", "func-orders", None, "Approved", "snet-private-endpoints", "10.10.8.4"),
    PrivateEndpoint(
        "pe-func-orders-staging", "func-orders", "staging", "Approved", "snet-private-endpoints", "10.10.8.5"
    ),
    PrivateEndpoint(
        "pe-func-payments", "func-payments", None, "Approved", "snet-private-endpoints", "10.10.8.6"
    ),
    PrivateEndpoint(
        "pe-func-reporting", "func-reporting", None, "Approved", "snet-private-endpoints", "10.10.8.7"
    ),
    PrivateEndpoint(
        "pe-func-inventory", "func-inventory", None, "Pending", "snet-private-endpoints", "10.10.8.8"
    ),
    PrivateEndpoint(
        "pe-func-legacy-cons", "func-legacy-cons", None, "Approved", "snet-private-endpoints", "10.10.8.9"
    ),
    PrivateEndpoint("pe-func-catalog", "func-catalog", None, "Approved", "snet-mixed", "10.10.9.10"),
)

SQL_ONPREM = HybridConnection("sb-contoso-relay", "sql-onprem", "sql01.corp.contoso.com", 1433)
SAP_ONPREM = HybridConnection("sb-contoso-relay", "sap-gateway", "sapgw.corp.contoso.com", 3300)
FILES_ONPREM = HybridConnection("sb-contoso-relay", "files-onprem", "files.corp.contoso.com", 445)
ERP_ONPREM = HybridConnection("sb-contoso-relay", "erp-onprem", "erp.corp.contoso.com", 1433)
SMTP_ONPREM = HybridConnection("sb-contoso-relay", "smtp-onprem", "smtp.corp.contoso.com", 25)

PREMIUM_WIN = "asp-contoso-ep1-win"
PREMIUM_LINUX = "asp-contoso-ep2-linux"
LINUX_KIND = "functionapp,linux"
ACA_KIND = "functionapp,linux,container,azurecontainerapps"
ACA_RG = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-contoso-aca"
ACA_ENV = f"{ACA_RG}/providers/Microsoft.App/managedEnvironments/cae-contoso"

APPS: tuple[App, ...] = (
    # ---- Consumption, Windows ----------------------------------------------------------------
    App(
        "func-webhooks-cons",
        expect=Expect(
            shows=(
                "A public Consumption app with the default Allow all rule, FTP allowed and an anonymous HTTP"
                " trigger."
            ),
            fails={
                "risk/anonymous-http-trigger-public": "",
                "risk/ftp-allowed": "",
                "risk/outbound-uncontrolled": "",
                "risk/public-unrestricted": "allow-all-rule",
            },
            passes={"drift/linux-consumption-retiring": "Windows"},
        ),
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-win",
        config=Config(ftps="AllAllowed"),
        functions=(http_fn("GitHubWebhook", "anonymous"), http_fn("Health", "function")),
        slots=(
            Site(
                "preview",
                expect=Expect(
                    shows="The preview slot: the same exposure, its HTTP trigger behind a function key.",
                    fails={
                        "risk/ftp-allowed": "",
                        "risk/outbound-uncontrolled": "",
                        "risk/public-unrestricted": "allow-all-rule",
                    },
                    passes={"risk/anonymous-http-trigger-public": "function key"},
                ),
                config=Config(ftps="AllAllowed"),
                functions=(http_fn("GitHubWebhook", "function"),),
            ),
        ),
    ),
    App(
        "func-thumbnails-cons",
        expect=Expect(
            shows=(
                "Regional VNet integration on Consumption, which the docs say it cannot hold; inbound "
                "restricted (explicit default Deny, SCM uses main)."
            ),
            fails={
                "drift/vnet-integration-unsupported": "regional integration on Consumption",
                "drift/vnet-trigger-unsupported": "queue trigger over a regional integration on Consumption",
                "risk/outbound-uncontrolled": "",
                "risk/route-all-disabled": "",
            },
        ),
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-win",
        integration_subnet=subnet_id("snet-premium-linux"),
        config=Config(
            ip_rules=(OFFICE,),
            default_action="Deny",
            scm_use_main=True,
            scm_rules=(),
            scm_default_action="Deny",
        ),
        functions=(Fn("ResizeImage", (dict(QUEUE, queueName="thumbnails"), BLOB_OUT)),),
    ),
    App(
        "func-legacy-cons",
        expect=Expect(
            shows=(
                "A private endpoint on Consumption, which the docs say it cannot hold; inbound private "
                "(publicNetworkAccess null + approved private endpoint)."
            ),
            fails={
                "drift/private-endpoint-unsupported": "approved PE on Consumption",
                "risk/outbound-uncontrolled": "",
            },
            not_applicable={"risk/anonymous-http-trigger-public": "private"},
            unknown_2019_04={"drift/private-endpoint-unsupported": ""},
        ),
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-win",
        public_network_access=None,
        functions=(http_fn("Lookup", "anonymous"),),
    ),
    App(
        "func-relay-cons",
        expect=Expect(
            shows=(
                "What the docs say cannot exist, found anyway (created through an older API, or a template "
                "the portal never checked): a Hybrid Connection and a service-endpoint rule on a Consumption"
                " plan. Inbound restricted: a service-endpoint rule and Deny all."
            ),
            fails={
                "drift/hybrid-connection-unsupported": "its Consumption plan holds one",
                "drift/service-endpoint-rule-unsupported": (
                    "Consumption, which 2026-09 marks unsupported, conflict C6"
                ),
                "risk/hybrid-connection-endpoint": "erp.corp.contoso.com:1433",
                "risk/outbound-uncontrolled": "",
                "risk/service-endpoint-outbound-open": "",
            },
            unknown_2019_04={"drift/service-endpoint-rule-unsupported": ""},
        ),
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-9f2c",
        hybrid_connections=(ERP_ONPREM,),
        config=Config(ip_rules=(subnet_rule("apim", "snet-apim", 100), DENY_ALL), scm_use_main=True),
        functions=(http_fn("SyncOrders"),),
    ),
    # ---- Consumption, Linux ------------------------------------------------------------------
    App(
        "func-etl-linux-cons",
        expect=Expect(
            shows=(
                "Linux Consumption (retiring); inbound restricted by an explicit default Deny with one allow"
                " rule, SCM uses main."
            ),
            fails={"drift/linux-consumption-retiring": "", "risk/outbound-uncontrolled": ""},
            passes={"risk/public-unrestricted": "restricted"},
        ),
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-linux",
        kind=LINUX_KIND,
        config=Config(ip_rules=(OFFICE,), default_action="Deny", scm_use_main=True, scm_rules=(ALLOW_ALL,)),
        functions=(Fn("NightlyEtl", (TIMER,), "python"),),
    ),
    App(
        "func-hooks-linux-cons",
        expect=Expect(
            shows=(
                "Linux Consumption deployed from a template with an empty access-rule list and HTTPS-only "
                "off."
            ),
            fails={
                "drift/linux-consumption-retiring": "",
                "risk/anonymous-http-trigger-public": "",
                "risk/https-only-disabled": "",
                "risk/outbound-uncontrolled": "",
                "risk/public-unrestricted": "no-rules",
            },
        ),
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-linux",
        kind=LINUX_KIND,
        https_only=False,
        config=Config(ip_rules=(), scm_rules=()),
        functions=(http_fn("Ping", "anonymous"),),
    ),
    # ---- Flex Consumption --------------------------------------------------------------------
    App(
        "func-ingest-flex",
        expect=Expect(
            shows=(
                "Flex Consumption done right: Flex integration on a /27 subnet delegated to "
                "Microsoft.App/environments with an NSG denying egress (controlled without route all); a "
                "Front Door rule pinned with X-Azure-FDID; a queue trigger, native on Flex. The SCM's own "
                "default action says Allow, but scmIpSecurityRestrictionsUseMain is true, so the main rules "
                "decide."
            ),
            passes={
                "drift/integration-subnet-invalid": "/27 delegated to `Microsoft.App/environments`",
                "risk/frontdoor-without-fdid": "`x-azure-fdid` set",
                "risk/outbound-uncontrolled": "Flex, NSG denies 0.0.0.0/0",
                "risk/scm-unrestricted": "uses main; its own SCM default Allow is ignored",
            },
            not_applicable={"risk/route-all-disabled": "Flex integration routes all of its egress"},
            unknown_2019_04={"drift/vnet-integration-unsupported": "", "drift/vnet-trigger-unsupported": ""},
        ),
        rg="rg-contoso-flex",
        plan="ASP-func-ingest-flex",
        kind=LINUX_KIND,
        integration_subnet=subnet_id("snet-flex"),
        config=Config(
            ip_rules=(
                tag_rule("front-door", "AzureFrontDoor.Backend", 100, {"x-azure-fdid": [FRONT_DOOR_FDID]}),
                DENY_ALL,
            ),
            default_action="Deny",
            scm_use_main=True,
            scm_rules=(ALLOW_ALL_LAST,),
            scm_default_action="Allow",
        ),
        functions=(http_fn("Ingest"), Fn("Drain", (QUEUE,))),
    ),
    App(
        "func-notify-flex",
        expect=Expect(
            shows=(
                "Flex Consumption with an explicit Allow default action and only Deny rules, a CORS wildcard"
                " and an anonymous HTTP trigger."
            ),
            fails={
                "risk/anonymous-http-trigger-public": "",
                "risk/cors-wildcard": "",
                "risk/outbound-uncontrolled": "",
                "risk/public-unrestricted": "default-allow",
            },
        ),
        rg="rg-contoso-flex",
        plan="ASP-func-notify-flex",
        kind=LINUX_KIND,
        config=Config(
            ip_rules=(ip_rule("block-scanner", "198.51.100.23/32", 100, "Deny"),),
            default_action="Allow",
            scm_rules=(ALLOW_ALL_LAST,),
            scm_default_action="Deny",
            cors=("*",),
        ),
        functions=(http_fn("Notify", "anonymous"),),
    ),
    App(
        "func-bridge-flex",
        expect=Expect(
            shows=(
                'Documented impossible on Flex: gateway-required integration ("Flex Consumption and Elastic '
                'Premium only support regional virtual network integration") and a Hybrid Connection. '
                "Inbound restricted; its queue trigger over the gateway integration is native on Flex, so "
                "vnet-trigger-unsupported passes."
            ),
            fails={
                "drift/gateway-integration-retiring": "",
                "drift/gateway-integration-unsupported": "gateway-required on Flex Consumption",
                "drift/hybrid-connection-unsupported": "Flex Consumption",
                "risk/hybrid-connection-endpoint": "smtp.corp.contoso.com:25",
                "risk/outbound-uncontrolled": (
                    "no regional integration: nothing routes its egress through a subnet"
                ),
            },
            unknown_2019_04={
                "drift/gateway-integration-unsupported": "",
                "drift/hybrid-connection-unsupported": "",
                "drift/vnet-trigger-unsupported": "",
            },
        ),
        rg="rg-contoso-flex",
        plan="ASP-func-bridge-flex",
        kind=LINUX_KIND,
        vnet_connections=(VnetConnection(VNET, is_swift=False),),
        hybrid_connections=(SMTP_ONPREM,),
        config=Config(ip_rules=(OFFICE, DENY_ALL), scm_use_main=True, vnet_name=VNET),
        functions=(Fn("SendMail", (QUEUE,)),),
    ),
    # ---- Elastic Premium, Windows ------------------------------------------------------------
    App(
        "func-orders",
        expect=Expect(
            shows=(
                "The well-configured app: private (publicNetworkAccess Disabled), regional integration with "
                "allTraffic on an NSG-controlled subnet, queue trigger with runtime scale monitoring on. Its"
                ' slot "staging" has scale monitoring off.'
            ),
            passes={
                "drift/gateway-integration-retiring": "regional integration",
                "drift/integration-subnet-invalid": "",
                "drift/private-endpoint-unsupported": "",
                "drift/vnet-integration-unsupported": "",
                "drift/vnet-trigger-unsupported": "",
                "risk/cors-wildcard": "",
                "risk/ftp-allowed": "FtpsOnly",
                "risk/https-only-disabled": "",
                "risk/hybrid-connection-endpoint": "",
                "risk/outbound-uncontrolled": "",
                "risk/private-endpoint-bypassed": "Disabled",
                "risk/private-endpoint-not-approved": "",
                "risk/public-unrestricted": "private",
                "risk/route-all-disabled": "`allTraffic`",
                "risk/tls-below-1.2": "",
            },
            unknown_2019_04={"drift/private-endpoint-unsupported": ""},
        ),
        rg="rg-contoso-premium",
        plan=PREMIUM_WIN,
        public_network_access="Disabled",
        integration_subnet=subnet_id("snet-premium-integration"),
        all_traffic=True,
        config=Config(scale_monitoring=True, vnet_route_all=True),
        functions=(http_fn("SubmitOrder"), Fn("ProcessOrder", (QUEUE,))),
        slots=(
            Site(
                "staging",
                expect=Expect(
                    shows="The staging slot of func-orders, with runtime scale monitoring off.",
                    fails={"drift/vnet-trigger-unsupported": "queue trigger, scale monitoring off"},
                    passes={"risk/outbound-uncontrolled": ""},
                    unknown_2019_04={"drift/private-endpoint-unsupported": ""},
                ),
                public_network_access="Disabled",
                integration_subnet=subnet_id("snet-premium-integration"),
                all_traffic=True,
                config=Config(scale_monitoring=False, vnet_route_all=True),
                functions=(http_fn("SubmitOrder"), Fn("ProcessOrder", (QUEUE,))),
            ),
        ),
    ),
    App(
        "func-payments",
        expect=Expect(
            shows=(
                "Private through publicNetworkAccess null + an approved private endpoint; route all only "
                "through the legacy site-level vnetRouteAllEnabled (outboundVnetRouting all false); NSG-"
                "controlled subnet."
            ),
            passes={
                "risk/outbound-uncontrolled": "NSG denies Internet",
                "risk/private-endpoint-bypassed": "null + approved PE",
                "risk/route-all-disabled": "legacy site `vnetRouteAllEnabled` only",
            },
            unknown_2019_04={"drift/private-endpoint-unsupported": ""},
        ),
        rg="rg-contoso-premium",
        plan=PREMIUM_WIN,
        public_network_access=None,
        integration_subnet=subnet_id("snet-premium-integration"),
        legacy_route_all=True,
        config=Config(scale_monitoring=True, vnet_route_all=True),
        functions=(http_fn("Authorize"), Fn("Settle", (SERVICE_BUS,))),
    ),
    App(
        "func-reporting",
        expect=Expect(
            shows=(
                "An approved private endpoint while publicNetworkAccess is explicitly Enabled with Allow "
                "all, and a Hybrid Connection to on-premises SQL."
            ),
            fails={
                "risk/hybrid-connection-endpoint": "sql01.corp.contoso.com:1433",
                "risk/outbound-uncontrolled": "",
                "risk/private-endpoint-bypassed": "approved PE, `publicNetworkAccess: Enabled`, Allow all",
                "risk/public-unrestricted": "",
            },
            passes={"drift/hybrid-connection-unsupported": "Premium Windows"},
            unknown_2019_04={"drift/private-endpoint-unsupported": ""},
        ),
        rg="rg-contoso-premium",
        plan=PREMIUM_WIN,
        public_network_access="Enabled",
        hybrid_connections=(SQL_ONPREM,),
        functions=(http_fn("MonthlyReport"),),
    ),
    App(
        "func-inventory",
        expect=Expect(
            shows=(
                'Main site restricted while the SCM site keeps its own "Allow all"; gateway-required '
                "integration on Elastic Premium; a pending private endpoint."
            ),
            fails={
                "drift/gateway-integration-retiring": "",
                "drift/gateway-integration-unsupported": "gateway-required on Elastic Premium",
                "drift/vnet-trigger-unsupported": "gateway-integrated, queue trigger, scale monitoring off",
                "risk/outbound-uncontrolled": "",
                "risk/private-endpoint-not-approved": "Pending",
                "risk/scm-unrestricted": 'own SCM list "Allow all"',
                "risk/tls-below-1.2": "`scmMinTlsVersion` 1.0",
            },
            unknown_2019_04={"drift/private-endpoint-unsupported": ""},
        ),
        rg="rg-contoso-premium",
        plan=PREMIUM_WIN,
        vnet_connections=(VnetConnection(VNET, is_swift=False),),
        config=Config(ip_rules=(OFFICE, DENY_ALL), scm_rules=(ALLOW_ALL,), scm_min_tls="1.0", vnet_name=VNET),
        functions=(Fn("Restock", (QUEUE,)), http_fn("Stock")),
    ),
    # ---- Elastic Premium, Linux --------------------------------------------------------------
    App(
        "func-telemetry-linux",
        expect=Expect(
            shows=(
                "Elastic Premium Linux with an AzureCloud service-tag rule, a Hybrid Connection on Linux "
                "(2026-09, conflict C1) and route all off."
            ),
            fails={
                "drift/hybrid-connection-unsupported": "Linux, conflict C1",
                "risk/broad-service-tag": "`AzureCloud`",
                "risk/hybrid-connection-endpoint": "files.corp.contoso.com:445",
                "risk/outbound-uncontrolled": "",
                "risk/route-all-disabled": "",
            },
            passes={"drift/vnet-trigger-unsupported": "scale monitoring on"},
        ),
        rg="rg-contoso-premium",
        plan=PREMIUM_LINUX,
        kind=LINUX_KIND,
        integration_subnet=subnet_id("snet-premium-linux"),
        hybrid_connections=(FILES_ONPREM,),
        config=Config(
            ip_rules=(tag_rule("azure-cloud", "AzureCloud", 100), DENY_ALL),
            scm_use_main=True,
            scale_monitoring=True,
        ),
        functions=(Fn("Ingest", (SERVICE_BUS,), "python"),),
    ),
    App(
        "func-scoring-linux",
        expect=Expect(
            shows=(
                "An Any rule gated only by X-Forwarded-For; integration into an undelegated subnet whose "
                "route table has no default route and no NSG, so route all does not control egress."
            ),
            fails={
                "drift/integration-subnet-invalid": "not delegated",
                "risk/outbound-uncontrolled": (
                    "route all on, but the subnet's route table has no default route and there is no NSG"
                ),
                "risk/spoofable-header-rule": "Any + `x-forwarded-for` only",
            },
            passes={"risk/route-all-disabled": "`applicationTraffic`"},
        ),
        rg="rg-contoso-premium",
        plan=PREMIUM_LINUX,
        kind=LINUX_KIND,
        integration_subnet=subnet_id("snet-undelegated"),
        application_traffic=True,
        config=Config(
            ip_rules=(
                ip_rule("via-proxy", "Any", 100, headers={"x-forwarded-for": ["203.0.113.10/32"]}),
                DENY_ALL,
            ),
            default_action="Deny",
            scm_use_main=True,
            scale_monitoring=True,
        ),
        functions=(http_fn("Score"),),
    ),
    App(
        "func-geo-linux",
        expect=Expect(
            shows=(
                "One access rule with 9 sources; integration into a VNet in northeurope while the app is in "
                "West Europe."
            ),
            fails={
                "drift/access-rule-limits": "9 sources in one rule",
                "drift/integration-subnet-invalid": "VNet in northeurope",
                "risk/outbound-uncontrolled": "",
            },
        ),
        rg="rg-contoso-premium",
        plan=PREMIUM_LINUX,
        kind=LINUX_KIND,
        integration_subnet=subnet_id("snet-integration-neu", VNET_NEU),
        all_traffic=True,
        config=Config(
            ip_rules=(
                ip_rule(
                    "partners",
                    ",".join(f"192.0.2.{n * 16}/28" for n in range(9)),
                    100,
                ),
                DENY_ALL,
            ),
            scm_use_main=True,
            scale_monitoring=True,
        ),
        functions=(http_fn("Geocode"),),
    ),
    # ---- Dedicated -------------------------------------------------------------------------
    App(
        "func-billing",
        expect=Expect(
            shows=(
                "Gateway-required integration on Windows Standard (supported, but retiring) and a Hybrid "
                "Connection on Windows (supported). Priority tie at 100 (Allow then Deny as listed). Its "
                'slot "staging" has remote debugging on.'
            ),
            fails={
                "drift/gateway-integration-retiring": "",
                "risk/hybrid-connection-endpoint": "sapgw.corp.contoso.com:3300",
                "risk/outbound-uncontrolled": "",
            },
            passes={
                "drift/gateway-integration-unsupported": "Windows Standard",
                "drift/hybrid-connection-unsupported": "Standard Windows",
                "risk/remote-debugging-enabled": "",
                "risk/shadowed-access-rule": "",
            },
        ),
        rg="rg-contoso-dedicated",
        plan="asp-contoso-s1-win",
        vnet_connections=(VnetConnection(VNET, is_swift=False),),
        hybrid_connections=(SAP_ONPREM,),
        config=Config(
            ip_rules=(
                ip_rule("partner-range", "198.51.100.0/24", 100),
                ip_rule("partner-quarantine", "198.51.100.66/32", 100, "Deny"),
                DENY_ALL,
            ),
            scm_use_main=True,
            vnet_name=VNET,
            always_on=True,
        ),
        functions=(http_fn("Invoice"), Fn("Reconcile", (TIMER,))),
        slots=(
            Site(
                "staging",
                expect=Expect(
                    shows="The staging slot of func-billing, left with remote debugging on.",
                    fails={
                        "drift/gateway-integration-retiring": "",
                        "risk/hybrid-connection-endpoint": "sapgw.corp.contoso.com:3300",
                        "risk/outbound-uncontrolled": "",
                        "risk/remote-debugging-enabled": "",
                    },
                ),
                vnet_connections=(VnetConnection(VNET, is_swift=False),),
                hybrid_connections=(SAP_ONPREM,),
                config=Config(
                    ip_rules=(OFFICE, DENY_ALL), scm_use_main=True, vnet_name=VNET, remote_debugging=True
                ),
                functions=(http_fn("Invoice"), Fn("Reconcile", (TIMER,))),
            ),
        ),
    ),
    App(
        "func-docs",
        expect=Expect(
            shows=(
                "A Deny at 200 shadowed by an Allow Any at 100 and minTlsVersion 1.0. Its functions list is "
                "throttled once (a 429 with Retry-After 0, then the 200)."
            ),
            fails={
                "risk/outbound-uncontrolled": "",
                "risk/public-unrestricted": "",
                "risk/shadowed-access-rule": (
                    "`block-crawler` at 200 and `Deny all` behind `temp-open` Any at 100"
                ),
                "risk/tls-below-1.2": "`minTlsVersion` 1.0",
            },
            passes={"drift/access-rule-limits": ""},
            not_applicable={"risk/spoofable-header-rule": "no header-gated rule"},
        ),
        rg="rg-contoso-dedicated",
        plan="asp-contoso-s1-win",
        config=Config(
            ip_rules=(
                ip_rule("temp-open", "Any", 100),
                ip_rule("block-crawler", "198.51.100.0/24", 200, "Deny"),
                DENY_ALL,
            ),
            scm_use_main=True,
            min_tls="1.0",
        ),
        functions=(http_fn("Render"),),
    ),
    App(
        "func-crm-sync",
        expect=Expect(
            shows=(
                "A service-endpoint rule plus regional integration with allTraffic through a firewall route "
                "table: outbound controlled, so service-endpoint-outbound-open passes."
            ),
            passes={
                "drift/service-endpoint-rule-unsupported": "",
                "risk/outbound-uncontrolled": "0.0.0.0/0 \u2192 VirtualAppliance",
                "risk/service-endpoint-outbound-open": "route all through a firewall route table",
            },
        ),
        rg="rg-contoso-dedicated",
        plan="asp-contoso-b1-win",
        integration_subnet=subnet_id("snet-dedicated-integration"),
        all_traffic=True,
        config=Config(
            ip_rules=(subnet_rule("apim", "snet-apim", 100), DENY_ALL),
            scm_use_main=True,
            vnet_route_all=True,
            always_on=True,
        ),
        functions=(Fn("SyncAccounts", (TIMER,)), Fn("SyncContacts", (QUEUE,))),
    ),
    App(
        "func-partner-api",
        expect=Expect(
            shows=(
                "Restricted by a service-endpoint rule only, with no VNet integration; FTP allowed; the SCM "
                "site has its own rules."
            ),
            fails={
                "risk/ftp-allowed": "",
                "risk/outbound-uncontrolled": "",
                "risk/service-endpoint-outbound-open": "",
            },
            passes={"drift/service-endpoint-rule-unsupported": "", "risk/scm-unrestricted": "own SCM rules"},
        ),
        rg="rg-contoso-dedicated",
        plan="asp-contoso-b1-win",
        config=Config(
            ip_rules=(subnet_rule("apim", "snet-apim", 100), DENY_ALL),
            scm_rules=(OFFICE, DENY_ALL),
            ftps="AllAllowed",
        ),
        functions=(http_fn("Quote"),),
    ),
    App(
        "func-legacy-tools",
        expect=Expect(
            shows=(
                "The old dev box: remote debugging, a CORS wildcard, FTP allowed and an anonymous HTTP "
                'trigger, on the default Allow all. Its slot "dev" likewise, without the anonymous trigger.'
            ),
            fails={
                "risk/anonymous-http-trigger-public": "",
                "risk/cors-wildcard": "",
                "risk/ftp-allowed": "",
                "risk/outbound-uncontrolled": "",
                "risk/public-unrestricted": "",
                "risk/remote-debugging-enabled": "",
            },
        ),
        rg="rg-contoso-dedicated",
        plan="asp-contoso-b1-win",
        config=Config(remote_debugging=True, cors=("*", "https://portal.azure.com"), ftps="AllAllowed"),
        functions=(http_fn("Export", "anonymous"),),
        slots=(
            Site(
                "dev",
                expect=Expect(
                    shows=(
                        "The dev slot of func-legacy-tools: the same, its HTTP trigger behind a function key."
                    ),
                    fails={
                        "risk/cors-wildcard": "",
                        "risk/ftp-allowed": "",
                        "risk/outbound-uncontrolled": "",
                        "risk/public-unrestricted": "",
                        "risk/remote-debugging-enabled": "",
                    },
                ),
                config=Config(remote_debugging=True, cors=("*",), ftps="AllAllowed"),
                functions=(http_fn("Export"),),
            ),
        ),
    ),
    App(
        "func-catalog",
        expect=Expect(
            shows=(
                "Integration into a subnet that also hosts a private endpoint, and a service-endpoint rule "
                "on an app with a private endpoint; route all, but no NSG and no route table."
            ),
            fails={
                "drift/integration-subnet-invalid": "subnet holds a private endpoint",
                "drift/service-endpoint-rule-unsupported": "has a private endpoint",
                "risk/outbound-uncontrolled": "route all, but no NSG and no route table",
            },
            unknown_2019_04={"drift/private-endpoint-unsupported": ""},
        ),
        rg="rg-contoso-dedicated",
        plan="asp-contoso-p1v3-linux",
        kind=LINUX_KIND,
        public_network_access="Disabled",
        integration_subnet=subnet_id("snet-mixed"),
        all_traffic=True,
        config=Config(ip_rules=(subnet_rule("apim", "snet-apim", 100), DENY_ALL), scm_use_main=True),
        functions=(http_fn("Products"),),
    ),
    App(
        "func-media-linux",
        expect=Expect(
            shows=(
                "Route all into a NAT-gateway subnet (a NAT gateway is not egress control) and a Front Door "
                'rule without X-Azure-FDID. Its slot "canary" integrates into a /29 subnet.'
            ),
            fails={
                "risk/frontdoor-without-fdid": "",
                "risk/outbound-uncontrolled": (
                    "route all into a subnet whose only egress feature is a NAT gateway"
                ),
            },
            passes={"risk/broad-service-tag": ""},
        ),
        rg="rg-contoso-dedicated",
        plan="asp-contoso-p1v3-linux",
        kind=LINUX_KIND,
        integration_subnet=subnet_id("snet-natgw"),
        all_traffic=True,
        config=Config(
            ip_rules=(tag_rule("front-door", "AzureFrontDoor.Backend", 100), DENY_ALL), scm_use_main=True
        ),
        functions=(http_fn("Transcode"),),
        slots=(
            Site(
                "canary",
                expect=Expect(
                    shows=(
                        "The canary slot of func-media-linux, integrated into a /29 subnet without route all."
                    ),
                    fails={
                        "drift/integration-subnet-invalid": "/29",
                        "risk/outbound-uncontrolled": "",
                        "risk/route-all-disabled": "",
                    },
                ),
                integration_subnet=subnet_id("snet-tiny"),
                config=Config(ip_rules=(OFFICE, DENY_ALL), scm_use_main=True),
                functions=(http_fn("Transcode"),),
            ),
        ),
    ),
    App(
        "func-search-linux",
        expect=Expect(
            shows=(
                "An NSG that denies Internet but an Allow to Internet at 200 precedes it; the SCM default "
                "action explicitly Allow with an empty own list."
            ),
            fails={
                "risk/outbound-uncontrolled": (
                    "its NSG denies Internet, but an Allow to Internet at priority 200 precedes the Deny"
                ),
                "risk/scm-unrestricted": "SCM default action Allow, empty list",
            },
        ),
        rg="rg-contoso-dedicated",
        plan="asp-contoso-p1v3-linux",
        kind=LINUX_KIND,
        integration_subnet=subnet_id("snet-dedicated-linux"),
        all_traffic=True,
        config=Config(ip_rules=(OFFICE, DENY_ALL), scm_rules=(), scm_default_action="Allow"),
        functions=(http_fn("Query"),),
    ),
    # ---- App Service Environment v3 ----------------------------------------------------------
    App(
        "func-ledger-ilb",
        expect=Expect(
            shows=(
                "Internal (ILB ASEv3) with egress controlled (the ASE subnet routes 0.0.0.0/0 to a "
                "firewall); an anonymous HTTP trigger is fine since the site is not public. Its slot "
                '"staging" likewise.'
            ),
            passes={
                "drift/ase-retired": "ASEV3",
                "risk/outbound-uncontrolled": "",
                "risk/public-unrestricted": "internal",
            },
            not_applicable={"risk/anonymous-http-trigger-public": "internal"},
        ),
        rg="rg-contoso-ase",
        plan="asp-contoso-ase-ilb",
        functions=(http_fn("Post", "anonymous"), Fn("Close", (QUEUE,))),
        slots=(
            Site(
                "staging",
                expect=Expect(
                    shows="The staging slot of func-ledger-ilb, internal and controlled likewise.",
                    passes={"risk/outbound-uncontrolled": "ASE subnet routed to the firewall"},
                ),
                functions=(http_fn("Post", "anonymous"),),
            ),
        ),
    ),
    App(
        "func-pricing-ext",
        expect=Expect(
            shows="A service-endpoint rule in an external ASEv3, whose subnet has no NSG or route table.",
            fails={
                "drift/service-endpoint-rule-unsupported": "in an ASE",
                "risk/outbound-uncontrolled": "external ASE subnet without NSG or route table",
                "risk/service-endpoint-outbound-open": "",
            },
        ),
        rg="rg-contoso-ase",
        plan="asp-contoso-ase-ext",
        kind=LINUX_KIND,
        config=Config(
            ip_rules=(subnet_rule("apim", "snet-apim", 100), OFFICE | {"priority": 110}, DENY_ALL),
            scm_use_main=True,
        ),
        functions=(http_fn("Price"),),
    ),
    # ---- App Service Environment v2 ----------------------------------------------------------
    App(
        "func-archive-asev2",
        expect=Expect(
            shows="An app in a retired ASEv2 (external, Allow all, FTP allowed).",
            fails={
                "drift/ase-retired": "ASEV2, tier Isolated",
                "risk/ftp-allowed": "",
                "risk/outbound-uncontrolled": "",
                "risk/public-unrestricted": "",
            },
        ),
        rg="rg-contoso-ase",
        plan="asp-contoso-ase-v2",
        config=Config(ftps="AllAllowed"),
        functions=(Fn("Archive", (TIMER, BLOB_OUT)),),
    ),
    # ---- Azure Container Apps ----------------------------------------------------------------
    App(
        "func-events-aca",
        expect=Expect(
            shows=(
                "Azure Container Apps with the default rules; egress is governed by the Container Apps "
                "environment, which the auditor does not read, so it is unknown."
            ),
            fails={"risk/public-unrestricted": ""},
            unknown={
                "risk/outbound-uncontrolled": (
                    "egress is governed by the Container Apps environment, which the auditor does not read"
                ),
            },
        ),
        rg="rg-contoso-aca",
        kind=ACA_KIND,
        managed_environment=ACA_ENV,
        functions=(http_fn("Receive"),),
    ),
    App(
        "func-jobs-aca",
        expect=Expect(
            shows=(
                "Azure Container Apps passing the inbound rules: explicit default Deny with an office rule, "
                "SCM uses main; egress unknown, as for every Container Apps app."
            ),
            unknown={
                "risk/outbound-uncontrolled": (
                    "egress is governed by the Container Apps environment, which the auditor does not read"
                ),
            },
        ),
        rg="rg-contoso-aca",
        kind=ACA_KIND,
        managed_environment=ACA_ENV,
        config=Config(ip_rules=(OFFICE,), default_action="Deny", scm_use_main=True),
        functions=(Fn("RunJob", (QUEUE,)),),
    ),
    # ---- not function apps: listed by ARM, ignored by the audit ------------------------------
    App("app-contoso-www", rg="rg-contoso-web", plan="asp-contoso-web", kind="app"),
    App(
        "logic-contoso-orders",
        rg="rg-contoso-integration",
        plan="asp-contoso-logic",
        kind="functionapp,workflowapp",
    ),
)


def audited_resources() -> Iterator[tuple[str, Site]]:
    """Every resource the audit reports, as (``app`` or ``app/slot``, its description)."""
    for app in APPS:
        if app.is_function_app:
            yield app.name, app
            for slot in app.slots:
                yield f"{app.name}/{slot.name}", slot


# Configurations the docs say a hosting model cannot hold, each held by a demo app anyway, as
# (configuration, resource, the drift rule that fails on it); tests/test_documented_impossible.py
# checks each one through the collector.
DOCUMENTED_IMPOSSIBLE = (
    ("Hybrid Connection on Consumption", "func-relay-cons", "drift/hybrid-connection-unsupported"),
    ("Hybrid Connection on Flex Consumption", "func-bridge-flex", "drift/hybrid-connection-unsupported"),
    ("private endpoint on Consumption", "func-legacy-cons", "drift/private-endpoint-unsupported"),
    (
        "regional VNet integration on Consumption",
        "func-thumbnails-cons",
        "drift/vnet-integration-unsupported",
    ),
    (
        "gateway-required integration on Elastic Premium",
        "func-inventory",
        "drift/gateway-integration-unsupported",
    ),
    (
        "gateway-required integration on Flex Consumption",
        "func-bridge-flex",
        "drift/gateway-integration-unsupported",
    ),
    ("VNet triggers on Consumption", "func-thumbnails-cons", "drift/vnet-trigger-unsupported"),
    ("service-endpoint rule on Consumption", "func-relay-cons", "drift/service-endpoint-rule-unsupported"),
    ("service-endpoint rule in an ASE", "func-pricing-ext", "drift/service-endpoint-rule-unsupported"),
)

# The collector's functions list for this app is throttled once: ARM answers 429 with
# Retry-After 0, azure-core retries, and the second answer is the 200.
THROTTLED_FUNCTIONS_OF = "func-docs"

# demo-gap: a smaller run of the same subscription where one config/web read is refused.
GAP_APPS = ("func-webhooks-cons", "func-orders", "func-docs")
GAP_FORBIDDEN_CONFIG_OF = "func-docs"


# --- day 2: the same subscription one day later (cassettes/demo-day2, `make schedule-demo`) -----
# Day 1 is APPS above (cassettes/demo). Day 2 changes exactly the apps below, one change of each
# kind `auditor diff` explains; nothing else differs. The apps' ``Expect`` describe day 1 only.
DAY2_RECORDED_AT = "2026-10-21T09:15:03Z"
LDAP_ONPREM = HybridConnection("sb-contoso-relay", "ldap-onprem", "ldap.corp.contoso.com", 636)


def _day2(app: App) -> App:
    if app.name == "func-orders":
        # publicNetworkAccess switched on: new private-endpoint-bypassed and public-unrestricted.
        return replace(app, public_network_access="Enabled")
    if app.name == "func-crm-sync":
        # VNet integration removed: new outbound-uncontrolled and service-endpoint-outbound-open.
        return replace(app, integration_subnet=None, all_traffic=False)
    if app.name == "func-reporting":
        # a hybrid connection endpoint added beside the SQL one: the endpoint finding's evidence
        # changes, so it shows as one resolved and one new finding.
        return replace(app, hybrid_connections=(*app.hybrid_connections, LDAP_ONPREM))
    if app.name == "func-search-linux":
        # an access rule added on the main site: a vendor range between the office rule and Deny all.
        office, *rest = app.config.ip_rules
        vendor = ip_rule("vendor-support", "192.0.2.0/28", 150)
        return replace(app, config=replace(app.config, ip_rules=(office, vendor, *rest)))
    if app.name == "func-docs":
        # fixed overnight: minTlsVersion raised to 1.2, so tls-below-1.2 is resolved.
        return replace(app, config=replace(app.config, min_tls="1.2"))
    return app


DAY2_CHANGED = ("func-orders", "func-crm-sync", "func-reporting", "func-search-linux", "func-docs")


def day2_apps() -> tuple[App, ...]:
    return tuple(_day2(app) for app in APPS)
