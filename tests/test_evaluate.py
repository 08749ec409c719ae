"""The canonical result (spec/output.md), fingerprints and exit codes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest

from auditor.evaluate import evaluate, exit_code, fingerprint
from auditor.model import DataKey, SubscriptionScan
from auditor.rules import RULES
from tests.factories import SUBSCRIPTION_ID, app_id, make_app, make_gap, make_inventory

STARTED = datetime(2026, 9, 20, 8, 0, 0, tzinfo=UTC)
FINISHED = datetime(2026, 9, 20, 8, 0, 7, 250000, tzinfo=UTC)


def _run(apps: Any = (), gaps: Any = (), **kwargs: Any) -> dict[str, Any]:
    inventory_overrides = {key: kwargs.pop(key) for key in ("subscriptions",) if key in kwargs}
    # Read as plain JSON: the tests index optional parts without narrowing them first.
    return cast(
        dict[str, Any],
        evaluate(
            make_inventory(apps, gaps, **inventory_overrides),
            started_at=STARTED,
            finished_at=FINISHED,
            tool_version="0.1.0",
            **kwargs,
        ),
    )


def _public_app(name: str = "func-public") -> Any:
    return make_app(name=name)


def _locked_app(name: str = "func-locked") -> Any:
    return make_app(
        name=name,
        public_network_access="Disabled",
        virtual_network_subnet_id="/subscriptions/x/subnets/integration",
        outbound_vnet_routing={"allTraffic": True},
        integration_subnet={"nsg": {"rules": [{"access": "Deny", "destination": "Internet"}]}},
    )


def test_result_has_the_documented_shape() -> None:
    result = _run([_public_app()])
    assert result["schema_version"] == 1
    assert result["tool"] == {"name": "auditor", "version": "0.1.0"}
    assert result["edition"] == "2026-09"
    assert (result["started_at"], result["finished_at"]) == ("2026-09-20T08:00:00Z", "2026-09-20T08:00:07Z")
    assert result["subscriptions"] == [{"id": SUBSCRIPTION_ID, "status": "ok", "error": None}]
    resource = result["resources"][0]
    for key in (
        "id",
        "name",
        "slot",
        "resource_group",
        "location",
        "kind",
        "os",
        "hosting",
        "plan",
        "inbound",
        "outbound",
        "vnet_integration",
        "private_endpoints",
        "hybrid_connections",
    ):
        assert key in resource
    assert resource["inbound"] == {"main": "public", "scm": "public"}
    assert resource["plan"] == {"id": resource["plan"]["id"], "sku": "EP1", "tier": "ElasticPremium"}
    assert resource["vnet_integration"] == {
        "kind": "none",
        "subnet_id": None,
        "gateway_vnets": [],
        "route_all": None,
    }
    assert resource["outbound"] == "uncontrolled"
    assert resource["inbound_detail"]["main"]["reason"] == "no-rules"
    assert resource["inbound_detail"]["main"]["deciding"] == "default action implicit (Allow)"
    finding = next(f for f in result["findings"] if f["rule_id"] == "risk/public-unrestricted")
    assert set(finding) >= {
        "rule_id",
        "category",
        "severity",
        "status",
        "resource_id",
        "title",
        "message",
        "evidence",
        "reference",
        "remediation",
        "fingerprint",
    }
    assert finding["reference"]["edition"] == "2026-09"
    assert len(finding["fingerprint"]) == 32
    json.dumps(result)  # only JSON types


def test_findings_list_fail_and_unknown_and_passes_only_on_request() -> None:
    result = _run([_public_app(), make_app(name="func-noconfig", config=None)])
    statuses = {finding["status"] for finding in result["findings"]}
    assert statuses == {"fail", "unknown"}
    with_passes = _run([_public_app()], include_passed=True)
    assert "pass" in {finding["status"] for finding in with_passes["findings"]}
    assert "not_applicable" not in {finding["status"] for finding in with_passes["findings"]}


def test_summary_counts_every_outcome() -> None:
    result = _run([_public_app(), _locked_app()])
    summary = result["summary"]
    assert summary["resources"] == 2
    assert sum(summary["by_status"].values()) == 2 * len(RULES)
    failing = [f for f in result["findings"] if f["status"] == "fail"]
    assert summary["by_status"]["fail"] == len(failing)
    assert sum(summary["by_severity"].values()) == len(failing)
    assert list(summary["by_severity"]) == ["high", "medium", "low", "info"]
    assert summary["by_hosting"] == {"premium": 2}
    assert summary["by_category"]["risk"] + summary["by_category"]["drift"] == len(failing)
    assert summary["arm_calls"] == 12


def test_output_is_deterministic_whatever_the_inventory_order() -> None:
    apps = [_public_app("b-app"), _locked_app("a-app"), make_app(name="c-app", config=None)]
    first = _run(apps)
    second = _run(list(reversed(apps)))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert [r["name"] for r in first["resources"]] == ["a-app", "b-app", "c-app"]
    severities = [f["severity"] for f in first["findings"]]
    rank = {"high": 3, "medium": 2, "low": 1, "info": 0}
    assert severities == sorted(severities, key=lambda s: -rank[s])


def test_access_rules_are_listed_in_evaluation_order_with_the_deciding_rule_marked() -> None:
    app = make_app(
        config={
            "ip_security_restrictions": [
                {"name": "late", "action": "Allow", "ip_address": "203.0.113.0/24", "priority": 300},
                {"name": "open", "action": "Allow", "ip_address": "Any", "priority": 200},
            ]
        }
    )
    rules = _run([app])["resources"][0]["access_rules"]
    assert [(rule["name"], rule["decides"]) for rule in rules["main"]] == [("open", True), ("late", False)]
    assert rules["scm"] == []


def test_drift_findings_name_edition_and_matrix_cell() -> None:
    app = make_app(hosting="consumption", private_endpoints=[{"status": "Approved"}])
    result = _run([app])
    finding = next(f for f in result["findings"] if f["rule_id"] == "drift/private-endpoint-unsupported")
    assert finding["matrix_cell"]["feature"] == "private_endpoints"
    assert finding["matrix_cell"]["hosting"] == "consumption"
    assert finding["matrix_cell"]["value"] == "no"
    assert finding["reference"] == {
        "edition": "2026-09",
        "doc": "Azure Functions hosting options (09/16/2026)",
        "section": "Networking features",
        "url": "https://learn.microsoft.com/azure/azure-functions/functions-scale#networking-features",
        "basis": "S8 functions-scale.md 09/16/2026",
    }


def test_fingerprint_is_stable_and_case_insensitive_on_the_resource_id() -> None:
    evidence = {"reason": "no-rules", "nested": {"b": 1, "a": [1, 2]}}
    reordered = {"nested": {"a": [1, 2], "b": 1}, "reason": "no-rules"}
    first = fingerprint("risk/public-unrestricted", app_id(), evidence)
    assert first == fingerprint("risk/public-unrestricted", app_id().upper(), reordered)
    # The documented recipe: sha256 of rule id, lower-cased resource id and canonical JSON, 32 hex digits.
    material = "\n".join(
        ["risk/public-unrestricted", app_id().lower(), '{"nested":{"a":[1,2],"b":1},"reason":"no-rules"}']
    )
    assert first == hashlib.sha256(material.encode()).hexdigest()[:32]
    # Pinned: a change here breaks every stored suppression and baseline.
    assert first == "e147d4686bf6cb5c6fcc03ca108e66c1"
    assert first != fingerprint("risk/scm-unrestricted", app_id(), evidence)
    assert first != fingerprint("risk/public-unrestricted", app_id("other"), evidence)
    assert first != fingerprint("risk/public-unrestricted", app_id(), {"reason": "default-allow"})


def test_fingerprints_do_not_change_with_the_edition_or_the_clock() -> None:
    app = make_app(hosting="consumption", os="linux", hybrid_connections=[{}])
    current = _run([app])
    seed = evaluate(
        make_inventory([app]),
        edition="2019-04",
        started_at=STARTED + timedelta(days=1),
        finished_at=FINISHED + timedelta(days=1),
        tool_version="9.9.9",
    )

    def prints(result: Mapping[str, Any]) -> dict[str, str]:
        return {f["rule_id"]: f["fingerprint"] for f in result["findings"]}

    shared = prints(current).keys() & prints(seed).keys()
    assert "drift/hybrid-connection-unsupported" in shared
    assert all(prints(current)[rule] == prints(seed)[rule] for rule in shared)


def test_gaps_are_listed_with_the_rules_they_left_unknown() -> None:
    app = make_app(config=None, missing={"config": "GET …/config/web: 403 AuthorizationFailed"})
    result = _run([app], [make_gap()])
    assert result["gaps"] == [
        {
            "subscription_id": SUBSCRIPTION_ID,
            "resource_id": app_id(),
            "operation": f"GET {app_id()}/config/web",
            "status": 403,
            "reason": "AuthorizationFailed",
            "affects": ["config"],
            "rules_unknown": sorted(
                f["rule_id"]
                for f in result["findings"]
                if f["status"] == "unknown" and "config" in f["message"]
            ),
        }
    ]
    assert "risk/public-unrestricted" in result["gaps"][0]["rules_unknown"]


def test_subscription_wide_gap_maps_to_apps_of_that_subscription() -> None:
    app = make_app(private_endpoints=None)
    gap = make_gap(
        operation="GET /subscriptions/…/privateEndpoints",
        resource_id=None,
        affects=(DataKey.PRIVATE_ENDPOINTS,),
    )
    rules_unknown = _run([app], [gap])["gaps"][0]["rules_unknown"]
    assert "risk/private-endpoint-not-approved" in rules_unknown
    assert "risk/tls-below-1.2" not in rules_unknown


def test_naive_and_offset_times_are_written_in_utc() -> None:
    result = evaluate(
        make_inventory([]),
        started_at=datetime(2026, 9, 20, 10, 0, 0, tzinfo=timezone(timedelta(hours=2))),
        finished_at=datetime(2026, 9, 20, 8, 0, 1),
        tool_version="0.1.0",
    )
    assert (result["started_at"], result["finished_at"]) == ("2026-09-20T08:00:00Z", "2026-09-20T08:00:01Z")


def test_unknown_edition_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown edition"):
        _run([], edition="1999-01")


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("high", 1), ("medium", 1), ("low", 1), ("info", 1), ("never", 0)],
)
def test_exit_code_with_a_high_finding(fail_on: str, expected: int) -> None:
    assert exit_code(_run([_public_app()]), fail_on) == expected


def test_exit_code_threshold() -> None:
    # Only an info finding (hybrid connection endpoint) and low ones fail on the locked app with an HC.
    app = make_app(
        name="func-hc",
        public_network_access="Disabled",
        hosting="dedicated",
        hybrid_connections=[{}],
        virtual_network_subnet_id="/subscriptions/x/subnets/integration",
        outbound_vnet_routing={"allTraffic": True},
        integration_subnet={"nsg": {"rules": [{"access": "Deny", "destination": "Internet"}]}},
    )
    result = _run([app])
    failing = {f["severity"] for f in result["findings"] if f["status"] == "fail"}
    assert failing == {"info"}
    assert exit_code(result, "high") == 0
    assert exit_code(result, "low") == 0
    assert exit_code(result, "info") == 1


def test_exit_code_3_wins_when_the_result_cannot_be_vouched_for() -> None:
    with_gap = _run([_public_app()], [make_gap()])
    assert exit_code(with_gap, "high") == 3
    assert exit_code(with_gap, "never") == 3
    failed_subscription = _run(
        [], subscriptions=(SubscriptionScan(SUBSCRIPTION_ID, "error", "SubscriptionNotFound"),)
    )
    assert exit_code(failed_subscription, "high") == 3
    assert exit_code(_run([_locked_app()]), "high") == 0


def test_exit_code_rejects_an_unknown_threshold() -> None:
    with pytest.raises(ValueError, match="fail_on"):
        exit_code(_run([]), "critical")
