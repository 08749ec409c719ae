"""collect_inventory end to end: the real SDK clients replayed by vcrpy from tests/cassettes/collect/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError

from auditor.collect.clients import CallCounter, FakeCredential, ReadOnlyViolation, build_web_client
from auditor.collect.errors import ReplayMiss
from auditor.collect.inventory import collect_inventory
from auditor.model import DataKey, Hosting, Inventory
from auditor.rules.reads_needed import READS_NEEDED

CASSETTES = Path(__file__).resolve().parent / "cassettes" / "collect"
SUB = "00000000-0000-0000-0000-000000000000"
MISSING_SUB = "00000000-0000-0000-0000-000000000001"
RG = f"/subscriptions/{SUB}/resourceGroups"
APP_ID = f"{RG}/rg-func/providers/Microsoft.Web/sites/func-happy"
NETWORK = f"{RG}/rg-net/providers/Microsoft.Network"
INTEGRATION_SUBNET = f"{NETWORK}/virtualNetworks/vnet-func/subnets/snet-integration"

replayer = vcr.VCR(record_mode="none", match_on=["method", "scheme", "host", "port", "path", "query"])


@pytest.fixture
def cassette_dir(tmp_path: Path) -> Path:
    return tmp_path


def replay(cassette: Path, subscriptions: list[str]) -> tuple[Inventory, Any]:
    with replayer.use_cassette(str(cassette)) as played:
        inventory = collect_inventory(
            subscriptions, FakeCredential(), reads_needed=READS_NEEDED, max_concurrency=8
        )
    return inventory, played


@pytest.fixture(scope="module")
def happy() -> Iterator[tuple[Inventory, Any]]:
    yield replay(CASSETTES / "happy_path.yaml", [SUB])


def test_happy_path_reads_the_app_and_its_slot(happy: tuple[Inventory, Any]) -> None:
    inventory, _ = happy
    assert [scan.status for scan in inventory.subscriptions] == ["ok"]
    assert inventory.gaps == ()
    # web-plain (kind app), its slot and the workflow app are not function apps.
    app, slot = inventory.apps
    assert (app.id, app.slot, slot.id, slot.slot) == (APP_ID, None, f"{APP_ID}/slots/staging", "staging")
    for resource in (app, slot):
        assert resource.hosting is Hosting.PREMIUM
        assert resource.os == "linux"
        assert resource.plan is not None and resource.plan.sku_name == "EP1"
        assert resource.missing == {}


def test_happy_path_app_details(happy: tuple[Inventory, Any]) -> None:
    app = happy[0].apps[0]
    assert app.public_network_access == "Enabled"
    assert app.outbound_vnet_routing["allTraffic"] is True
    assert app.config is not None
    assert [(rule.name, rule.action, rule.priority) for rule in app.config.ip_security_restrictions] == [
        ("front-door", "Allow", 100),
        ("Deny all", "Deny", 2147483647),
    ]
    assert app.config.ip_security_restrictions[0].headers == {
        "x-azure-fdid": ("00000000-0000-0000-0000-0000000000fd",)
    }
    # vnetName is set, so the connections are listed although the site names its subnet: a
    # gateway-required connection beside the regional one would be seen.
    assert [(c.is_swift, c.vnet_resource_id) for c in app.vnet_connections or ()] == [
        (True, INTEGRATION_SUBNET)
    ]
    assert [
        (endpoint.id.rsplit("/", 1)[-1], endpoint.status) for endpoint in app.private_endpoints or ()
    ] == [("pe-func-happy", "Approved")]
    assert [(hc.hostname, hc.port) for hc in app.hybrid_connections or ()] == [("sql01.corp.local", 1433)]
    assert app.functions is not None
    http, queue = app.functions
    assert [(b.type, b.auth_level) for b in http.triggers] == [("httpTrigger", "ANONYMOUS")]
    assert [b.type for b in queue.triggers] == ["queueTrigger"]
    subnet = app.integration_subnet
    assert subnet is not None and subnet.id == INTEGRATION_SUBNET
    assert (subnet.delegations, subnet.address_prefixes, subnet.location) == (
        ("Microsoft.Web/serverFarms",),
        ("10.10.1.0/26",),
        "westeurope",
    )
    assert subnet.network_security_group is not None
    assert [rule.name for rule in subnet.network_security_group.security_rules] == [
        "deny-internet-out",
        "allow-storage",
    ]
    assert subnet.route_table is not None
    assert [(r.address_prefix, r.next_hop_type) for r in subnet.route_table.routes] == [
        ("0.0.0.0/0", "VirtualAppliance")
    ]


def test_happy_path_slot_details(happy: tuple[Inventory, Any]) -> None:
    slot = happy[0].apps[1]
    assert slot.https_only is False
    assert slot.public_network_access is None
    # vnetName without a site subnet: the bare-array call found the swift connection and its subnet.
    assert [(c.is_swift, c.vnet_resource_id) for c in slot.vnet_connections or ()] == [
        (True, INTEGRATION_SUBNET)
    ]
    assert slot.integration_subnet is not None and slot.integration_subnet.id == INTEGRATION_SUBNET
    assert [
        (endpoint.id.rsplit("/", 1)[-1], endpoint.status) for endpoint in slot.private_endpoints or ()
    ] == [("pe-func-happy-staging", "Pending")]
    assert slot.functions == ()
    assert slot.hybrid_connections == ()


def test_call_count_equals_the_interactions_played(happy: tuple[Inventory, Any]) -> None:
    inventory, played = happy
    assert played.all_played
    assert inventory.arm_calls == played.play_count == len(played) == 19


def test_forbidden_config_is_a_gap_on_that_app_only() -> None:
    inventory, played = replay(CASSETTES / "config_forbidden.yaml", [SUB])
    assert played.all_played
    denied, fine = inventory.apps
    assert (denied.name, fine.name) == ("func-denied", "func-fine")
    operation = f"GET {RG}/rg-consumption/providers/Microsoft.Web/sites/func-denied/config/web"
    assert denied.config is None
    assert denied.missing[DataKey.CONFIG] == operation
    assert denied.hosting is Hosting.CONSUMPTION and denied.functions == ()
    # A Consumption plan's Hybrid Connections are read like any other plan's (none here).
    assert (denied.hybrid_connections, fine.hybrid_connections) == ((), ())
    assert DataKey.HYBRID_CONNECTIONS not in denied.not_read
    assert fine.missing == {} and fine.config is not None
    (gap,) = inventory.gaps
    assert (gap.operation, gap.status, gap.resource_id) == (operation, 403, denied.id)
    assert gap.reason.startswith("AuthorizationFailed: ")
    assert DataKey.CONFIG in gap.affects
    assert [scan.status for scan in inventory.subscriptions] == ["ok"]


def test_missing_subscription_is_an_error_and_the_audit_goes_on() -> None:
    inventory, _ = replay(CASSETTES / "subscription_not_found.yaml", [SUB, MISSING_SUB])
    ok, missing = inventory.subscriptions
    assert (ok.id, ok.status, ok.error) == (SUB, "ok", None)
    assert (missing.id, missing.status) == (MISSING_SUB, "error")
    assert missing.error is not None and "SubscriptionNotFound" in missing.error
    (gap,) = inventory.gaps
    assert (gap.subscription_id, gap.status) == (MISSING_SUB, 404)
    assert gap.operation == f"GET /subscriptions/{MISSING_SUB}/providers/Microsoft.Web/sites"
    assert inventory.apps == ()


def test_request_without_recording_raises_replay_miss(cassette_dir: Path) -> None:
    document = yaml.safe_load((CASSETTES / "happy_path.yaml").read_text())
    document["interactions"] = [
        interaction
        for interaction in document["interactions"]
        if not interaction["request"]["uri"].startswith(f"https://management.azure.com{APP_ID}/functions?")
    ]
    incomplete = cassette_dir / "incomplete.yaml"
    incomplete.write_text(yaml.safe_dump(document))
    with pytest.raises(ReplayMiss, match=r"GET https://management\.azure\.com/.*/sites/func-happy/functions"):
        replay(incomplete, [SUB])


def test_post_through_a_client_is_refused_before_sending(cassette_dir: Path) -> None:
    counter = CallCounter()
    with replayer.use_cassette(str(cassette_dir / "empty.yaml")) as played:
        client = build_web_client(SUB, FakeCredential(), counter)
        with pytest.raises(ReadOnlyViolation, match=r"^POST .*/sites/func-happy/restart"):
            client.web_apps.restart("rg-func", "func-happy")
    assert counter.value == 0
    assert played.play_count == 0


class BrokenCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise CredentialUnavailableError(message="EnvironmentCredential: AZURE_CLIENT_ID is not set")


def test_credential_failure_propagates(cassette_dir: Path) -> None:
    with (
        replayer.use_cassette(str(cassette_dir / "empty.yaml")),
        pytest.raises(ClientAuthenticationError, match="AZURE_CLIENT_ID"),
    ):
        collect_inventory([SUB], BrokenCredential(), reads_needed=READS_NEEDED)


def test_bearer_token_and_user_agent_reach_arm(cassette_dir: Path) -> None:
    sent: list[tuple[str, str]] = []

    def keep_headers(request: Any) -> Any:
        # The hook also sees the cassette's own recordings, which carry neither header.
        if "User-Agent" in request.headers:
            sent.append((request.headers.get("Authorization", ""), request.headers["User-Agent"]))
        return request

    recorder = vcr.VCR(
        record_mode="none",
        match_on=["method", "scheme", "host", "port", "path", "query"],
        before_record_request=keep_headers,
    )
    with recorder.use_cassette(str(CASSETTES / "config_forbidden.yaml")) as played:
        inventory = collect_inventory([SUB], FakeCredential(), reads_needed=READS_NEEDED)
    assert inventory.arm_calls == played.play_count == 14
    assert sent and {authorization for authorization, _ in sent} == {"Bearer replay-token"}
    agents = {agent.split(" ", 1)[0] for _, agent in sent}
    assert agents == {"azsdk-python-mgmt-web/11.0.1", "azsdk-python-mgmt-network/33.1.0"}
