"""The catalogue matches the contract in shared/spec/rules.md, both ways."""

from __future__ import annotations

import re

import pytest

from auditor.evaluate import rule_catalogue
from auditor.rules import RULES, Category, Severity
from tests.support.paths import SHARED

RULES_MD = SHARED / "spec" / "rules.md"
TABLE_ROW = re.compile(r"^\|\s*`(?P<id>(?:risk|drift)/[^`]+)`\s*\|\s*(?P<severity>\w+)\s*\|")


def _spec_rules() -> dict[str, str]:
    if not RULES_MD.exists():
        pytest.skip(f"{RULES_MD} is not available")
    rows = {}
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        match = TABLE_ROW.match(line)
        if match:
            rows[match["id"]] = match["severity"]
    return rows


def test_spec_table_parses() -> None:
    spec = _spec_rules()
    assert len(spec) >= 29
    assert spec["risk/public-unrestricted"] == "high"


def test_every_spec_rule_is_implemented_with_its_severity() -> None:
    implemented = {rule.id: rule.severity.value for rule in RULES}
    assert implemented == _spec_rules()


def test_rule_ids_are_unique_and_categories_match_their_prefix() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.category is Category(rule.id.split("/")[0])
        assert rule.severity in Severity


def test_catalogue_entries_are_complete() -> None:
    catalogue = rule_catalogue()
    assert [entry["id"] for entry in catalogue] == [rule.id for rule in RULES]
    for entry in catalogue:
        for key in ("title", "rationale", "remediation"):
            assert entry[key].strip(), f"{entry['id']} has an empty {key}"
        assert entry["reference"]["doc"].strip() and entry["reference"]["section"].strip()


@pytest.mark.parametrize(
    ("rule_id", "command"),
    [
        ("risk/scm-unrestricted", "--use-same-restrictions-for-scm-site true"),
        ("risk/https-only-disabled", "az functionapp update -g <rg> -n <app> --set httpsOnly=true"),
        ("risk/private-endpoint-bypassed", "--set properties.publicNetworkAccess=Disabled"),
    ],
)
def test_remediation_gives_the_az_command(rule_id: str, command: str) -> None:
    entry = next(entry for entry in rule_catalogue() if entry["id"] == rule_id)
    assert command in entry["remediation"]


def test_edition_only_rules() -> None:
    only_2026 = {rule.id for rule in RULES if rule.editions == ("2026-09",)}
    assert only_2026 == {"drift/gateway-integration-retiring", "drift/linux-consumption-retiring"}
