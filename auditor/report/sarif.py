"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Only failing findings become results: ``unknown`` outcomes are not alerts (the
audit could not read the data), so they are reported as tool execution
notifications through the gaps that caused them.

Severity mapping (GitHub code scanning reads ``properties.security-severity``
as a CVSS-like score: 9.0 and over critical, 7.0-8.9 high, 4.0-6.9 medium,
3.9 and under low):

====== ======================= ===========
ours   security-severity       SARIF level
====== ======================= ===========
high   8.0 (GitHub "high")     error
medium 5.5 (GitHub "medium")   warning
low    3.0 (GitHub "low")      note
info   0.0 (GitHub "low")      note
====== ======================= ===========

Nothing maps to "critical": the catalogue has no severity above high.

Fixes: SARIF's ``result.fixes`` must carry ``artifactChanges`` (byte replacements in a file), and
an Azure CLI command changes no file, so a finding's fix travels in ``result.properties.fix``
(summary, commands quoted for bash, caution, Bicep/ARM properties) instead.

Physical location: code scanning shows a result only when it has a physical
location, and an Azure resource has no file. Each result points at the ARM
resource itself: the artifact URI is the resource id, lower-cased (ARM ids
compare case-insensitively and ARM does not always return the same casing, and
code scanning needs the same path run after run to track an alert) and
percent-encoded, relative to the ``AZURE_RESOURCE_MANAGER`` base
(``https://management.azure.com/``), at line 1. The id in its ARM casing is the
result's logical location (kind ``resource``).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from auditor.counts import is_fail
from auditor.docs import reference_url
from auditor.report.common import json_escape_invisible
from auditor.report.fix_display import sarif_fix_property
from auditor.report.markdown import escape_markdown

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
ARM_BASE_ID = "AZURE_RESOURCE_MANAGER"
ARM_BASE_URI = "https://management.azure.com/"
FINGERPRINT_KEY = "auditorFingerprint/v1"

SECURITY_SEVERITY: Mapping[str, str] = {"high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
LEVEL: Mapping[str, str] = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
# A severity the result file carries but this version does not know is still
# reported, never dropped, at the level that cannot be mistaken for noise.
UNKNOWN_SEVERITY_LEVEL = "warning"


def _load_catalogue() -> list[Mapping[str, Any]]:
    """The rule catalogue, or nothing when this install has no evaluator.

    Imported lazily so ``auditor report`` can re-render a saved result with
    only the reporters present; any other import failure is a real bug and
    propagates.
    """
    try:
        module = importlib.import_module("auditor.evaluate")
    except ModuleNotFoundError as error:
        if error.name != "auditor.evaluate":
            raise
        return []
    return [entry for entry in module.rule_catalogue() if isinstance(entry, Mapping)]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _rule_name(rule_id: str) -> str:
    # SARIF wants a readable name distinct from the id: "risk/tls-below-1.2" -> "RiskTlsBelow12".
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)


def _documentation(reference: object) -> tuple[str, str] | None:
    """(title and section, Microsoft Learn URL) of a rule's reference, when it names one."""
    url = reference_url(reference)
    if url is None or not isinstance(reference, Mapping):
        return None
    label = ", ".join(part for part in (_text(reference.get("doc")), _text(reference.get("section"))) if part)
    return label or url, url


def _help_markdown(description: str, remediation: str, reference: object) -> str:
    parts = [escape_markdown(description)] if description else []
    if remediation:
        parts.append(f"**Remediation:** {escape_markdown(remediation)}")
    documentation = _documentation(reference)
    if documentation is not None:
        parts.append(f"**Documentation:** [{escape_markdown(documentation[0])}]({documentation[1]})")
    return "\n\n".join(parts)


def _help_text(description: str, remediation: str, reference: object) -> str:
    parts = [description] if description else []
    if remediation:
        parts.append(f"Remediation: {remediation}")
    documentation = _documentation(reference)
    if documentation is not None:
        parts.append(f"Documentation: {documentation[0]}: {documentation[1]}")
    return "\n\n".join(parts)


def _rule_descriptor(
    rule_id: str,
    category: str,
    severity: str,
    title: str,
    rationale: str,
    remediation: str,
    reference: object,
) -> dict[str, Any]:
    short = title or rule_id
    full = rationale or short
    properties: dict[str, Any] = {"tags": sorted({"security", category} - {""})}
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    if reference:
        properties["reference"] = reference
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": _rule_name(rule_id) or rule_id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {
            "text": _help_text(full, remediation, reference),
            "markdown": _help_markdown(full, remediation, reference),
        },
        "defaultConfiguration": {"level": LEVEL.get(severity, UNKNOWN_SEVERITY_LEVEL)},
        "properties": properties,
    }
    documentation = _documentation(reference)
    if documentation is not None:
        descriptor["helpUri"] = documentation[1]
    return descriptor


