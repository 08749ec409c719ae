"""The public Microsoft Learn pages that rules and capability-matrix cells cite.

Users read findings, not our research notes: every reference a user sees names one of these
pages (title, section and URL). The research ids behind a reference (``S8`` for a page as
captured in shared/reference/capabilities.md, ``R-PLAN-01`` for a claim drawn from it, ``C1``
for a documented conflict) travel with it as secondary ``basis`` detail, never alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

LEARN_ORIGIN = "https://learn.microsoft.com/"
_LEARN_URL = re.compile(r"^https://learn\.microsoft\.com/[A-Za-z0-9._~/#?=&%+-]*$")


@dataclass(frozen=True)
class Page:
    title: str
    path: str  # under https://learn.microsoft.com/azure/

    def url(self, anchor: str = "") -> str:
        return f"{LEARN_ORIGIN}azure/{self.path}" + (f"#{anchor}" if anchor else "")


FUNCTIONS_NETWORKING = Page(
    "Azure Functions networking options", "azure-functions/functions-networking-options"
)
FUNCTIONS_HOSTING = Page("Azure Functions hosting options", "azure-functions/functions-scale")
FLEX_CONSUMPTION = Page(
    "Azure Functions Flex Consumption plan hosting", "azure-functions/flex-consumption-plan"
)
CONSUMPTION = Page("Azure Functions Consumption plan hosting", "azure-functions/consumption-plan")
HTTP_TRIGGER = Page("Azure Functions HTTP trigger", "azure-functions/functions-bindings-http-webhook-trigger")
FUNCTION_APP_SETTINGS = Page(
    "Manage your function app", "azure-functions/functions-how-to-use-azure-function-app-settings"
)
VNET_INTEGRATION = Page(
    "Integrate your app with an Azure virtual network", "app-service/overview-vnet-integration"
)
VNET_ROUTING = Page(
    "Manage Azure App Service virtual network integration routing",
    "app-service/configure-vnet-integration-routing",
)
GATEWAY_INTEGRATION = Page(
    "Configure gateway-required virtual network integration",
    "app-service/configure-gateway-required-vnet-integration",
)
IP_RESTRICTIONS = Page(
    "Set up Azure App Service access restrictions", "app-service/app-service-ip-restrictions"
)
ACCESS_RESTRICTIONS = Page(
    "Azure App Service access restrictions", "app-service/overview-access-restrictions"
)
PRIVATE_ENDPOINTS = Page(
    "Use private endpoints for Azure App Service apps", "app-service/overview-private-endpoint"
)
HYBRID_CONNECTIONS = Page(
    "Azure App Service Hybrid Connections", "app-service/app-service-hybrid-connections"
)
ASE_NETWORKING = Page("App Service Environment networking", "app-service/environment/networking")
ASE_AUTO_MIGRATION = Page(
    "App Service Environment version 1 and version 2 automigration", "app-service/environment/auto-migration"
)
TLS_BINDINGS = Page("Secure a custom DNS name with a TLS/SSL binding", "app-service/configure-ssl-bindings")
FTP_DEPLOYMENT = Page("Deploy your app to Azure App Service using FTP/S", "app-service/deploy-ftp")
APP_CONFIGURATION = Page("Configure an App Service app", "app-service/configure-common")


def learn_url(value: object) -> str | None:
    """``value`` when it is a Microsoft Learn https URL safe to put in an href, else None."""
    if isinstance(value, str) and _LEARN_URL.match(value):
        return value
    return None


def reference_url(reference: object) -> str | None:
    """The Learn URL of a finding's or rule's ``reference`` object (results may be old or hostile)."""
    return learn_url(reference.get("url")) if isinstance(reference, Mapping) else None
