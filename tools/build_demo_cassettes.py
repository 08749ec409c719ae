"""Render the contoso demo subscription (tools/demo_contoso.py) into replayable ARM cassettes.

    .venv/bin/python tools/build_demo_cassettes.py            # writes cassettes/demo, demo-gap and demo-day2

(`make regen` runs it first, then rebuilds what depends on these cassettes.)

The interactions are exactly the GETs of docs/collection.md for this subscription, in ARM's wire
format for the api-versions the SDKs send (Microsoft.Web 2025-05-01, Microsoft.Network 2026-03-01):
compact Microsoft.Web JSON with ``{"value": [...], "nextLink": null, "id": null}`` lists,
pretty-printed ``\\r\\n`` Microsoft.Network JSON with ``{"value": [...]}`` lists, a bare array for
``virtualNetworkConnections``, GET-site bodies whose ``siteConfig`` is all nulls. Every GUID is a
zero-form fake, so the output passes tests/test_cassette_scrub.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Run as a script, so its sibling is a top-level module; mypy sees the tools from the repository root.
if TYPE_CHECKING:
    from tools import demo_contoso as demo
else:
    import demo_contoso as demo
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

ROOT = Path(__file__).resolve().parent.parent
ARM = "https://management.azure.com"
WEB_API = "2025-05-01"
NETWORK_API = "2026-03-01"
PLATFORM = "Python/3.11.7 (Linux-6.8.0-1021-azure-x86_64-with-glibc2.39)"
WEB_AGENT = f"azsdk-python-mgmt-web/11.0.1 {PLATFORM}"
NETWORK_AGENT = f"azsdk-python-mgmt-network/33.1.0 {PLATFORM}"
RECORDED_AT = datetime(2026, 10, 20, 9, 15, 3, tzinfo=UTC)
SUB = f"/subscriptions/{demo.SUBSCRIPTION}"
CALLER_OBJECT_ID = "00000000-0000-0000-0000-0000000a0001"


def rg_path(rg: str) -> str:
    return f"{SUB}/resourceGroups/{rg}"


def fake_guid(seed: str) -> str:
    """A zero-form GUID derived from a name, so regenerating changes nothing."""
    return "00000000-0000-0000-0000-" + hashlib.sha256(seed.encode()).hexdigest()[:12]


def etag(seed: str) -> str:
    return f'W/"{fake_guid("etag:" + seed)}"'


def hex_id(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length].upper()


# --- Microsoft.Web bodies ---------------------------------------------------------------------

PLANS = {plan.name: plan for plan in demo.PLANS}
ASES = {ase.name: ase for ase in demo.ASES}


def plan_id(plan: demo.Plan) -> str:
    return f"{rg_path(plan.rg)}/providers/Microsoft.Web/serverfarms/{plan.name}"


def ase_id(ase: demo.Ase) -> str:
    return f"{rg_path(ase.rg)}/providers/Microsoft.Web/hostingEnvironments/{ase.name}"


def site_id(app: demo.App, slot: demo.Site | None = None) -> str:
    base = f"{rg_path(app.rg)}/providers/Microsoft.Web/sites/{app.name}"
    return f"{base}/slots/{slot.name}" if slot else base


def host_name(app: demo.App, slot: demo.Site | None = None) -> str:
    label = f"{app.name}-{slot.name}" if slot else app.name
    plan = PLANS.get(app.plan or "")
    if plan and plan.ase:
        return f"{label}.{plan.ase}.appserviceenvironment.net"
    if app.managed_environment:
        return f"{label}.politeriver-4f1c2a9e.westeurope.azurecontainerapps.io"
    return f"{label}.azurewebsites.net"


def is_linux(app: demo.App) -> bool:
    return "linux" in app.kind.split(",")


SITE_CONFIG_ON_GET = dict.fromkeys(
    [
        "numberOfWorkers",
        "defaultDocuments",
        "netFrameworkVersion",
        "phpVersion",
        "pythonVersion",
        "nodeVersion",
        "powerShellVersion",
        "linuxFxVersion",
        "windowsFxVersion",
        "windowsConfiguredStacks",
        "requestTracingEnabled",
        "remoteDebuggingEnabled",
        "remoteDebuggingVersion",
        "httpLoggingEnabled",
        "azureMonitorLogCategories",
        "acrUseManagedIdentityCreds",
        "acrUserManagedIdentityID",
        "logsDirectorySizeLimit",
        "detailedErrorLoggingEnabled",
        "publishingUsername",
        "publishingPassword",
        "appSettings",
        "metadata",
        "connectionStrings",
        "machineKey",
        "handlerMappings",
        "documentRoot",
        "scmType",
        "use32BitWorkerProcess",
        "webSocketsEnabled",
        "alwaysOn",
        "javaVersion",
        "javaContainer",
        "javaContainerVersion",
        "appCommandLine",
        "managedPipelineMode",
        "virtualApplications",
        "winAuthAdminState",
        "winAuthTenantState",
        "customAppPoolIdentityAdminState",
        "customAppPoolIdentityTenantState",
        "runtimeADUser",
        "runtimeADUserPassword",
        "loadBalancing",
        "routingRules",
        "experiments",
        "limits",
        "autoHealEnabled",
        "autoHealRules",
        "tracingOptions",
        "vnetName",
        "vnetRouteAllEnabled",
        "vnetPrivatePortsCount",
        "publicNetworkAccess",
        "cors",
        "push",
        "apiDefinition",
        "apiManagementConfig",
        "autoSwapSlotName",
        "localMySqlEnabled",
        "managedServiceIdentityId",
        "xManagedServiceIdentityId",
        "keyVaultReferenceIdentity",
        "ipSecurityRestrictions",
        "ipSecurityRestrictionsDefaultAction",
        "scmIpSecurityRestrictions",
        "scmIpSecurityRestrictionsDefaultAction",
        "scmIpSecurityRestrictionsUseMain",
        "http20Enabled",
        "http20ProxyFlag",
        "minTlsVersion",
        "minTlsCipherSuite",
        "scmMinTlsVersion",
        "ftpsState",
        "preWarmedInstanceCount",
        "functionAppScaleLimit",
        "elasticWebAppScaleLimit",
        "healthCheckPath",
        "fileChangeAuditEnabled",
        "functionsRuntimeScaleMonitoringEnabled",
        "websiteTimeZone",
        "minimumElasticInstanceCount",
        "azureStorageAccounts",
        "sitePort",
        "antivirusScanEnabled",
        "storageType",
    ]
)
SITE_CONFIG_ON_GET.update(acrUseManagedIdentityCreds=False, minimumElasticInstanceCount=0)


def private_endpoint_connections(app: demo.App, slot: demo.Site | None) -> list[dict[str, Any]]:
    connections = []
    for pe in demo.PRIVATE_ENDPOINTS:
        if pe.app != app.name or pe.slot != (slot.name if slot else None):
            continue
        connection_name = f"{pe.name}-{hex_id(pe.name, 8).lower()}"
        connections.append(
            {
                "id": f"{site_id(app, slot)}/privateEndpointConnections/{connection_name}",
                "name": connection_name,
                "type": "Microsoft.Web/sites/privateEndpointConnections",
                "location": demo.LOCATION,
                "properties": {
                    "provisioningState": "Succeeded",
                    "privateEndpoint": {"id": private_endpoint_id(pe)},
                    "groupIds": None,
                    "privateLinkServiceConnectionState": {
                        "status": pe.status,
                        "description": "" if pe.status == "Pending" else "Approved by contoso-platform",
                        "actionsRequired": "None",
                    },
                    "ipAddresses": [pe.ip],
                },
            }
        )
    return connections


def site_body(app: demo.App, slot: demo.Site | None = None) -> dict[str, Any]:
    site = slot or app
    plan = PLANS.get(app.plan or "")
    ase = ASES.get(plan.ase) if plan and plan.ase else None
    host = host_name(app, slot)
    scm_host = host.replace(".", ".scm.", 1)
    name = f"{app.name}/{slot.name}" if slot else app.name
    linux = is_linux(app)
    web_space = f"{app.rg}-WestEuropewebspace" + ("-Linux" if linux else "")
    stamp = "waws-prod-am2-" + str(int(hex_id("stamp" + app.rg, 4), 16) % 900 + 100)
    if ase:
        stamp = f"{ase.name}-stamp"
    outbound = ",".join(f"20.{(i * 7) % 200 + 23}.{(i * 13) % 250}.{(i * 31) % 250 + 1}" for i in range(1, 5))
    properties: dict[str, Any] = {
        "name": f"{app.name}({slot.name})" if slot else app.name,
        "state": "Running",
        "hostNames": [host],
        "webSpace": web_space,
        "selfLink": f"https://{stamp}.api.azurewebsites.windows.net:454{SUB}/webspaces/{web_space}/sites/{app.name}",
        "repositorySiteName": app.name,
        "owner": None,
        "usageState": "Normal",
        "enabled": True,
        "adminEnabled": True,
        "siteScopedCertificatesEnabled": False,
        "afdEnabled": False,
        "enabledHostNames": [host, scm_host],
        "siteProperties": {
            "metadata": None,
            "properties": [
                {"name": "LinuxFxVersion", "value": "DOTNET-ISOLATED|8.0" if linux else ""},
                {"name": "WindowsFxVersion", "value": None},
            ],
            "appSettings": None,
        },
        "availabilityState": "Normal",
        "sslCertificates": None,
        "csrs": [],
        "cers": None,
        "siteMode": None,
        "hostNameSslStates": [
            {
                "name": host,
                "sslState": "Disabled",
                "ipBasedSslResult": None,
                "virtualIP": None,
                "virtualIPv6": None,
                "thumbprint": None,
                "certificateResourceId": None,
                "toUpdate": None,
                "toUpdateIpBasedSsl": None,
                "ipBasedSslState": "NotConfigured",
                "hostType": "Standard",
            },
            {
                "name": scm_host,
                "sslState": "Disabled",
                "ipBasedSslResult": None,
                "virtualIP": None,
                "virtualIPv6": None,
                "thumbprint": None,
                "certificateResourceId": None,
                "toUpdate": None,
                "toUpdateIpBasedSsl": None,
                "ipBasedSslState": "NotConfigured",
                "hostType": "Repository",
            },
        ],
        "computeMode": None,
        "serverFarm": None,
        "serverFarmId": plan_id(plan) if plan else None,
        "reserved": linux,
        "isXenon": False,
        "hyperV": False,
        "lastModifiedTimeUtc": "2026-10-02T14:21:07.6333333",
        "storageRecoveryDefaultState": "Running",
        "contentAvailabilityState": "Normal",
        "runtimeAvailabilityState": "Normal",
        "dnsConfiguration": {},
    }
    if site.legacy_route_all is not None:
        properties["vnetRouteAllEnabled"] = site.legacy_route_all
    properties.update(
        {
            "outboundVnetRouting": {
                "allTraffic": site.all_traffic,
                "applicationTraffic": site.application_traffic,
                "contentShareTraffic": site.all_traffic,
                "imagePullTraffic": site.all_traffic,
                "backupRestoreTraffic": False,
                "managedIdentityTraffic": False,
            },
            "siteConfig": dict(SITE_CONFIG_ON_GET),
            "functionAppConfig": flex_config(app) if plan and plan.tier == "FlexConsumption" else None,
            "daprConfig": None,
            "deploymentId": f"{app.name}__{slot.name}" if slot else app.name,
            "slotName": slot.name if slot else None,
            "trafficManagerHostNames": None,
            "sku": plan.tier if plan else None,
            "scmSiteAlsoStopped": False,
            "targetSwapSlot": None,
            "hostingEnvironment": ase.name if ase else None,
            "hostingEnvironmentProfile": (
                {"id": ase_id(ase), "name": ase.name, "type": "Microsoft.Web/hostingEnvironments"}
                if ase
                else None
            ),
            "clientAffinityEnabled": False,
            "clientAffinityProxyEnabled": False,
            "clientCertEnabled": False,
            "clientCertMode": "Required",
            "clientCertExclusionPaths": None,
            "hostNamesDisabled": False,
            "ipMode": "IPv4",
            "domainVerificationIdentifiers": None,
            "customDomainVerificationId": hex_id("domain-verification", 64),
            "kind": app.kind,
            "managedEnvironmentId": app.managed_environment,
            "workloadProfileName": "Consumption" if app.managed_environment else None,
            "resourceConfig": {"cpu": 0.5, "memory": "1Gi"} if app.managed_environment else None,
            "inboundIpAddress": "20.105.232.41",
            "possibleInboundIpAddresses": "20.105.232.41",
            "inboundIpv6Address": None,
            "possibleInboundIpv6Addresses": None,
            "ftpUsername": f"{app.name}\\$" + app.name,
            "ftpsHostName": f"ftps://{stamp}.ftp.azurewebsites.windows.net/site/wwwroot",
            "outboundIpAddresses": outbound,
            "possibleOutboundIpAddresses": outbound + ",20.238.1.17,20.238.1.52",
            "outboundIpv6Addresses": None,
            "possibleOutboundIpv6Addresses": None,
            "containerSize": 1536 if plan and plan.tier == "Dynamic" else 0,
            "dailyMemoryTimeQuota": 0,
            "suspendedTill": None,
            "siteDisabledReason": 0,
            "functionExecutionUnitsCache": None,
            "maxNumberOfWorkers": None,
            "homeStamp": stamp,
            "cloningInfo": None,
            "hostingEnvironmentId": None,
            "tags": app.tags or None,
            "resourceGroup": app.rg,
            "defaultHostName": host,
            "slotSwapStatus": None,
            "httpsOnly": site.https_only,
            "endToEndEncryptionEnabled": False,
            "functionsRuntimeAdminIsolationEnabled": False,
            "redundancyMode": "None",
            "inProgressOperationId": None,
            "geoDistributions": None,
            "privateEndpointConnections": private_endpoint_connections(app, slot),
            "publicNetworkAccess": site.public_network_access,
            "buildVersion": None,
            "targetBuildVersion": None,
            "migrationState": None,
            "eligibleLogCategories": "FunctionAppLogs,AppServiceAuthenticationLogs",
            "inFlightFeatures": ["SiteContainers"] if linux else [],
            "storageAccountRequired": False,
            "virtualNetworkSubnetId": site.integration_subnet,
            "keyVaultReferenceIdentity": "SystemAssigned",
            "autoGeneratedDomainNameLabelScope": None,
            "privateLinkIdentifiers": None,
            "sshEnabled": None,
        }
    )
    body: dict[str, Any] = {
        "id": site_id(app, slot),
        "name": name,
        "type": "Microsoft.Web/sites/slots" if slot else "Microsoft.Web/sites",
        "kind": app.kind,
        "location": demo.LOCATION,
        "tags": app.tags,
        "properties": properties,
    }
    if plan and plan.tier == "FlexConsumption":
        body["identity"] = {
            "type": "SystemAssigned",
            "tenantId": demo.TENANT,
            "principalId": fake_guid("principal:" + app.name),
        }
    return body


def flex_config(app: demo.App) -> dict[str, Any]:
    return {
        "deployment": {
            "storage": {
                "type": "blobContainer",
                "value": f"https://stcontosoflex.blob.core.windows.net/app-package-{app.name}",
                "authentication": {
                    "type": "SystemAssignedIdentity",
                    "userAssignedIdentityResourceId": None,
                    "storageAccountConnectionStringName": None,
                },
            }
        },
        "runtime": {"name": "dotnet-isolated", "version": "8.0"},
        "scaleAndConcurrency": {
            "alwaysReady": [],
            "maximumInstanceCount": 100,
            "instanceMemoryMB": 2048,
            "triggers": None,
        },
        "siteUpdateStrategy": {"type": "Recreate"},
    }


def plan_body(plan: demo.Plan, sites: int) -> dict[str, Any]:
    ase = ASES.get(plan.ase or "")
    dynamic = plan.tier in ("Dynamic", "FlexConsumption")
    elastic = plan.tier in ("ElasticPremium", "WorkflowStandard")
    web_space = f"{plan.rg}-WestEuropewebspace" + ("-Linux" if plan.linux else "")
    farm_number = int(hex_id(plan.name, 5), 16)
    return {
        "id": plan_id(plan),
        "name": plan.name,
        "type": "Microsoft.Web/serverfarms",
        "kind": plan.kind,
        "location": demo.LOCATION,
        "tags": {},
        "properties": {
            "serverFarmId": farm_number % 90000 + 10000,
            "name": plan.name,
            "workerSize": "Default" if dynamic else "D1",
            "workerSizeId": 0 if dynamic else 3,
            "workerTierName": None,
            "numberOfWorkers": plan.capacity,
            "currentWorkerSize": "Default" if dynamic else "D1",
            "currentWorkerSizeId": 0 if dynamic else 3,
            "currentNumberOfWorkers": plan.capacity,
            "status": "Ready",
            "webSpace": web_space,
            "subscription": demo.SUBSCRIPTION,
            "adminSiteName": None,
            "hostingEnvironment": ase.name if ase else None,
            "hostingEnvironmentProfile": (
                {"id": ase_id(ase), "name": ase.name, "type": "Microsoft.Web/hostingEnvironments"}
                if ase
                else None
            ),
            "maximumNumberOfWorkers": 100 if ase else (0 if dynamic else 30 if not elastic else 100),
            "planName": "VirtualDedicatedPlan",
            "adminRuntimeSiteName": None,
            "computeMode": "Dynamic" if dynamic else "Dedicated",
            "siteMode": None,
            "geoRegion": demo.LOCATION,
            "perSiteScaling": False,
            "elasticScaleEnabled": elastic,
            "maximumElasticWorkerCount": 20 if elastic else 1,
            "numberOfSites": sites,
            "hostingEnvironmentId": None,
            "isSpot": False,
            "spotExpirationTime": None,
            "freeOfferExpirationTime": None,
            "tags": {},
            "kind": plan.kind,
            "resourceGroup": plan.rg,
            "reserved": plan.linux,
            "isXenon": False,
            "hyperV": False,
            "mdmId": f"waws-prod-am2-{int(hex_id(plan.rg, 3), 16) % 900 + 100}_{farm_number % 90000}",
            "targetWorkerCount": 0,
            "targetWorkerSizeId": 0,
            "provisioningState": "Succeeded",
            "webSiteId": None,
            "existingServerFarmIds": None,
            "kubeEnvironmentProfile": None,
            "zoneRedundant": False,
            "maximumNumberOfZones": 1,
            "currentNumberOfZonesUtilized": 0,
            "migrateToVMSS": None,
            "vnetConnectionsUsed": 0,
            "vnetConnectionsMax": 2,
            "createdTime": "2025-03-11T08:42:19.5233333",
            "asyncScalingEnabled": False,
            "isCustomMode": False,
            "powerState": "Running",
            "eligibleZonesCount": 3,
        },
        "sku": {
            "name": plan.sku,
            "tier": plan.tier,
            "size": plan.sku,
            "family": plan.family,
            "capacity": plan.capacity,
        },
    }


def ase_body(ase: demo.Ase) -> dict[str, Any]:
    internal = ase.ilb_mode != "None"
    return {
        "id": ase_id(ase),
        "name": ase.name,
        "type": "Microsoft.Web/hostingEnvironments",
        "kind": ase.kind,
        "location": demo.LOCATION,
        "tags": {},
        "properties": {
            "provisioningState": "Succeeded",
            "status": "Ready",
            "virtualNetwork": {
                "id": demo.subnet_id(ase.subnet),
                "name": ase.subnet,
                "type": "Microsoft.Network/virtualNetworks/subnets",
                "subnet": "",
            },
            "internalLoadBalancingMode": ase.ilb_mode,
            "multiSize": "Standard_D2d_v4" if ase.kind == "ASEV3" else "Standard_D1_V2",
            "multiRoleCount": None if ase.kind == "ASEV3" else 2,
            "ipsslAddressCount": 0,
            "dnsSuffix": f"{ase.name}.appserviceenvironment.net",
            "maximumNumberOfMachines": 250,
            "frontEndScaleFactor": 15,
            "suspended": False,
            "clusterSettings": None,
            "userWhitelistedIpRanges": None,
            "hasLinuxWorkers": ase.kind == "ASEV3",
            "upgradePreference": "None",
            "dedicatedHostCount": 0,
            "zoneRedundant": False,
            "networkingConfiguration": {
                "id": f"{ase_id(ase)}/configurations/networking",
                "properties": {
                    "windowsOutboundIpAddresses": ["20.105.214.12"],
                    "linuxOutboundIpAddresses": ["20.105.214.12"],
                    "externalInboundIpAddresses": [] if internal else ["20.105.214.40"],
                    "internalInboundIpAddresses": ["10.10.16.4"] if internal else [],
                    "allowNewPrivateEndpointConnections": False,
                    "ftpEnabled": False,
                    "remoteDebugEnabled": False,
                    "inboundIpAddressOverride": None,
                },
            },
            "upgradeAvailability": "None",
        },
    }


def config_body(app: demo.App, slot: demo.Site | None = None) -> dict[str, Any]:
    site = slot or app
    cfg = site.config
    linux = is_linux(app)
    plan = PLANS.get(app.plan or "")
    vnet_name = cfg.vnet_name
    if site.integration_subnet and not vnet_name:
        vnet_name = swift_connection_name(site.integration_subnet)
    route_all = cfg.vnet_route_all or site.application_traffic or bool(site.legacy_route_all)
    properties: dict[str, Any] = {
        "numberOfWorkers": 1,
        "defaultDocuments": None
        if linux
        else ["Default.htm", "Default.html", "index.html", "hostingstart.html"],
        "netFrameworkVersion": "v4.0" if linux else "v8.0",
        "phpVersion": "",
        "pythonVersion": "",
        "nodeVersion": "",
        "powerShellVersion": "",
        "linuxFxVersion": "DOTNET-ISOLATED|8.0" if linux else "",
        "windowsFxVersion": None,
        "windowsConfiguredStacks": [],
        "requestTracingEnabled": False,
        "remoteDebuggingEnabled": cfg.remote_debugging,
        "remoteDebuggingVersion": "VS2022" if cfg.remote_debugging else None,
        "httpLoggingEnabled": False,
        "azureMonitorLogCategories": None,
        "acrUseManagedIdentityCreds": False,
        "acrUserManagedIdentityID": None,
        "logsDirectorySizeLimit": 35,
        "detailedErrorLoggingEnabled": False,
        "publishingUsername": f"${app.name}",
        "publishingPassword": None,
        "appSettings": None,
        "metadata": None,
        "connectionStrings": None,
        "machineKey": None,
        "handlerMappings": None,
        "documentRoot": None,
        "scmType": "None",
        "use32BitWorkerProcess": not linux,
        "webSocketsEnabled": False,
        "alwaysOn": cfg.always_on,
        "javaVersion": None,
        "javaContainer": None,
        "javaContainerVersion": None,
        "appCommandLine": "",
        "managedPipelineMode": "Integrated",
        "virtualApplications": [
            {
                "virtualPath": "/",
                "physicalPath": "site\\wwwroot",
                "preloadEnabled": cfg.always_on,
                "virtualDirectories": None,
            }
        ],
        "winAuthAdminState": 0,
        "winAuthTenantState": 0,
        "customAppPoolIdentityAdminState": False,
        "customAppPoolIdentityTenantState": False,
        "runtimeADUser": None,
        "runtimeADUserPassword": None,
        "loadBalancing": "LeastRequests",
        "routingRules": [],
        "experiments": {"rampUpRules": []},
        "limits": None,
        "autoHealEnabled": False,
        "autoHealRules": None,
        "tracingOptions": None,
        "vnetName": vnet_name,
        "vnetRouteAllEnabled": route_all,
        "vnetPrivatePortsCount": 0,
        "publicNetworkAccess": site.public_network_access,
        "cors": {"allowedOrigins": list(cfg.cors), "supportCredentials": False} if cfg.cors else None,
        "push": None,
        "apiDefinition": None,
        "apiManagementConfig": None,
        "autoSwapSlotName": None,
        "localMySqlEnabled": False,
        "managedServiceIdentityId": None,
        "xManagedServiceIdentityId": None,
        "keyVaultReferenceIdentity": None,
        "ipSecurityRestrictions": list(cfg.ip_rules),
        "ipSecurityRestrictionsDefaultAction": cfg.default_action,
        "scmIpSecurityRestrictions": list(cfg.scm_rules),
        "scmIpSecurityRestrictionsDefaultAction": cfg.scm_default_action,
        "scmIpSecurityRestrictionsUseMain": cfg.scm_use_main,
        "http20Enabled": cfg.http20,
        "http20ProxyFlag": 0,
        "minTlsVersion": cfg.min_tls,
        "minTlsCipherSuite": None,
        "scmMinTlsVersion": cfg.scm_min_tls,
        "ftpsState": cfg.ftps,
        "preWarmedInstanceCount": 1 if plan and plan.tier == "ElasticPremium" else 0,
        "functionAppScaleLimit": 200 if plan and plan.tier == "Dynamic" else 0,
        "elasticWebAppScaleLimit": None,
        "healthCheckPath": None,
        "fileChangeAuditEnabled": False,
        "functionsRuntimeScaleMonitoringEnabled": cfg.scale_monitoring,
        "websiteTimeZone": None,
        "minimumElasticInstanceCount": 1 if plan and plan.tier == "ElasticPremium" else 0,
        "azureStorageAccounts": {},
        "sitePort": None,
        "antivirusScanEnabled": None,
        "storageType": None,
    }
    return {
        "id": f"{site_id(app, slot)}/config/web",
        "name": f"{app.name}/{slot.name}" if slot else app.name,
        "type": "Microsoft.Web/sites/slots/config" if slot else "Microsoft.Web/sites/config",
        "location": demo.LOCATION,
        "properties": properties,
    }


def functions_body(app: demo.App, slot: demo.Site | None = None) -> dict[str, Any]:
    site = slot or app
    host = host_name(app, slot)
    items = []
    for fn in site.functions:
        is_http = any(binding["type"] == "httpTrigger" for binding in fn.bindings)
        items.append(
            {
                "id": f"{site_id(app, slot)}/functions/{fn.name}",
                "name": f"{app.name}/{slot.name}/{fn.name}" if slot else f"{app.name}/{fn.name}",
                "type": "Microsoft.Web/sites/slots/functions" if slot else "Microsoft.Web/sites/functions",
                "location": demo.LOCATION,
                "properties": {
                    "name": fn.name,
                    "function_app_id": None,
                    "script_root_path_href": f"https://{host}/admin/vfs/home/site/wwwroot/{fn.name}/",
                    "script_href": f"https://{host}/admin/vfs/home/site/wwwroot/bin/Contoso.Functions.dll",
                    "config_href": f"https://{host}/admin/vfs/home/site/wwwroot/{fn.name}/function.json",
                    "test_data_href": f"https://{host}/admin/vfs/tmp/FunctionsData/{fn.name}.dat",
                    "secrets_file_href": None,
                    "href": f"https://{host}/admin/functions/{fn.name}",
                    "config": {
                        "name": fn.name,
                        "entryPoint": f"Contoso.Functions.{fn.name}.Run",
                        "scriptFile": "Contoso.Functions.dll",
                        "language": fn.language,
                        "functionDirectory": "",
                        "bindings": [dict(binding) for binding in fn.bindings],
                    },
                    "files": None,
                    "test_data": "",
                    "invoke_url_template": f"https://{host}/api/{fn.name.lower()}" if is_http else None,
                    "language": fn.language,
                    "isDisabled": False,
                },
            }
        )
    return web_list(items)


def swift_connection_name(subnet_id: str) -> str:
    """``<guid>_<subnet>``: how config/web's vnetName and the connection name a regional integration."""
    vnet = subnet_id.split("/virtualNetworks/")[1].split("/")[0]
    return f"{fake_guid('vnet:' + vnet)}_{subnet_id.rsplit('/', 1)[1]}"