def _rules(
    catalogue: Sequence[Mapping[str, Any]], findings: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    descriptors: dict[str, dict[str, Any]] = {}
    for rule in catalogue:
        rule_id = _text(rule.get("id"))
        if not rule_id:
            continue
        descriptors[rule_id] = _rule_descriptor(
            rule_id,
            _text(rule.get("category")),
            _text(rule.get("severity")),
            _text(rule.get("title")),
            _text(rule.get("rationale")),
            _text(rule.get("remediation")),
            rule.get("reference"),
        )
    # A result may name a rule this install's catalogue lacks (a result saved by
    # another version): describe it from the finding itself so every result
    # still resolves to a rule. The title, not the message, because a message
    # speaks about one resource and a rule about all of them.
    for finding in findings:
        rule_id = _text(finding.get("rule_id"))
        if rule_id in descriptors:
            continue
        descriptors[rule_id] = _rule_descriptor(
            rule_id,
            _text(finding.get("category")),
            _text(finding.get("severity")),
            _text(finding.get("title") or finding.get("message")),
            "",
            _text(finding.get("remediation")),
            finding.get("reference"),
        )
    return [descriptors[rule_id] for rule_id in sorted(descriptors)]


def artifact_uri(resource_id: str) -> str:
    """The stable, percent-encoded URI (relative to ``ARM_BASE_URI``) standing for one resource."""
    path = resource_id.strip().lstrip("/").lower()
    return quote(path, safe="/-._~") or "unknown-resource"


def _location(finding: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    resource_id = _text(finding.get("resource_id"))
    logical: dict[str, Any] = {"fullyQualifiedName": resource_id, "kind": "resource"}
    name = names.get(resource_id.lower())
    if name:
        logical["name"] = name
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(resource_id), "uriBaseId": ARM_BASE_ID},
            "region": {"startLine": 1},
        },
        "logicalLocations": [logical],
    }


def _fingerprint(finding: Mapping[str, Any]) -> str:
    fingerprint = _text(finding.get("fingerprint"))
    if fingerprint:
        return fingerprint
    # Results written before fingerprints existed still need a stable key, or
    # code scanning would open a fresh alert on every upload.
    identity = f"{_text(finding.get('rule_id'))}|{_text(finding.get('resource_id')).lower()}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _result(
    finding: Mapping[str, Any], rule_index: Mapping[str, int], names: Mapping[str, str]
) -> dict[str, Any]:
    rule_id = _text(finding.get("rule_id"))
    severity = _text(finding.get("severity"))
    properties: dict[str, Any] = {
        "category": _text(finding.get("category")),
        "severity": severity,
        "evidence": finding.get("evidence") or {},
    }
    if finding.get("reference"):
        properties["reference"] = finding["reference"]
    if isinstance(finding.get("waiver_expired"), Mapping):
        properties["waiver_expired"] = finding["waiver_expired"]
    fix = sarif_fix_property(finding)
    if fix is not None:
        properties["fix"] = fix
    sarif_result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index[rule_id],
        "level": LEVEL.get(severity, UNKNOWN_SEVERITY_LEVEL),
        "message": {"text": _text(finding.get("message") or finding.get("title")) or rule_id},
        "locations": [_location(finding, names)],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding)},
        "properties": properties,
    }
    waived = finding.get("waived")
    if isinstance(waived, Mapping):
        # A waiver is an accepted, externally recorded suppression (SARIF 2.1.0 §3.35); code
        # scanning then shows the alert as dismissed instead of open.
        sarif_result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": _text(waived.get("reason")),
                "properties": {"owner": _text(waived.get("owner")), "expires": _text(waived.get("expires"))},
            }
        ]
    return sarif_result


