"""The catalogue matches the contract in shared/spec/rules.md, both ways."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from auditor.evaluate import rule_catalogue
from auditor.rules import RULES, Category, Severity
from tests.support.paths import REPO, SHARED

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


def _string_pieces(path: Path) -> list[list[tokenize.TokenInfo]]:
    """The implicit concatenations of string literals in one source file, piece by piece."""
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
    groups: list[list[tokenize.TokenInfo]] = []
    current: list[tokenize.TokenInfo] = []
    for token in tokens:
        if token.type == tokenize.STRING:
            current.append(token)
        elif token.type not in (tokenize.NL, tokenize.COMMENT):
            if len(current) > 1:
                groups.append(current)
            current = []
    return groups


def test_no_user_string_is_split_around_a_lone_word() -> None:
    """A wrapped message breaks between phrases, not around a stray word ("can't " "restrict ")."""
    stray = [
        f"{path.relative_to(REPO)}:{piece.start[0]}: {piece.string}"
        for path in sorted((REPO / "auditor").rglob("*.py"))
        for group in _string_pieces(path)
        for piece in group[:-1]
        if len(piece.string.strip("\"'f").split()) == 1 and piece.string.strip("\"'f").endswith(" ")
    ]
    assert not stray, "\n".join(stray)
