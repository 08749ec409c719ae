"""The published result schema: a valid draft 2020-12 schema, in step with the code's vocabulary
and with result_file's runtime shape, and met by every saved result of the recorded audits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest

import auditor.evaluate
from auditor import result_types
from auditor.cli import main
from auditor.model import DataKey, Hosting
from auditor.result_file import ITEM_SHAPES, RESULT_SHAPE, SCHEMA_VERSION, Shape, load_result
from auditor.rules.base import Category, Severity, Status
from auditor.rules.inbound import Exposure
from auditor.rules.outbound import Egress, IntegrationKind
from tests.result_schema import SCHEMA, assert_conforms, schema_errors

REPO = Path(__file__).resolve().parents[1]
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFS: dict[str, Any] = SCHEMA["$defs"]


@pytest.mark.parametrize(
    ("name", "enum"),
    [
        ("hosting", Hosting),
        ("exposure", Exposure),
        ("outbound", Egress),
        ("severity", Severity),
        ("status", Status),
        ("category", Category),
        ("integration_kind", IntegrationKind),
        ("data_key", DataKey),
    ],
)
def test_schema_vocabularies_are_the_code_enums(name: str, enum: type[Any]) -> None:
    assert set(DEFS[name]["enum"]) == {member.value for member in enum}


def test_schema_version_is_the_one_the_code_writes_and_reads() -> None:
    assert SCHEMA["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    assert auditor.evaluate.SCHEMA_VERSION == SCHEMA_VERSION


def _schema_types(prop: dict[str, Any]) -> set[str]:
    """The JSON types a property schema allows (following one $ref and a oneOf)."""
    if "$ref" in prop:
        prop = DEFS[prop["$ref"].rsplit("/", 1)[1]]
    if "oneOf" in prop:
        return set().union(*(_schema_types(option) for option in prop["oneOf"]))
    if "const" in prop:
        return {"integer"} if isinstance(prop["const"], int) else {"string"}
    if "enum" in prop:
        return {"string"}
    kind = prop["type"]
    return {kind} if isinstance(kind, str) else set(kind)


_ITEM_SCHEMAS = {
    "subscriptions": DEFS["subscription"],
    "resources": DEFS["resource"],
    "findings": DEFS["finding"],
    "gaps": DEFS["gap"],
    "waivers": DEFS["waiver"],
}


@pytest.mark.parametrize(
    ("where", "shape", "schema"),
    [("result", RESULT_SHAPE, SCHEMA), *((key, ITEM_SHAPES[key], _ITEM_SCHEMAS[key]) for key in ITEM_SHAPES)],
)
def test_runtime_shape_agrees_with_the_schema(where: str, shape: Shape, schema: dict[str, Any]) -> None:
    """result_file's light validator (jsonschema is a dev dependency) never refuses what the schema
    allows: every field it requires, the schema requires; every type the schema allows, it allows."""
    properties = schema["properties"]
    for key, (required, types) in shape.items():
        assert key in properties, f"{where}.{key} is not in the schema"
        if required:
            assert key in schema["required"], f"{where}.{key} is required at runtime, optional in the schema"
        assert _schema_types(properties[key]) <= types, f"{where}.{key}: runtime allows {sorted(types)}"


def test_a_result_that_breaks_the_schema_is_caught() -> None:
    assert schema_errors({"schema_version": 1}) != []
    assert any("fingerprint" in error for error in schema_errors({**_minimal(), "findings": [{}]}))
    assert schema_errors(_minimal()) == []


def _minimal() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "tool": {"name": "auditor", "version": "1"},
        "edition": "2026-09",
        "started_at": "2026-11-24T02:00:00Z",
        "finished_at": "2026-11-24T02:00:00Z",
        "subscriptions": [],
        "resources": [],
        "findings": [],
        "gaps": [],
        "summary": {
            "resources": 0,
            "failing": 0,
            "unknown": 0,
            "waived": 0,
            "by_severity": {},
            "by_hosting": {},
            "by_status": {},
            "by_category": {},
            "arm_calls": 0,
        },
    }


def test_every_evaluation_in_the_suite_is_checked() -> None:
    """The session hook (tests/result_schema.py) wraps the builder evaluate calls."""
    assert auditor.evaluate._evaluate.__name__ == "checked"


@pytest.mark.parametrize(
    ("cassette", "options"),
    [
        ("demo", ["--include-passed"]),
        ("demo", ["--edition", "2019-04"]),
        ("demo-gap", []),
        ("demo-day2", []),
        ("hostile", ["--include-passed"]),
        (
            "demo",
            [
                "--policy",
                str(REPO / "examples" / "policy.yaml"),
                "--waivers",
                str(REPO / "examples" / "waivers.yaml"),
            ],
        ),
    ],
)
def test_saved_results_of_the_recorded_audits_conform(
    cassette: str, options: list[str], tmp_path: Path
) -> None:
    saved = tmp_path / "result.json"
    argv = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(REPO / "cassettes" / cassette)]
    main([*argv, "--save", str(saved), "--format", "json", "--output", str(tmp_path / "out.json"), *options])
    result = json.loads(saved.read_text(encoding="utf-8"))
    assert_conforms(result, f"{cassette} {' '.join(options)}")
    assert load_result(saved) == result  # and the runtime reader takes it


def test_saved_demo_report_conforms() -> None:
    """reports/demo.json, when `make demo` has written it here."""
    demo = REPO / "reports" / "demo.json"
    if not demo.is_file():
        pytest.skip("make demo has not run in this checkout")
    assert_conforms(json.loads(demo.read_text(encoding="utf-8")), str(demo))


@pytest.mark.parametrize(
    ("typed", "schema"),
    [
        (result_types.Result, SCHEMA),
        (result_types.Tool, SCHEMA["properties"]["tool"]),
        (result_types.SubscriptionScan, DEFS["subscription"]),
        (result_types.Resource, DEFS["resource"]),
        (result_types.Inbound, DEFS["resource"]["properties"]["inbound"]),
        (result_types.Finding, DEFS["finding"]),
        (result_types.WaiverMark, DEFS["waiver_mark"]),
        (result_types.Gap, DEFS["gap"]),
        (result_types.Summary, DEFS["summary"]),
        (result_types.PolicySection, SCHEMA["properties"]["policy"]),
        (result_types.WaiverEntry, DEFS["waiver"]),
    ],
)
def test_typed_access_has_the_schema_keys(typed: Any, schema: dict[str, Any]) -> None:
    """The TypedDicts the code reads the result through name exactly the schema's keys."""
    assert set(typed.__required_keys__) == set(schema["required"])
    assert set(typed.__required_keys__) | set(typed.__optional_keys__) == set(schema["properties"])


@pytest.mark.parametrize(
    ("literal", "name"),
    [
        (result_types.HostingName, "hosting"),
        (result_types.ExposureName, "exposure"),
        (result_types.OutboundName, "outbound"),
        (result_types.SeverityName, "severity"),
        (result_types.StatusName, "status"),
        (result_types.CategoryName, "category"),
    ],
)
def test_typed_vocabularies_are_the_schema_enums(literal: Any, name: str) -> None:
    assert set(get_args(literal)) == set(DEFS[name]["enum"])


@pytest.mark.parametrize("name", sorted(path.name for path in (REPO / "tests" / "fixtures").glob("*.json")))
def test_every_reporter_fixture_meets_the_schema(name: str) -> None:
    # The fixtures are saved results of replayed audits (tools/build_report_fixtures.py); the
    # reporters' tests read them, so they must be results the product can write.
    fixture = json.loads((REPO / "tests" / "fixtures" / name).read_text(encoding="utf-8"))
    assert_conforms(fixture, name)
