"""Effective inbound access, exactly as rules.md "Effective inbound access" defines it."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditor.model import AccessRule, App, DataKey

# Enum values are read as ``_value_`` here: ``.value`` is a Python-level property, and this code
# runs for every app (29 rules x 10,000 apps; bench/RESULTS.md: what it buys).
LEGACY_DENY_ALL_PRIORITY = 2147483647
EVERY_SOURCE_ADDRESSES = frozenset({"any", "0.0.0.0/0", "::/0"})
# Tags whose rule is an IP rule; ServiceTag and XffProxy rules match by tag/header, never every source.
IP_RULE_TAGS = frozenset({"", "default"})


class Exposure(enum.StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"
    PRIVATE = "private"
    INTERNAL = "internal"
    UNKNOWN = "unknown"


class Site(enum.StrEnum):
    MAIN = "main"
    SCM = "scm"


def rule_sources(rule: AccessRule) -> tuple[str, ...]:
    """The comma-separated sources of a (possibly multi-source) rule."""
    if not rule.ip_address:
        return ()
    parts = [part.strip() for part in rule.ip_address.split(",")]
    return tuple(part for part in parts if part)


def has_header_limits(rule: AccessRule) -> bool:
    return any(rule.headers.values())


def is_service_tag_rule(rule: AccessRule) -> bool:
    return (rule.tag or "").lower() == "servicetag"


def is_subnet_rule(rule: AccessRule) -> bool:
    return bool(rule.vnet_subnet_resource_id)


def is_allow(rule: AccessRule) -> bool:
    return rule.action.strip().lower() == "allow"


def matches_any_ip(rule: AccessRule) -> bool:
    """An IP rule (not a tag or subnet rule) whose sources include every address."""
    # A ServiceTag rule is not in IP_RULE_TAGS either. Called for every rule of every list by
    # several rules and the report, hence the flat form.
    address = rule.ip_address
    if rule.vnet_subnet_resource_id or (rule.tag or "").lower() not in IP_RULE_TAGS or not address:
        return False
    if "," not in address:
        return address.strip().lower() in EVERY_SOURCE_ADDRESSES
    return any(part.strip().lower() in EVERY_SOURCE_ADDRESSES for part in address.split(","))


def matches_every_source(rule: AccessRule) -> bool:
    """rules.md: ipAddress Any, 0.0.0.0/0 or ::/0 and no headers.

    A multi-source rule counts when one of its sources is such an address:
    that source alone already admits every client of its address family.
    """
    return matches_any_ip(rule) and not has_header_limits(rule)


def is_legacy_deny_all(rule: AccessRule) -> bool:
    return matches_every_source(rule) and not is_allow(rule) and rule.priority == LEGACY_DENY_ALL_PRIORITY


def _priority_order(rule: AccessRule) -> tuple[bool, int, int]:
    return (rule.priority is None, rule.priority or 0, rule.position)


def evaluation_order(rules: Iterable[AccessRule]) -> tuple[AccessRule, ...]:
    """Ascending priority; ties keep the API's order. A rule without priority goes last."""
    return tuple(sorted(rules, key=_priority_order))


def rule_summary(rule: AccessRule) -> dict[str, Any]:
    return {
        "position": rule.position,
        "name": rule.name,
        "priority": rule.priority,
        "action": rule.action,
        "ip_address": rule.ip_address,
        "tag": rule.tag,
        "vnet_subnet_resource_id": rule.vnet_subnet_resource_id,
        "headers": (
            {name: list(values) for name, values in sorted(rule.headers.items())} if rule.headers else {}
        ),
    }


@dataclass(frozen=True, slots=True)
class InboundVerdict:
    site: Site
    exposure: Exposure
    # Why, as a stable code: public-network-access-disabled, private-endpoint, internal-ase,
    # allow-all-rule, deny-all-rule, legacy-deny-all, default-allow, default-deny, no-rules,
    # implicit-deny, config-unreadable, private-endpoints-unreadable, ase-unreadable,
    # unrecognized-default-action.
    reason: str
    # What decided: publicNetworkAccess, private endpoint, ase, rule, default action explicit,
    # default action implicit, unreadable.
    decided_by: str
    deciding_rule: AccessRule | None = None
    effective_default_action: str | None = None
    default_action_explicit: bool | None = None
    rules_in_effect: tuple[AccessRule, ...] = ()  # evaluation order; empty when steps 1-3 decided
    uses_main_rules: bool = False
    missing: tuple[DataKey, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site._value_,
            "exposure": self.exposure._value_,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "deciding_rule": rule_summary(self.deciding_rule) if self.deciding_rule is not None else None,
            "effective_default_action": self.effective_default_action,
            "default_action_explicit": self.default_action_explicit,
            "uses_main_rules": self.uses_main_rules,
            "missing": [key._value_ for key in self.missing],
        }


def _pna(app: App) -> str:
    return (app.public_network_access or "").strip().lower()