def vnet_connections_body(app: demo.App, slot: demo.Site | None = None) -> list[dict[str, Any]]:
    site = slot or app
    # A regional integration lists itself too (isSwift, the subnet as vnetResourceId), in the shape
    # of shared/reference/recordings/azure-cli.test_functionapp_vnetE2E.
    swift = (
        [
            {
                "id": f"{site_id(app, slot)}/virtualNetworkConnections/{swift_connection_name(subnet)}",
                "name": swift_connection_name(subnet),
                "type": "Microsoft.Web/sites/virtualNetworkConnections",
                "location": demo.LOCATION,
                "properties": {
                    "vnetResourceId": subnet,
                    "certThumbprint": None,
                    "certBlob": None,
                    "routes": None,
                    "resyncRequired": False,
                    "dnsServers": None,
                    "isSwift": True,
                },
            }
        ]
        if (subnet := site.integration_subnet)
        else []
    )
    return swift + [
        {
            "id": f"{site_id(app, slot)}/virtualNetworkConnections/{connection.vnet}",
            "name": connection.vnet,
            "type": "Microsoft.Web/sites/virtualNetworkConnections",
            "location": demo.LOCATION,
            "properties": {
                "vnetResourceId": vnet_id(connection.vnet),
                "certThumbprint": hex_id("p2s-cert:" + connection.vnet, 40),
                "certBlob": None,
                "routes": [],
                "resyncRequired": False,
                "dnsServers": None,
                "isSwift": connection.is_swift,
            },
        }
        for connection in site.vnet_connections
    ]


