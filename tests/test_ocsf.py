"""`--format ocsf`: every event validates against the OCSF 1.5.0 schema and maps our result faithfully.

The schema is OCSF's own export for 1.5.0 as the ocsf-json-schema package carries it offline
(turned into a JSON Schema, draft 2020-12, with additional properties refused), not a field
list written here.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

from auditor.cli import main
from auditor.report import ocsf
from tests.support.paths import REPO

DEMO = REPO / "cassettes" / "demo"
HOSTILE = REPO / "cassettes" / "hostile"
SAMPLE = REPO / "tests" / "fixtures" / "sample_result.json"
HOSTILE_RESULT = REPO / "tests" / "fixtures" / "html_result_hostile.json"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


@cache
def _validator() -> Draft202012Validator:
    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version=ocsf.OCSF_VERSION))
    class_name = schema.lookup_class_name_from_uid(class_uid=ocsf.CLASS_UID)
    assert class_name == "compliance_finding"
    class_schema = schema.get_class_schema(class_name=class_name, profiles=["cloud"])
    return Draft202012Validator(class_schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(event: dict[str, Any]) -> list[str]:
    return [f"{list(error.path)}: {error.message}" for error in _validator().iter_errors(event)]


def _events(text: str) -> list[dict[str, Any]]:
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _sample() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return result


def test_the_schema_check_refuses_what_ocsf_does_not_define() -> None:
    event = ocsf.build_event(_sample()["findings"][0], None, _sample(), 0)
    assert _errors(event) == []
    for broken in (
        {"severity_id": 7},
        {"class_uid": 2004},
        {"finding_info": {"title": "no uid"}},
        {"compliance_status": "fail"},
    ):
        assert _errors({**copy.deepcopy(event), **broken}), broken


def test_replayed_demo_audit_with_passes_validates_event_by_event(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "result.json"
    audit = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(DEMO), "--include-passed"]
    code = main([*audit, "--format", "ocsf", "--save", str(saved), "--fail-on", "never"])
    assert code == 0
    events = _events(capsys.readouterr().out)
    result = json.loads(saved.read_text(encoding="utf-8"))
    assert len(events) == len(result["findings"])
    assert {event["compliance"]["status"] for event in events} == {"Fail", "Pass"} | (
        {"Unknown"} if any(f["status"] == "unknown" for f in result["findings"]) else set()
    )
    for event in events:
        assert _errors(event) == [], event["finding_info"]["uid"]


def test_mapping_of_one_finding() -> None:
    result = _sample()
    finding = result["findings"][0]
    assert (finding["severity"], finding["status"]) == ("high", "fail")
    resource = next(r for r in result["resources"] if r["id"] == finding["resource_id"])
    event = _events(ocsf.render(result))[0]
    assert event["class_uid"] == 2003 and event["type_uid"] == 200301
    assert event["finding_info"]["uid"] == finding["fingerprint"]
    assert event["compliance"] == {
        "control": finding["rule_id"],
        "status_id": 3,
        "status": "Fail",
        "standards": ["auditor capability matrix 2026-09"],
    }
    assert event["severity_id"] == 4 and event["severity"] == "High"
    assert event["message"] == finding["message"]
    assert event["remediation"]["desc"] == finding["remediation"]
    assert event["time"] == int(datetime.fromisoformat(result["finished_at"]).timestamp() * 1000)
    assert event["metadata"]["product"] == {"name": "auditor", "vendor_name": "auditor", "version": "0.1.0"}
    assert event["metadata"]["version"] == "1.5.0"
    assert event["cloud"]["provider"] == "Azure"
    assert event["cloud"]["region"] == resource["location"]
    assert event["cloud"]["account"]["uid"] == finding["resource_id"].split("/")[2]
    (details,) = event["resources"]
    assert details["uid"] == resource["id"]
    assert details["region"] == resource["location"]
    assert details["type"] == "Microsoft.Web/sites"
    assert event["unmapped"]["evidence"] == finding["evidence"]


@pytest.mark.parametrize(
    ("severity", "status", "waived", "expected"),
    [
        ("high", "fail", False, (4, 3, 1)),
        ("medium", "unknown", False, (3, 0, 1)),
        ("low", "pass", False, (2, 1, 1)),
        ("info", "fail", True, (1, 3, 3)),
        ("critical-from-the-future", "fail", False, (99, 3, 1)),
    ],
)
def test_outcomes_severities_and_waivers(
    severity: str, status: str, waived: bool, expected: tuple[int, int, int]
) -> None:
    result = _sample()
    finding = {**result["findings"][0], "severity": severity, "status": status}
    if waived:
        finding["waived"] = {"owner": "team", "reason": "accepted", "expires": "2099-12-31"}
    event = ocsf.build_event(finding, None, result, 0)
    assert (event["severity_id"], event["compliance"]["status_id"], event["status_id"]) == expected
    assert _errors(event) == []


def test_slot_resource_type_and_display_name() -> None:
    result = _sample()
    app = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Web/sites/a"
    slot = f"{app}/slots/staging"
    resource = {"id": slot, "name": "a", "slot": "staging", "location": "westeurope"}
    finding = {**result["findings"][0], "resource_id": slot}
    (details,) = ocsf.build_event(finding, resource, result, 0)["resources"]
    assert details == {
        "uid": slot,
        "type": "Microsoft.Web/sites/slots",
        "name": "a/staging",
        "region": "westeurope",
    }


def test_references_are_public_urls_only() -> None:
    result = _sample()
    text = ocsf.render(result)
    assert "capabilities.md" not in text and "rules.md" not in text
    finding = {
        **result["findings"][0],
        "reference": {
            "doc": "capabilities.md",
            "url": "https://learn.microsoft.com/azure/app-service/overview-access-restrictions",
            "urls": ["http://insecure.example", "javascript:alert(1)"],
        },
    }
    event = ocsf.build_event(finding, None, result, 0)
    assert event["remediation"]["references"] == [
        "https://learn.microsoft.com/azure/app-service/overview-access-restrictions"
    ]
    assert _errors(event) == []


def test_hostile_text_is_escaped_and_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    result = json.loads(HOSTILE_RESULT.read_text(encoding="utf-8"))
    text = ocsf.render(result)
    assert text.isascii()
    assert not [ch for ch in text if not ch.isprintable() and ch != "\n"]
    events = _events(text)
    assert [event["message"] for event in events] == [f["message"] for f in result["findings"]]
    for event in events:
        assert _errors(event) == []
    code = main(["audit", "--subscription", SUBSCRIPTION, "--replay", str(HOSTILE), "--format", "ocsf"])
    assert code == 1
    live = capsys.readouterr().out
    assert live.isascii() and "\x1b" not in live and "\u202e" not in live
    for event in _events(live):
        assert _errors(event) == []


def test_no_findings_no_bytes_and_a_result_without_time_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = _sample()
    assert ocsf.render({**result, "findings": []}) == ""
    timeless = {key: value for key, value in result.items() if key not in {"finished_at", "started_at"}}
    path = tmp_path / "timeless.json"
    path.write_text(json.dumps(timeless), encoding="utf-8")
    output = tmp_path / "events.jsonl"
    assert main(["report", str(path), "--format", "ocsf", "--output", str(output)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "finished_at" in err[0]
    assert not output.exists()
