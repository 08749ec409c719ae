"""What the docs say a hosting model cannot hold, found anyway: each drift rule fails on it.

The configurations live in the demo subscription (tools/demo_contoso.py, rendered to ARM's wire
format in cassettes/demo by tools/build_demo_cassettes.py) and are replayed here through the real
SDK clients and the collector: a read skipped on the docs' word would leave the rule unable to
fail, and the test with it. Each case first checks the inventory holds the configuration, then
that its rule fails against the 2026-09 cell that marks it unsupported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from auditor.collect.cassettes import replaying
from auditor.collect.clients import FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.evaluate import evaluate
from auditor.model import App, Hosting, Inventory
from auditor.result_types import Result
from auditor.rules.reads_needed import READS_NEEDED
from tests.support.paths import REPO

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
MOMENT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    rule_id: str
    app: str  # site name, "app/slot" for a slot
    hosting: Hosting
    holds: Callable[[App], bool]  # the inventory really holds the documented-impossible setting
    feature: str | None  # the matrix feature judged (None: the rule does not go through the matrix)

    @property
    def id(self) -> str:
        return f"{self.rule_id} on {self.app}"


def _gateway(app: App) -> bool:
    return any(not connection.is_swift for connection in app.vnet_connections or ())


def _service_endpoint_rule(app: App) -> bool:
    rules = app.config.ip_security_restrictions if app.config is not None else ()
    return any(rule.vnet_subnet_resource_id for rule in rules)


CASES = (
    Case(
        "drift/hybrid-connection-unsupported",
        "func-relay-cons",
        Hosting.CONSUMPTION,
        lambda app: bool(app.hybrid_connections),
        "hybrid_connections",
    ),
    Case(
        "drift/hybrid-connection-unsupported",
        "func-bridge-flex",
        Hosting.FLEX_CONSUMPTION,
        lambda app: bool(app.hybrid_connections),
        "hybrid_connections",
    ),
    Case(
        "drift/private-endpoint-unsupported",
        "func-legacy-cons",
        Hosting.CONSUMPTION,
        lambda app: bool(app.private_endpoints),
        "private_endpoints",
    ),
    Case(
        "drift/vnet-integration-unsupported",
        "func-thumbnails-cons",
        Hosting.CONSUMPTION,
        lambda app: app.virtual_network_subnet_id is not None,
        "regional_vnet_integration",
    ),
    Case(
        "drift/gateway-integration-unsupported",
        "func-inventory",
        Hosting.PREMIUM,
        _gateway,
        "gateway_vnet_integration",
    ),
    Case(
        "drift/gateway-integration-unsupported",
        "func-bridge-flex",
        Hosting.FLEX_CONSUMPTION,
        _gateway,
        "gateway_vnet_integration",
    ),
    Case(
        "drift/vnet-trigger-unsupported",
        "func-thumbnails-cons",
        Hosting.CONSUMPTION,
        lambda app: any(
            trigger.type != "httpTrigger" for function in app.functions or () for trigger in function.triggers
        ),
        "vnet_triggers",
    ),
    Case(
        "drift/service-endpoint-rule-unsupported",
        "func-relay-cons",
        Hosting.CONSUMPTION,
        _service_endpoint_rule,
        "service_endpoint_rules",
    ),
    # An ASE fails on the App Service docs' word (R-AR-08), whatever the edition's cell says.
    Case(
        "drift/service-endpoint-rule-unsupported",
        "func-pricing-ext",
        Hosting.ASE,
        _service_endpoint_rule,
        None,
    ),
)


@pytest.fixture(scope="module")
def demo() -> tuple[Inventory, list[str]]:
    with replaying(REPO / "cassettes" / "demo") as played:
        inventory = collect_inventory([SUBSCRIPTION], FakeCredential(), reads_needed=READS_NEEDED)
        # The requests the collector sent: the recorded ones it played (a miss would have raised).
        paths = [request.path for index, request in enumerate(played.requests) if played.play_counts[index]]
    return inventory, paths


def _result(inventory: Inventory, edition: str) -> Result:
    return evaluate(inventory, edition=edition, started_at=MOMENT, finished_at=MOMENT, tool_version="test")


@pytest.fixture(scope="module")
def results(demo: tuple[Inventory, list[str]]) -> dict[str, Result]:
    return {edition: _result(demo[0], edition) for edition in ("2026-09", "2019-04")}


def _app(inventory: Inventory, name: str) -> App:
    (app,) = [app for app in inventory.apps if app.name == name]
    return app


def _finding(result: dict[str, Any], rule_id: str, app: App) -> dict[str, Any]:
    (finding,) = [
        finding
        for finding in result["findings"]
        if finding["rule_id"] == rule_id and finding["resource_id"].lower() == app.id.lower()
    ]
    return dict(finding)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_documented_impossible_configuration_fails_its_rule(
    case: Case, demo: tuple[Inventory, list[str]], results: dict[str, dict[str, Any]]
) -> None:
    app = _app(demo[0], case.app)
    assert app.hosting is case.hosting
    assert case.holds(app), f"{case.app} no longer holds the configuration {case.rule_id} is about"
    assert app.missing == {}
    finding = _finding(results["2026-09"], case.rule_id, app)
    assert finding["status"] == "fail", finding["message"]
    if case.feature is not None:
        cell = finding["matrix_cell"]
        assert (cell["feature"], cell["hosting"], cell["value"]) == (case.feature, case.hosting.value, "no")


def test_every_plan_s_hybrid_connections_are_read_whatever_its_tier(
    demo: tuple[Inventory, list[str]],
) -> None:
    inventory, paths = demo
    read = {path.lower() for path in paths if path.lower().endswith("/hybridconnectionrelays")}
    for app in inventory.apps:
        assert app.plan_id is not None or app.managed_environment_id is not None, app.name
        if app.plan_id is not None:
            assert f"{app.plan_id}/hybridConnectionRelays".lower() in read, app.plan_id
        assert "hybrid_connections" not in {key.value for key in app.not_read}


def test_regional_integration_does_not_hide_a_second_vnet_connection(
    demo: tuple[Inventory, list[str]],
) -> None:
    inventory, paths = demo
    listed = {path.lower() for path in paths if path.lower().endswith("/virtualnetworkconnections")}
    for app in inventory.apps:
        if app.config is not None and app.config.vnet_name:
            assert f"{app.id}/virtualNetworkConnections".lower() in listed, app.name


@pytest.mark.parametrize(
    ("rule_id", "app_name"),
    [
        ("drift/private-endpoint-unsupported", "func-legacy-cons"),  # no private endpoints in the seed
        ("drift/service-endpoint-rule-unsupported", "func-relay-cons"),  # seed matrix vs text, C7
        ("drift/hybrid-connection-unsupported", "func-bridge-flex"),  # no Flex column in the seed
    ],
)
def test_an_edition_that_does_not_document_the_feature_stays_unknown_and_says_so(
    rule_id: str, app_name: str, demo: tuple[Inventory, list[str]], results: dict[str, dict[str, Any]]
) -> None:
    finding = _finding(results["2019-04"], rule_id, _app(demo[0], app_name))
    assert finding["status"] == "unknown"
    assert "edition 2019-04 does not document" in finding["message"]
    assert "stays unknown" in finding["message"] and "--edition 2026-09" in finding["message"]
    assert finding["matrix_cell"]["value"] == "unknown"