def hybrid_connection(owner_id: str, owner_type: str, hc: demo.HybridConnection) -> dict[str, Any]:
    relay_arm = (
        f"{rg_path(hc.rg)}/providers/Microsoft.Relay/namespaces/{hc.namespace}/hybridConnections/{hc.relay}"
    )
    return {
        "id": f"{owner_id}/hybridConnectionNamespaces/{hc.namespace}/relays/{hc.relay}",
        "name": hc.relay,
        "type": f"{owner_type}/hybridConnectionNamespaces/relays",
        "location": demo.LOCATION,
        "properties": {
            "serviceBusNamespace": hc.namespace,
            "relayName": hc.relay,
            "relayArmUri": relay_arm,
            "hostname": hc.hostname,
            "port": hc.port,
            # The GET returns the key name and value; recordings blank both (see cassettes.py).
            "sendKeyName": "",
            "sendKeyValue": "",
            "serviceBusSuffix": ".servicebus.windows.net",
        },
    }


def web_list(items: list[dict[str, Any]], next_link: str | None = None) -> dict[str, Any]:
    return {"value": items, "nextLink": next_link, "id": None}


# --- Microsoft.Network bodies -----------------------------------------------------------------


def network_id(kind: str, name: str) -> str:
    return f"{rg_path(demo.NETWORK_RG)}/providers/Microsoft.Network/{kind}/{name}"


