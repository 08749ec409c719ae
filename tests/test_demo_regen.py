"""The demo has one source of truth: tools/demo_contoso.py.

Everything generated from it (the demo cassettes, the hostile cassette, the golden digests,
cassettes/demo/EXPECTED.md and the reporter tests' fixtures) is rebuilt into a temporary folder
and must equal what is committed, so an edit of the description without `make regen` fails
here. The outcomes each resource declares must be the outcomes the goldens hold, so the
description cannot say one thing while the audit does another.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.rules import RULES
from tests.test_documented_impossible import CASES
from tools import demo_contoso as demo
from tools.build_demo_goldens import audit

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
GENERATED = (
    "cassettes/demo",
    "cassettes/demo-gap",
    "cassettes/demo-day2",
    "cassettes/hostile",
    "tests/golden",
    "tests/fixtures",
)


def _files_under(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for folder in GENERATED
        if (root / folder).is_dir()
        for path in (root / folder).rglob("*")
        if path.is_file()
    }


def _declared() -> dict[str, demo.Expect]:
    return {name: site.expect for name, site in demo.audited_resources()}


def _golden_outcomes(edition: str) -> set[tuple[str, str, str]]:
    golden = json.loads((GOLDEN / f"demo.{edition}.json").read_text(encoding="utf-8"))
    outcomes = set()
    for line in golden["findings"]:
        name, status, rule, _fingerprint = line.split()
        outcomes.add((name, status, rule))
    return outcomes


def test_regenerating_the_demo_changes_nothing(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(REPO / "tools" / "regen_demo.py"), "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    rebuilt = _files_under(tmp_path)
    assert rebuilt == _files_under(REPO), "generated files and committed files differ: run `make regen`"
    stale = [name for name in sorted(rebuilt) if (tmp_path / name).read_bytes() != (REPO / name).read_bytes()]
    assert not stale, f"out of date with tools/demo_contoso.py (run `make regen`): {stale}"


def test_every_resource_declares_exactly_its_golden_outcomes() -> None:
    declared = _declared()
    golden = json.loads((GOLDEN / "demo.2026-09.json").read_text(encoding="utf-8"))
    assert set(declared) == set(golden["exposure"])
    expected = {
        (name, status, rule)
        for name, expect in declared.items()
        for status, rules in (("fail", expect.fails), ("unknown", expect.unknown))
        for rule in rules
    }
    assert expected == _golden_outcomes("2026-09")


def test_the_unknown_outcomes_under_2019_04_are_declared() -> None:
    expected = {
        (name, "unknown", rule)
        for name, expect in _declared().items()
        for rule in (*expect.unknown, *expect.unknown_2019_04)
    }
    unknown = {outcome for outcome in _golden_outcomes("2019-04") if outcome[1] == "unknown"}
    assert expected == unknown


def test_the_resources_declared_to_pass_pass() -> None:
    result = audit(REPO / "cassettes" / "demo", "2026-09", include_passed=True)
    names = {resource["id"].lower(): resource["name"] for resource in result["resources"]}
    status = {
        (names[finding["resource_id"].lower()], finding["rule_id"]): finding["status"]
        for finding in result["findings"]
    }
    for field, outcome in (("passes", "pass"), ("not_applicable", None)):
        declared = [(name, rule) for name, expect in _declared().items() for rule in getattr(expect, field)]
        assert declared, field
        assert {pair: status.get(pair) for pair in declared} == dict.fromkeys(declared, outcome)


@pytest.mark.parametrize("field", ["fails", "unknown", "passes", "not_applicable", "unknown_2019_04"])
def test_declared_rules_are_in_the_catalogue(field: str) -> None:
    known = {rule.id for rule in RULES}
    named: set[str] = set()
    for expect in _declared().values():
        outcomes: Any = getattr(expect, field)
        named.update(outcomes)
    assert named <= known


def test_documented_impossible_table_is_what_the_test_checks() -> None:
    declared = _declared()
    table = {(app, rule) for _, app, rule in demo.DOCUMENTED_IMPOSSIBLE}
    assert table == {(case.app, case.rule_id) for case in CASES}
    assert all(rule in declared[app].fails for app, rule in table)
