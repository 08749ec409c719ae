"""Agreed exceptions: a waived finding stays in the result, marked, and stops counting for the exit code.

A waivers file (``--waivers waivers.yaml``)::

    waivers:
      - rule: risk/ftp-allowed                      # a rule id (or policy/<name>); globs allowed
        resource: "*/resourceGroups/rg-legacy/*"    # an exact resource id, or a glob; case-insensitive
        reason: Vendor tool uploads over FTPS only until the migration in Q1.
        owner: platform-team@contoso.com
        expires: 2026-12-31                         # last day the waiver applies (UTC)

A waiver whose rule and resource patterns both cover everything (``rule: "*"``, ``resource: "*"``)
would silently switch the audit off; it is refused unless it says ``all: true``.

An expired waiver no longer applies: its findings count again and carry ``waiver_expired``. A
waiver that matches no finding is reported as ``stale`` so the file does not silently rot.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from auditor.result_types import Finding, WaiverEntry, WaiverMark
from auditor.yamlfile import YamlInputError, boolean, compose_file, fail, iso_date, mapping, sequence, text

__all__ = ["Waiver", "WaiverError", "apply_waivers", "load_waivers"]

WaiverError = YamlInputError
_GLOB_CHARS = frozenset("*?[")
# Resource ids no real waiver names: a resource pattern matching them matches every function app.
_PROBE_RESOURCE_IDS = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/zq-probe-group"
    "/providers/Microsoft.Web/sites/zq-probe-app",
    "/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/x"
    "/providers/Microsoft.Web/sites/y/slots/z",
)


@dataclass(frozen=True)
class Waiver:
    rule: str
    resource: str
    reason: str
    owner: str
    expires: date
    line: int

    def matches(self, finding: Mapping[str, Any]) -> bool:
        rule_id = str(finding.get("rule_id", "")).lower()
        resource_id = str(finding.get("resource_id", "")).lower()
        return fnmatch.fnmatchcase(rule_id, self.rule.lower()) and fnmatch.fnmatchcase(
            resource_id, self.resource.lower()
        )

    def expired_on(self, today: date) -> bool:
        return self.expires < today

    def as_mark(self) -> WaiverMark:
        return {"reason": self.reason, "owner": self.owner, "expires": self.expires.isoformat()}


def load_waivers(path: Path, known_rules: Iterable[str]) -> tuple[Waiver, ...]:
    """Read and validate a waivers file; ``known_rules`` catches a mistyped rule id at its line."""
    known = {rule.lower() for rule in known_rules}
    root = compose_file(path)
    entries = mapping(path, root, "waivers file", allowed=("waivers",), required=("waivers",))
    waivers = []
    for index, node in enumerate(sequence(path, entries["waivers"][1], "waivers")):
        what = f"waiver #{index + 1}"
        fields = mapping(
            path,
            node,
            what,
            allowed=("rule", "resource", "reason", "owner", "expires", "all"),
            required=("rule", "resource", "reason", "owner", "expires"),
        )
        rule_node = fields["rule"][1]
        rule = text(path, rule_node, f"{what}: rule")
        is_glob = bool(_GLOB_CHARS & set(rule))
        if not is_glob and rule.lower() not in known and not rule.lower().startswith("policy/"):
            raise fail(path, rule_node, f"{what}: unknown rule id {rule!r} (see `auditor rules`)")
        waiver = Waiver(
            rule=rule,
            resource=text(path, fields["resource"][1], f"{what}: resource"),
            reason=text(path, fields["reason"][1], f"{what}: reason"),
            owner=text(path, fields["owner"][1], f"{what}: owner"),
            expires=iso_date(path, fields["expires"][1], f"{what}: expires"),
            line=node.start_mark.line + 1,
        )
        confirmed = "all" in fields and boolean(path, fields["all"][1], f"{what}: all")
        if not confirmed and _waives_everything(waiver, known):
            raise fail(
                path,
                node,
                f"{what} waives every finding (rule {rule!r} for resource {waiver.resource!r}); "
                "narrow it, or add `all: true` if that is really meant",
            )
        waivers.append(waiver)
    return tuple(waivers)


def _waives_everything(waiver: Waiver, known_rules: Iterable[str]) -> bool:
    """True when the rule pattern covers every rule and the resource pattern any function app."""
    rules = [*known_rules, "policy/zq-probe"]
    return all(
        waiver.matches({"rule_id": rule, "resource_id": resource_id})
        for rule in rules
        for resource_id in _PROBE_RESOURCE_IDS
    )


def apply_waivers(findings: Sequence[Finding], waivers: Sequence[Waiver], today: date) -> list[WaiverEntry]:
    """Mark the findings the waivers cover and return the ``waivers`` section of the result.

    The first active waiver (in file order) that matches a finding marks it ``waived``; a finding
    only an expired waiver matches is marked ``waiver_expired`` and counts as any other.
    """
    matched = [0] * len(waivers)
    for finding in findings:
        finding.pop("waived", None)
        finding.pop("waiver_expired", None)
        for index, waiver in enumerate(waivers):
            if not waiver.matches(finding):
                continue
            matched[index] += 1
            if waiver.expired_on(today):
                finding.setdefault("waiver_expired", waiver.as_mark())
            elif "waived" not in finding:
                finding["waived"] = waiver.as_mark()
        if "waived" in finding:
            # An active waiver wins over an expired one for the same finding.
            finding.pop("waiver_expired", None)
    section: list[WaiverEntry] = []
    for index, waiver in enumerate(waivers):
        status: Literal["active", "expired", "stale"]
        if waiver.expired_on(today):
            status = "expired"
        elif matched[index] == 0:
            status = "stale"
        else:
            status = "active"
        section.append(
            {
                "rule_id": waiver.rule,
                "resource": waiver.resource,
                "reason": waiver.reason,
                "owner": waiver.owner,
                "expires": waiver.expires.isoformat(),
                "status": status,
                "matches": matched[index],
                "line": waiver.line,
            }
        )
    return section


def waiver_note(finding: Mapping[str, Any]) -> str | None:
    """The line every reporter shows for a waived finding (or one whose waiver has expired)."""
    for key, template in (
        ("waived", "waived until {expires} ({owner}): {reason}"),
        ("waiver_expired", "waiver expired on {expires} ({owner}): {reason}"),
    ):
        mark = finding.get(key)
        if isinstance(mark, Mapping):
            return template.format(
                expires=mark.get("expires"), owner=mark.get("owner"), reason=mark.get("reason")
            )
    return None