def vnet_id(name: str) -> str:
    return network_id("virtualNetworks", name)


def private_endpoint_id(pe: demo.PrivateEndpoint) -> str:
    return network_id("privateEndpoints", pe.name)


DELEGATION_ACTIONS = {
    demo.SERVER_FARMS: ["Microsoft.Network/virtualNetworks/subnets/action"],
    demo.APP_ENVIRONMENTS: ["Microsoft.Network/virtualNetworks/subnets/join/action"],
    demo.HOSTING_ENVIRONMENTS: ["Microsoft.Network/virtualNetworks/subnets/action"],
}


def subnet_body(vnet: demo.Vnet, subnet: demo.Subnet, apps: Sequence[demo.App]) -> dict[str, Any]:
    sid = demo.subnet_id(subnet.name, vnet.name)
    tag = etag(vnet.name)
    properties: dict[str, Any] = {"provisioningState": "Succeeded", "addressPrefix": subnet.prefix}
    if subnet.nsg:
        properties["networkSecurityGroup"] = {"id": network_id("networkSecurityGroups", subnet.nsg)}
    if subnet.route_table:
        properties["routeTable"] = {"id": network_id("routeTables", subnet.route_table)}
    if subnet.nat_gateway:
        properties["natGateway"] = {"id": network_id("natGateways", subnet.nat_gateway)}
    if subnet.service_endpoints:
        properties["serviceEndpoints"] = [
            {"provisioningState": "Succeeded", "service": service, "locations": ["*"]}
            for service in subnet.service_endpoints
        ]
    endpoints = [pe for pe in demo.PRIVATE_ENDPOINTS if pe.subnet == subnet.name]
    if endpoints:
        properties["privateEndpoints"] = [{"id": private_endpoint_id(pe)} for pe in endpoints]
    integrated_plans = sorted(
        {
            app.plan
            for app in apps
            for site in (app, *app.slots)
            if site.integration_subnet == sid and app.plan
        }
    )
    if subnet.delegation == demo.SERVER_FARMS and integrated_plans:
        properties["serviceAssociationLinks"] = [
            {
                "name": "AppServiceLink",
                "id": f"{sid}/serviceAssociationLinks/AppServiceLink",
                "etag": tag,
                "type": "Microsoft.Network/virtualNetworks/subnets/serviceAssociationLinks",
                "properties": {
                    "provisioningState": "Succeeded",
                    "linkedResourceType": "Microsoft.Web/serverfarms",
                    "link": plan_id(PLANS[integrated_plans[0]]),
                    "enabledForArmDeployments": False,
                    "allowDelete": False,
                    "locations": [],
                },
            }
        ]
    properties["delegations"] = (
        [
            {
                "name": "delegation",
                "id": f"{sid}/delegations/delegation",
                "etag": tag,
                "properties": {
                    "provisioningState": "Succeeded",
                    "serviceName": subnet.delegation,
                    "actions": DELEGATION_ACTIONS[subnet.delegation],
                },
                "type": "Microsoft.Network/virtualNetworks/subnets/delegations",
            }
        ]
        if subnet.delegation
        else []
    )
    properties["privateEndpointNetworkPolicies"] = "Disabled"
    properties["privateLinkServiceNetworkPolicies"] = "Enabled"
    properties["defaultOutboundAccess"] = False
    return {
        "name": subnet.name,
        "id": sid,
        "etag": tag,
        "properties": properties,
        "type": "Microsoft.Network/virtualNetworks/subnets",
    }


