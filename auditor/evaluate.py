"""Inventory x matrix edition x rules -> the canonical JSON result (spec/output.md).

Every reporter renders this dict, and ``auditor report RESULT.json`` re-renders a
saved one, so it holds only JSON types and is sorted deterministically.
"""

from __future__ import annotations

import gc
import hashlib
import json
import json.encoder
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from auditor.counts import count_findings, fails_at_or_above
from auditor.exit_codes import EXIT_CANNOT_VOUCH, EXIT_FINDINGS, EXIT_OK
from auditor.fixes import fix_for
from auditor.matrix import DEFAULT_EDITION, Cell, load_edition
from auditor.model import (
    AccessRule,
    App,
    Function,
    Gap,
    HybridConnection,
    Inventory,
    PrivateEndpointConnection,
    Subnet,
)
from auditor.result_file import SCHEMA_VERSION
from auditor.result_types import Finding, Resource, Result, WaiverEntry
from auditor.result_types import Gap as GapEntry
from auditor.rules.base import SEVERITY_RANK, Outcome, Rule, Status
from auditor.rules.catalogue import RULES, rule_catalogue
from auditor.rules.facts import AppFacts, facts_for
from auditor.rules.inbound import InboundVerdict, Site, matches_every_source, rule_summary
from auditor.rules.outbound import IntegrationKind, OutboundVerdict

if TYPE_CHECKING:
    from auditor.policy import Policy, RequirementOutcome
    from auditor.waivers import Waiver

FAIL_ON_CHOICES = ("info", "low", "medium", "high", "never")

__all__ = [
    "FAIL_ON_CHOICES",
    "SCHEMA_VERSION",
    "evaluate",
    "exit_code",
    "fingerprint",
    "rule_catalogue",
]