def _site_level(app: App) -> tuple[Exposure, str, str, tuple[DataKey, ...]] | None:
    """Steps 1-3, which need only site, private-endpoint and ASE data; None: go on to the rule walk."""
    public_network_access = _pna(app)
    if public_network_access == "disabled":
        return Exposure.PRIVATE, "public-network-access-disabled", "publicNetworkAccess", ()
    if not public_network_access:
        if app.private_endpoints is None:
            return (
                Exposure.UNKNOWN,
                "private-endpoints-unreadable",
                "unreadable",
                (DataKey.PRIVATE_ENDPOINTS,),
            )
        if any((pe.status or "").lower() == "approved" for pe in app.private_endpoints):
            return Exposure.PRIVATE, "private-endpoint", "private endpoint", ()
    if app.ase is not None:
        # ARM omits the mode for an external ASE as often as it sends "None": both mean external.
        mode = (app.ase.internal_load_balancing_mode or "none").strip().lower()
        if mode != "none":
            return Exposure.INTERNAL, "internal-ase", "ase", ()
    elif app.ase_id:
        return Exposure.UNKNOWN, "ase-unreadable", "unreadable", (DataKey.ASE,)
    return None


def _rule_walk(
    site: Site, ordered: tuple[AccessRule, ...], explicit_default: str | None, uses_main: bool
) -> InboundVerdict:
    """``ordered``: the site's rules in evaluation order."""
    for rule in ordered:
        if matches_every_source(rule):
            if is_allow(rule):
                exposure, reason = Exposure.PUBLIC, "allow-all-rule"
            elif is_legacy_deny_all(rule):
                exposure, reason = Exposure.RESTRICTED, "legacy-deny-all"
            else:
                exposure, reason = Exposure.RESTRICTED, "deny-all-rule"
            return InboundVerdict(
                site,
                exposure,
                reason,
                "rule",
                deciding_rule=rule,
                effective_default_action=_effective_default(ordered, explicit_default),
                default_action_explicit=bool(explicit_default),
                rules_in_effect=ordered,
                uses_main_rules=uses_main,
            )
    explicit = (explicit_default or "").strip()
    if explicit:
        if explicit.lower() == "allow":
            exposure, reason = Exposure.PUBLIC, "default-allow"
        elif explicit.lower() == "deny":
            exposure, reason = Exposure.RESTRICTED, "default-deny"
        else:
            exposure, reason = Exposure.UNKNOWN, "unrecognized-default-action"
        return InboundVerdict(
            site,
            exposure,
            reason,
            "default action explicit",
            effective_default_action=explicit,
            default_action_explicit=True,
            rules_in_effect=ordered,
            uses_main_rules=uses_main,
        )
    if ordered:
        exposure, reason, default = Exposure.RESTRICTED, "implicit-deny", "Deny"
    else:
        exposure, reason, default = Exposure.PUBLIC, "no-rules", "Allow"
    return InboundVerdict(
        site,
        exposure,
        reason,
        "default action implicit",
        effective_default_action=default,
        default_action_explicit=False,
        rules_in_effect=ordered,
        uses_main_rules=uses_main,
    )


def _effective_default(rules: tuple[AccessRule, ...], explicit_default: str | None) -> str:
    explicit = (explicit_default or "").strip()
    if explicit:
        return explicit
    return "Deny" if rules else "Allow"


def inbound_verdict(app: App, site: Site) -> InboundVerdict:
    main, scm = inbound_verdicts(app, rule_lists_in_effect(app))
    return main if site is Site.MAIN else scm


def inbound_verdicts(
    app: App, lists: dict[Site, tuple[AccessRule, ...]]
) -> tuple[InboundVerdict, InboundVerdict]:
    """Both sites' verdicts; ``lists``: ``rule_lists_in_effect(app)``, which the caller keeps."""
    site_level = _site_level(app)  # steps 1-3 are the same for both sites
    if site_level is not None:
        exposure, reason, decided_by, missing = site_level
        return (
            InboundVerdict(Site.MAIN, exposure, reason, decided_by, missing=missing),
            InboundVerdict(Site.SCM, exposure, reason, decided_by, missing=missing),
        )
    config = app.config
    if config is None:
        return (
            InboundVerdict(
                Site.MAIN, Exposure.UNKNOWN, "config-unreadable", "unreadable", missing=(DataKey.CONFIG,)
            ),
            InboundVerdict(
                Site.SCM, Exposure.UNKNOWN, "config-unreadable", "unreadable", missing=(DataKey.CONFIG,)
            ),
        )
    main_rules = lists[Site.MAIN]
    main = _rule_walk(Site.MAIN, main_rules, config.ip_security_restrictions_default_action, False)
    if config.scm_ip_security_restrictions_use_main:
        scm = _rule_walk(Site.SCM, main_rules, config.ip_security_restrictions_default_action, True)
    else:
        scm = _rule_walk(Site.SCM, lists[Site.SCM], config.scm_ip_security_restrictions_default_action, False)
    return main, scm


def rule_lists_in_effect(app: App) -> dict[Site, tuple[AccessRule, ...]]:
    """The lists the platform applies, in evaluation order: SCM's own list is ignored when it
    uses the main rules.

    Empty when config/web could not be read (callers check ``app.config`` first).
    """
    config = app.config
    if config is None:
        return {}
    lists = {Site.MAIN: evaluation_order(config.ip_security_restrictions)}
    if not config.scm_ip_security_restrictions_use_main:
        lists[Site.SCM] = evaluation_order(config.scm_ip_security_restrictions)
    return lists