def vnet_body(vnet: demo.Vnet, apps: Sequence[demo.App]) -> dict[str, Any]:
    return {
        "name": vnet.name,
        "id": vnet_id(vnet.name),
        "etag": etag(vnet.name),
        "type": "Microsoft.Network/virtualNetworks",
        "location": vnet.location,
        "tags": {"owner": "contoso-platform"},
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": fake_guid("vnet:" + vnet.name),
            "addressSpace": {"addressPrefixes": [vnet.address_space]},
            "privateEndpointVNetPolicies": "Disabled",
            "subnets": [subnet_body(vnet, subnet, apps) for subnet in vnet.subnets],
            "virtualNetworkPeerings": [],
            "enableDdosProtection": False,
        },
    }


def subnets_using(kind: str, name: str) -> list[dict[str, str]]:
    return [
        {"id": demo.subnet_id(subnet.name, vnet.name)}
        for vnet in demo.VNETS
        for subnet in vnet.subnets
        if {"nsg": subnet.nsg, "rt": subnet.route_table, "nat": subnet.nat_gateway}[kind] == name
    ]


DEFAULT_NSG_RULES = (
    (
        "AllowVnetInBound",
        "Allow inbound traffic from all VMs in VNET",
        "Allow",
        "VirtualNetwork",
        "VirtualNetwork",
        65000,
        "Inbound",
    ),
    (
        "AllowAzureLoadBalancerInBound",
        "Allow inbound traffic from azure load balancer",
        "Allow",
        "AzureLoadBalancer",
        "*",
        65001,
        "Inbound",
    ),
    ("DenyAllInBound", "Deny all inbound traffic", "Deny", "*", "*", 65500, "Inbound"),
    (
        "AllowVnetOutBound",
        "Allow outbound traffic from all VMs to all VMs in VNET",
        "Allow",
        "VirtualNetwork",
        "VirtualNetwork",
        65000,
        "Outbound",
    ),
    (
        "AllowInternetOutBound",
        "Allow outbound traffic from all VMs to Internet",
        "Allow",
        "*",
        "Internet",
        65001,
        "Outbound",
    ),
    ("DenyAllOutBound", "Deny all outbound traffic", "Deny", "*", "*", 65500, "Outbound"),
)


