"""`--send-to log-analytics`: the real ingestion SDK against a fake Logs Ingestion endpoint over TLS.

Also holds the deploy/log-analytics definitions to the rows we send: the DCR declares exactly
our columns, and the Sentinel rule's KQL names no column the DCR does not declare.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor import log_analytics
from auditor.cli import main
from auditor.collect.clients import FakeCredential
from auditor.log_analytics import STREAM_COLUMNS, IngestionTarget, parse_target
from tests.ingestion_fake import FakeIngestion
from tests.support.paths import REPO

DEMO = REPO / "cassettes" / "demo"
SAMPLE = REPO / "tests" / "fixtures" / "sample_result.json"
DEPLOY = REPO / "deploy" / "log-analytics"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DCR_ID = "dcr-0123456789abcdef0123456789abcdef"
STREAM = "Custom-AuditorFindings"


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # The retry count is the real one; only the waits between tries are cut.
    monkeypatch.setattr(log_analytics, "RETRY_BACKOFF_SECONDS", 0.0)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Any:
    with FakeIngestion() as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
        yield server


def _stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def _audit(endpoint: str, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "audit",
        "--subscription",
        SUBSCRIPTION,
        "--replay",
        str(DEMO),
        "--fail-on",
        "never",
        "--format",
        "json",
        "--output",
        str(tmp_path / "report.json"),
        "--save",
        str(tmp_path / "result.json"),
        "--send-to",
        "log-analytics",
        f"{endpoint},{DCR_ID},{STREAM}",
        *extra,
    ]


@pytest.mark.parametrize(
    ("kind", "spec", "reason"),
    [
        ("splunk", f"https://x.example,{DCR_ID},{STREAM}", "unknown target"),
        ("log-analytics", f"https://x.example,{DCR_ID}", "DCR_ENDPOINT,DCR_ID,STREAM"),
        ("log-analytics", f"http://x.example,{DCR_ID},{STREAM}", "not an https:// URL"),
        ("log-analytics", f"https://user:pw@x.example,{DCR_ID},{STREAM}", "not an https:// URL"),
        ("log-analytics", f"https://x.example/path,{DCR_ID},{STREAM}", "no path"),
        ("log-analytics", f"https://x.example,my-rule,{STREAM}", "immutable id"),
        ("log-analytics", f"https://x.example,{DCR_ID},Microsoft-Syslog", "custom stream"),
    ],
)
def test_bad_target_is_a_usage_error_before_anything_is_read(
    kind: str, spec: str, reason: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "result.json"
    with pytest.raises(SystemExit) as exit_info:
        audit = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(DEMO), "--save", str(saved)]
        main([*audit, "--send-to", kind, spec])
    assert exit_info.value.code == 2
    lines = _stderr_lines(capsys)
    assert len(lines) == 1 and reason in lines[0]
    assert not saved.exists()


def test_target_parsing_keeps_the_three_parts() -> None:
    target = parse_target(
        "log-analytics", f" https://dcr-x.westeurope-1.ingest.monitor.azure.com/ , {DCR_ID},{STREAM}"
    )
    assert target == IngestionTarget("https://dcr-x.westeurope-1.ingest.monitor.azure.com", DCR_ID, STREAM)


def test_audit_sends_findings_and_resources_as_gzipped_json_rows(
    fake: FakeIngestion, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(_audit(fake.endpoint, tmp_path))
    assert code == 0
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert [request.status for request in fake.received] == [204]
    (request,) = fake.received
    assert request.method == "POST"
    assert request.path == f"/dataCollectionRules/{DCR_ID}/streams/{STREAM}"
    assert request.query["api-version"] == ["2023-01-01"]
    assert request.headers["content-encoding"] == "gzip"
    assert request.headers["content-type"].startswith("application/json")
    assert request.headers["authorization"] == "Bearer replay-token"
    rows = request.rows or []
    assert all(list(row) == list(STREAM_COLUMNS) for row in rows)
    findings = [row for row in rows if row["RecordType"] == "finding"]
    resources = [row for row in rows if row["RecordType"] == "resource"]
    assert len(findings) == len(result["findings"]) and len(resources) == len(result["resources"])
    assert len(rows) == len(findings) + len(resources)
    assert {row["Fingerprint"] for row in findings} == {
        finding["fingerprint"] for finding in result["findings"]
    }
    assert {row["ResourceId"] for row in resources} == {resource["id"] for resource in result["resources"]}
    assert {row["TimeGenerated"] for row in rows} == {result["finished_at"]}
    first = result["findings"][0]
    row = next(row for row in findings if row["Fingerprint"] == first["fingerprint"])
    assert (row["RuleId"], row["Severity"], row["Status"]) == (
        first["rule_id"],
        first["severity"],
        first["status"],
    )
    assert row["Evidence"] == first["evidence"]
    assert all(url.startswith("https://") for row in findings for url in row["ReferenceUrls"])
    assert any("sent" in line and STREAM in line for line in _stderr_lines(capsys))


def test_a_batch_that_keeps_failing_is_exit_3_and_the_local_outputs_are_complete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = tmp_path / "reference"
    reference.mkdir()
    assert main(_audit("https://127.0.0.1:9", reference)[:-3]) == 0
    capsys.readouterr()
    with FakeIngestion(fail_when=lambda rows: True) as failing:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", failing.ca_file)
        code = main(_audit(failing.endpoint, tmp_path))
    assert code == 3
    assert len(failing.received) == log_analytics.RETRY_TOTAL + 1
    lines = _stderr_lines(capsys)
    assert any("did not accept" in line and "local outputs are complete" in line for line in lines)
    for name in ("result.json", "report.json"):
        written = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        expected = json.loads((reference / name).read_text(encoding="utf-8"))
        assert written["findings"] == expected["findings"]
        assert written["resources"] == expected["resources"]


def _large_result(findings: int) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    template = result["findings"][0]
    result["findings"] = [
        {
            **copy.deepcopy(template),
            "fingerprint": f"{index:064x}",
            "message": f"finding {index} " + "x" * 400,
        }
        for index in range(findings)
    ]
    return result


def test_sdk_batches_are_retried_and_only_the_failing_one_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marker = f"{0:064x}"  # the first finding, so the first batch
    result = _large_result(3000)
    with FakeIngestion(fail_when=lambda rows: any(row["Fingerprint"] == marker for row in rows)) as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
        target = IngestionTarget(server.endpoint, DCR_ID, STREAM)
        outcome = log_analytics.send(result, target, FakeCredential(), cloud="AzureCloud")
    failed = [request for request in server.received if request.status == 500]
    accepted = [request for request in server.received if request.status == 204]
    assert len(accepted) >= 1 and len(failed) == log_analytics.RETRY_TOTAL + 1
    assert all(len(request.body) <= 1024 * 1024 for request in server.received)
    assert outcome.failed_batches == 1
    assert outcome.failed_rows == len(failed[0].rows or [])
    assert (
        outcome.failed_rows + len(server.accepted_rows()) == outcome.rows == 3000 + len(result["resources"])
    )
    assert not outcome.complete and "InternalServerError" in log_analytics.describe_failure(outcome, target)


# -- deploy/log-analytics holds together with what we send --


def _dcr() -> dict[str, Any]:
    template: dict[str, Any] = json.loads((DEPLOY / "data-collection-rule.json").read_text(encoding="utf-8"))
    return template


def _resource(template: dict[str, Any], kind: str) -> dict[str, Any]:
    (resource,) = [resource for resource in template["resources"] if resource["type"] == kind]
    return dict(resource)


def test_dcr_declares_exactly_the_columns_we_send() -> None:
    template = _dcr()
    rule = _resource(template, "Microsoft.Insights/dataCollectionRules")
    declared = rule["properties"]["streamDeclarations"][STREAM]["columns"]
    assert [(column["name"], column["type"]) for column in declared] == list(STREAM_COLUMNS.items())
    table = _resource(template, "Microsoft.OperationalInsights/workspaces/tables")
    assert table["properties"]["schema"]["columns"] == declared
    (flow,) = rule["properties"]["dataFlows"]
    assert flow["streams"] == [STREAM]
    assert flow["outputStream"] == f"Custom-{template['variables']['tableName']}"
    rows = log_analytics.build_rows(json.loads(SAMPLE.read_text(encoding="utf-8")))
    assert rows and all(list(row) == [column["name"] for column in declared] for row in rows)


def test_dcr_grants_only_the_ingestion_role_on_itself() -> None:
    template = _dcr()
    assignment = _resource(template, "Microsoft.Authorization/roleAssignments")
    # Monitoring Metrics Publisher: the one built-in role that may send to a DCR.
    assert template["variables"]["monitoringMetricsPublisher"] == "3913510d-42f4-4e42-8a64-420c390055eb"
    assert "monitoringMetricsPublisher" in assignment["properties"]["roleDefinitionId"]
    assert assignment["scope"].startswith("[format('Microsoft.Insights/dataCollectionRules/")


_KQL_WORDS = {"let", "where", "between", "ago", "and", "or", "distinct", "summarize", "arg_max", "by"}
_KQL_WORDS |= {"project", "isnull", "in"}


def test_sentinel_rule_kql_names_only_declared_columns() -> None:
    kql = (DEPLOY / "new-high-finding.kql").read_text(encoding="utf-8")
    rule_template = json.loads((DEPLOY / "new-high-finding-rule.json").read_text(encoding="utf-8"))
    (rule,) = rule_template["resources"]
    assert rule["kind"] == "Scheduled"
    assert rule["properties"]["query"] == kql
    code = re.sub(r'"[^"]*"', "", re.sub(r"//[^\n]*", "", kql))
    identifiers = set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", code))
    bound = set(re.findall(r"\blet\s+([A-Za-z_][A-Za-z0-9_]*)", code))
    table = _dcr()["variables"]["tableName"]
    assert table in identifiers
    columns = identifiers - _KQL_WORDS - bound - {table}
    assert columns <= set(STREAM_COLUMNS), columns - set(STREAM_COLUMNS)
    assert {"Fingerprint", "Severity", "Status", "RecordType", "Waiver", "TimeGenerated"} <= columns
    mapped = {
        mapping["columnName"]
        for entity in rule["properties"]["entityMappings"]
        for mapping in entity["fieldMappings"]
    }
    details = set(rule["properties"]["customDetails"].values())
    assert mapped | details <= columns


def test_hostile_names_travel_escaped_and_arrive_exact(
    fake: FakeIngestion, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hostile = REPO / "cassettes" / "hostile"
    saved = tmp_path / "result.json"
    audit = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(hostile), "--save", str(saved)]
    code = main(
        [*audit, "--format", "json", "--send-to", "log-analytics", f"{fake.endpoint},{DCR_ID},{STREAM}"]
    )
    assert code == 1
    result = json.loads(saved.read_text(encoding="utf-8"))
    (request,) = fake.received
    assert gzip.decompress(request.body).isascii()
    names = {row["ResourceName"] for row in request.rows or [] if row["RecordType"] == "resource"}
    expected = {
        f"{resource['name']}/{resource['slot']}"
        if resource.get("slot") and not resource["name"].endswith(f"/{resource['slot']}")
        else resource["name"]
        for resource in result["resources"]
    }
    assert names == expected
