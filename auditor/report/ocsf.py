"""OCSF 1.5.0 Compliance Finding events (class 2003), one JSON object per line.

Why Compliance Finding: each of our outcomes is a rule (a control) judged on one resource,
and the class's ``compliance.status_id`` carries our three outcomes as they are:

======== ============================ ============================================
ours     compliance.status_id          event status_id
======== ============================ ============================================
fail     3 Fail                        1 New (3 Suppressed when waived)
unknown  0 Unknown                     1 New (3 Suppressed when waived)
pass     1 Pass                        1 New
======== ============================ ============================================

Which outcomes become events: exactly those the result lists, i.e. every failing and
unknown outcome, plus passes when the audit ran with ``--include-passed``. An unknown is
an event, never dropped: the audit could not vouch for that control on that resource,
and a SIEM must see that as much as a failure.

Severity: high 4 High, medium 3 Medium, low 2 Low, info 1 Informational; a severity
this version does not know (a result from another version) is 99 Other with its name
in ``severity``, never dropped.

Framing: JSON Lines (one event per line, UTF-8, ``\\n`` after each; no events, no
bytes). SIEM shippers (Fluent Bit, Logstash, the Azure Monitor agent, Splunk HEC)
read events line by line, and a large audit streams without holding one array.

Hostile text: names, tags and messages come from Azure and are attacker-controlled.
Every event is encoded by ``json`` with ``ensure_ascii``: control characters, C1
controls and bidirectional overrides become ``\\uXXXX`` escapes, so the bytes on disk
are printable ASCII that cannot repaint a terminal or reorder a line, while a JSON
parser gets the exact original value back. As in the JSON result, values are escaped by
the JSON encoding and never rewritten; here every non-ASCII character is escaped as well,
since SIEM pipelines and terminals downstream differ in what they let through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from auditor.report.common import display_name
from auditor.result_file import ResultFileError

OCSF_VERSION = "1.5.0"
CLASS_UID = 2003  # Compliance Finding
CATEGORY_UID = 2  # Findings
ACTIVITY_CREATE = 1
TYPE_UID = CLASS_UID * 100 + ACTIVITY_CREATE
PRODUCT_NAME = "auditor"
VENDOR_NAME = "auditor"
CLOUD_PROVIDER = "Azure"
ACCOUNT_TYPE_AZURE_SUBSCRIPTION = 13
ANALYTIC_TYPE_RULE = 1

SEVERITY_ID: Mapping[str, int] = {"high": 4, "medium": 3, "low": 2, "info": 1}
SEVERITY_OTHER = 99
SEVERITY_NAME: Mapping[int, str] = {4: "High", 3: "Medium", 2: "Low", 1: "Informational"}
COMPLIANCE_STATUS: Mapping[str, tuple[int, str]] = {
    "fail": (3, "Fail"),
    "unknown": (0, "Unknown"),
    "pass": (1, "Pass"),
}
COMPLIANCE_STATUS_OTHER = (99, "Other")
STATUS_NEW = (1, "New")
STATUS_SUPPRESSED = (3, "Suppressed")

_SUBSCRIPTION_IN_ID = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)
_SLOT_TYPE = re.compile(r"/providers/Microsoft\.Web/sites/[^/]+/slots/[^/]+$", re.IGNORECASE)

_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode


def _text(value: object) -> str:
    return "" if value is None else str(value)


def epoch_milliseconds(result: Mapping[str, Any]) -> int:
    """The time of every event of one result: when the audit finished (else started), in ms."""
    for key in ("finished_at", "started_at"):
        value = result.get(key)
        if isinstance(value, str) and value:
            try:
                return int(datetime.fromisoformat(value).timestamp() * 1000)
            except ValueError:
                continue
    raise ResultFileError("the result has no valid finished_at or started_at time; OCSF events need one")


def public_reference_urls(finding: Mapping[str, Any]) -> list[str]:
    """The public (https) URLs a finding's reference names; internal document names never leave.

    A reference may carry ``url`` or ``urls``; a ``doc`` that is itself a URL counts too.
    """
    reference = finding.get("reference")
    if not isinstance(reference, Mapping):
        return []
    candidates: list[object] = [reference.get("url"), reference.get("doc")]
    urls = reference.get("urls")
    if isinstance(urls, list):
        candidates.extend(urls)
    found: list[str] = []
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.startswith("https://") and candidate not in found:
            found.append(candidate)
    return found


def subscription_of(resource_id: str) -> str:
    match = _SUBSCRIPTION_IN_ID.match(resource_id)
    return match.group(1) if match else ""


def _resource_details(resource_id: str, resource: Mapping[str, Any] | None) -> dict[str, Any]:
    details: dict[str, Any] = {
        "uid": resource_id,
        "type": "Microsoft.Web/sites/slots" if _SLOT_TYPE.search(resource_id) else "Microsoft.Web/sites",
    }
    if resource is None:
        return details
    # Raw values: the JSON encoding escapes what a terminal must not see, and keeps the value exact.
    name = display_name(resource, _text)
    if name:
        details["name"] = name
    if resource.get("location"):
        details["region"] = _text(resource["location"])
    if resource.get("resource_group"):
        details["group"] = {"name": _text(resource["resource_group"])}
    data = {
        key: resource[key]
        for key in ("kind", "os", "hosting", "plan", "inbound", "outbound")
        if resource.get(key) is not None
    }
    if data:
        details["data"] = data
    return details


def _severity(severity: str) -> dict[str, Any]:
    severity_id = SEVERITY_ID.get(severity, SEVERITY_OTHER)
    return {"severity_id": severity_id, "severity": SEVERITY_NAME.get(severity_id, severity or "Other")}


def build_event(
    finding: Mapping[str, Any],
    resource: Mapping[str, Any] | None,
    result: Mapping[str, Any],
    time: int,
) -> dict[str, Any]:
    """One Compliance Finding event for one outcome of the result."""
    resource_id = _text(finding.get("resource_id"))
    rule_id = _text(finding.get("rule_id"))
    status = _text(finding.get("status"))
    title = _text(finding.get("title")) or rule_id
    compliance_id, compliance_name = COMPLIANCE_STATUS.get(status, COMPLIANCE_STATUS_OTHER)
    waived = finding.get("waived")
    status_id, status_name = STATUS_SUPPRESSED if isinstance(waived, Mapping) else STATUS_NEW
    tool = result.get("tool") if isinstance(result.get("tool"), Mapping) else {}
    edition = _text(result.get("edition"))
    product: dict[str, Any] = {"name": PRODUCT_NAME, "vendor_name": VENDOR_NAME}
    if isinstance(tool, Mapping) and tool.get("version"):
        product["version"] = _text(tool["version"])
    cloud: dict[str, Any] = {"provider": CLOUD_PROVIDER}
    subscription = subscription_of(resource_id)
    if subscription:
        cloud["account"] = {"uid": subscription, "type_id": ACCOUNT_TYPE_AZURE_SUBSCRIPTION}
    if resource is not None and resource.get("location"):
        cloud["region"] = _text(resource["location"])
    event: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": TYPE_UID,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "status_id": status_id,
        "status": status_name,
        "message": _text(finding.get("message")) or title,
        "metadata": {"version": OCSF_VERSION, "product": product, "profiles": ["cloud"]},
        "cloud": cloud,
        "finding_info": {
            "uid": _text(finding.get("fingerprint")) or f"{rule_id}|{resource_id.lower()}",
            "title": title,
            "desc": _text(finding.get("message")) or title,
            "types": [_text(finding.get("category"))] if finding.get("category") else [],
            "analytic": {"uid": rule_id, "name": title, "type_id": ANALYTIC_TYPE_RULE},
        },
        "compliance": {
            "control": rule_id,
            "status_id": compliance_id,
            "status": compliance_name,
            "standards": [f"auditor capability matrix {edition}" if edition else "auditor rule catalogue"],
        },
        "resources": [_resource_details(resource_id, resource)],
        **_severity(_text(finding.get("severity"))),
    }
    remediation = _text(finding.get("remediation"))
    references = public_reference_urls(finding)
    if remediation:
        event["remediation"] = {"desc": remediation, **({"references": references} if references else {})}
    unmapped: dict[str, Any] = {"evidence": finding.get("evidence") or {}}
    if edition:
        unmapped["edition"] = edition
    if isinstance(waived, Mapping):
        unmapped["waiver"] = dict(waived)
    event["unmapped"] = unmapped
    return event


def iter_events(result: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    findings = result.get("findings") or []
    if not findings:
        return
    time = epoch_milliseconds(result)
    resources = {
        _text(resource.get("id")).lower(): resource
        for resource in result.get("resources") or []
        if isinstance(resource, Mapping)
    }
    for finding in findings:
        resource = resources.get(_text(finding.get("resource_id")).lower())
        yield build_event(finding, resource, result, time)


def render(result: Mapping[str, Any]) -> str:
    return "".join(_ENCODE(event) + "\n" for event in iter_events(result))


__all__ = ["OCSF_VERSION", "build_event", "iter_events", "public_reference_urls", "render"]