def nsg_body(nsg: demo.Nsg) -> dict[str, Any]:
    nid = network_id("networkSecurityGroups", nsg.name)
    tag = etag(nsg.name)
    rules = [
        {
            "name": rule.name,
            "id": f"{nid}/securityRules/{rule.name}",
            "etag": tag,
            "type": "Microsoft.Network/networkSecurityGroups/securityRules",
            "properties": {
                "provisioningState": "Succeeded",
                "protocol": rule.protocol,
                "sourcePortRange": "*",
                "destinationPortRange": rule.port,
                "sourceAddressPrefix": "VirtualNetwork" if rule.direction == "Outbound" else "*",
                "destinationAddressPrefix": rule.destination,
                "access": rule.access,
                "priority": rule.priority,
                "direction": rule.direction,
                "sourcePortRanges": [],
                "destinationPortRanges": [],
                "sourceAddressPrefixes": [],
                "destinationAddressPrefixes": [],
            },
        }
        for rule in nsg.rules
    ]
    defaults = [
        {
            "name": name,
            "id": f"{nid}/defaultSecurityRules/{name}",
            "etag": tag,
            "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
            "properties": {
                "provisioningState": "Succeeded",
                "description": description,
                "protocol": "*",
                "sourcePortRange": "*",
                "destinationPortRange": "*",
                "sourceAddressPrefix": source,
                "destinationAddressPrefix": destination,
                "access": access,
                "priority": priority,
                "direction": direction,
                "sourcePortRanges": [],
                "destinationPortRanges": [],
                "sourceAddressPrefixes": [],
                "destinationAddressPrefixes": [],
            },
        }
        for name, description, access, source, destination, priority, direction in DEFAULT_NSG_RULES
    ]
    return {
        "name": nsg.name,
        "id": nid,
        "etag": tag,
        "type": "Microsoft.Network/networkSecurityGroups",
        "location": demo.NET_LOCATION,
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": fake_guid("nsg:" + nsg.name),
            "securityRules": rules,
            "defaultSecurityRules": defaults,
            "subnets": subnets_using("nsg", nsg.name),
        },
    }


def route_table_body(table: demo.RouteTable) -> dict[str, Any]:
    rid = network_id("routeTables", table.name)
    tag = etag(table.name)
    routes = []
    for route in table.routes:
        properties: dict[str, Any] = {
            "provisioningState": "Succeeded",
            "addressPrefix": route.prefix,
            "nextHopType": route.next_hop,
        }
        if route.next_hop_ip:
            properties["nextHopIpAddress"] = route.next_hop_ip
        properties["hasBgpOverride"] = False
        routes.append(
            {
                "name": route.name,
                "id": f"{rid}/routes/{route.name}",
                "etag": tag,
                "properties": properties,
                "type": "Microsoft.Network/routeTables/routes",
            }
        )
    return {
        "name": table.name,
        "id": rid,
        "etag": tag,
        "type": "Microsoft.Network/routeTables",
        "location": demo.NET_LOCATION,
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": fake_guid("rt:" + table.name),
            "disableBgpRoutePropagation": False,
            "routes": routes,
            "subnets": subnets_using("rt", table.name),
        },
    }


def nat_gateway_body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "id": network_id("natGateways", name),
        "etag": etag(name),
        "type": "Microsoft.Network/natGateways",
        "location": demo.NET_LOCATION,
        "sku": {"name": "Standard", "tier": "Regional"},
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": fake_guid("nat:" + name),
            "idleTimeoutInMinutes": 4,
            "publicIpAddresses": [{"id": network_id("publicIPAddresses", "pip-" + name)}],
            "subnets": subnets_using("nat", name),
        },
    }


