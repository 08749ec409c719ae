"""Whole audits replayed from cassettes: the complete finding set, reviewed like code.

The golden file lists every fail and unknown outcome of the demo audit and every
resource's exposure. A change in collection, rules or the demo that moves any
of them fails here; after reviewing the difference, regenerate with ``make regen``
(tools/build_demo_goldens.py is the one writer of tests/golden/).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, cast

import pytest

from auditor.rules import RULES
from tests.support.paths import REPO
from tools.build_demo_goldens import GOLDEN_RUNS, audit, digest, golden_name

GOLDEN = REPO / "tests" / "golden"


def _audit(cassette: str, edition: str, include_passed: bool = False) -> dict[str, Any]:
    # Read as plain JSON: the tests index optional parts without narrowing them first.
    return cast(dict[str, Any], audit(REPO / "cassettes" / cassette, edition, include_passed=include_passed))


@pytest.mark.parametrize(("cassette", "edition"), GOLDEN_RUNS)
def test_replayed_audit_matches_the_reviewed_finding_set(cassette: str, edition: str) -> None:
    golden = GOLDEN / golden_name(cassette, edition)
    assert digest(_audit(cassette, edition)) == json.loads(golden.read_text(encoding="utf-8"))


def test_every_rule_fails_and_passes_somewhere_in_the_demo() -> None:
    outcomes: dict[str, set[str]] = defaultdict(set)
    for finding in _audit("demo", "2026-09", include_passed=True)["findings"]:
        outcomes[finding["rule_id"]].add(finding["status"])
    for rule in RULES:
        assert {"fail", "pass"} <= outcomes[rule.id], f"{rule.id}: {sorted(outcomes[rule.id])}"


def test_demo_covers_every_hosting_model_and_both_operating_systems() -> None:
    result = _audit("demo", "2026-09")
    resources = result["resources"]
    assert len(resources) >= 30
    hosting = {resource["hosting"] for resource in resources}
    assert hosting == {"consumption", "flex_consumption", "premium", "dedicated", "ase", "container_apps"}
    assert {resource["os"] for resource in resources} == {"windows", "linux"}
    assert any(resource["slot"] for resource in resources)


def test_gap_audit_makes_exactly_the_affected_rules_unknown() -> None:
    result = _audit("demo-gap", "2026-09")
    assert [gap["status"] for gap in result["gaps"]] == [403]
    gap_resource = result["gaps"][0]["resource_id"].lower()
    unknown = [finding for finding in result["findings"] if finding["status"] == "unknown"]
    assert unknown, "rules that need config/web must be unknown"
    assert {finding["resource_id"].lower() for finding in unknown} == {gap_resource}
    assert all("config/web" in finding["message"] for finding in unknown)


def test_resources_carry_the_egress_path_the_network_picture_draws() -> None:
    resources = {resource["name"]: resource for resource in _audit("demo", "2026-09")["resources"]}
    # An ASE app's egress path is its ASE's subnet, with the subnet's controls.
    ase = resources["func-ledger-ilb"]["ase"]
    assert ase["subnet_id"].endswith("/subnets/snet-ase-ilb")
    assert ase["subnet"]["id"] == ase["subnet_id"]
    assert ase["subnet"]["route_table_id"]
    assert resources["func-ledger-ilb"]["outbound_detail"]["default_route"] == {
        "name": "default-to-firewall",
        "next_hop_type": "VirtualAppliance",
    }
    # The NSG rule that decided egress, whichever way it went.
    assert resources["func-payments"]["outbound_detail"]["nsg_rule"]["name"] == "DenyInternetOutbound"
    assert resources["func-search-linux"]["outbound_detail"]["nsg_rule"]["access"] == "Allow"
    # Optional: absent where no subnet was judged.
    assert "nsg_rule" not in resources["func-reporting"]["outbound_detail"]
    assert "default_route" not in resources["func-events-aca"]["outbound_detail"]