def _iso(moment: datetime) -> str:
    # A naive datetime is taken as UTC: the CLI always passes aware ones.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _canonical_encoder() -> Callable[[Any], str]:
    """json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).

    json.dumps builds a JSONEncoder per call for these options, and JSONEncoder.encode builds
    its C encoder per call too: a third of the cost of a fingerprint. This one is built once.
    Without json's C accelerator, JSONEncoder.encode does the same.
    """
    encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:
        return encoder.encode
    # The arguments JSONEncoder.iterencode passes, without its circular-reference markers
    # (evidence is a tree built per outcome).
    chunks = make_encoder(
        None,
        encoder.default,
        json.encoder.encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    return lambda value: "".join(chunks(value, 0))


_CANONICAL = _canonical_encoder()


def canonical_json(value: Any) -> str:
    return _CANONICAL(value)


def fingerprint(rule_id: str, resource_id: str, evidence: Mapping[str, Any]) -> str:
    """Stable across runs, ARM casing changes and editions: only live-state evidence goes in."""
    canonical = _CANONICAL(evidence if type(evidence) is dict else dict(evidence))
    material = "\n".join((rule_id, resource_id.lower(), canonical))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


_SCALARS = (str, int, float, bool, type(None))


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most evidence values; isinstance against the ABCs below is slow
        return value
    if kind is dict:
        return {str(key): _jsonable(item) for key, item in value.items()}
    if kind is list:
        return [_jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(item) for item in value]
        return sorted(items, key=canonical_json) if isinstance(value, set | frozenset) else items
    return value


def _access_rule_entry(rule: AccessRule, deciding: AccessRule | None) -> dict[str, Any]:
    entry = rule_summary(rule)
    entry["description"] = rule.description
    entry["matches_every_source"] = matches_every_source(rule)
    # Equal rules have the same position: comparing that first spares the dataclass __eq__,
    # which builds and compares a tuple of every field, for all the other rules.
    entry["decides"] = deciding is not None and rule.position == deciding.position and rule == deciding
    return entry


def _access_rules(facts: AppFacts) -> dict[str, Any] | None:
    config = facts.app.config
    if config is None:
        return None
    # facts.rule_lists holds both lists in evaluation order (SCM's only when it has its own).
    main_rules = facts.rule_lists[Site.MAIN]
    scm_rules = main_rules if config.scm_ip_security_restrictions_use_main else facts.rule_lists[Site.SCM]
    main_deciding = facts.main.deciding_rule
    scm_deciding = facts.scm.deciding_rule
    main = [_access_rule_entry(rule, main_deciding) for rule in main_rules]
    # SCM on the main rules: the same list, and the same deciding rule, so the same entries.
    same = scm_rules is main_rules and scm_deciding is main_deciding
    return {
        "main": main,
        "scm": main if same else [_access_rule_entry(rule, scm_deciding) for rule in scm_rules],
        "scm_uses_main": config.scm_ip_security_restrictions_use_main,
        "main_default_action": config.ip_security_restrictions_default_action,
        "scm_default_action": config.scm_ip_security_restrictions_default_action,
    }


def _inbound_detail(verdict: InboundVerdict) -> dict[str, Any]:
    detail = verdict.as_dict()
    if verdict.deciding_rule is not None:
        rule = verdict.deciding_rule
        detail["deciding"] = f"rule {rule.name or '#' + str(rule.position)} (priority {rule.priority})"
    elif verdict.default_action_explicit is not None:  # the default action decided, explicit or implicit
        detail["deciding"] = f"{verdict.decided_by} ({verdict.effective_default_action})"
    else:
        detail["deciding"] = verdict.decided_by
    return detail


def _subnet_entry(subnet: Subnet) -> dict[str, Any]:
    return {
        "id": subnet.id,
        "name": subnet.name,
        "location": subnet.location,
        "address_prefixes": list(subnet.address_prefixes),
        "delegations": list(subnet.delegations),
        "service_endpoints": list(subnet.service_endpoints),
        "private_endpoint_ids": list(subnet.private_endpoint_ids),
        "network_security_group_id": subnet.network_security_group_id,
        "route_table_id": subnet.route_table_id,
        "nat_gateway_id": subnet.nat_gateway_id,
    }


def _outbound_detail(outbound: OutboundVerdict) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "reason": outbound.reason,
        "message": outbound.message,
        "missing": [key._value_ for key in outbound.missing],
    }
    # Optional: the NSG rule and default route that decided the verdict, when the subnet was
    # judged; the network picture names them on the egress path.
    evidence = outbound.evidence
    if "deciding_nsg_rule" in evidence:
        detail["nsg_rule"] = _jsonable(evidence["deciding_nsg_rule"])
    if "default_route" in evidence:
        detail["default_route"] = _jsonable(evidence["default_route"])
    return detail


def _private_endpoint_order(pe: PrivateEndpointConnection) -> str:
    return pe.id.lower()


def _hybrid_connection_order(hc: HybridConnection) -> tuple[str, int, str]:
    return (hc.hostname.lower(), hc.port, hc.name)


def _function_order(function: Function) -> str:
    return function.name.lower()


def _function_entry(function: Function) -> dict[str, Any]:
    return {
        "name": function.name,
        "triggers": [
            {"type": trigger.type, "auth_level": trigger.auth_level} for trigger in function.triggers
        ],
    }