def private_endpoint_body(pe: demo.PrivateEndpoint, apps: dict[str, demo.App]) -> dict[str, Any]:
    pid = private_endpoint_id(pe)
    app = apps[pe.app]
    slot = next((s for s in app.slots if s.name == pe.slot), None)
    host = host_name(app, slot)
    connection: dict[str, Any] = {
        "name": pe.name,
        "id": f"{pid}/{'manualP' if pe.status == 'Pending' else 'p'}rivateLinkServiceConnections/{pe.name}",
        "etag": etag(pe.name),
        "properties": {
            "provisioningState": "Succeeded",
            "privateLinkServiceId": site_id(app),
            "groupIds": [f"sites-{pe.slot}" if pe.slot else "sites"],
            "privateLinkServiceConnectionState": {
                "status": pe.status,
                "description": "Awaiting approval"
                if pe.status == "Pending"
                else "Approved by contoso-platform",
                "actionsRequired": "None",
            },
        },
        "type": "Microsoft.Network/privateEndpoints/"
        + (
            "manualPrivateLinkServiceConnections"
            if pe.status == "Pending"
            else "privateLinkServiceConnections"
        ),
    }
    if pe.status == "Pending":
        connection["properties"]["requestMessage"] = "Inventory team: please approve"
    return {
        "name": pe.name,
        "id": pid,
        "etag": etag(pe.name),
        "type": "Microsoft.Network/privateEndpoints",
        "location": demo.NET_LOCATION,
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": fake_guid("pe:" + pe.name),
            "privateLinkServiceConnections": [] if pe.status == "Pending" else [connection],
            "manualPrivateLinkServiceConnections": [connection] if pe.status == "Pending" else [],
            "customNetworkInterfaceName": "",
            "subnet": {"id": demo.subnet_id(pe.subnet)},
            "ipConfigurations": [],
            "networkInterfaces": [
                {"id": network_id("networkInterfaces", f"{pe.name}.nic.{fake_guid(pe.name)}")}
            ],
            "customDnsConfigs": [
                {"fqdn": host, "ipAddresses": [pe.ip]},
                {"fqdn": host.replace(".", ".scm.", 1), "ipAddresses": [pe.ip]},
            ],
            "isIPv6EnabledPrivateEndpoint": False,
        },
    }


# --- interactions -----------------------------------------------------------------------------


