"""SARIF as GitHub code scanning ingests it: schema-valid, failing findings only, stable alerts."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft7Validator
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from auditor.report import sarif
from auditor.result_file import load_result

TESTS = Path(__file__).resolve().parent
SCHEMA = json.loads((TESTS / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# The full demo audit, the demo-gap audit (one refused read) and the hostile cassette's audit.
DEMO = TESTS / "fixtures" / "html_result.json"
SAMPLE = TESTS / "fixtures" / "sample_result.json"
HOSTILE = TESTS / "fixtures" / "html_result_hostile.json"
# RFC 3986 path characters: unreserved, percent-encoded octets and "/".
URI_PATH = re.compile(r"^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})+$")

CORS_URL = (
    "https://learn.microsoft.com/azure/azure-functions/functions-how-to-use-azure-function-app-settings#cors"
)
CATALOGUE: list[dict[str, Any]] = [
    {
        "id": "risk/public-unrestricted",
        "category": "risk",
        "severity": "high",
        "title": "Main site reachable from any address",
        "rationale": "Anyone on the internet can call the app's endpoints.",
        "remediation": "Add access restrictions with a Deny default action.",
        "reference": {
            "doc": "Azure App Service access restrictions",
            "section": "App access",
            "url": "https://learn.microsoft.com/azure/app-service/overview-access-restrictions#app-access",
        },
    },
    {
        "id": "risk/cors-wildcard",
        "category": "risk",
        "severity": "low",
        "title": "CORS allows any origin",
        "rationale": "Any web page can read responses in a visitor's browser.",
        "remediation": "List the allowed origins explicitly.",
        "reference": {"doc": "Manage your function app", "section": "CORS", "url": CORS_URL},
    },
    {
        "id": "drift/ase-retired",
        "category": "drift",
        "severity": "high",
        "title": "App Service Environment v1/v2 retired",
        "rationale": "ASE v1 and v2 no longer receive fixes.",
        "remediation": "Migrate to App Service Environment v3.",
        "reference": {
            "doc": "App Service Environment version 1 and version 2 automigration",
            "section": "Retirement",
            "url": "https://evil.example/ase",  # not a Microsoft Learn page: never a helpUri
        },
    },
]


@pytest.fixture
def result() -> dict[str, Any]:
    return load_result(DEMO)


def _log(result: dict[str, Any], catalogue: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return json.loads(sarif.render(result, catalogue))  # type: ignore[no-any-return]


def _failing(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [finding for finding in result["findings"] if finding["status"] == "fail"]


def test_vendored_schema_declares_draft_04() -> None:
    # The OASIS file says draft-04; validating with the validator it declares
    # is what "valid SARIF" means, so the test below leans on this.
    assert validator_for(SCHEMA) is Draft4Validator


@pytest.mark.parametrize("validator_class", [Draft4Validator, Draft7Validator], ids=["draft4", "draft7"])
@pytest.mark.parametrize("catalogue", [None, [], CATALOGUE], ids=["installed", "empty", "given"])
def test_output_validates_against_the_official_schema(
    result: dict[str, Any], validator_class: type[Validator], catalogue: list[dict[str, Any]] | None
) -> None:
    validator = validator_class(SCHEMA, format_checker=validator_class.FORMAT_CHECKER)
    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(_log(result, catalogue))
    ]
    assert errors == []


def test_schema_check_rejects_a_log_that_breaks_it(result: dict[str, Any]) -> None:
    log = _log(result)
    del log["runs"][0]["results"][0]["message"]
    log["runs"][0]["results"][1]["level"] = "critical"
    assert len(list(Draft4Validator(SCHEMA).iter_errors(log))) == 2


def test_only_failing_findings_become_results(result: dict[str, Any]) -> None:
    results = _log(result)["runs"][0]["results"]
    reported = sorted(
        (item["ruleId"], item["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
        for item in results
    )
    expected = sorted((finding["rule_id"], finding["resource_id"]) for finding in _failing(result))
    assert len(results) == len(_failing(result)) < len(result["findings"])
    assert reported == expected
    unknown_fingerprints = {f["fingerprint"] for f in result["findings"] if f["status"] == "unknown"}
    assert not unknown_fingerprints & {item["partialFingerprints"][sarif.FINGERPRINT_KEY] for item in results}


def test_passing_findings_are_not_results(result: dict[str, Any]) -> None:
    failing = len(_failing(result))
    passed = copy.deepcopy(result["findings"][0])
    passed.update(status="pass", fingerprint="0" * 64)
    result["findings"].append(passed)
    assert len(_log(result)["runs"][0]["results"]) == failing


def test_fingerprints_are_the_findings_and_stable_across_renders(result: dict[str, Any]) -> None:
    first = sarif.render(result, CATALOGUE)
    shuffled = copy.deepcopy(result)
    shuffled["findings"].reverse()
    shuffled["resources"].reverse()
    assert sarif.render(shuffled, CATALOGUE) == first
    assert sarif.render(json.loads(json.dumps(result)), CATALOGUE) == first
    fingerprints = [
        item["partialFingerprints"][sarif.FINGERPRINT_KEY] for item in json.loads(first)["runs"][0]["results"]
    ]
    assert sorted(fingerprints) == sorted(finding["fingerprint"] for finding in _failing(result))


def test_a_finding_without_fingerprint_still_gets_a_stable_one(result: dict[str, Any]) -> None:
    for finding in result["findings"]:
        del finding["fingerprint"]
    fingerprints = [
        item["partialFingerprints"][sarif.FINGERPRINT_KEY] for item in _log(result)["runs"][0]["results"]
    ]
    again = [
        item["partialFingerprints"][sarif.FINGERPRINT_KEY] for item in _log(result)["runs"][0]["results"]
    ]
    assert fingerprints == again
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in fingerprints)
    # Two findings of one rule on two resources must not collapse into one alert.
    assert len(set(fingerprints)) == len(fingerprints)


def test_security_severity_follows_github_bands(result: dict[str, Any]) -> None:
    severities = {finding["rule_id"]: finding["severity"] for finding in result["findings"]}
    bands = {"high": (7.0, 8.9), "medium": (4.0, 6.9), "low": (0.0, 3.9), "info": (0.0, 3.9)}
    levels = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
    run = _log(result, [])["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert {severities[rule_id] for rule_id in rules} == {"high", "medium", "low", "info"}
    for rule_id, rule in rules.items():
        low, high = bands[severities[rule_id]]
        assert low <= float(rule["properties"]["security-severity"]) <= high, rule_id
        assert rule["defaultConfiguration"]["level"] == levels[severities[rule_id]]
    assert rules["drift/ase-retired"]["properties"]["security-severity"] == "8.0"
    assert rules["risk/ftp-allowed"]["properties"]["security-severity"] == "5.5"
    assert rules["drift/gateway-integration-retiring"]["properties"]["security-severity"] == "3.0"
    assert rules["risk/hybrid-connection-endpoint"]["properties"]["security-severity"] == "0.0"
    for item in run["results"]:
        assert item["level"] == levels[severities[item["ruleId"]]]


def test_one_rule_entry_per_catalogue_rule_with_help(result: dict[str, Any]) -> None:
    run = _log(result, CATALOGUE)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))
    # The whole catalogue is described, including a rule nothing failed ...
    assert {"risk/cors-wildcard", "risk/public-unrestricted", "drift/ase-retired"} <= set(ids)
    # ... and so is every failing rule the catalogue lacks.
    assert {finding["rule_id"] for finding in _failing(result)} <= set(ids)
    cors = rules[ids.index("risk/cors-wildcard")]
    assert cors["shortDescription"]["text"] == "CORS allows any origin"
    assert cors["fullDescription"]["text"] == "Any web page can read responses in a visitor's browser."
    assert "List the allowed origins explicitly." in cors["help"]["text"]
    assert "**Remediation:** List the allowed origins explicitly." in cors["help"]["markdown"]
    assert cors["properties"]["tags"] == ["risk", "security"]
    assert cors["properties"]["reference"] == {
        "doc": "Manage your function app",
        "section": "CORS",
        "url": CORS_URL,
    }
    assert cors["helpUri"] == CORS_URL
    assert f"Documentation: Manage your function app, CORS: {CORS_URL}" in cors["help"]["text"]
    assert f"**Documentation:** [Manage your function app, CORS]({CORS_URL})" in cors["help"]["markdown"]
    ase = rules[ids.index("drift/ase-retired")]
    assert "helpUri" not in ase and "evil.example" not in json.dumps(ase["help"])
    assert cors["name"] == "RiskCorsWildcard"
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]


def test_rules_unknown_to_the_catalogue_fall_back_to_the_finding(result: dict[str, Any]) -> None:
    rules = {rule["id"]: rule for rule in _log(result, [])["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {finding["rule_id"] for finding in _failing(result)}
    ftp = rules["risk/ftp-allowed"]
    finding = next(f for f in _failing(result) if f["rule_id"] == "risk/ftp-allowed")
    assert ftp["shortDescription"]["text"] == finding["title"]
    assert finding["remediation"] in ftp["help"]["text"]
    assert ftp["properties"]["tags"] == ["risk", "security"]


def test_installed_catalogue_resolves_every_result(result: dict[str, Any]) -> None:
    run = _log(result)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]


def test_results_locate_the_resource() -> None:
    result = load_result(HOSTILE)
    results = _log(result)["runs"][0]["results"]
    names = {resource["id"]: resource["name"] for resource in result["resources"]}
    hostile_ids = {resource_id for resource_id, name in names.items() if "<script>" in name}
    assert len(hostile_ids) == 3
    hostile = [
        item
        for item in results
        if item["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] in hostile_ids
    ]
    assert len(hostile) == sum(1 for f in _failing(result) if f["resource_id"] in hostile_ids) > 0
    for item in results:
        location = item["locations"][0]
        logical = location["logicalLocations"][0]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert logical["kind"] == "resource"
        # The name is the app's own, hostile text and all: SARIF viewers render it as text.
        assert logical["name"] == names[logical["fullyQualifiedName"]]
        assert logical["fullyQualifiedName"].startswith("/subscriptions/")
        assert artifact["uriBaseId"] == sarif.ARM_BASE_ID
        assert URI_PATH.match(artifact["uri"]), artifact["uri"]
        assert location["physicalLocation"]["region"]["startLine"] == 1
    # ARM ids never hold markup, but the artifact URI percent-encodes whatever an id holds.
    uri = sarif.artifact_uri("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/a<script>\nb")
    assert "%3Cscript%3E" in uri
    assert "%0A" in uri


def test_artifact_uri_ignores_arm_casing() -> None:
    upper = "/subscriptions/X/resourceGroups/RG-Apps/providers/Microsoft.Web/sites/Func-Orders"
    assert sarif.artifact_uri(upper) == sarif.artifact_uri(upper.lower())
    assert (
        sarif.artifact_uri(upper)
        == "subscriptions/x/resourcegroups/rg-apps/providers/microsoft.web/sites/func-orders"
    )


def test_results_carry_evidence_category_and_reference(result: dict[str, Any]) -> None:
    by_fingerprint = {finding["fingerprint"]: finding for finding in result["findings"]}
    for item in _log(result)["runs"][0]["results"]:
        finding = by_fingerprint[item["partialFingerprints"][sarif.FINGERPRINT_KEY]]
        assert item["properties"]["evidence"] == finding["evidence"]
        assert item["properties"]["category"] == finding["category"]
        assert item["properties"]["reference"] == finding["reference"]
        assert item["message"]["text"] == finding["message"]


def test_run_names_edition_times_and_gaps() -> None:
    result = load_result(SAMPLE)
    run = _log(result)["runs"][0]
    assert run["properties"] == {
        "edition": result["edition"],
        "startedAt": result["started_at"],
        "finishedAt": result["finished_at"],
    }
    invocation = run["invocations"][0]
    assert invocation["startTimeUtc"] == result["started_at"]
    assert invocation["endTimeUtc"] == result["finished_at"]
    assert invocation["executionSuccessful"] is True
    notifications = invocation["toolExecutionNotifications"]
    assert len(notifications) == len(result["gaps"]) == 1
    assert "returned 403" in notifications[0]["message"]["text"]
    assert run["tool"]["driver"]["version"] == result["tool"]["version"]


def test_a_failed_subscription_marks_the_run_unsuccessful(result: dict[str, Any]) -> None:
    result["subscriptions"].append(
        {"id": "00000000-0000-0000-0000-000000000002", "status": "error", "error": "403"}
    )
    assert _log(result)["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_minimal_result_renders_valid_sarif() -> None:
    minimal = {
        "schema_version": 1,
        "edition": "2019-04",
        "subscriptions": [],
        "resources": [],
        "findings": [],
        "gaps": [],
    }
    log = _log(minimal, [])
    assert list(Draft4Validator(SCHEMA).iter_errors(log)) == []
    assert log["runs"][0]["results"] == []