class _ResourceBuilder:
    """Builds the resource entries of one evaluation.

    Plans, App Service Environments and subnets are shared by many apps (the collector reads
    each once): the entry of each is built once and shared by the resources that name it.
    Enum values are read as ``_value_``: the ``value`` property costs a Python call each time.
    """

    def __init__(self) -> None:
        # Keyed by id(): the inventory, which holds the objects, outlives the builder.
        self._plans: dict[int, dict[str, Any]] = {}
        self._ases: dict[int, dict[str, Any]] = {}
        self._subnets: dict[int, dict[str, Any]] = {}

    def _plan(self, app: App) -> dict[str, Any] | None:
        plan = app.plan
        if plan is None:
            return {"id": app.plan_id, "sku": None, "tier": None} if app.plan_id else None
        entry = self._plans.get(id(plan))
        if entry is None:
            entry = self._plans[id(plan)] = {"id": plan.id, "sku": plan.sku_name, "tier": plan.tier}
        return entry

    def _ase(self, app: App) -> dict[str, Any] | None:
        ase = app.ase
        if ase is None:
            return (
                {"id": app.ase_id, "kind": None, "internal_load_balancing_mode": None} if app.ase_id else None
            )
        entry = self._ases.get(id(ase))
        if entry is None:
            entry = self._ases[id(ase)] = {
                "id": ase.id,
                "kind": ase.kind,
                "internal_load_balancing_mode": ase.internal_load_balancing_mode,
                # The ASE's subnet is its apps' egress path (NSG, route table, NAT gateway):
                # the HTML report's network picture draws it as an app's integration subnet.
                "subnet_id": ase.subnet_id,
                "subnet": self._subnet(ase.subnet),
            }
        return entry

    def _subnet(self, subnet: Subnet | None) -> dict[str, Any] | None:
        if subnet is None:
            return None
        entry = self._subnets.get(id(subnet))
        if entry is None:
            entry = self._subnets[id(subnet)] = _subnet_entry(subnet)
        return entry

    def resource(self, facts: AppFacts) -> Resource:
        app = facts.app
        integ = facts.integration
        kind = integ.kind
        regional = kind is IntegrationKind.REGIONAL
        outbound = facts.outbound
        private_endpoints = app.private_endpoints
        hybrid_connections = app.hybrid_connections
        functions = app.functions
        return {
            "id": app.id,
            "name": app.name,
            "slot": app.slot,
            "subscription_id": app.subscription_id,
            "resource_group": app.resource_group,
            "location": app.location,
            "kind": app.kind,
            "os": app.os,
            "is_container": app.is_container,
            "hosting": app.hosting._value_,
            "plan": self._plan(app),
            "ase": self._ase(app),
            "public_network_access": app.public_network_access,
            "https_only": app.https_only,
            "inbound": {"main": facts.main.exposure._value_, "scm": facts.scm.exposure._value_},
            "inbound_detail": {"main": _inbound_detail(facts.main), "scm": _inbound_detail(facts.scm)},
            "access_rules": _access_rules(facts),
            "outbound": outbound.status._value_,
            "outbound_detail": _outbound_detail(outbound),
            "vnet_integration": {
                "kind": kind._value_,
                "subnet_id": integ.subnet_id if regional else None,
                "gateway_vnets": list(integ.gateway_vnet_ids),
                "route_all": facts.route_all.enabled if regional else None,
            },
            "private_endpoints": (
                None
                if private_endpoints is None
                else [
                    {"id": pe.id, "private_endpoint_id": pe.private_endpoint_id, "status": pe.status}
                    for pe in (
                        sorted(private_endpoints, key=_private_endpoint_order)
                        if len(private_endpoints) > 1
                        else private_endpoints
                    )
                ]
            ),
            "hybrid_connections": (
                None
                if hybrid_connections is None
                else [
                    {
                        "name": hc.name,
                        "namespace": hc.namespace,
                        "relay_name": hc.relay_name,
                        "hostname": hc.hostname,
                        "port": hc.port,
                    }
                    for hc in (
                        sorted(hybrid_connections, key=_hybrid_connection_order)
                        if len(hybrid_connections) > 1
                        else hybrid_connections
                    )
                ]
            ),
            "functions": (
                None
                if functions is None
                else [
                    _function_entry(function)
                    for function in (
                        sorted(functions, key=_function_order) if len(functions) > 1 else functions
                    )
                ]
            ),
            "subnet": self._subnet(app.integration_subnet),
            "missing": {key._value_: reason for key, reason in sorted(app.missing.items())}
            if app.missing
            else {},
            # Skipped on purpose (no rule could use it), distinct from ``missing`` (failed).
            "not_read": (
                {key._value_: reason for key, reason in sorted(app.not_read.items())} if app.not_read else {}
            ),
        }


