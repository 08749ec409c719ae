"""What changed between two results: findings by fingerprint, configuration field by field.

Works on any two canonical results, from the run history or from saved JSON files alike. A
finding is the same finding when its fingerprint is the same (rule, resource and the decisive
live evidence), so a finding whose evidence changed is reported as one resolved and one new.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.counts import count_findings, fails_at_or_above, is_fail, is_waived
from auditor.report.common import printable
from auditor.rules.base import SEVERITY_RANK, Severity

__all__ = ["diff_results", "new_failing", "render_text"]

LISTED_STATUSES = ("fail", "unknown")
# Explanations derived from the fields that are compared; they would only repeat each change.
_DERIVED_FIELDS = frozenset(
    {"inbound_detail", "outbound_detail", "decides", "matches_every_source", "position"}
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _identity(item: Any) -> str:
    """How a list item is recognised in the other result: its id, endpoint or name, else itself."""
    if isinstance(item, Mapping):
        if item.get("hostname") is not None and item.get("port") is not None:
            return f"{item['hostname']}:{item['port']}"
        if item.get("id"):
            return str(item["id"]).lower()
        if item.get("name") is not None and "priority" in item:
            return f"{item['name']}@{item['priority']}"
        if item.get("name") is not None:
            return str(item["name"])
    if isinstance(item, str):
        return item
    return _canonical(item)


def _field_changes(before: Any, after: Any, path: str) -> list[FieldChange]:
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes: list[FieldChange] = []
        for key in sorted(set(before) | set(after)):
            if key in _DERIVED_FIELDS:
                continue
            child = f"{path}.{key}" if path else str(key)
            changes.extend(_field_changes(before.get(key), after.get(key), child))
        return changes
    if isinstance(before, list) and isinstance(after, list):
        return _list_changes(before, after, path)
    if _canonical(before) != _canonical(after):
        return [FieldChange(path, before, after)]
    return []


def _list_changes(before: list[Any], after: list[Any], path: str) -> list[FieldChange]:
    old = {_identity(item): item for item in before}
    new = {_identity(item): item for item in after}
    if len(old) != len(before) or len(new) != len(after):
        # Items without a unique identity: compare the lists as multisets of whole items.
        old_items = [_canonical(item) for item in before]
        new_items = [_canonical(item) for item in after]
        removed = [
            item for item in before if old_items.count(_canonical(item)) > new_items.count(_canonical(item))
        ]
        added = [
            item for item in after if new_items.count(_canonical(item)) > old_items.count(_canonical(item))
        ]
        return [FieldChange(f"{path}[]", item, None) for item in removed] + [
            FieldChange(f"{path}[]", None, item) for item in added
        ]
    changes: list[FieldChange] = []
    for key in sorted(set(old) | set(new)):
        child = f"{path}[{key}]"
        if key not in new:
            changes.append(FieldChange(child, old[key], None))
        elif key not in old:
            changes.append(FieldChange(child, None, new[key]))
        else:
            changes.extend(_field_changes(old[key], new[key], child))
    return changes


def _finding_entry(finding: Mapping[str, Any]) -> dict[str, Any]:
    entry = {
        key: finding.get(key)
        for key in ("rule_id", "severity", "status", "resource_id", "resource_name", "message", "fingerprint")
    }
    if is_waived(finding):
        entry["waived"] = finding["waived"]
    return entry


def _listed(result: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        str(finding.get("fingerprint")): finding
        for finding in result.get("findings", ())
        if finding.get("status") in LISTED_STATUSES
    }


def _order(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    severity = entry.get("severity")
    rank = SEVERITY_RANK[Severity(severity)] if severity in tuple(Severity) else -1
    return (-rank, str(entry.get("rule_id")), str(entry.get("resource_id")).lower())


def _side(label: str, result: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "label": label,
        "started_at": result.get("started_at"),
        "cloud": result.get("cloud"),
        "edition": result.get("edition"),
        "subscriptions": [scan.get("id") for scan in result.get("subscriptions", ())],
    }


# With inventory snapshots (runs from the store), configuration changes come from the raw
# inventory, which holds every field the rules read (minimum TLS, FTPS, CORS …); the result
# contributes only its verdicts. Without them (saved result files) the result's resources are used.
_VERDICT_FIELDS = ("inbound", "outbound", "hosting")


def _comparable(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    # Data the collector chose not to read (see ``not_read``) has not changed; it is only absent.
    unread = set(old.get("not_read") or {}) | set(new.get("not_read") or {})
    keys = [key for key in set(old) | set(new) if key not in unread and key != "not_read"]
    return _field_changes({key: old.get(key) for key in keys}, {key: new.get(key) for key in keys}, "")


def _apps(inventory: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    return {str(app.get("id")).lower(): app for app in (inventory or {}).get("apps", ())}


def diff_results(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    before_label: str,
    after_label: str,
    before_inventory: Mapping[str, Any] | None = None,
    after_inventory: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    old_findings = _listed(before)
    new_findings = _listed(after)
    new = sorted(
        (_finding_entry(f) for key, f in new_findings.items() if key not in old_findings), key=_order
    )
    resolved = sorted(
        (_finding_entry(f) for key, f in old_findings.items() if key not in new_findings), key=_order
    )
    still_open = sorted(
        (_finding_entry(f) for key, f in new_findings.items() if key in old_findings), key=_order
    )
    old_resources = {str(r.get("id")).lower(): r for r in before.get("resources", ())}
    new_resources = {str(r.get("id")).lower(): r for r in after.get("resources", ())}
    inventories = before_inventory is not None and after_inventory is not None
    old_apps, new_apps = _apps(before_inventory), _apps(after_inventory)
    changes = []
    for key in sorted(set(old_resources) | set(new_resources)):
        old, current = old_resources.get(key), new_resources.get(key)
        resource = current if current is not None else old
        assert resource is not None
        entry: dict[str, Any] = {"resource_id": resource.get("id"), "resource_name": resource.get("name")}
        if old is None:
            changes.append({**entry, "change": "added", "fields": []})
        elif current is None:
            changes.append({**entry, "change": "removed", "fields": []})
        elif inventories and key in old_apps and key in new_apps:
            verdicts = _field_changes(
                {field: old.get(field) for field in _VERDICT_FIELDS},
                {field: current.get(field) for field in _VERDICT_FIELDS},
                "",
            )
            fields = verdicts + _comparable(old_apps[key], new_apps[key])
            if fields:
                changes.append({**entry, "change": "changed", "fields": [f.as_dict() for f in fields]})
        else:
            fields = _comparable(old, current)
            if fields:
                changes.append({**entry, "change": "changed", "fields": [f.as_dict() for f in fields]})
    new_counts = count_findings(new)
    return {
        "from": _side(before_label, before),
        "to": _side(after_label, after),
        "new": new,
        "resolved": resolved,
        "still_open": still_open,
        "changes": changes,
        "summary": {
            "new": len(new),
            # The new findings as the status line counts them (auditor/counts.py).
            "new_failing": new_counts.failing,
            "new_unknown": new_counts.unknown,
            "new_waived": new_counts.waived,
            "resolved": len(resolved),
            "still_open": len(still_open),
            "resources_changed": sum(1 for change in changes if change["change"] == "changed"),
            "resources_added": sum(1 for change in changes if change["change"] == "added"),
            "resources_removed": sum(1 for change in changes if change["change"] == "removed"),
        },
    }


def new_failing(diff: Mapping[str, Any], threshold: str) -> list[Mapping[str, Any]]:
    """New findings that count as failing (auditor/counts.py) at or above ``threshold``: --fail-on-new."""
    return [entry for entry in diff["new"] if fails_at_or_above(entry, threshold)]


VALUE_WIDTH = 160


def _without_derived(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _without_derived(item) for key, item in value.items() if key not in _DERIVED_FIELDS}
    if isinstance(value, list):
        return [_without_derived(item) for item in value]
    return value


def _value(value: Any) -> str:
    """One value for the text report; the JSON format carries every value in full."""
    if value is None:
        return "(none)"
    text = printable(value if isinstance(value, str) else _canonical(_without_derived(value)))
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _finding_line(entry: Mapping[str, Any]) -> str:
    waived = " [waived]" if is_waived(entry) else ""
    status = "" if is_fail(entry) else f" ({printable(entry.get('status'))})"
    return (
        f"  {printable(entry.get('severity')):<6} {printable(entry.get('rule_id'))}{status}{waived}  "
        f"{printable(entry.get('resource_name'))}: {printable(entry.get('message'))}"
    )


def _side_line(side: Mapping[str, Any]) -> str:
    subscriptions = side.get("subscriptions") or []
    return (
        f"{printable(side.get('label'))} (started {printable(side.get('started_at'))}, "
        f"{printable(side.get('cloud') or 'AzureCloud')}, {len(subscriptions)} subscription(s))"
    )


def render_text(diff: Mapping[str, Any]) -> str:
    summary = diff["summary"]
    lines = [
        f"From {_side_line(diff['from'])}",
        f"  to {_side_line(diff['to'])}",
        f"{summary['new']} new ({summary['new_failing']} failing, {summary['new_unknown']} unknown, "
        f"{summary['new_waived']} waived), {summary['resolved']} resolved, "
        f"{summary['still_open']} still open; "
        f"{summary['resources_changed']} resource(s) changed, {summary['resources_added']} added, "
        f"{summary['resources_removed']} removed",
    ]
    for title, key in (("New findings", "new"), ("Resolved findings", "resolved")):
        entries: Sequence[Mapping[str, Any]] = diff[key]
        lines += ["", f"{title} ({len(entries)})"]
        lines += [_finding_line(entry) for entry in entries] or ["  none"]
    lines += ["", f"Configuration changes ({len(diff['changes'])} resource(s))"]
    if not diff["changes"]:
        lines.append("  none")
    for change in diff["changes"]:
        name = printable(change.get("resource_name"))
        if change["change"] != "changed":
            lines.append(f"  {name}: resource {change['change']}")
            continue
        lines.append(f"  {name}")
        for field_change in change["fields"]:
            before, after = field_change["before"], field_change["after"]
            if before is None and after is not None and field_change["field"].endswith("]"):
                lines.append(f"    {printable(field_change['field'])}: added {_value(after)}")
            elif after is None and before is not None and field_change["field"].endswith("]"):
                lines.append(f"    {printable(field_change['field'])}: removed {_value(before)}")
            else:
                lines.append(f"    {printable(field_change['field'])}: {_value(before)} -> {_value(after)}")
    return "\n".join(lines) + "\n"
