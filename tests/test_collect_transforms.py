"""Wire → model transforms, fed with the official ARM examples and real recordings in ../shared."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from auditor.collect.network import (
    private_endpoints_for_site,
    subnets_of_vnets,
    transform_nsg,
    transform_route_table,
    transform_subnet,
)
from auditor.collect.web import (
    classify_hosting,
    detect_os,
    is_function_app,
    transform_access_rules,
    transform_app,
    transform_ase,
    transform_functions,
    transform_hybrid_connections,
    transform_plan,
    transform_site_config,
    transform_site_private_endpoint_connection,
    transform_vnet_connections,
)
from auditor.model import DataKey, Hosting, Plan
from tests.support.paths import SHARED

EXAMPLES = SHARED / "reference" / "arm-examples"
RECORDINGS = SHARED / "reference" / "recordings"
EXAMPLE_SUB = "/subscriptions/34adfa4f-cedf-4dc0-ba29-b6d1a69ab345"
ZERO_SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"


def example(provider: str, name: str, status: str = "200") -> Any:
    document = json.loads((EXAMPLES / provider / f"{name}.json").read_text())
    return document["responses"][status]["body"]


def plan_of(tier: str | None, *, reserved: bool = False, plan_id: str = "/plan") -> Plan:
    return Plan(
        id=plan_id,
        name="plan",
        location="westeurope",
        kind=None,
        sku_name=None,
        tier=tier,
        reserved=reserved,
        hosting_environment_id=None,
    )


# -- real recordings ----------------------------------------------------------------------------------


def recorded_bodies() -> Iterator[tuple[str, str, str, Any]]:
    """(file, method, URL path, parsed body) of every successful JSON reply in the recordings."""
    for path in sorted(RECORDINGS.glob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text())["interactions"]:
            request, response = interaction["request"], interaction["response"]
            text = response["body"]["string"]
            if response["status"]["code"] not in (200, 201) or not text:
                continue
            url_path = request["uri"].split("?", 1)[0].split("management.azure.com", 1)[1]
            yield path.name, request["method"], url_path, json.loads(text)


def recorded(kind: str) -> list[tuple[str, str, str, Any]]:
    patterns = {
        "site": r"/providers/Microsoft\.Web/sites/[^/]+(/slots/[^/]+)?$",
        "config": r"/providers/Microsoft\.Web/sites/[^/]+(/slots/[^/]+)?/config/web$",
        "plan": r"/providers/Microsoft\.Web/serverfarms/[^/]+$",
        "subnet": r"/virtualNetworks/[^/]+/subnets/[^/]+$",
        "subnet_list": r"/virtualNetworks/[^/]+/subnets$",
        "vnet": r"/virtualNetworks/[^/]+$",
        "vnet_list": r"/providers/Microsoft\.Network/virtualNetworks$",
        "private_endpoint": r"/providers/Microsoft\.Network/privateEndpoints/[^/]+$",
        "route_table": r"/providers/Microsoft\.Network/routeTables/[^/]+$",
        "vnet_connections": r"/virtualNetworkConnections$",
    }
    return [item for item in recorded_bodies() if re.search(patterns[kind], item[2])]


def find(kind: str, file_part: str, method: str = "GET", index: int = 0) -> Any:
    matches = [body for name, verb, _, body in recorded(kind) if file_part in name and verb == method]
    return matches[index]


def test_every_kind_of_recording_is_found() -> None:
    counts = {
        kind: len(recorded(kind))
        for kind in (
            "site",
            "config",
            "plan",
            "subnet",
            "vnet",
            "vnet_list",
            "private_endpoint",
            "route_table",
        )
    }
    assert all(count > 0 for count in counts.values()), counts


@pytest.mark.parametrize("item", recorded("site"), ids=lambda item: f"{item[0]}:{item[1]}")
def test_recorded_sites(item: tuple[str, str, str, Any]) -> None:
    _, _, _, site = item
    app = transform_app(site, subscription_id="00000000-0000-0000-0000-000000000000")
    assert app.id == site["id"]
    assert app.resource_group == "rgname"
    assert app.kind == "app" and not is_function_app(app.kind)
    assert (
        app.plan_id
        == f"{ZERO_SUB}/resourceGroups/rgname/providers/Microsoft.Web/serverfarms/myappserviceplan"
    )
    # Referenced plan not given: could not be read, so the hosting model is unknown.
    assert app.hosting is Hosting.UNKNOWN
    assert app.os == "windows"
    assert app.https_only is False
    assert app.public_network_access is None
    assert app.outbound_vnet_routing == {}


@pytest.mark.parametrize("item", recorded("config"), ids=lambda item: f"{item[0]}:{item[1]}")
def test_recorded_configs(item: tuple[str, str, str, Any]) -> None:
    _, _, _, body = item
    raw = body["properties"]
    config = transform_site_config(body)
    assert len(config.ip_security_restrictions) == len(raw["ipSecurityRestrictions"])
    assert len(config.scm_ip_security_restrictions) == len(raw["scmIpSecurityRestrictions"])
    assert config.scm_ip_security_restrictions_use_main is False
    assert config.min_tls_version == "1.2"
    assert config.ftps_state == "AllAllowed"
    assert config.remote_debugging_enabled is False
    assert config.ip_security_restrictions_default_action is None
    assert config.public_network_access is None
    assert config.cors_allowed_origins == ()


def test_recorded_config_default_allow_all_rule() -> None:
    config = transform_site_config(find("config", "access_restriction_show"))
    (rule,) = config.ip_security_restrictions
    assert (rule.position, rule.name, rule.action, rule.priority, rule.ip_address) == (
        0,
        "Allow all",
        "Allow",
        1,
        "Any",
    )
    assert rule.description == "Allow all access"
    assert rule.headers == {}
    assert rule.tag is None and rule.vnet_subnet_resource_id is None
    assert config.scm_min_tls_version == "1.0"
    assert config.http20_enabled is True
    assert config.vnet_name is None  # ARM sends "" when there is no integration
    assert config.vnet_route_all_enabled is False
    assert config.functions_runtime_scale_monitoring_enabled is False


def test_recorded_patch_replaces_allow_all_with_implicit_deny_all() -> None:
    config = transform_site_config(find("config", "add_service_endpoint", method="PATCH"))
    vnet_rule, deny_all = config.ip_security_restrictions
    assert vnet_rule.vnet_subnet_resource_id == (
        f"{ZERO_SUB}/resourceGroups/clitest.rg000001/providers/Microsoft.Network/"
        "virtualNetworks/cli-vnet-nwr000005/subnets/endpoint-subnet"
    )
    assert (vnet_rule.action, vnet_rule.priority, vnet_rule.tag, vnet_rule.ip_address) == (
        "Allow",
        150,
        "Default",
        None,
    )
    assert (deny_all.position, deny_all.name, deny_all.action, deny_all.priority, deny_all.ip_address) == (
        1,
        "Deny all",
        "Deny",
        2147483647,
        "Any",
    )
    assert [rule.action for rule in config.scm_ip_security_restrictions] == ["Allow"]


def test_recorded_slot_config_names_its_swift_vnet() -> None:
    config = transform_site_config(find("config", "vnetE2E"))
    assert config.vnet_name == "681a994f-f14f-43f1-83b7-901a6f2518c9_swiftsubnet000005"
    assert config.vnet_route_all_enabled is True


def test_recorded_vnet_connections_are_bare_arrays() -> None:
    swift, empty = [body for _, _, _, body in recorded("vnet_connections")]
    (connection,) = transform_vnet_connections(swift)
    assert connection.is_swift is True
    assert connection.name == "681a994f-f14f-43f1-83b7-901a6f2518c9_swiftsubnet000005"
    assert connection.vnet_resource_id == (
        f"{ZERO_SUB}/resourceGroups/clitest.rg000001/providers/Microsoft.Network/"
        "virtualNetworks/swiftname000006/subnets/swiftsubnet000005"
    )
    assert transform_vnet_connections(empty) == ()


@pytest.mark.parametrize(
    ("file_part", "method", "sku_name", "tier"),
    [
        ("add_service_endpoint", "GET", "B1", "Basic"),
        ("vnetE2E", "GET", "P1v2", "PremiumV2"),
        ("test_app_service_plan", "PUT", "P1", "Premium"),
        ("test_app_service_plan", "GET", "P1", "Premium"),
        ("test_app_service_plan", "PATCH", "P1", "Premium"),
        ("test_web_app", "PUT", "B1", "Basic"),
    ],
)
def test_recorded_plans(file_part: str, method: str, sku_name: str, tier: str) -> None:
    body = find("plan", file_part, method)
    plan = transform_plan(body)
    assert (plan.id, plan.sku_name, plan.tier, plan.reserved, plan.hosting_environment_id) == (
        body["id"],
        sku_name,
        tier,
        False,
        None,
    )
    site = {"id": "/x/sites/app", "kind": "functionapp", "properties": {"serverFarmId": plan.id}}
    assert classify_hosting(site, plan) is Hosting.DEDICATED


def test_every_recorded_plan_is_checked() -> None:
    assert len(recorded("plan")) == 6


def test_recorded_integration_subnet_is_delegated_to_server_farms() -> None:
    subnet = transform_subnet(find("subnet", "vnetE2E"))
    assert subnet.name == "swiftsubnet000005"
    assert subnet.delegations == ("Microsoft.Web/serverFarms",)
    assert subnet.address_prefixes == ("10.0.0.0/24",)
    assert subnet.network_security_group_id is None
    assert subnet.location is None  # subnet bodies carry no region


def test_recorded_subnet_gains_web_service_endpoint() -> None:
    before = transform_subnet(find("subnet", "add_service_endpoint", index=0))
    put = transform_subnet(find("subnet", "add_service_endpoint", method="PUT"))
    after = transform_subnet(find("subnet", "add_service_endpoint", index=1))
    assert before.service_endpoints == ()
    assert put.service_endpoints == after.service_endpoints == ("Microsoft.Web",)
    assert after.delegations == ()


@pytest.mark.parametrize("item", recorded("subnet"), ids=lambda item: f"{item[0]}:{item[1]}:{item[2][-30:]}")
def test_recorded_subnets(item: tuple[str, str, str, Any]) -> None:
    _, _, _, body = item
    subnet = transform_subnet(body)
    assert subnet.id == body["id"]
    assert subnet.address_prefixes == (body["properties"]["addressPrefix"],)
    assert subnet.delegations == tuple(
        delegation["properties"]["serviceName"] for delegation in body["properties"].get("delegations", [])
    )


def test_recorded_subnet_list() -> None:
    (body,) = [body for _, _, _, body in recorded("subnet_list")]
    subnets = [transform_subnet(item) for item in body["value"]]
    assert [(subnet.name, subnet.address_prefixes) for subnet in subnets] == [
        ("pysubnetonec2cc0c8f", ("10.0.1.0/24",)),
        ("pysubnettwoc2cc0c8f", ("10.0.2.0/24",)),
    ]


@pytest.mark.parametrize("item", recorded("vnet"), ids=lambda item: f"{item[0]}:{item[1]}:{item[2][-20:]}")
def test_recorded_vnets_give_subnets_with_the_vnet_region(item: tuple[str, str, str, Any]) -> None:
    _, _, _, vnet = item
    subnets = subnets_of_vnets([vnet])
    assert sorted(subnets) == sorted(raw["id"].lower() for raw in vnet["properties"]["subnets"])
    assert {subnet.location for subnet in subnets.values()} <= {vnet["location"]}


def test_recorded_subscription_vnet_list() -> None:
    (body,) = [body for _, _, path, body in recorded("vnet_list") if "/resourceGroups/" not in path]
    subnets = subnets_of_vnets(body["value"])
    assert len(subnets) == 63
    with_nsg = [subnet for subnet in subnets.values() if subnet.network_security_group_id]
    with_route_table = [subnet for subnet in subnets.values() if subnet.route_table_id]
    assert len(with_nsg) == 59
    assert [subnet.name for subnet in with_route_table] == ["aks-subnet", "aks-subnet"]
    assert all(subnet.location for subnet in subnets.values())


def test_recorded_resource_group_vnet_list() -> None:
    (body,) = [body for _, _, path, body in recorded("vnet_list") if "/resourceGroups/" in path]
    subnets = subnets_of_vnets(body["value"])
    assert sorted(subnet.name for subnet in subnets.values()) == [
        "pyvnetsubnetone4725106e",
        "pyvnetsubnettwo4725106e",
    ]


@pytest.mark.parametrize("item", recorded("private_endpoint"), ids=lambda item: f"{item[0]}:{item[1]}")
def test_recorded_private_endpoints_to_a_private_link_service(item: tuple[str, str, str, Any]) -> None:
    _, _, _, endpoint = item
    service_id = f"{ZERO_SUB}/resourceGroups/rgname/providers/Microsoft.Network/privateLinkServices/myService"
    # A PLS connection sends no groupIds: matched like a production site would be.
    (connection,) = private_endpoints_for_site([endpoint], service_id, None)
    assert connection.id == connection.private_endpoint_id == endpoint["id"]
    assert connection.status == "Approved"
    assert connection.subnet_id.endswith("/virtualNetworks/virtualnetwork/subnets/subnet2")  # type: ignore[union-attr]
    assert private_endpoints_for_site([endpoint], service_id, "staging") == ()
    assert (
        private_endpoints_for_site([endpoint], f"{ZERO_SUB}/x/providers/Microsoft.Web/sites/other", None)
        == ()
    )


@pytest.mark.parametrize("item", recorded("route_table"), ids=lambda item: f"{item[0]}:{item[1]}")
def test_recorded_route_tables(item: tuple[str, str, str, Any]) -> None:
    _, _, _, body = item
    table = transform_route_table(body)
    assert table.id == body["id"]
    expected = [("myRoute", "10.0.3.0/24", "VirtualNetworkGateway")] if body["properties"]["routes"] else []
    assert [(route.name, route.address_prefix, route.next_hop_type) for route in table.routes] == expected


# -- official examples --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("ListWebApps", "200"),
        ("ListWebAppsByResourceGroup", "200"),
        ("GetWebApp", "200"),
    ],
)
def test_example_web_apps(name: str, status: str) -> None:
    body = example("Microsoft.Web", name, status)
    plans = {
        plan.id.lower(): plan
        for plan in map(transform_plan, example("Microsoft.Web", "ListAppServicePlans")["value"])
    }
    for site in body.get("value", [body]):
        plan = plans.get(site["properties"]["serverFarmId"].lower())
        app = transform_app(site, subscription_id="34adfa4f-cedf-4dc0-ba29-b6d1a69ab345", plan=plan)
        assert app.id == site["id"] and app.name == site["name"]
        assert app.kind == "app" and not is_function_app(app.kind)
        assert (app.resource_group, app.location, app.slot) == ("testrg123", "East US", None)
        assert (
            app.plan_id
            == f"{EXAMPLE_SUB}/resourceGroups/testrg123/providers/Microsoft.Web/serverfarms/DefaultAsp"
        )
        assert plan is None and app.hosting is Hosting.UNKNOWN  # DefaultAsp is not in the plan example
        assert app.https_only is False
        assert app.public_network_access is None
        assert app.outbound_vnet_routing["allTraffic"] is False
        assert app.os == "windows" and app.is_container is False
        assert app.missing == {}


@pytest.mark.parametrize("status", ["200", "202"])
def test_example_flex_consumption_function_app(status: str) -> None:
    document = json.loads(
        (EXAMPLES / "Microsoft.Web" / "CreateOrUpdateFunctionAppFlexConsumption.json").read_text()
    )
    assert is_function_app(document["parameters"]["siteEnvelope"]["kind"])
    site = document["responses"][status]["body"]
    plan = plan_of("FlexConsumption", reserved=True, plan_id=site["properties"]["serverFarmId"])
    app = transform_app(site, subscription_id="34adfa4f-cedf-4dc0-ba29-b6d1a69ab345", plan=plan)
    assert app.hosting is Hosting.FLEX_CONSUMPTION
    assert app.os == "linux"
    assert app.public_network_access == "Enabled"
    assert app.https_only is True
    assert "managedIdentityTraffic" in app.outbound_vnet_routing  # a wire key the SDK model lacks
    # The response's siteConfig holds the default restrictions at the lowest priority.
    config = transform_site_config({"properties": site["properties"]["siteConfig"]})
    (rule,) = config.ip_security_restrictions
    assert (rule.name, rule.action, rule.priority, rule.ip_address) == (
        "Allow all",
        "Allow",
        2147483647,
        "Any",
    )


def test_example_site_config() -> None:
    config = transform_site_config(example("Microsoft.Web", "GetSiteConfig"))
    assert config.ip_security_restrictions == () and config.scm_ip_security_restrictions == ()
    assert (config.min_tls_version, config.scm_min_tls_version, config.ftps_state) == (
        "1.2",
        "1.2",
        "AllAllowed",
    )
    assert config.http20_enabled is False
    assert config.vnet_name is None and config.vnet_route_all_enabled is False


@pytest.mark.parametrize(
    "plan_body",
    [
        *example("Microsoft.Web", "ListAppServicePlans")["value"],
        example("Microsoft.Web", "GetAppServicePlan"),
    ],
)
def test_example_plans(plan_body: dict[str, Any]) -> None:
    plan = transform_plan(plan_body)
    assert (plan.sku_name, plan.tier, plan.kind, plan.reserved, plan.location) == (
        "P1",
        "Premium",
        "app",
        False,
        "East US",
    )
    assert plan.id.startswith(f"{EXAMPLE_SUB}/resourceGroups/testrg123/providers/Microsoft.Web/serverfarms/")


def test_example_ase() -> None:
    ase = transform_ase(example("Microsoft.Web", "AppServiceEnvironments_Get"))
    assert (ase.name, ase.kind, ase.internal_load_balancing_mode, ase.location) == (
        "test-ase",
        "ASEV3",
        "None",
        "South Central US",
    )
    network = f"{EXAMPLE_SUB}/resourceGroups/test-rg/providers/Microsoft.Network"
    assert ase.subnet_id == f"{network}/virtualNetworks/test-subnet/subnets/delegated"
    assert ase.allow_new_private_endpoint_connections is False


@pytest.mark.parametrize(
    "body",
    [
        example("Microsoft.Web", "GetSitePrivateEndpointConnection"),
        *example("Microsoft.Web", "GetSitePrivateEndpointConnectionList")["value"],
    ],
)
def test_example_site_side_private_endpoint_connections(body: dict[str, Any]) -> None:
    connection = transform_site_private_endpoint_connection(body)
    assert connection.id.endswith("/sites/testSite/privateEndpointConnections/connection")
    assert (
        connection.private_endpoint_id
        == f"{EXAMPLE_SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/myPrivateEndpoint"
    )
    assert connection.status == "Approved"


@pytest.mark.parametrize(
    ("name", "status", "delegations", "service_endpoints"),
    [
        ("SubnetGet", "200", (), ()),
        ("SubnetGetWithDelegation", "200", ("Microsoft.Provider/resourceType",), ()),
        ("SubnetCreateServiceEndpoint", "200", (), ("Microsoft.Storage",)),
        ("SubnetCreateServiceEndpoint", "201", (), ("Microsoft.Storage",)),
    ],
)
def test_example_subnets(
    name: str, status: str, delegations: tuple[str, ...], service_endpoints: tuple[str, ...]
) -> None:
    subnet = transform_subnet(example("Microsoft.Network", name, status))
    assert (subnet.name, subnet.address_prefixes) == ("subnet1", ("10.0.0.0/16",))
    assert subnet.delegations == delegations
    assert subnet.service_endpoints == service_endpoints
    assert (subnet.network_security_group_id, subnet.route_table_id, subnet.nat_gateway_id) == (
        None,
        None,
        None,
    )


def test_example_subnet_list() -> None:
    names = [transform_subnet(item).name for item in example("Microsoft.Network", "SubnetList")["value"]]
    assert names == ["subnet1", "subnet2"]


@pytest.mark.parametrize("name", ["VirtualNetworkList", "VirtualNetworkListAll"])
def test_example_vnet_lists(name: str) -> None:
    subnets = subnets_of_vnets(example("Microsoft.Network", name)["value"])
    (subnet,) = subnets.values()
    assert (subnet.name, subnet.location, subnet.address_prefixes) == ("test-1", "westus", ("10.0.0.0/24",))


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("VirtualNetworkGetWithSubnetDelegation", "10.0.1.0/24"),
        ("VirtualNetworkGetWithServiceAssociationLink", "10.0.214.0/24"),
    ],
)
def test_example_vnets_with_delegated_subnets(name: str, prefix: str) -> None:
    (subnet,) = subnets_of_vnets([example("Microsoft.Network", name)]).values()
    assert subnet.delegations == ("Microsoft.Provider/resourceType",)
    assert (subnet.location, subnet.address_prefixes) == ("westus", (prefix,))


def test_example_private_endpoint_is_not_a_site_connection() -> None:
    endpoint = example("Microsoft.Network", "PrivateEndpointGet")
    target = f"{ZERO_SUB}/resourceGroups/rg1/providers/Microsoft.Network/privateLinkServices/testPls"
    # groupIds ["groupIdFromResource"] names neither "sites" nor "sites-<slot>".
    assert private_endpoints_for_site([endpoint], target, None) == ()
    link = endpoint["properties"]["privateLinkServiceConnections"][0]["properties"]
    as_site = {
        **endpoint,
        "properties": {
            **endpoint["properties"],
            "privateLinkServiceConnections": [
                {"properties": {**link, "privateLinkServiceId": target.upper(), "groupIds": ["sites"]}}
            ],
        },
    }
    (connection,) = private_endpoints_for_site([as_site], target, None)
    assert (connection.status, connection.subnet_id) == (
        "Approved",
        f"{ZERO_SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/myVnet/subnets/mySubnet",
    )


@pytest.mark.parametrize("name", ["NetworkSecurityGroupList", "NetworkSecurityGroupListAll"])
def test_example_nsgs_keep_only_custom_rules(name: str) -> None:
    for body in example("Microsoft.Network", name)["value"]:
        assert body["properties"]["defaultSecurityRules"]
        nsg = transform_nsg(body)
        assert (nsg.id, nsg.security_rules) == (body["id"], ())


# -- rules.md: kind, hosting, OS ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("functionapp", True),
        ("functionapp,linux", True),
        ("FunctionApp,Linux,Container", True),
        ("functionapp,linux,container,azurecontainerapps", True),
        ("functionapp,workflowapp", False),
        ("app", False),
        ("app,linux", False),
        ("", False),
        (None, False),
    ],
)
def test_is_function_app(kind: str | None, expected: bool) -> None:
    assert is_function_app(kind) is expected


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("Dynamic", Hosting.CONSUMPTION),
        ("FlexConsumption", Hosting.FLEX_CONSUMPTION),
        ("ElasticPremium", Hosting.PREMIUM),
        ("Isolated", Hosting.ASE),
        ("IsolatedV2", Hosting.ASE),
        ("PremiumV3", Hosting.DEDICATED),
        ("Basic", Hosting.DEDICATED),
        ("Free", Hosting.DEDICATED),
        ("SomethingNew", Hosting.DEDICATED),
    ],
)
def test_hosting_from_plan_tier(tier: str, expected: Hosting) -> None:
    site = {"kind": "functionapp", "properties": {"serverFarmId": "/plan"}}
    assert classify_hosting(site, plan_of(tier)) is expected


def test_site_markers_decide_before_the_plan() -> None:
    consumption = plan_of("Dynamic")
    container = {"kind": "functionapp,linux,container,azurecontainerapps", "properties": {}}
    managed = {"kind": "functionapp", "properties": {"managedEnvironmentId": "/managedEnvironments/env"}}
    in_ase = {
        "kind": "functionapp",
        "properties": {"hostingEnvironmentProfile": {"id": "/hostingEnvironments/a"}},
    }
    assert classify_hosting(container, consumption) is Hosting.CONTAINER_APPS
    assert classify_hosting(managed, None) is Hosting.CONTAINER_APPS
    assert classify_hosting(in_ase, consumption) is Hosting.ASE
    assert classify_hosting(in_ase, None) is Hosting.ASE
    assert (
        classify_hosting({"kind": "functionapp", "properties": {"serverFarmId": "/plan"}}, None)
        is Hosting.UNKNOWN
    )


def test_os_is_linux_when_plan_site_or_kind_says_so() -> None:
    windows_site = {"kind": "functionapp", "properties": {"reserved": False}}
    assert detect_os(windows_site, plan_of("Dynamic")) == "windows"
    assert detect_os(windows_site, plan_of("Dynamic", reserved=True)) == "linux"
    assert detect_os({"kind": "functionapp", "properties": {"reserved": True}}, None) == "linux"
    assert detect_os({"kind": "functionapp,linux", "properties": {}}, None) == "linux"


def test_site_public_network_access_wins_over_the_config_copy() -> None:
    config = transform_site_config({"properties": {"publicNetworkAccess": "Disabled"}})
    enabled = {
        "id": "/s/resourceGroups/rg/providers/Microsoft.Web/sites/a",
        "properties": {"publicNetworkAccess": "Enabled"},
    }
    omitted = {"id": "/s/resourceGroups/rg/providers/Microsoft.Web/sites/a", "properties": {}}
    assert transform_app(enabled, subscription_id="s", config=config).public_network_access == "Enabled"
    assert transform_app(omitted, subscription_id="s", config=config).public_network_access == "Disabled"
    assert transform_app(omitted, subscription_id="s").public_network_access is None


def test_slot_app_fields_and_missing_map() -> None:
    site = {
        "id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Web/sites/app/slots/stage",
        "name": "app/stage",
        "kind": "functionapp",
        "location": "West Europe",
        "properties": {"hostingEnvironmentProfile": None, "vnetRouteAllEnabled": True},
    }
    app = transform_app(site, subscription_id="s", missing={DataKey.CONFIG: "GET /x/config/web"})
    assert (app.name, app.slot, app.resource_group) == ("app/stage", "stage", "RG")
    assert app.site_vnet_route_all_enabled is True
    assert app.config is None and app.functions is None and app.private_endpoints is None
    assert app.missing_reason(DataKey.CONFIG) == "GET /x/config/web"


# -- access rules, functions, hybrid connections, private endpoints ----------------------------------


def test_access_rules_keep_api_order_and_normalize_headers() -> None:
    rules = transform_access_rules(
        [
            {
                "ipAddress": "AzureFrontDoor.Backend",
                "tag": "ServiceTag",
                "action": "Allow",
                "priority": 100,
                "headers": {"X-Azure-FDID": ["a", "b"], "x-forwarded-host": "contoso.com"},
            },
            {"ipAddress": "10.0.0.0/8", "action": "Allow", "priority": 100, "headers": None},
            "not a rule",
        ]
    )
    assert [rule.position for rule in rules] == [0, 1]
    assert rules[0].headers == {"X-Azure-FDID": ("a", "b"), "x-forwarded-host": ("contoso.com",)}
    assert rules[1].headers == {}


def test_functions_read_bindings_and_http_auth_level() -> None:
    functions = transform_functions(
        [
            {
                "name": "app/Http",
                "properties": {
                    "config": {
                        "bindings": [
                            {"type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
                            {"type": "http", "direction": "out", "authLevel": "ignored"},
                        ]
                    }
                },
            },
            # Older hosts send config as a JSON string; the name then comes from the resource name.
            {
                "name": "app/Queue",
                "properties": {"config": '{"bindings":[{"type":"queueTrigger","direction":"in"}]}'},
            },
        ]
    )
    http, queue = functions
    assert http.name == "Http"
    assert [(b.type, b.direction, b.auth_level) for b in http.bindings] == [
        ("httpTrigger", "in", "anonymous"),
        ("http", "out", None),
    ]
    assert [b.type for b in http.triggers] == ["httpTrigger"]
    assert queue.name == "Queue" and [b.type for b in queue.triggers] == ["queueTrigger"]


@pytest.mark.parametrize("wrap", ["list", "value", "single"])
def test_hybrid_connections_never_keep_the_send_key(wrap: str) -> None:
    item = {
        "name": "sb/relay",
        "properties": {
            "serviceBusNamespace": "sb",
            "relayName": "relay",
            "hostname": "db.corp",
            "port": 1433,
            "sendKeyName": "RootManageSharedAccessKey",
            "sendKeyValue": "c2VjcmV0LXNlbmQta2V5",
        },
    }
    body: Any = {"list": [item], "value": {"value": [item], "nextLink": None}, "single": item}[wrap]
    (connection,) = transform_hybrid_connections(body)
    assert (connection.namespace, connection.relay_name, connection.hostname, connection.port) == (
        "sb",
        "relay",
        "db.corp",
        1433,
    )
    assert "c2VjcmV0LXNlbmQta2V5" not in repr(connection)


def test_slot_private_endpoints_match_by_group_id() -> None:
    site_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app"

    def endpoint(name: str, group_ids: list[str] | None, *, manual: bool = False) -> dict[str, Any]:
        link: dict[str, Any] = {
            "properties": {
                "privateLinkServiceId": site_id.upper(),
                "privateLinkServiceConnectionState": {"status": "Approved"},
            }
        }
        if group_ids is not None:
            link["properties"]["groupIds"] = group_ids
        key = "manualPrivateLinkServiceConnections" if manual else "privateLinkServiceConnections"
        return {"id": f"/pe/{name}", "properties": {key: [link]}}

    endpoints = [
        endpoint("prod", ["sites"]),
        endpoint("bare", None),
        endpoint("slot", ["sites-Stage"], manual=True),
    ]
    assert [c.id for c in private_endpoints_for_site(endpoints, site_id, None)] == ["/pe/prod", "/pe/bare"]
    assert [c.id for c in private_endpoints_for_site(endpoints, f"{site_id}/slots/stage", "stage")] == [
        "/pe/slot"
    ]