def _reference(rule: Rule, outcome: Outcome, edition: str) -> dict[str, Any]:
    """The public page a user can open: the matrix cell's when the rule judged against one."""
    cell = outcome.cell
    if cell is not None:
        return {
            "edition": edition,
            "doc": cell.doc,
            "section": cell.section,
            "url": cell.url,
            "basis": cell.basis,
        }
    return {"edition": edition, **rule.reference.as_dict()}


def _matrix_cell(cell: Cell) -> dict[str, Any]:
    return {
        "edition": cell.edition,
        "feature": cell.feature.value,
        "hosting": cell.hosting.value,
        "value": cell.value.value,
        "qualifiers": cell.qualifiers(),
        "note": cell.note,
        "source": cell.source,
        "url": cell.url,
    }


class _FindingBuilder:
    """Builds the findings of one evaluation.

    A finding's ``reference`` and ``matrix_cell`` depend only on its rule, its matrix cell and
    the edition: each distinct one is built once and shared by the findings that cite it (the
    result is read, never modified in place, by every reporter; waivers only add top-level keys).
    """

    def __init__(self, edition: str) -> None:
        self.edition = edition
        self._references: dict[tuple[str, int], dict[str, Any]] = {}
        self._cells: dict[int, dict[str, Any]] = {}
        self._kept: list[Cell] = []  # the cells whose id() keys the caches stay alive

    def _cell_parts(self, rule: Rule, outcome: Outcome) -> tuple[dict[str, Any], dict[str, Any] | None]:
        cell = outcome.cell
        key = (rule.id, id(cell))
        reference = self._references.get(key)
        if reference is None:
            reference = self._references[key] = _reference(rule, outcome, self.edition)
        if cell is None:
            return reference, None
        matrix_cell = self._cells.get(id(cell))
        if matrix_cell is None:
            matrix_cell = self._cells[id(cell)] = _matrix_cell(cell)
            self._kept.append(cell)
        return reference, matrix_cell

    def finding(self, rule: Rule, app: App, outcome: Outcome) -> Finding:
        evidence = _jsonable(outcome.evidence)
        reference, matrix_cell = self._cell_parts(rule, outcome)
        finding: Finding = {
            "rule_id": rule.id,
            "category": rule.category._value_,  # ._value_: the .value property is slow, per finding
            "severity": rule.severity._value_,
            "status": outcome.status._value_,
            "resource_id": app.id,
            "resource_name": app.name,
            "title": rule.title,
            "message": outcome.message,
            "evidence": evidence,
            "reference": reference,
            "remediation": rule.remediation,
            "fingerprint": fingerprint(rule.id, app.id, evidence),
        }
        if matrix_cell is not None:
            finding["matrix_cell"] = matrix_cell
        fix = fix_for(rule.id, finding["status"], app.id, evidence)
        if fix is not None:
            finding["fix"] = fix
        return finding


def _policy_finding(app: App, outcome: RequirementOutcome, edition: str, policy: Policy) -> Finding:
    requirement = outcome.requirement
    evidence = _jsonable(outcome.evidence)
    return {
        "rule_id": requirement.rule_id,
        "category": "drift",
        "severity": requirement.severity.value,
        "status": outcome.status.value,
        "resource_id": app.id,
        "resource_name": app.name,
        "title": requirement.description or f"Policy requirement {requirement.name}",
        "message": outcome.message,
        "evidence": evidence,
        "reference": {"edition": edition, "doc": str(policy.path), "section": f"line {requirement.line}"},
        "remediation": "Bring the app in line with the organisation's policy, or change the policy "
        f"requirement {requirement.name!r} (line {requirement.line}) if it no longer applies.",
        "fingerprint": fingerprint(requirement.rule_id, app.id, evidence),
    }


