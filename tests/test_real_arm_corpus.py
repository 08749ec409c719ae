"""Real ARM responses (tests/corpus/, public test recordings) through the collector and the rules.

Each scenario takes a recording at a point of its test (the state after an exchange), serves it
through the fake ARM to the real SDK clients (tests/real_arm_corpus.py), collects and evaluates,
and compares each app with what a careful reader of those bodies concludes: hosting model, OS,
main and SCM exposure, outbound verdict, VNet integration, and the reads the recording does not
hold (only those may be gaps). Web apps, which the collector does not audit, and excerpts without
a site body go through the same transforms and the rules directly.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.collect.clients import FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.collect.network import transform_subnet
from auditor.collect.web import (
    classify_hosting,
    transform_plan,
    transform_site_config,
    transform_site_private_endpoint_connection,
    transform_vnet_connections,
)
from auditor.evaluate import evaluate
from auditor.model import App, Hosting, Inventory, SubscriptionScan
from auditor.result_types import Result
from auditor.rules.reads_needed import READS_NEEDED
from bench.fake_arm import FakeArm
from tests.factories import make_app
from tests.real_arm_corpus import (
    CORPUS,
    SUBSCRIPTION,
    Recording,
    assembled_app,
    before,
    corpus_names,
    load,
    of_kind,
    position,
    state_at,
    tenant_for,
)

NOW = datetime(2026, 10, 20, tzinfo=UTC)


@dataclass(frozen=True)
class Expect:
    """What a careful reader of the recorded bodies says about one app."""

    hosting: str
    os: str
    main: str
    scm: str
    outbound: str
    vnet: str
    missing: frozenset[str] = frozenset()  # reads the recording does not hold
    https_only: bool | None = False


def expect(
    hosting: str,
    os: str,
    main: str,
    scm: str,
    outbound: str = "uncontrolled",
    vnet: str = "none",
    *,
    missing: tuple[str, ...] = (),
    https_only: bool | None = False,
) -> Expect:
    return Expect(hosting, os, main, scm, outbound, vnet, frozenset(missing), https_only)


PLAN_NOT_RECORDED = ("plan",)  # the CLI's --consumption-plan-location never reads the plan it makes
CONFIG_NOT_RECORDED = ("config", "vnet_connections")  # 2024 CLI VNet tests no longer read config/web

Point = Callable[[Recording], int | None]


def end(recording: Recording) -> int | None:
    return None


def after(method: str, suffix: str, nth: int = -1) -> Point:
    return lambda recording: position(recording, method, suffix, nth)


def before_delete(suffix: str) -> Point:
    return lambda recording: before(recording, "DELETE", suffix)


@dataclass(frozen=True)
class Scenario:
    recording: str
    point: Point
    label: str
    apps: dict[str, Expect] = field(default_factory=dict)


ACA = expect("container_apps", "linux", "public", "public", "unknown", https_only=None)


def unread_plan(main: str, scm: str, os: str = "windows") -> Expect:
    """A CLI Consumption app whose plan the recording never read: hosting stays unknown."""
    return expect("unknown", os, main, scm, missing=PLAN_NOT_RECORDED)


CONSUMPTION_UNREAD_PLAN = unread_plan("public", "public")


def unread_config(
    hosting: str, os: str = "windows", vnet: str = "unknown", https_only: bool = False
) -> Expect:
    """An app of a 2024 CLI test that never read config/web: its exposure stays unknown."""
    return expect(
        hosting, os, "unknown", "unknown", vnet=vnet, missing=CONFIG_NOT_RECORDED, https_only=https_only
    )


SCENARIOS = [
    # Azure Functions on Container Apps: no plan, serverFarmId and sku null, config/web all nulls.
    Scenario("cli-fa-aca-managed-env", end, "end", {"functionappwindowsruntime000003": ACA}),
    Scenario("cli-fa-aca-workload-profiles", end, "end", {"functionapp000003": ACA}),
    # Consumption (Windows) apps whose plan the recording never read: hosting stays unknown.
    Scenario(
        "cli-fa-ar-add-scm",
        end,
        "an SCM IP rule: the implicit Deny all follows it",
        {"cli-funcapp-nwr000003": unread_plan("public", "restricted")},
    ),
    Scenario(
        "cli-fa-ar-ip-validation",
        end,
        "an IPv4 /32 and an IPv6 /128 rule",
        {"cli-funcapp-nwr000003": unread_plan("restricted", "public")},
    ),
    Scenario(
        "cli-fa-ar-remove",
        after("PATCH", "config/web", 1),
        "rule added",
        {"cli-funcapp-nwr000003": unread_plan("restricted", "public")},
    ),
    Scenario(
        "cli-fa-ar-remove",
        end,
        "rule removed: Allow all again",
        {"cli-funcapp-nwr000003": CONSUMPTION_UNREAD_PLAN},
    ),
    Scenario(
        "cli-fa-ar-remove-scm",
        after("PATCH", "config/web", 1),
        "SCM rule added",
        {"cli-funcapp-nwr000003": unread_plan("public", "restricted")},
    ),
    Scenario(
        "cli-fa-ar-remove-scm", end, "SCM rule removed", {"cli-funcapp-nwr000003": CONSUMPTION_UNREAD_PLAN}
    ),
    Scenario(
        "cli-fa-ar-set-complex",
        after("PATCH", "config/web", 1),
        "SCM uses the main rules (Allow all)",
        {"cli-funcapp-nwr000003": CONSUMPTION_UNREAD_PLAN},
    ),
    Scenario(
        "cli-fa-ar-set-simple",
        after("PATCH", "config/web", 2),
        "main default action Deny, SCM uses the main rules",
        {"cli-funcapp-nwr000003": unread_plan("restricted", "restricted")},
    ),
    Scenario(
        "cli-fa-ar-set-simple",
        after("PATCH", "config/web", 3),
        "main Allow, SCM Deny but SCM uses the main rules",
        {"cli-funcapp-nwr000003": CONSUMPTION_UNREAD_PLAN},
    ),
    Scenario(
        "cli-fa-ar-set-simple",
        end,
        "both default actions Deny",
        {"cli-funcapp-nwr000003": unread_plan("restricted", "restricted")},
    ),
    Scenario(
        "cli-fa-consumption-e2e",
        before_delete("sites/functionappconsumption000003"),
        "before the delete",
        {"functionappconsumption000003": CONSUMPTION_UNREAD_PLAN},
    ),
    Scenario(
        "cli-fa-consumption-linux-dotnet-isolated",
        end,
        "end",
        {"functionapplinuxconsumption000003": unread_plan("public", "public", os="linux")},
    ),
    Scenario(
        "cli-fa-consumption-linux-powershell",
        end,
        "end",
        {"functionapplinuxconsumption000003": unread_plan("public", "public", os="linux")},
    ),
    Scenario(
        "cli-fa-reserved-instance",
        before_delete("sites/functionappwithreservedinstance000003"),
        "before the delete",
        {"functionappwithreservedinstance000003": CONSUMPTION_UNREAD_PLAN},
    ),
    # Dedicated plans (Basic, Standard), Windows and Linux, slots.
    Scenario(
        "cli-fa-cors",
        end,
        "end",
        {"slot-traffic-web000004": expect("dedicated", "windows", "public", "public")},
    ),
    Scenario(
        "cli-fa-e2e",
        before_delete("sites/func-e2e000003"),
        "two apps, the second in another resource group than its plan",
        {
            "func-e2e000003": unread_config("dedicated"),
            "func-e2e000004": unread_config("dedicated"),
        },
    ),
    Scenario(
        "cli-fa-https-only",
        end,
        "httpsOnly true and false on Windows and Linux plans",
        {
            "function000003": unread_config("dedicated", https_only=True),
            "function000004": unread_config("dedicated", os="linux", https_only=True),
            "function000005": unread_config("dedicated"),
            "function000006": unread_config("dedicated", os="linux"),
        },
    ),
    Scenario(
        "cli-fa-local-context",
        before_delete("sites/functionapp-000004"),
        "before the delete",
        {"functionapp-000004": expect("dedicated", "windows", "public", "public")},
    ),
    Scenario(
        "cli-fa-on-linux",
        before_delete("sites/functionapp-linux000004"),
        "before the delete",
        {"functionapp-linux000004": expect("dedicated", "linux", "public", "public")},
    ),
    Scenario(
        "cli-fa-on-linux-2019",
        before_delete("sites/functionapp-linux000004"),
        "2019 shapes: no defaultAction keys, Allow all at priority 1",
        {"functionapp-linux000004": expect("dedicated", "linux", "public", "public")},
    ),
    Scenario(
        "cli-fa-remove-identity",
        end,
        "end",
        {"func-msi000004": expect("dedicated", "windows", "public", "public")},
    ),
    Scenario(
        "cli-fa-update-slot",
        end,
        "an app and its slot",
        {
            "functionapp-slot000004": expect("dedicated", "windows", "public", "public"),
            "functionapp-slot000004/slotname000005": expect("dedicated", "windows", "public", "public"),
        },
    ),
    Scenario(
        "cli-fa-update-slot-2022",
        end,
        "an app and its slot, 2022 shapes",
        {
            "functionapp-slot000004": expect("dedicated", "windows", "public", "public"),
            "functionapp-slot000004/slotname000005": expect("dedicated", "windows", "public", "public"),
        },
    ),
    # Regional VNet integration on Basic, PremiumV2 and Elastic Premium; Consumption refused it.
    Scenario(
        "cli-fa-vnet-basic",
        end,
        "integrated, route all on the site",
        {"swiftfunctionapp000003": unread_config("dedicated", vnet="regional")},
    ),
    Scenario(
        "cli-fa-vnet-basic-2022",
        end,
        "integrated, route all in config/web",
        {"swiftfunctionapp000003": expect("dedicated", "windows", "public", "public", vnet="regional")},
    ),
    Scenario(
        "cli-fa-vnet-consumption",
        end,
        "integration refused on Consumption: the plan is read, config/web is not",
        {"swiftfunctionapp000003": unread_config("consumption")},
    ),
    Scenario(
        "cli-fa-vnet-duplicate-name",
        after("GET", "functionapp000007/virtualnetworkconnections", 1),
        "integrated with a subnet whose VNet name repeats in other groups",
        {"functionapp000007": unread_config("dedicated", vnet="regional")},
    ),
    Scenario(
        "cli-fa-vnet-duplicate-name-2022",
        after("GET", "functionapp000007/virtualnetworkconnections", 1),
        "the app integrated",
        {"functionapp000007": expect("dedicated", "windows", "public", "public", vnet="regional")},
    ),
    Scenario(
        "cli-fa-vnet-duplicate-name-2022",
        after("GET", "slots/slot/virtualnetworkconnections", 1),
        "the app disconnected, its slot integrated",
        {
            "functionapp000007": expect("dedicated", "windows", "public", "public"),
            "functionapp000007/slot": expect("dedicated", "windows", "public", "public", vnet="regional"),
        },
    ),
    Scenario(
        "cli-fa-vnet-ep",
        end,
        "Elastic Premium, integrated",
        {"swiftfunctionapp000003": unread_config("premium", vnet="regional")},
    ),
    Scenario(
        "cli-fa-vnet-ep-2023",
        end,
        "Elastic Premium, integrated, route all in config/web",
        {"swiftfunctionapp000003": expect("premium", "windows", "public", "public", vnet="regional")},
    ),
    # Flex Consumption (Azure PowerShell).
    Scenario(
        "ps-flex-dotnet-isolated",
        end,
        "end",
        {"Functions-Flex-DotNetIsolated-tuop": expect("flex_consumption", "linux", "public", "public")},
    ),
]

# Recordings the collector cannot replay, and the test that feeds them to the transforms instead.
FED_TO_TRANSFORMS = {
    "cli-fa-ar-add-service-endpoint-2022": "no site body in the excerpt",
    "cli-fa-ar-show-2022": "no site body in the excerpt",
    "cli-fa-vnet-e2e-2022": "no site body in the excerpt",
    "cli-net-pe-webapp": "a web app (kind app), which the collector does not audit",
    "cli-webapp-hybrid-connection": "a web app (kind app), which the collector does not audit",
    "cli-webapp-vnet-route-all": "a web app (kind app), which the collector does not audit",
    "sdk-web-app-2021": "a web app (kind app), which the collector does not audit",
}


@pytest.fixture(autouse=True)
def _ca_bundle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    yield


def replay(recording: Recording, upto: int | None) -> tuple[Inventory, Result]:
    served = tenant_for(recording, upto)
    with FakeArm(served.tenant) as arm:
        os.environ["REQUESTS_CA_BUNDLE"] = arm.ca_file
        inventory = collect_inventory(
            [SUBSCRIPTION],
            FakeCredential(),
            reads_needed=READS_NEEDED,
            base_url=arm.base_url,
            max_concurrency=4,
        )
    result = evaluate(inventory, started_at=NOW, finished_at=NOW, tool_version="test")
    return inventory, result


def judged(resource: Mapping[str, Any]) -> Expect:
    return Expect(
        hosting=resource["hosting"],
        os=resource["os"],
        main=resource["inbound"]["main"],
        scm=resource["inbound"]["scm"],
        outbound=resource["outbound"],
        vnet=resource["vnet_integration"]["kind"],
        missing=frozenset(resource["missing"]),
        https_only=resource["https_only"],
    )


@pytest.mark.parametrize(
    "scenario", SCENARIOS, ids=lambda scenario: f"{scenario.recording}: {scenario.label}"
)
def test_replayed_recording_is_judged_as_a_reader_would(scenario: Scenario) -> None:
    recording = load(scenario.recording)
    inventory, result = replay(recording, scenario.point(recording))
    assert [scan.status for scan in inventory.subscriptions] == ["ok"]
    assert {resource["name"]: judged(resource) for resource in result["resources"]} == scenario.apps
    # A gap only where the recording holds no answer, one per read it lacks.
    expected_gaps = sum(len(app.missing - {"vnet_connections"}) for app in scenario.apps.values())
    assert len(inventory.gaps) == expected_gaps
    for gap in inventory.gaps:
        assert gap.status in (None, 404)


def test_every_recording_is_replayed_or_fed_to_the_transforms() -> None:
    replayed = {scenario.recording for scenario in SCENARIOS}
    assert replayed.isdisjoint(FED_TO_TRANSFORMS)
    assert replayed | set(FED_TO_TRANSFORMS) == set(corpus_names())


def test_the_readme_cites_every_recording_by_repository_path_and_commit() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for name in corpus_names():
        source = load(name).source
        row = next((line for line in readme.splitlines() if f"`{name}.yaml`" in line), "")
        assert row, f"{name} is not in tests/corpus/README.md"
        assert source["repository"] in row and source["commit"] in row and Path(source["path"]).name in row


def test_the_corpus_holds_only_reads_of_resources_and_no_secret_bearing_call() -> None:
    for name in corpus_names():
        for exchange in load(name).exchanges:
            assert exchange.method in ("GET", "PUT", "PATCH", "DELETE"), (name, exchange.path)
            assert not re.search(r"/(config/appsettings|publishxml|listkeys|list)(/|$)", exchange.path)


# -- recordings the collector does not audit: the same transforms, then the rules ----------------


def evaluated(*apps: App) -> Result:
    inventory = Inventory(subscriptions=(SubscriptionScan(id=SUBSCRIPTION, status="ok"),), apps=apps, gaps=())
    return evaluate(inventory, started_at=NOW, finished_at=NOW, tool_version="test", include_passed=True)


def resource_of(result: Mapping[str, Any], name: str) -> dict[str, Any]:
    return next(resource for resource in result["resources"] if resource["name"] == name)


def outcome(result: Mapping[str, Any], rule_id: str, name: str) -> dict[str, Any]:
    return next(
        finding
        for finding in result["findings"]
        if finding["rule_id"] == rule_id and finding["resource_name"] == name
    )


def test_web_app_with_hybrid_connections_on_the_app_and_its_slot() -> None:
    recording = load("cli-webapp-hybrid-connection")
    upto = position(recording, "GET", "slots/hcwebapp000002-stage/hybridconnectionrelays", 1)
    app = assembled_app(recording, upto, "sites/hcwebapp000002")
    slot = assembled_app(recording, upto, "slots/hcwebapp000002-stage")
    assert app.missing == {} and [(hc.hostname, hc.port) for hc in app.hybrid_connections or ()] == [
        ("vmsq1", 80)
    ]
    assert slot.slot == "hcwebapp000002-stage" and slot.hybrid_connections == app.hybrid_connections
    result = evaluated(app, slot)
    for name in ("hcwebapp000002", "hcwebapp000002/hcwebapp000002-stage"):
        finding = outcome(result, "risk/hybrid-connection-endpoint", name)
        assert finding["status"] == "fail" and "vmsq1:80" in str(finding["evidence"])
    assert judged(resource_of(result, "hcwebapp000002")) == expect("dedicated", "windows", "public", "public")


def test_web_app_with_private_endpoints_approved_on_the_site_side() -> None:
    recording = load("cli-net-pe-webapp")
    upto = position(recording, "GET", "sites/webapp-privatelink-webapp000002", 2)
    state = state_at(recording, upto)
    app = assembled_app(recording, upto, "sites/webapp-privatelink-webapp000002")
    # The network side was read only before the approval: both (manual) connections say Pending.
    assert sorted(
        (pe.private_endpoint_id or "").rsplit("/", 1)[-1] for pe in app.private_endpoints or ()
    ) == [
        "webapp-privatelink-endpoint000006",
        "webapp-privatelink-endpoint2000008",
    ]
    assert {pe.status for pe in app.private_endpoints or ()} == {"Pending"}
    # The site's own copy, read after the approval, says which one was approved.
    site = next(resource.body for resource in of_kind(state, "site").values())
    site_side = [
        transform_site_private_endpoint_connection(item)
        for item in site["properties"]["privateEndpointConnections"]
    ]
    assert [pe.status for pe in site_side] == ["Approved", "Pending"]
    approved = evaluated(dataclasses.replace(app, private_endpoints=tuple(site_side)))
    resource = resource_of(approved, "webapp-privatelink-webapp000002")
    assert (resource["inbound"], resource["missing"]) == (
        {"main": "private", "scm": "private"},
        {"config": "not in the recording"},
    )
    assert (
        outcome(approved, "risk/private-endpoint-not-approved", "webapp-privatelink-webapp000002")["status"]
        == "fail"
    )


def test_web_app_with_regional_integration_and_route_all_on_the_site() -> None:
    recording = load("cli-webapp-vnet-route-all")
    upto = position(recording, "GET", "swiftwebapp000002/virtualnetworkconnections", 1)
    app = assembled_app(recording, upto, "sites/swiftwebapp000002")
    assert app.integration_subnet is not None
    # Delegated to "Microsoft.Web/serverfarms" here, "Microsoft.Web/serverFarms" elsewhere.
    assert app.integration_subnet.delegations == ("Microsoft.Web/serverfarms",)
    result = evaluated(app)
    resource = resource_of(result, "swiftwebapp000002")
    assert (resource["vnet_integration"]["kind"], resource["vnet_integration"]["route_all"]) == (
        "regional",
        True,
    )
    assert (resource["outbound"], resource["outbound_detail"]["reason"]) == (
        "uncontrolled",
        "no-egress-control",
    )
    assert outcome(result, "drift/integration-subnet-invalid", "swiftwebapp000002")["status"] == "pass"


def test_sdk_recorded_web_app_with_its_config() -> None:
    recording = load("sdk-web-app-2021")
    app = assembled_app(recording, position(recording, "PATCH", "config/web"), "sites/mysitexxyzz")
    assert app.missing == {}
    assert judged(resource_of(evaluated(app), "mysitexxyzz")) == expect(
        "dedicated", "windows", "public", "public"
    )


def test_excerpt_service_endpoint_rule_replaces_allow_all_with_deny_all() -> None:
    recording = load("cli-fa-ar-add-service-endpoint-2022")
    state = state_at(recording)
    (plan_body,) = [resource.body for resource in of_kind(state, "plan").values()]
    (config_body,) = [resource.body for resource in of_kind(state, "config").values()]
    (subnet_body,) = [resource.body for resource in of_kind(state, "subnet").values()]
    plan = transform_plan(plan_body)
    app = make_app(
        name="cli-funcapp-nwr000003",
        hosting=Hosting.DEDICATED,
        plan=plan,
        config=transform_site_config(config_body),
    )
    assert transform_subnet(subnet_body).service_endpoints == ("Microsoft.Web",)
    resource = resource_of(evaluated(app), "cli-funcapp-nwr000003")
    assert resource["inbound"] == {"main": "restricted", "scm": "public"}
    before_patch = state_at(recording, position(recording, "GET", "config/web", 1))
    (first_config,) = [resource.body for resource in of_kind(before_patch, "config").values()]
    first = make_app(
        name="first", hosting=Hosting.DEDICATED, plan=plan, config=transform_site_config(first_config)
    )
    assert resource_of(evaluated(first), "first")["inbound"] == {"main": "public", "scm": "public"}


def test_excerpt_2022_config_with_no_default_action_keys_is_public() -> None:
    (config_body,) = [
        resource.body for resource in of_kind(state_at(load("cli-fa-ar-show-2022")), "config").values()
    ]
    app = make_app(name="show", hosting=Hosting.CONSUMPTION, config=transform_site_config(config_body))
    assert resource_of(evaluated(app), "show")["inbound"] == {"main": "public", "scm": "public"}


def test_excerpt_slot_integrated_through_its_swift_connection() -> None:
    recording = load("cli-fa-vnet-e2e-2022")
    state = state_at(recording, position(recording, "GET", "stage/virtualnetworkconnections"))
    (plan_body,) = [resource.body for resource in of_kind(state, "plan").values()]
    (config_body,) = [resource.body for resource in of_kind(state, "config").values()]
    (subnet_body,) = [resource.body for resource in of_kind(state, "subnet").values()]
    (connections_body,) = [resource.body for resource in of_kind(state, "vnet_connections").values()]
    plan = transform_plan(plan_body)
    assert classify_hosting({"properties": {"serverFarmId": plan.id}}, plan) is Hosting.DEDICATED
    app = make_app(
        name="swiftfunctionapp000003",
        slot="swiftfunctionapp000003-stage",
        hosting=Hosting.DEDICATED,
        plan=plan,
        config=transform_site_config(config_body),
        vnet_connections=transform_vnet_connections(connections_body),
        integration_subnet=transform_subnet(subnet_body),
    )
    resource = resource_of(evaluated(app), "swiftfunctionapp000003/swiftfunctionapp000003-stage")
    assert resource["vnet_integration"]["kind"] == "regional"
    assert resource["vnet_integration"]["route_all"] is True
    assert (resource["outbound"], resource["outbound_detail"]["reason"]) == (
        "uncontrolled",
        "no-egress-control",
    )
