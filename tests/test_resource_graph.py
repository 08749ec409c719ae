"""``--inventory-source resource-graph`` yields the inventory the ARM lists yield, in fewer calls."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.transport import HttpRequest

from auditor import exit_codes
from auditor.collect.clients import FakeCredential, ReadOnlyGuardPolicy, ReadOnlyViolation
from auditor.collect.inventory import collect_inventory
from auditor.collect.resource_graph import OPERATION, RESOURCES_QUERY, TYPES
from auditor.model import Inventory
from auditor.rules.reads_needed import READS_NEEDED
from bench.fake_arm import FakeArm, Fault, generate_tenant, tenant_from_cassette
from tests.support.fake_arm_fixtures import PointCli
from tests.support.paths import REPO

DEMO = REPO / "cassettes" / "demo" / "arm.yaml"


@pytest.fixture(autouse=True)
def _ca_bundle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)  # restored after each test
    yield


def _audit(arm: FakeArm, source: str, subscriptions: list[str] | None = None) -> Inventory:
    os.environ["REQUESTS_CA_BUNDLE"] = arm.ca_file
    return collect_inventory(
        subscriptions or arm.tenant.subscriptions,
        FakeCredential(),
        reads_needed=READS_NEEDED,
        base_url=arm.base_url,
        inventory_source=source,
        max_concurrency=8,
    )


def _same(left: Inventory, right: Inventory) -> None:
    assert left.subscriptions == right.subscriptions
    assert len(left.apps) == len(right.apps)
    for mine, theirs in zip(left.apps, right.apps, strict=True):
        assert mine == theirs, mine.id
    assert left.gaps == right.gaps


def test_both_sources_yield_the_same_demo_inventory() -> None:
    with FakeArm(tenant_from_cassette(DEMO)) as arm:
        by_arm = _audit(arm, "arm")
        by_graph = _audit(arm, "resource-graph")
    assert len(by_arm.apps) == 35 and by_arm.gaps == ()
    assert any(app.slot for app in by_graph.apps)
    _same(by_arm, by_graph)
    # Eight lists and a slot list per resource group become two queries.
    assert by_graph.arm_calls < by_arm.arm_calls


def test_both_sources_agree_on_a_generated_tenant_over_pages_and_subscriptions() -> None:
    tenant = generate_tenant(90, apps_per_subscription=45)
    with FakeArm(tenant, graph_page_rows=20) as arm:  # pages of 20 rows: several per query
        by_arm = _audit(arm, "arm")
        by_graph = _audit(arm, "resource-graph")
    assert len(by_arm.apps) == 90 and by_arm.gaps == ()
    _same(by_arm, by_graph)


def test_a_subscription_resource_graph_cannot_see_is_an_error_not_an_empty_one() -> None:
    tenant = generate_tenant(10)
    hidden = "0000000f-1111-4111-8111-00000000000f"
    with FakeArm(tenant) as arm:
        inventory = _audit(arm, "resource-graph", [tenant.subscriptions[0], hidden])
    scans = {scan.id: scan for scan in inventory.subscriptions}
    assert scans[tenant.subscriptions[0]].status == "ok"
    assert scans[hidden].status == "error"
    assert [(gap.subscription_id, gap.operation) for gap in inventory.gaps] == [(hidden, OPERATION)]
    assert len(inventory.apps) == 10


def test_a_failed_query_fails_every_subscription_it_covered() -> None:
    tenant = generate_tenant(20, apps_per_subscription=10)
    faults = [Fault("ResourceGraph", "status", 403, "AuthorizationFailed")]
    with FakeArm(tenant, faults=faults) as arm:
        inventory = _audit(arm, "resource-graph")
    assert inventory.apps == ()
    assert {scan.status for scan in inventory.subscriptions} == {"error"}
    assert {(gap.operation, gap.status) for gap in inventory.gaps} == {(OPERATION, 403)}


def test_the_query_names_every_type_the_lists_read() -> None:
    for resource_type in TYPES:
        assert f"'{resource_type}'" in RESOURCES_QUERY


def _guard(method: str, url: str, allow_resource_graph_query: bool = True) -> None:
    request: PipelineRequest[Any] = PipelineRequest(HttpRequest(method, url), context=None)  # type: ignore[arg-type]
    ReadOnlyGuardPolicy(allow_resource_graph_query).on_request(request)


def test_only_the_resource_graph_client_may_post_a_query() -> None:
    with pytest.raises(ReadOnlyViolation):
        _guard(
            "POST",
            "https://management.azure.com/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01",
            allow_resource_graph_query=False,
        )


def test_the_guard_lets_through_a_post_to_exactly_the_resource_graph_path() -> None:
    _guard(
        "POST",
        "https://management.azure.com/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01",
    )
    _guard("GET", "https://management.azure.com/subscriptions/x/providers/Microsoft.Web/sites")
    for method, url in (
        ("POST", "https://management.azure.com/providers/Microsoft.ResourceGraph/resources/extra"),
        ("POST", "https://management.azure.com/subscriptions/x/providers/Microsoft.ResourceGraph/resources"),
        (
            "POST",
            "https://management.azure.com/subscriptions/x/resourceGroups/r/providers/Microsoft.Web/sites/a/config/appsettings/list",
        ),
        ("PUT", "https://management.azure.com/providers/Microsoft.ResourceGraph/resources"),
        ("DELETE", "https://management.azure.com/providers/Microsoft.ResourceGraph/resources"),
    ):
        with pytest.raises(ReadOnlyViolation):
            _guard(method, url)


def test_the_command_line_takes_the_inventory_source(
    point_cli_at_fake_arm: PointCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor import cli

    tenant = generate_tenant(10)
    saved = tmp_path / "result.json"
    with FakeArm(tenant) as arm:
        point_cli_at_fake_arm(arm.base_url, arm.ca_file)
        arguments = ["audit", "--subscription", tenant.subscriptions[0], "--fail-on", "never", "-v"]
        code = cli.main([*arguments, "--inventory-source", "resource-graph", "--save", str(saved)])
    assert code == exit_codes.EXIT_OK
    assert "querying Resource Graph" in capsys.readouterr().err
    assert len(json.loads(saved.read_text(encoding="utf-8"))["resources"]) == 10