def _gap_notification(gap: Mapping[str, Any]) -> dict[str, Any]:
    status = gap.get("status")
    operation = _text(gap.get("operation"))
    outcome = f"returned {status}" if status is not None else "failed"
    notification: dict[str, Any] = {
        "level": "warning",
        "message": {
            "text": f"{operation} {outcome}: {_text(gap.get('reason'))}. "
            "Rules that needed this data are unknown for the resource."
        },
    }
    resource_id = _text(gap.get("resource_id"))
    if resource_id:
        notification["locations"] = [
            {"logicalLocations": [{"fullyQualifiedName": resource_id, "kind": "resource"}]}
        ]
    return notification


def _invocation(result: Mapping[str, Any]) -> dict[str, Any]:
    subscriptions = result.get("subscriptions") or []
    invocation: dict[str, Any] = {
        # The audit vouches for its result only when every subscription was read.
        "executionSuccessful": all(sub.get("status") == "ok" for sub in subscriptions),
    }
    if result.get("started_at"):
        invocation["startTimeUtc"] = _text(result["started_at"])
    if result.get("finished_at"):
        invocation["endTimeUtc"] = _text(result["finished_at"])
    notifications = [_gap_notification(gap) for gap in result.get("gaps") or []]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _resource_names(result: Mapping[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for resource in result.get("resources") or []:
        name = _text(resource.get("name"))
        slot = _text(resource.get("slot"))
        if slot and not name.endswith(f"/{slot}"):
            name = f"{name}/{slot}"
        names[_text(resource.get("id")).lower()] = name
    return names


def _result_order(finding: Mapping[str, Any]) -> tuple[str, str, str]:
    return (
        _text(finding.get("rule_id")),
        _text(finding.get("resource_id")).lower(),
        _text(finding.get("fingerprint")),
    )


def build(result: Mapping[str, Any], catalogue: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The SARIF log as a dict; ``catalogue`` defaults to ``auditor.evaluate.rule_catalogue()``."""
    rule_catalogue = _load_catalogue() if catalogue is None else catalogue
    failing = sorted(
        (finding for finding in result.get("findings") or [] if is_fail(finding)),
        key=_result_order,
    )
    rules = _rules(rule_catalogue, failing)
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    names = _resource_names(result)
    tool = result.get("tool") or {}
    driver: dict[str, Any] = {"name": _text(tool.get("name")) or "auditor", "rules": rules}
    if tool.get("version"):
        driver["version"] = _text(tool["version"])
    run_properties: dict[str, Any] = {"edition": _text(result.get("edition"))}
    if result.get("started_at"):
        run_properties["startedAt"] = _text(result["started_at"])
    if result.get("finished_at"):
        run_properties["finishedAt"] = _text(result["finished_at"])
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [_invocation(result)],
        "originalUriBaseIds": {
            ARM_BASE_ID: {
                "uri": ARM_BASE_URI,
                "description": {"text": "Azure Resource Manager: artifact URIs are resource ids."},
            }
        },
        "results": [_result(finding, rule_index, names) for finding in failing],
        "columnKind": "unicodeCodePoints",
        "properties": run_properties,
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(result: Mapping[str, Any], catalogue: Sequence[Mapping[str, Any]] | None = None) -> str:
    # sort_keys and a fixed result order make two renders of one result byte-identical.
    text = json.dumps(build(result, catalogue), indent=2, sort_keys=True, ensure_ascii=False)
    return json_escape_invisible(text) + "\n"


__all__ = ["LEVEL", "SECURITY_SEVERITY", "artifact_uri", "build", "render"]
