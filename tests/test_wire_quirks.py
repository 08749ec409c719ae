"""Every wire quirk the real recordings of tests/corpus/ show, through the transforms.

Each test names the quirk, finds it in the real bodies (so the test fails if the corpus stops
showing it) and checks what the transform and the inbound/outbound reading make of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from auditor.collect.network import private_endpoints_for_site, subnets_of_vnets, transform_subnet
from auditor.collect.web import (
    classify_hosting,
    detect_os,
    is_function_app,
    parent_site_id,
    transform_access_rules,
    transform_app,
    transform_hybrid_connections,
    transform_plan,
    transform_site_config,
    transform_site_private_endpoint_connection,
    transform_vnet_connections,
)
from auditor.model import Hosting
from auditor.rules.facts import facts_for
from auditor.rules.inbound import is_legacy_deny_all, matches_every_source
from auditor.rules.risk import check_private_endpoint_not_approved
from tests.factories import make_app
from tests.real_arm_corpus import bodies, corpus_names

NAMES = corpus_names()
ZERO = "00000000-0000-0000-0000-000000000000"


def every(kind: str) -> list[tuple[str, int, Any]]:
    return bodies(NAMES, kind)


def site_bodies() -> list[tuple[str, int, Any]]:
    return every("site") + every("slot")


def rules_of(config: Any) -> Iterator[dict[str, Any]]:
    props = config["properties"]
    yield from props.get("ipSecurityRestrictions") or []
    yield from props.get("scmIpSecurityRestrictions") or []


# -- config/web ----------------------------------------------------------------------------------


def test_implicit_allow_all_and_deny_all_rules_carry_no_tag_and_no_headers() -> None:
    implicit = [
        rule
        for _, _, config in every("config")
        for rule in rules_of(config)
        if rule.get("name") in ("Allow all", "Deny all")
    ]
    assert implicit and all("tag" not in rule and "headers" not in rule for rule in implicit)
    for rule in transform_access_rules(implicit):
        assert (rule.tag, rule.headers, rule.ip_address) == (None, {}, "Any")
        assert matches_every_source(rule)
        assert is_legacy_deny_all(rule) is (rule.action == "Deny")


def test_allow_all_priority_is_1_before_2023_and_int32_max_after() -> None:
    priorities = Counter(
        rule["priority"]
        for _, _, config in every("config")
        for rule in rules_of(config)
        if rule.get("name") == "Allow all"
    )
    assert set(priorities) == {1, 2147483647}
    # Either way it matches every source: the site is public.
    for priority in priorities:
        config = transform_site_config(
            {
                "properties": {
                    "ipSecurityRestrictions": [
                        {"ipAddress": "Any", "action": "Allow", "priority": priority, "name": "Allow all"}
                    ]
                }
            }
        )
        assert facts_for(make_app(config=config), "2026-09").main.exposure._value_ == "public"


def test_every_source_rules_are_written_any_never_a_cidr() -> None:
    # The recordings only ever show "Any"; 0.0.0.0/0 and ::/0 come from users (tests/test_inbound.py).
    sources = {rule.get("ipAddress") for _, _, config in every("config") for rule in rules_of(config)}
    assert "Any" in sources and not sources & {"0.0.0.0/0", "::/0"}


def test_default_action_keys_are_absent_null_or_set() -> None:
    seen: dict[str, Any] = {}
    for _, _, config in every("config"):
        raw = config["properties"].get("ipSecurityRestrictionsDefaultAction", "absent")
        seen.setdefault("absent" if raw == "absent" else repr(raw), config)
    assert {"absent", "None", "'Allow'", "'Deny'"} <= set(seen)
    assert transform_site_config(seen["absent"]).ip_security_restrictions_default_action is None
    assert transform_site_config(seen["None"]).ip_security_restrictions_default_action is None
    assert transform_site_config(seen["'Deny'"]).ip_security_restrictions_default_action == "Deny"


def test_null_rule_lists_and_null_flags_of_a_container_apps_config() -> None:
    nulls = [
        config for _, _, config in every("config") if config["properties"]["ipSecurityRestrictions"] is None
    ]
    assert nulls
    for body in nulls:
        props = body["properties"]
        assert props["scmIpSecurityRestrictionsUseMain"] is None and props["vnetName"] is None
        config = transform_site_config(body)
        assert config.ip_security_restrictions == () == config.scm_ip_security_restrictions
        assert config.scm_ip_security_restrictions_use_main is False
        assert config.vnet_name is None and config.vnet_route_all_enabled is None


def test_vnet_name_is_empty_a_guid_prefixed_subnet_name_or_null() -> None:
    names = {config["properties"]["vnetName"] for _, _, config in every("config")}
    assert "" in names and None in names
    prefixed = sorted(name for name in names if name)
    assert prefixed and all(name.startswith("00000000-0000-0000-0000-") and "_" in name for name in prefixed)
    for _, _, config in every("config"):
        assert transform_site_config(config).vnet_name == (config["properties"]["vnetName"] or None)


def test_config_name_is_the_site_name_and_a_patch_answers_type_sites() -> None:
    types = Counter(config["type"] for _, _, config in every("config"))
    assert set(types) == {"Microsoft.Web/sites/config", "Microsoft.Web/sites"}
    assert all(config["name"] != "web" for _, _, config in every("config"))


def test_scm_min_tls_version_absent_in_2019_null_for_container_apps() -> None:
    values = {config["properties"].get("scmMinTlsVersion", "absent") for _, _, config in every("config")}
    assert {"absent", None, "1.0", "1.2"} <= values
    for _, _, config in every("config"):
        raw = config["properties"].get("scmMinTlsVersion")
        assert transform_site_config(config).scm_min_tls_version == raw


def test_service_endpoint_rule_has_no_ip_address_key() -> None:
    (rule,) = [
        rule
        for _, _, config in every("config")
        for rule in rules_of(config)
        if rule.get("vnetSubnetResourceId")
    ]
    assert "ipAddress" not in rule and rule["tag"] == "Default"
    (parsed,) = transform_access_rules([rule])
    assert parsed.ip_address is None and not matches_every_source(parsed)


def test_ipv6_and_host_rules_are_kept_as_written() -> None:
    addresses = {rule.get("ipAddress") for _, _, config in every("config") for rule in rules_of(config)}
    assert {"2004::1000/128", "130.220.0.0/32"} <= addresses
    for rule in transform_access_rules(
        [{"ipAddress": "2004::1000/128", "action": "Allow", "priority": 200, "tag": "Default"}]
    ):
        assert rule.ip_address == "2004::1000/128" and not matches_every_source(rule)


# -- sites -----------------------------------------------------------------------------------------


def test_site_config_in_a_site_get_is_all_nulls_and_is_never_read() -> None:
    # A PUT answers the siteConfig it was given; a GET (and the lists) answer nulls.
    got = [
        site
        for _, _, site in bodies(NAMES, "site", method="GET")
        if isinstance(site["properties"].get("siteConfig"), dict)
    ]
    assert got
    for site in got:
        assert site["properties"]["siteConfig"].get("ipSecurityRestrictions") is None
        assert transform_app(site, subscription_id=ZERO).config is None


def test_public_network_access_and_route_all_are_absent_before_2022_and_null_or_false_after() -> None:
    access = {site["properties"].get("publicNetworkAccess", "absent") for _, _, site in site_bodies()}
    route_all = {site["properties"].get("vnetRouteAllEnabled", "absent") for _, _, site in site_bodies()}
    assert {"absent", None} <= access and {"absent", False, True} <= route_all
    for _, _, site in site_bodies():
        app = transform_app(site, subscription_id=ZERO)
        assert app.public_network_access is None
        assert app.site_vnet_route_all_enabled == site["properties"].get("vnetRouteAllEnabled")


def test_container_apps_sites_name_no_plan_and_no_sku() -> None:
    sites = [site for _, _, site in site_bodies() if site["properties"].get("managedEnvironmentId")]
    assert sites
    for site in sites:
        assert site["properties"]["serverFarmId"] is None and site["properties"]["sku"] is None
        assert site["properties"]["httpsOnly"] is None
        app = transform_app(site, subscription_id=ZERO)
        assert (app.plan_id, app.hosting, app.os, app.https_only) == (
            None,
            Hosting.CONTAINER_APPS,
            "linux",
            None,
        )
        assert app.managed_environment_id == site["properties"]["managedEnvironmentId"]


@pytest.mark.parametrize(
    ("kind", "function_app", "os"),
    [
        ("functionapp", True, "windows"),
        ("functionapp,linux", True, "linux"),
        ("functionapp,linux,container", True, "linux"),  # a Linux app on a dedicated plan, 2019
        ("functionapp,linux,container,azurecontainerapps", True, "linux"),
        ("app", False, "windows"),
    ],
)
def test_kinds_seen_on_the_wire(kind: str, function_app: bool, os: str) -> None:
    assert kind in {site["kind"] for _, _, site in site_bodies()}
    assert is_function_app(kind) is function_app
    assert detect_os({"kind": kind, "properties": {}}, None) == os


def test_plan_tiers_seen_on_the_wire_map_to_hosting_models() -> None:
    tiers = {plan["sku"]["tier"]: transform_plan(plan) for _, _, plan in every("plan")}
    expected = {
        "Basic": Hosting.DEDICATED,
        "Standard": Hosting.DEDICATED,
        "PremiumV2": Hosting.DEDICATED,
        "ElasticPremium": Hosting.PREMIUM,
        "Dynamic": Hosting.CONSUMPTION,
        "FlexConsumption": Hosting.FLEX_CONSUMPTION,
    }
    assert set(tiers) == set(expected)
    for tier, plan in tiers.items():
        assert (
            classify_hosting({"kind": "functionapp", "properties": {"serverFarmId": plan.id}}, plan)
            is expected[tier]
        )


def test_plan_ids_differ_in_case_between_site_and_plan_url() -> None:
    # The CLI read "serverfarms/francecentralplan"; the site names ".../serverfarms/FranceCentralPlan".
    plan_ids = {plan["id"] for _, _, plan in every("plan")}
    farm_ids = {
        site["properties"]["serverFarmId"]
        for _, _, site in site_bodies()
        if site["properties"].get("serverFarmId")
    }
    lowered = {plan_id.lower() for plan_id in plan_ids}
    assert any(farm.lower() in lowered and farm not in plan_ids for farm in farm_ids) or any(
        plan_id != plan_id.lower() for plan_id in plan_ids
    )


def test_slot_bodies_name_app_slash_slot_and_their_config_points_at_the_slot() -> None:
    slots = every("slot")
    assert slots
    for _, _, slot in slots:
        app = transform_app(slot, subscription_id=ZERO)
        site_name, slot_name = slot["name"].split("/")
        assert (app.slot, app.name) == (slot_name, slot["name"]) and slot[
            "type"
        ] == "Microsoft.Web/sites/slots"
        assert parent_site_id(app.id).endswith(f"/sites/{site_name}")
    slot_configs = [config for _, _, config in every("config") if "/slots/" in config["id"]]
    assert slot_configs and all("/" not in config["name"] for config in slot_configs)


def test_location_display_names_on_web_resources_and_short_names_on_network_ones() -> None:
    web = {site["location"] for _, _, site in site_bodies()}
    network = {vnet["location"] for _, _, vnet in every("vnet")}
    assert "France Central" in web and "francecentral" in network
    # Subnets take their VNet's region; drift/integration-subnet-invalid compares the two ignoring
    # case and spaces (a real pair passes in test_real_arm_corpus.py's route-all web app).
    vnet = next(vnet for _, _, vnet in every("vnet"))
    assert {subnet.location for subnet in subnets_of_vnets([vnet]).values()} == {vnet["location"]}


# -- VNet and Hybrid Connections -------------------------------------------------------------------


def test_vnet_connections_are_bare_arrays_and_a_swift_one_names_the_subnet() -> None:
    arrays = [body for _, _, body in every("vnet_connections")]
    assert arrays and all(isinstance(body, list) for body in arrays) and [] in arrays
    swift = [item for body in arrays for item in body]
    assert swift
    for connection in transform_vnet_connections(swift):
        assert connection.is_swift and "/subnets/" in (connection.vnet_resource_id or "")
        assert connection.name.startswith("00000000-0000-0000-0000-")


def test_hybrid_connection_relays_are_a_value_page_with_blank_keys() -> None:
    pages = [body for _, _, body in every("site_hybrid_connections")]
    assert pages and all(set(page) == {"value", "nextLink", "id"} for page in pages)
    full = [page for page in pages if page["value"]]
    assert full and all(item["properties"]["sendKeyValue"] == "" for page in full for item in page["value"])
    # A slot's relay is typed like the site's.
    assert {item["type"] for page in full for item in page["value"]} == {
        "Microsoft.Web/sites/hybridConnectionNamespaces/relays"
    }
    for page in full:
        (connection,) = transform_hybrid_connections(page)
        assert (connection.hostname, connection.port, connection.namespace) == (
            "vmsq1",
            80,
            "hcnamespace000004",
        )
    assert transform_hybrid_connections({"value": [], "nextLink": None, "id": None}) == ()


def test_subnet_delegation_names_differ_in_case() -> None:
    services = {
        delegation["properties"]["serviceName"]
        for _, _, subnet in every("subnet")
        for delegation in subnet["properties"].get("delegations") or []
    }
    assert {"Microsoft.Web/serverFarms", "Microsoft.Web/serverfarms"} <= services
    for _, _, subnet in every("subnet"):
        assert transform_subnet(subnet).delegations == tuple(
            d["properties"]["serviceName"] for d in subnet["properties"].get("delegations") or []
        )


def test_web_service_endpoint_lists_every_location_as_a_star() -> None:
    endpoints = [
        endpoint
        for _, _, subnet in every("subnet")
        for endpoint in subnet["properties"].get("serviceEndpoints") or []
    ]
    assert endpoints and all(endpoint["locations"] == ["*"] for endpoint in endpoints)
    assert {endpoint["service"] for endpoint in endpoints} == {"Microsoft.Web"}


# -- private endpoints -----------------------------------------------------------------------------


def test_private_endpoints_awaiting_approval_sit_in_manual_connections() -> None:
    endpoints = [body for _, _, body in every("private_endpoint")]
    assert endpoints
    for body in endpoints:
        props = body["properties"]
        assert (
            props["privateLinkServiceConnections"] == []
            and len(props["manualPrivateLinkServiceConnections"]) == 1
        )
    site_id = endpoints[0]["properties"]["manualPrivateLinkServiceConnections"][0]["properties"][
        "privateLinkServiceId"
    ]
    found = private_endpoints_for_site(endpoints, site_id, None)
    assert {pe.id.rsplit("/", 1)[-1] for pe in found} == {
        "webapp-privatelink-endpoint000006",
        "webapp-privatelink-endpoint2000008",
    }
    assert {pe.status for pe in found} == {"Pending"}


def test_site_side_connections_have_null_group_ids_and_transitional_states() -> None:
    embedded = [
        item
        for _, _, site in site_bodies()
        for item in site["properties"].get("privateEndpointConnections") or []
    ]
    assert embedded and {item["properties"]["groupIds"] for item in embedded} == {None}
    states = {
        body["properties"]["privateLinkServiceConnectionState"]["status"]
        for name in NAMES
        for _, _, body in bodies([name], "site_private_endpoint_connection")
    }
    assert {"Pending", "Approving", "Approved", "Rejecting", "Rejected", "Disconnecting"} <= states


@pytest.mark.parametrize(
    "status", ["Approving", "Rejecting", "Disconnecting", "Pending", "Rejected", "Disconnected"]
)
def test_a_connection_in_any_state_but_approved_is_not_approved(status: str) -> None:
    connection = transform_site_private_endpoint_connection(
        {"id": "/pe", "properties": {"privateLinkServiceConnectionState": {"status": status}}}
    )
    outcome = check_private_endpoint_not_approved(
        facts_for(make_app(private_endpoints=(connection,)), "2026-09")
    )
    assert outcome.status._value_ == "fail"
    assert facts_for(make_app(private_endpoints=(connection,)), "2026-09").main.exposure._value_ == "public"


def test_a_connection_without_a_status_is_unknown() -> None:
    connection = transform_site_private_endpoint_connection({"id": "/pe", "properties": {}})
    outcome = check_private_endpoint_not_approved(
        facts_for(make_app(private_endpoints=(connection,)), "2026-09")
    )
    assert outcome.status._value_ == "unknown"


def test_absent_and_empty_subnet_lists_read_as_nothing() -> None:
    subnets = [subnet for _, _, subnet in every("subnet")]
    props = [subnet["properties"] for subnet in subnets]
    assert any("serviceEndpoints" not in p for p in props) and any(p.get("delegations") == [] for p in props)
    assert all("addressPrefixes" not in p and "networkSecurityGroup" not in p for p in props)
    for subnet in subnets:
        parsed = transform_subnet(subnet)
        assert parsed.address_prefixes == (subnet["properties"]["addressPrefix"],)
        assert parsed.network_security_group_id is None and parsed.route_table_id is None
        if "serviceEndpoints" not in subnet["properties"]:
            assert parsed.service_endpoints == ()
        if not subnet["properties"].get("delegations"):
            assert parsed.delegations == ()


def test_site_private_endpoint_connections_are_null_empty_absent_or_listed() -> None:
    def shape(properties: dict[str, Any]) -> str:
        if "privateEndpointConnections" not in properties:
            return "absent"
        value = properties["privateEndpointConnections"]
        return "null" if value is None else "empty" if value == [] else "listed"

    assert {shape(site["properties"]) for _, _, site in site_bodies()} == {
        "absent",
        "null",
        "empty",
        "listed",
    }
    # The collector reads private endpoints from the network side; the site's copy never decides.
    for _, _, site in site_bodies():
        assert transform_app(site, subscription_id=ZERO).private_endpoints is None
