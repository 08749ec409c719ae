"""``--send-to log-analytics``: findings and resources into a Log Analytics workspace.

The one write the auditor makes, and only when asked: rows go through the Logs Ingestion
API (``azure-monitor-ingestion``) to a Data Collection Rule the user names, in the user's
own workspace. It uses its own client and pipeline with the audit's credential, never the
ARM clients: their read-only guard stays exactly as strict as without this option.

Batches: the SDK splits the rows into chunks of at most 1 MiB of JSON (the API's limit
per call), gzips each and posts it. Retries: each chunk is retried by azure-core's retry
policy (429, 408 and 5xx, honouring ``Retry-After``): ``RETRY_TOTAL`` retries, so five tries. A chunk
that still fails is reported through the SDK's ``on_error`` callback and counted; the
other chunks are still sent. The caller writes every local output before sending, so a
failed upload loses nothing and ends the run with exit 3.

One stream carries both kinds of row, told apart by ``RecordType`` (``finding`` or
``resource``); ``STREAM_COLUMNS`` is the stream declaration of
deploy/log-analytics/data-collection-rule.json (a test holds the two together).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from auditor.report.common import display_name, printable
from auditor.report.ocsf import public_reference_urls, subscription_of

TARGET_KINDS = ("log-analytics",)

# The ingestion endpoints' token audience per cloud (the SDK's sovereign-cloud sample).
CREDENTIAL_SCOPES: Mapping[str, str] = {
    "AzureCloud": "https://monitor.azure.com//.default",
    "AzureUSGovernment": "https://monitor.azure.us//.default",
    "AzureChinaCloud": "https://monitor.azure.cn//.default",
}

RETRY_TOTAL = 4
RETRY_BACKOFF_SECONDS = 0.8
RETRY_BACKOFF_MAX_SECONDS = 60
CONNECTION_TIMEOUT_SECONDS = 30
READ_TIMEOUT_SECONDS = 120

# Column name -> Log Analytics type, in the order the DCR declares them.
STREAM_COLUMNS: Mapping[str, str] = {
    "TimeGenerated": "datetime",
    "RecordType": "string",
    "RunStartedAt": "datetime",
    "ToolVersion": "string",
    "Edition": "string",
    "SubscriptionId": "string",
    "ResourceId": "string",
    "ResourceName": "string",
    "ResourceGroup": "string",
    "Location": "string",
    "Hosting": "string",
    "Kind": "string",
    "Os": "string",
    "PlanSku": "string",
    "InboundMain": "string",
    "InboundScm": "string",
    "Outbound": "string",
    "RuleId": "string",
    "Category": "string",
    "Severity": "string",
    "Status": "string",
    "Title": "string",
    "Message": "string",
    "Remediation": "string",
    "Fingerprint": "string",
    "Evidence": "dynamic",
    "Waiver": "dynamic",
    "ReferenceUrls": "dynamic",
}

_DCR_IMMUTABLE_ID = re.compile(r"^dcr-[0-9a-f]{32}$", re.IGNORECASE)
_CUSTOM_STREAM = re.compile(r"^Custom-[A-Za-z0-9_]{1,100}$")


@dataclass(frozen=True)
class IngestionTarget:
    endpoint: str
    rule_id: str
    stream: str


@dataclass
class UploadOutcome:
    rows: int
    failed_rows: int = 0
    failed_batches: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.failed_rows == 0


def parse_target(kind: str, spec: str) -> IngestionTarget:
    """``log-analytics`` and ``DCR_ENDPOINT,DCR_ID,STREAM``, or ValueError with a one-line reason."""
    if kind not in TARGET_KINDS:
        raise ValueError(f"--send-to: unknown target {kind!r}; expected {', '.join(TARGET_KINDS)}")
    parts = [part.strip() for part in spec.split(",")]
    if len(parts) != 3 or not all(parts):
        raise ValueError("--send-to log-analytics: expected DCR_ENDPOINT,DCR_ID,STREAM")
    endpoint, rule_id, stream = parts
    url = urlsplit(endpoint)
    if url.scheme != "https" or not url.hostname or url.username or url.password:
        raise ValueError(f"--send-to log-analytics: endpoint {endpoint!r} is not an https:// URL of a host")
    if url.path not in ("", "/") or url.query or url.fragment:
        raise ValueError(f"--send-to log-analytics: endpoint {endpoint!r} must have no path or query")
    if not _DCR_IMMUTABLE_ID.match(rule_id):
        raise ValueError(
            f"--send-to log-analytics: {rule_id!r} is not a data collection rule immutable id (dcr-<32 hex>)"
        )
    if not _CUSTOM_STREAM.match(stream):
        raise ValueError(f"--send-to log-analytics: {stream!r} is not a custom stream name (Custom-<name>)")
    return IngestionTarget(endpoint.rstrip("/"), rule_id, stream)


class SendToAction(argparse.Action):
    """Parses ``--send-to KIND SPEC`` at the command line, so a bad target is exit 2 before any read."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        kind, spec = list(values or ("", ""))
        try:
            setattr(namespace, self.dest, parse_target(str(kind), str(spec)))
        except ValueError as error:
            parser.error(str(error))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _resource_columns(resource_id: str, resource: Mapping[str, Any] | None) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "SubscriptionId": subscription_of(resource_id) or None,
        "ResourceId": resource_id,
    }
    if resource is None:
        return columns
    plan = _mapping(resource.get("plan"))
    inbound = _mapping(resource.get("inbound"))
    columns.update(
        ResourceName=display_name(resource, lambda value: "" if value is None else str(value)) or None,
        ResourceGroup=_text(resource.get("resource_group")),
        Location=_text(resource.get("location")),
        Hosting=_text(resource.get("hosting")),
        Kind=_text(resource.get("kind")),
        Os=_text(resource.get("os")),
        PlanSku=_text(plan.get("sku")),
        InboundMain=_text(inbound.get("main")),
        InboundScm=_text(inbound.get("scm")),
        Outbound=_text(resource.get("outbound")),
    )
    return columns


