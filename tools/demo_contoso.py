"""The "contoso" demo subscription, described for humans; build_demo_cassettes.py renders it to ARM.

Every function app says, in a comment, which rules of shared/spec/rules.md it is meant to fail
under the default edition 2026-09. cassettes/demo/EXPECTED.md lists the same per rule. Everything
not named there is meant to pass (or be not applicable) for that app.
"""

from __future__ import annotations

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
class Site:
    """A function app, a slot (in ``App.slots``) or a non-function site."""

    name: str
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
    # fails: public-unrestricted (allow-all-rule), anonymous-http-trigger-public, ftp-allowed,
    #        outbound-uncontrolled. Slot "preview" fails the same minus anonymous (function key).
    App(
        "func-webhooks-cons",
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-win",
        config=Config(ftps="AllAllowed"),
        functions=(http_fn("GitHubWebhook", "anonymous"), http_fn("Health", "function")),
        slots=(
            Site(
                "preview", config=Config(ftps="AllAllowed"), functions=(http_fn("GitHubWebhook", "function"),)
            ),
        ),
    ),
    # fails: vnet-integration-unsupported (regional integration on Consumption), route-all-disabled,
    #        outbound-uncontrolled. Restricted inbound (explicit default Deny, SCM uses main).
    App(
        "func-thumbnails-cons",
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
    # fails: private-endpoint-unsupported (approved PE on Consumption), outbound-uncontrolled.
    # Inbound private: publicNetworkAccess null + approved private endpoint.
    App(
        "func-legacy-cons",
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-win",
        public_network_access=None,
        functions=(http_fn("Lookup", "anonymous"),),
    ),
    # What the docs say cannot exist, found anyway (created through an older API, or a template the
    # portal never checked): the drift rules exist for exactly this.
    # fails: hybrid-connection-unsupported (a Hybrid Connection on a Consumption plan),
    #        hybrid-connection-endpoint, service-endpoint-rule-unsupported (2026-09 offers no
    #        service-endpoint rules on Consumption, conflict C6), service-endpoint-outbound-open,
    #        outbound-uncontrolled. Restricted inbound: a service-endpoint rule and Deny all.
    App(
        "func-relay-cons",
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-9f2c",
        hybrid_connections=(ERP_ONPREM,),
        config=Config(ip_rules=(subnet_rule("apim", "snet-apim", 100), DENY_ALL), scm_use_main=True),
        functions=(http_fn("SyncOrders"),),
    ),
    # ---- Consumption, Linux ------------------------------------------------------------------
    # fails: linux-consumption-retiring, outbound-uncontrolled. Restricted: explicit default Deny
    # with one allow rule; SCM uses main.
    App(
        "func-etl-linux-cons",
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-linux",
        kind=LINUX_KIND,
        config=Config(ip_rules=(OFFICE,), default_action="Deny", scm_use_main=True, scm_rules=(ALLOW_ALL,)),
        functions=(Fn("NightlyEtl", (TIMER,), "python"),),
    ),
    # fails: linux-consumption-retiring, https-only-disabled, public-unrestricted (no-rules: the
    #        template deployed an empty list), outbound-uncontrolled, anonymous-http-trigger-public.
    App(
        "func-hooks-linux-cons",
        rg="rg-contoso-consumption",
        plan="ASP-rgcontosoconsumption-linux",
        kind=LINUX_KIND,
        https_only=False,
        config=Config(ip_rules=(), scm_rules=()),
        functions=(http_fn("Ping", "anonymous"),),
    ),
    # ---- Flex Consumption --------------------------------------------------------------------
    # passes nearly everything: Flex integration on a subnet delegated to Microsoft.App/environments
    # (/27, NSG denying egress) -> outbound controlled without route all; Front Door rule pinned
    # with X-Azure-FDID; queue trigger on Flex is native. The SCM's own default action says Allow,
    # but scmIpSecurityRestrictionsUseMain is true, so the main rules decide.
    App(
        "func-ingest-flex",
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
    # fails: public-unrestricted (default-allow: explicit Allow default with only Deny rules),
    #        cors-wildcard, anonymous-http-trigger-public, outbound-uncontrolled.
    App(
        "func-notify-flex",
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
    # Documented impossible on Flex: gateway-required integration ("Flex Consumption and Elastic Premium
    # only support regional virtual network integration") and a Hybrid Connection.
    # fails: gateway-integration-unsupported, gateway-integration-retiring,
    #        hybrid-connection-unsupported, hybrid-connection-endpoint, outbound-uncontrolled (no
    #        regional integration: nothing routes its egress through a subnet). Restricted inbound.
    #        Its queue trigger over the gateway integration is native on Flex: vnet-trigger passes.
    App(
        "func-bridge-flex",
        rg="rg-contoso-flex",
        plan="ASP-func-bridge-flex",
        kind=LINUX_KIND,
        vnet_connections=(VnetConnection(VNET, is_swift=False),),
        hybrid_connections=(SMTP_ONPREM,),
        config=Config(ip_rules=(OFFICE, DENY_ALL), scm_use_main=True, vnet_name=VNET),
        functions=(Fn("SendMail", (QUEUE,)),),
    ),
    # ---- Elastic Premium, Windows ------------------------------------------------------------
    # passes: private (publicNetworkAccess Disabled), regional integration with allTraffic on an
    # NSG-controlled subnet, queue trigger with runtime scale monitoring on.
    # Slot "staging" fails: vnet-trigger-unsupported (scale monitoring off on the slot).
    App(
        "func-orders",
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
                public_network_access="Disabled",
                integration_subnet=subnet_id("snet-premium-integration"),
                all_traffic=True,
                config=Config(scale_monitoring=False, vnet_route_all=True),
                functions=(http_fn("SubmitOrder"), Fn("ProcessOrder", (QUEUE,))),
            ),
        ),
    ),
    # passes: private (publicNetworkAccess null + approved PE); route all through the legacy
    # site-level vnetRouteAllEnabled only (outboundVnetRouting all false); NSG-controlled subnet.
    App(
        "func-payments",
        rg="rg-contoso-premium",
        plan=PREMIUM_WIN,
        public_network_access=None,
        integration_subnet=subnet_id("snet-premium-integration"),
        legacy_route_all=True,
        config=Config(scale_monitoring=True, vnet_route_all=True),
        functions=(http_fn("Authorize"), Fn("Settle", (SERVICE_BUS,))),
    ),
    # fails: private-endpoint-bypassed (approved PE, publicNetworkAccess explicitly Enabled, Allow
    #        all), public-unrestricted, hybrid-connection-endpoint, outbound-uncontrolled.
    App(
        "func-reporting",
        rg="rg-contoso-premium",
        plan=PREMIUM_WIN,
        public_network_access="Enabled",
        hybrid_connections=(SQL_ONPREM,),
        functions=(http_fn("MonthlyReport"),),
    ),
    # fails: private-endpoint-not-approved (Pending), gateway-integration-unsupported (Premium),
    #        gateway-integration-retiring, vnet-trigger-unsupported, scm-unrestricted (main
    #        restricted, SCM keeps "Allow all"), tls-below-1.2 (scmMinTlsVersion 1.0),
    #        outbound-uncontrolled.
    App(
        "func-inventory",
        rg="rg-contoso-premium",
        plan=PREMIUM_WIN,
        vnet_connections=(VnetConnection(VNET, is_swift=False),),
        config=Config(ip_rules=(OFFICE, DENY_ALL), scm_rules=(ALLOW_ALL,), scm_min_tls="1.0", vnet_name=VNET),
        functions=(Fn("Restock", (QUEUE,)), http_fn("Stock")),
    ),
    # ---- Elastic Premium, Linux --------------------------------------------------------------
    # fails: route-all-disabled, outbound-uncontrolled, broad-service-tag (AzureCloud),
    #        hybrid-connection-unsupported (Linux, 2026-09), hybrid-connection-endpoint.
    App(
        "func-telemetry-linux",
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
    # fails: integration-subnet-invalid (not delegated), spoofable-header-rule (Any + only
    #        X-Forwarded-For), outbound-uncontrolled (route all on, but the subnet's route table
    #        has no default route and there is no NSG).
    App(
        "func-scoring-linux",
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
    # fails: integration-subnet-invalid (VNet in northeurope, app in West Europe),
    #        access-rule-limits (9 sources in one rule), outbound-uncontrolled.
    App(
        "func-geo-linux",
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
    # fails: gateway-integration-retiring (gateway-required on a Windows Standard app: supported,
    #        so gateway-integration-unsupported passes), hybrid-connection-endpoint (Windows: the
    #        unsupported rule passes), outbound-uncontrolled. Priority tie at 100 (Allow then Deny
    #        as listed). Slot "staging" also fails remote-debugging-enabled.
    App(
        "func-billing",
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
                vnet_connections=(VnetConnection(VNET, is_swift=False),),
                hybrid_connections=(SAP_ONPREM,),
                config=Config(
                    ip_rules=(OFFICE, DENY_ALL), scm_use_main=True, vnet_name=VNET, remote_debugging=True
                ),
                functions=(http_fn("Invoice"), Fn("Reconcile", (TIMER,))),
            ),
        ),
    ),
    # fails: shadowed-access-rule (Deny at 200 behind an Allow Any at 100), public-unrestricted
    #        (allow-all-rule), tls-below-1.2 (minTlsVersion 1.0), outbound-uncontrolled.
    App(
        "func-docs",
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
    # passes: service-endpoint rule + regional integration with allTraffic through a firewall
    # route table (outbound controlled), so service-endpoint-outbound-open passes.
    App(
        "func-crm-sync",
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
    # fails: service-endpoint-outbound-open (restricted by a service-endpoint rule only, no
    #        integration), ftp-allowed, outbound-uncontrolled.
    App(
        "func-partner-api",
        rg="rg-contoso-dedicated",
        plan="asp-contoso-b1-win",
        config=Config(
            ip_rules=(subnet_rule("apim", "snet-apim", 100), DENY_ALL),
            scm_rules=(OFFICE, DENY_ALL),
            ftps="AllAllowed",
        ),
        functions=(http_fn("Quote"),),
    ),
    # fails: remote-debugging-enabled, cors-wildcard, public-unrestricted, ftp-allowed,
    #        anonymous-http-trigger-public, outbound-uncontrolled. Slot "dev" fails the same
    #        minus anonymous.
    App(
        "func-legacy-tools",
        rg="rg-contoso-dedicated",
        plan="asp-contoso-b1-win",
        config=Config(remote_debugging=True, cors=("*", "https://portal.azure.com"), ftps="AllAllowed"),
        functions=(http_fn("Export", "anonymous"),),
        slots=(
            Site(
                "dev",
                config=Config(remote_debugging=True, cors=("*",), ftps="AllAllowed"),
                functions=(http_fn("Export"),),
            ),
        ),
    ),
    # fails: integration-subnet-invalid (its subnet also hosts a private endpoint),
    #        service-endpoint-rule-unsupported (service-endpoint rule on an app with a PE),
    #        outbound-uncontrolled (route all, but no NSG and no route table).
    App(
        "func-catalog",
        rg="rg-contoso-dedicated",
        plan="asp-contoso-p1v3-linux",
        kind=LINUX_KIND,
        public_network_access="Disabled",
        integration_subnet=subnet_id("snet-mixed"),
        all_traffic=True,
        config=Config(ip_rules=(subnet_rule("apim", "snet-apim", 100), DENY_ALL), scm_use_main=True),
        functions=(http_fn("Products"),),
    ),
    # fails: outbound-uncontrolled (route all into a NAT-gateway subnet: a NAT gateway is not
    #        egress control), frontdoor-without-fdid. Slot "canary" on a /29 subnet fails
    #        integration-subnet-invalid and route-all-disabled.
    App(
        "func-media-linux",
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
                integration_subnet=subnet_id("snet-tiny"),
                config=Config(ip_rules=(OFFICE, DENY_ALL), scm_use_main=True),
                functions=(http_fn("Transcode"),),
            ),
        ),
    ),
    # fails: outbound-uncontrolled (NSG denies Internet but an Allow to Internet at 200 precedes
    #        it), scm-unrestricted (SCM default action explicitly Allow, own empty list).
    App(
        "func-search-linux",
        rg="rg-contoso-dedicated",
        plan="asp-contoso-p1v3-linux",
        kind=LINUX_KIND,
        integration_subnet=subnet_id("snet-dedicated-linux"),
        all_traffic=True,
        config=Config(ip_rules=(OFFICE, DENY_ALL), scm_rules=(), scm_default_action="Allow"),
        functions=(http_fn("Query"),),
    ),
    # ---- App Service Environment v3 ----------------------------------------------------------
    # passes: internal (ILB ASE), outbound controlled (ASE subnet routes 0.0.0.0/0 to a firewall);
    # an anonymous HTTP trigger is fine since the site is not public. Slot "staging" likewise.
    App(
        "func-ledger-ilb",
        rg="rg-contoso-ase",
        plan="asp-contoso-ase-ilb",
        functions=(http_fn("Post", "anonymous"), Fn("Close", (QUEUE,))),
        slots=(Site("staging", functions=(http_fn("Post", "anonymous"),)),),
    ),
    # fails: service-endpoint-rule-unsupported (service-endpoint rule in an ASE),
    #        service-endpoint-outbound-open, outbound-uncontrolled (external ASE subnet without
    #        NSG or route table).
    App(
        "func-pricing-ext",
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
    # fails: ase-retired, public-unrestricted (external ASE, Allow all), outbound-uncontrolled,
    #        ftp-allowed.
    App(
        "func-archive-asev2",
        rg="rg-contoso-ase",
        plan="asp-contoso-ase-v2",
        config=Config(ftps="AllAllowed"),
        functions=(Fn("Archive", (TIMER, BLOB_OUT)),),
    ),
    # ---- Azure Container Apps ----------------------------------------------------------------
    # fails: public-unrestricted (default rules), outbound-uncontrolled.
    App(
        "func-events-aca",
        rg="rg-contoso-aca",
        kind=ACA_KIND,
        managed_environment=ACA_ENV,
        functions=(http_fn("Receive"),),
    ),
    # passes the inbound rules: explicit default Deny with an office rule, SCM uses main.
    App(
        "func-jobs-aca",
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

# The collector's functions list for this app is throttled once: ARM answers 429 with
# Retry-After 0, azure-core retries, and the second answer is the 200.
THROTTLED_FUNCTIONS_OF = "func-docs"

# demo-gap: a smaller run of the same subscription where one config/web read is refused.
GAP_APPS = ("func-webhooks-cons", "func-orders", "func-docs")
GAP_FORBIDDEN_CONFIG_OF = "func-docs"


# --- day 2: the same subscription one day later (cassettes/demo-day2, `make schedule-demo`) -----
# Day 1 is APPS above (cassettes/demo). Day 2 changes exactly the apps below, one change of each
# kind `auditor diff` explains; nothing else differs.
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