@dataclass
class CassetteWriter:
    requests: list[Request] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    sequence: int = 0
    recorded_at: datetime = RECORDED_AT

    def add(
        self,
        path: str,
        body: Any,
        *,
        network: bool = False,
        status: int = 200,
        query: str = "",
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        api = NETWORK_API if network else WEB_API
        uri = f"{ARM}{path}?api-version={api}{query}"
        self.sequence += 1
        request_headers = {
            "Accept": ["application/json"],
            "Accept-Encoding": ["gzip, deflate"],
            "Connection": ["keep-alive"],
            "User-Agent": [NETWORK_AGENT if network else WEB_AGENT],
            "x-ms-client-request-id": [fake_guid(f"client-request:{self.sequence}")],
        }
        if network:
            text = json.dumps(body, indent=2).replace("\n", "\r\n")
        else:
            text = json.dumps(body, separators=(",", ":"))
        when = self.recorded_at + timedelta(milliseconds=137 * self.sequence)
        request_id = fake_guid(f"request:{self.sequence}")
        remaining = max(249 - self.sequence, 0) if status != 429 else 0
        headers: dict[str, list[str]] = {
            "cache-control": ["no-cache"],
            "content-length": [str(len(text.encode()))],
            "content-type": [
                "application/json; charset=utf-8" if network or status >= 400 else "application/json"
            ],
            "date": [when.strftime("%a, %d %b %Y %H:%M:%S GMT")],
            "expires": ["-1"],
            "pragma": ["no-cache"],
            "strict-transport-security": ["max-age=31536000; includeSubDomains"],
            "vary": ["Accept-Encoding"],
            "x-cache": ["CONFIG_NOCACHE"],
            "x-content-type-options": ["nosniff"],
            "x-ms-correlation-request-id": [request_id],
            "x-ms-ratelimit-remaining-subscription-global-reads": [str(remaining + 3500)],
            "x-ms-ratelimit-remaining-subscription-reads": [str(remaining)],
            "x-ms-request-id": [request_id],
            "x-ms-routing-request-id": [f"WESTEUROPE:{when.strftime('%Y%m%dT%H%M%SZ')}:{request_id}"],
            "x-msedge-ref": [
                f"Ref A: {hex_id(f'ref:{self.sequence}', 32)} Ref B: AMS231032609053 "
                f"Ref C: {when.strftime('%Y-%m-%dT%H:%M:%SZ')}"
            ],
        }
        if network:
            headers["server"] = ["Microsoft-HTTPAPI/2.0"]
            headers["x-ms-arm-service-request-id"] = [fake_guid(f"service-request:{self.sequence}")]
        elif status < 400:
            headers["x-aspnet-version"] = ["4.0.30319"]
            headers["x-powered-by"] = ["ASP.NET"]
        if extra_headers:
            headers.update({name: [value] for name, value in extra_headers.items()})
        self.requests.append(Request("GET", uri, None, request_headers))
        self.responses.append(
            {
                "status": {"code": status, "message": STATUS_MESSAGES[status]},
                "headers": dict(sorted(headers.items())),
                "body": {"string": text},
            }
        )

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        text = serialize({"requests": self.requests, "responses": self.responses}, yamlserializer)
        (directory / "arm.yaml").write_text(text, encoding="utf-8")
        manifest = {
            "subscriptions": [demo.SUBSCRIPTION],
            "recorded_at": self.recorded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool_version": "demo (tools/build_demo_cassettes.py)",
        }
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


STATUS_MESSAGES = {200: "OK", 403: "Forbidden", 429: "Too Many Requests"}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def build(
    apps: Sequence[demo.App],
    *,
    throttled_functions_of: str | None = None,
    forbidden_config_of: str | None = None,
    recorded_at: datetime = RECORDED_AT,
) -> CassetteWriter:
    writer = CassetteWriter(recorded_at=recorded_at)
    by_name = {app.name: app for app in apps}
    used_plans = [plan for plan in demo.PLANS if any(app.plan == plan.name for app in apps)]
    function_apps = [app for app in apps if app.is_function_app]

    # 1. sites: two pages, to exercise nextLink (the SDK forces api-version on the second).
    production = [site_body(app) for app in apps]
    half = (len(production) + 1) // 2
    skip_token = "MjAyNjEwMjAwOTE1OnNpdGVzOjE0"
    sites_path = f"{SUB}/providers/Microsoft.Web/sites"
    next_link = f"{ARM}{sites_path}?api-version={WEB_API}&$skipToken={skip_token}"
    writer.add(sites_path, web_list(production[:half], next_link))
    writer.add(sites_path, web_list(production[half:]), query=f"&$skipToken={skip_token}")
    # 2-3. plans and App Service Environments.
    writer.add(
        f"{SUB}/providers/Microsoft.Web/serverfarms",
        web_list([plan_body(plan, sum(app.plan == plan.name for app in apps)) for plan in used_plans]),
    )
    writer.add(
        f"{SUB}/providers/Microsoft.Web/hostingEnvironments", web_list([ase_body(ase) for ase in demo.ASES])
    )
    # 4-8. the network, subscription-wide.
    net = f"{SUB}/providers/Microsoft.Network"
    writer.add(f"{net}/virtualNetworks", {"value": [vnet_body(v, apps) for v in demo.VNETS]}, network=True)
    writer.add(f"{net}/networkSecurityGroups", {"value": [nsg_body(n) for n in demo.NSGS]}, network=True)
    writer.add(
        f"{net}/routeTables", {"value": [route_table_body(t) for t in demo.ROUTE_TABLES]}, network=True
    )
    writer.add(
        f"{net}/natGateways", {"value": [nat_gateway_body(n) for n in demo.NAT_GATEWAYS]}, network=True
    )
    endpoints = [pe for pe in demo.PRIVATE_ENDPOINTS if pe.app in by_name]
    writer.add(
        f"{net}/privateEndpoints",
        {"value": [private_endpoint_body(pe, by_name) for pe in endpoints]},
        network=True,
    )

    # Per resource group holding a function app: the sites again, with their slots.
    for rg in dict.fromkeys(app.rg for app in function_apps):
        in_group = [app for app in apps if app.rg == rg]
        bodies = []
        for app in in_group:
            bodies.append(site_body(app))
            bodies.extend(site_body(app, slot) for slot in app.slots)
        writer.add(
            f"{rg_path(rg)}/providers/Microsoft.Web/sites", web_list(bodies), query="&includeSlots=true"
        )

    # Per plan hosting a function app, whatever its tier: its Hybrid Connections.
    plans_with_hybrid: set[str] = set()
    for plan in used_plans:
        hosted = [app for app in function_apps if app.plan == plan.name]
        if not hosted:
            continue
        relays = {
            (hc.namespace, hc.relay): hc
            for app in hosted
            for site in (app, *app.slots)
            for hc in site.hybrid_connections
        }
        if relays:
            plans_with_hybrid.add(plan.name)
        writer.add(
            f"{plan_id(plan)}/hybridConnectionRelays",
            web_list(
                [
                    hybrid_connection(plan_id(plan), "Microsoft.Web/serverfarms", hc)
                    for _, hc in sorted(relays.items())
                ]
            ),
        )

    # Per function app and slot.
    for app in function_apps:
        for slot in (None, *app.slots):
            site = slot or app
            base = site_id(app, slot)
            if app.name == forbidden_config_of and slot is None:
                scope = f"{base}/config/web"
                writer.add(
                    scope,
                    error_body(
                        "AuthorizationFailed",
                        f"The client '{CALLER_OBJECT_ID}' with object id '{CALLER_OBJECT_ID}' does not have "
                        "authorization to perform action 'Microsoft.Web/sites/config/read' over scope "
                        f"'{scope}' or the scope is invalid. If access was recently granted, please refresh "
                        "your credentials.",
                    ),
                    status=403,
                    extra_headers={"x-ms-failure-cause": "gateway"},
                )
            else:
                writer.add(f"{base}/config/web", config_body(app, slot))
            if app.name == throttled_functions_of and slot is None:
                writer.add(
                    f"{base}/functions",
                    error_body(
                        "SubscriptionRequestsThrottled",
                        f"Number of 'read' requests for subscription '{demo.SUBSCRIPTION}' actor "
                        f"'{CALLER_OBJECT_ID}' exceeded. Please try again after '0' seconds after the "
                        "last request.",
                    ),
                    status=429,
                    extra_headers={"retry-after": "0", "x-ms-failure-cause": "gateway"},
                )
            writer.add(f"{base}/functions", functions_body(app, slot))
            if config_body(app, slot)["properties"]["vnetName"]:
                writer.add(f"{base}/virtualNetworkConnections", vnet_connections_body(app, slot))
            if app.plan in plans_with_hybrid:
                owner_type = "Microsoft.Web/sites/slots" if slot else "Microsoft.Web/sites"
                writer.add(
                    f"{base}/hybridConnectionRelays",
                    web_list([hybrid_connection(base, owner_type, hc) for hc in site.hybrid_connections]),
                )
    return prune_unread_functions(writer)


def prune_unread_functions(writer: CassetteWriter) -> CassetteWriter:
    """Drop the ``…/functions`` reads the collector skips because no rule can use them.

    Whether a rule can use an app's functions depends on its evaluated inbound exposure and
    VNet integration (auditor.rules.facts.functions_needed), so rather than re-derive that
    here, the cassette is replayed once through the real collector and the functions reads
    it did not ask for are removed. tests/test_read_only.py then checks every read is played.
    """
    import tempfile

    from auditor.collect.cassettes import replaying
    from auditor.collect.clients import FakeCredential
    from auditor.collect.inventory import collect_inventory
    from auditor.rules.reads_needed import READS_NEEDED

    with tempfile.TemporaryDirectory() as scratch:
        writer.write(Path(scratch))
        with replaying(Path(scratch)) as played:
            collect_inventory([demo.SUBSCRIPTION], FakeCredential(), reads_needed=READS_NEEDED)
        counts = list(played.play_counts[index] for index in range(len(writer.requests)))
    pruned = CassetteWriter(sequence=writer.sequence, recorded_at=writer.recorded_at)
    for index, (request, response) in enumerate(zip(writer.requests, writer.responses, strict=True)):
        if counts[index] == 0 and request.path.endswith("/functions"):
            continue
        pruned.requests.append(request)
        pruned.responses.append(response)
    return pruned


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "cassettes", help="parent of demo/ and demo-gap/")
    args = parser.parse_args(list(argv) if argv is not None else None)
    build(demo.APPS, throttled_functions_of=demo.THROTTLED_FUNCTIONS_OF).write(args.out / "demo")
    gap_apps = [app for app in demo.APPS if app.name in demo.GAP_APPS]
    build(gap_apps, forbidden_config_of=demo.GAP_FORBIDDEN_CONFIG_OF).write(args.out / "demo-gap")
    # Day 2 of the demo subscription, for `make schedule-demo` (nothing of day 1 depends on it).
    day2_at = datetime.strptime(demo.DAY2_RECORDED_AT, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    build(demo.day2_apps(), recorded_at=day2_at).write(args.out / "demo-day2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