def build_rows(result: Mapping[str, Any]) -> list[MutableMapping[str, Any]]:
    """One row per finding (with its resource's columns), then one per resource; every column set."""
    tool = _mapping(result.get("tool"))
    run = {
        "TimeGenerated": _text(result.get("finished_at") or result.get("started_at")),
        "RunStartedAt": _text(result.get("started_at")),
        "ToolVersion": _text(tool.get("version")),
        "Edition": _text(result.get("edition")),
    }
    empty = dict.fromkeys(STREAM_COLUMNS)
    resources = {
        str(resource.get("id", "")).lower(): resource
        for resource in result.get("resources") or []
        if isinstance(resource, Mapping)
    }
    rows: list[MutableMapping[str, Any]] = []
    for finding in result.get("findings") or []:
        resource_id = str(finding.get("resource_id") or "")
        waived = finding.get("waived")
        rows.append(
            {
                **empty,
                **run,
                **_resource_columns(resource_id, resources.get(resource_id.lower())),
                "RecordType": "finding",
                "RuleId": _text(finding.get("rule_id")),
                "Category": _text(finding.get("category")),
                "Severity": _text(finding.get("severity")),
                "Status": _text(finding.get("status")),
                "Title": _text(finding.get("title")),
                "Message": _text(finding.get("message")),
                "Remediation": _text(finding.get("remediation")),
                "Fingerprint": _text(finding.get("fingerprint")),
                "Evidence": finding.get("evidence") or {},
                "Waiver": dict(waived) if isinstance(waived, Mapping) else None,
                "ReferenceUrls": public_reference_urls(finding),
            }
        )
    for resource in resources.values():
        resource_id = str(resource.get("id") or "")
        rows.append({**empty, **run, **_resource_columns(resource_id, resource), "RecordType": "resource"})
    return rows


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "message", None) or error).strip()
    return printable(text.splitlines()[0] if text else type(error).__name__)


def send(result: Mapping[str, Any], target: IngestionTarget, credential: Any, *, cloud: str) -> UploadOutcome:
    """Upload the result's rows; every chunk that fails after its retries is counted, none raises."""
    from azure.monitor.ingestion import LogsIngestionClient, LogsUploadError

    rows = build_rows(result)
    outcome = UploadOutcome(rows=len(rows))
    if not rows:
        return outcome

    def on_error(error: LogsUploadError) -> None:
        outcome.failed_batches += 1
        outcome.failed_rows += len(error.failed_logs)
        outcome.errors.append(_first_line(error.error))

    client = LogsIngestionClient(
        target.endpoint,
        credential,
        credential_scopes=[CREDENTIAL_SCOPES[cloud]],
        retry_total=RETRY_TOTAL,
        retry_status=RETRY_TOTAL,
        retry_backoff_factor=RETRY_BACKOFF_SECONDS,
        retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
        connection_timeout=CONNECTION_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
    )
    with client:
        client.upload(rule_id=target.rule_id, stream_name=target.stream, logs=rows, on_error=on_error)
    return outcome


def describe_failure(outcome: UploadOutcome, target: IngestionTarget) -> str:
    first = outcome.errors[0] if outcome.errors else "unknown error"
    return (
        f"Log Analytics ingestion to {target.stream} did not accept {outcome.failed_rows} of "
        f"{outcome.rows} rows ({outcome.failed_batches} batch(es) failed after retries): {first}; "
        "the local outputs are complete"
    )


__all__ = [
    "STREAM_COLUMNS",
    "IngestionTarget",
    "SendToAction",
    "UploadOutcome",
    "build_rows",
    "describe_failure",
    "parse_target",
    "send",
]