def _gap_entry(gap: Gap, unknown_rules: list[str]) -> GapEntry:
    return {
        "subscription_id": gap.subscription_id,
        "resource_id": gap.resource_id,
        "operation": gap.operation,
        "status": gap.status,
        "reason": gap.reason,
        "affects": [key.value for key in gap.affects],
        "rules_unknown": unknown_rules,
    }


def _rules_made_unknown(gap: Gap, unknowns: list[tuple[App, Rule, Outcome]]) -> list[str]:
    """Rules left unknown by data this gap prevented (on its app, or on any app of its subscription)."""
    affected: set[str] = set()
    for app, rule, outcome in unknowns:
        if gap.resource_id is not None:
            related = gap.resource_id.lower() in (
                app.id.lower(),
                (app.plan_id or "").lower(),
                (app.ase_id or "").lower(),
            )
        else:
            related = gap.subscription_id.lower() == app.subscription_id.lower()
        if related and set(outcome.missing) & set(gap.affects):
            affected.add(rule.id)
    return sorted(affected)


# By value: building a Severity per finding to sort costs more than the rest of the key.
_RANK_BY_VALUE = {severity.value: rank for severity, rank in SEVERITY_RANK.items()}


def _severity_order(finding: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        -_RANK_BY_VALUE[finding["severity"]],
        finding["status"] != "fail",
        finding["rule_id"],
        str(finding["resource_id"]).lower(),
    )


def evaluate(
    inventory: Inventory,
    *,
    edition: str = DEFAULT_EDITION,
    started_at: datetime,
    finished_at: datetime,
    include_passed: bool = False,
    tool_version: str,
    cloud: str | None = None,
    policy: Policy | None = None,
    waivers: Sequence[Waiver] | None = None,
) -> Result:
    """Run every rule on every app and build the canonical result (spec/output.md).

    ``policy`` adds a ``policy/<name>`` finding (category drift) per unmet requirement;
    ``waivers`` mark the findings they cover (``waived``) and add a top-level ``waivers`` section,
    judged on the UTC date the audit started.
    """
    # The result is a tree of fresh dicts and lists with no reference cycles, yet building it
    # for 10,000 resources sets off the cyclic GC dozens of times, each pass walking the whole
    # inventory: a third of the time (bench/evaluation.py). Paused here, resumed on the way out.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(
            inventory,
            edition=edition,
            started_at=started_at,
            finished_at=finished_at,
            include_passed=include_passed,
            tool_version=tool_version,
            cloud=cloud,
            policy=policy,
            waivers=waivers,
        )
    finally:
        _promote_to_oldest_generation()
        if paused:
            gc.enable()


def _promote_to_oldest_generation() -> None:
    """Move what evaluation left in the young generations straight to the oldest one.

    With the collector paused, the whole result (hundreds of thousands of containers) sits in
    the youngest generation; once resumed, the next allocations would walk it there, again in
    the middle generation, and once more in a full pass, which made the JSON rendering that
    follows a quarter slower. freeze() then unfreeze() moves every tracked object to the oldest
    generation without a pass; any cyclic garbage among them is still found, by the next full
    collection. Skipped when the process has frozen objects of its own (unfreeze would release them).
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def _evaluate(
    inventory: Inventory,
    *,
    edition: str,
    started_at: datetime,
    finished_at: datetime,
    include_passed: bool,
    tool_version: str,
    cloud: str | None,
    policy: Policy | None,
    waivers: Sequence[Waiver] | None,
) -> Result:
    load_edition(edition)  # an unknown edition fails here, before any rule runs
    apps = sorted(inventory.apps, key=lambda app: app.id.lower())
    resources: list[Resource] = []
    findings: list[Finding] = []
    status_counts: dict[Status, int] = dict.fromkeys(Status, 0)
    unknowns: list[tuple[App, Rule, Outcome]] = []
    builder = _FindingBuilder(edition)
    resource_builder = _ResourceBuilder()
    # Rule.evaluate, unrolled: a rule outside this edition has the same outcome on every app.
    checks = [
        (rule, rule.check if rule.applies_to(edition) else None, rule.outside_editions(edition))
        for rule in RULES
    ]
    fail, unknown, passed = Status.FAIL, Status.UNKNOWN, Status.PASS
    listed = (fail, unknown, passed) if include_passed else (fail, unknown)
    for app in apps:
        facts = facts_for(app, edition)
        resources.append(resource_builder.resource(facts))
        for rule, check, outside in checks:
            outcome = outside if check is None else check(facts)
            status = outcome.status
            status_counts[status] += 1
            if status in listed:
                if status is unknown:
                    unknowns.append((app, rule, outcome))
                findings.append(builder.finding(rule, app, outcome))
        if policy is not None:
            from auditor.policy import requirement_outcomes

            for requirement_outcome in requirement_outcomes(policy, facts):
                status_counts[requirement_outcome.status] += 1
                if requirement_outcome.status is not Status.PASS or include_passed:
                    findings.append(_policy_finding(app, requirement_outcome, edition, policy))
    findings.sort(key=_severity_order)
    waiver_section: list[WaiverEntry] | None = None
    if waivers is not None:
        from auditor.waivers import apply_waivers

        aware = started_at if started_at.tzinfo is not None else started_at.replace(tzinfo=UTC)
        waiver_section = apply_waivers(findings, waivers, aware.astimezone(UTC).date())
    # Waived findings stay listed but count as neither failing nor unknown (auditor/counts.py).
    counts = count_findings(findings)
    gaps = sorted(
        (_gap_entry(gap, _rules_made_unknown(gap, unknowns)) for gap in inventory.gaps),
        key=lambda gap: (
            gap["subscription_id"].lower(),
            (gap["resource_id"] or "").lower(),
            gap["operation"],
            gap["status"] if gap["status"] is not None else -1,
            gap["reason"],
        ),
    )
    # Every fail and unknown outcome is listed, so the counted and waived ones split those tallies.
    by_status = {status.value: status_counts[status] for status in Status}
    by_status[Status.FAIL.value] = counts.failing
    by_status[Status.UNKNOWN.value] = counts.unknown
    by_status["waived"] = counts.waived
    by_hosting = {
        hosting.value: count for hosting, count in sorted(Counter(app.hosting for app in apps).items())
    }
    result: Result = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": tool_version},
        "edition": edition,
        "started_at": _iso(started_at),
        "finished_at": _iso(finished_at),
        "subscriptions": [
            {"id": scan.id, "status": scan.status, "error": scan.error}
            for scan in sorted(inventory.subscriptions, key=lambda scan: scan.id.lower())
        ],
        "resources": resources,
        "findings": findings,
        "gaps": gaps,
        "summary": {
            "resources": len(resources),
            "failing": counts.failing,
            "unknown": counts.unknown,
            "waived": counts.waived,
            "by_severity": counts.failing_by_severity,
            "by_hosting": by_hosting,
            "by_status": by_status,
            "by_category": counts.failing_by_category,
            "arm_calls": inventory.arm_calls,
        },
    }
    if cloud is not None:
        result["cloud"] = cloud
    if policy is not None:
        result["policy"] = {
            "path": str(policy.path),
            "requirements": [requirement.name for requirement in policy.requirements],
        }
    if waiver_section is not None:
        result["waivers"] = waiver_section
    return result


def exit_code(result: Result | Mapping[str, Any], fail_on: str) -> int:
    """0 clean, 1 failing finding at or above ``fail_on``, 3 cannot vouch.

    3 wins over 1: when a subscription failed or data is missing, the findings
    are incomplete, and a job must not read "1" as "these are all the problems".
    """
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, not {fail_on!r}")
    if any(scan.get("status") == "error" for scan in result.get("subscriptions", ())) or result.get("gaps"):
        return EXIT_CANNOT_VOUCH
    if fail_on == "never":
        return EXIT_OK
    if any(fails_at_or_above(finding, fail_on) for finding in result.get("findings", ())):
        return EXIT_FINDINGS
    return EXIT_OK
