"""Platform-limit drift rules (rules.md, "Drift rules"): integration subnets, access-rule counts."""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from auditor import docs
from auditor.matrix import Feature
from auditor.model import AccessRule, DataKey, Hosting, SiteConfig
from auditor.rules.base import (
    Category,
    Outcome,
    Reference,
    Rule,
    Severity,
    fail,
    not_applicable,
    passed,
    unknown,
    unknown_without_read,
)
from auditor.rules.facts import AppFacts
from auditor.rules.inbound import Site, rule_sources

# Enum values are read as ``_value_`` here: ``.value`` is a Python-level property, and this code
# runs for every app (29 rules x 10,000 apps; bench/RESULTS.md: what it buys).
MAX_ACCESS_RULES = 512


MAX_RULE_SOURCES = 8


MAX_HEADER_VALUES = 8


FLEX_DELEGATION = "microsoft.app/environments"


SERVER_FARM_DELEGATION = "microsoft.web/serverfarms"


# Cached: many apps share an integration subnet, and parsing a network is slow.
@functools.lru_cache(maxsize=1024)
def _ipv4_prefix_length(prefix: str) -> int | None:
    try:
        network = ipaddress.ip_network(prefix.strip(), strict=False)
    except ValueError:
        return None
    return network.prefixlen if network.version == 4 else None


def _same_region(first: str, second: str) -> bool:
    return first.replace(" ", "").lower() == second.replace(" ", "").lower()


def check_integration_subnet_invalid(facts: AppFacts) -> Outcome:
    app = facts.app
    if not facts.integration.regional:
        return not_applicable("No regional VNet integration.")
    subnet = app.integration_subnet
    if subnet is None:
        return unknown(app, (DataKey.SUBNET,), "the integration subnet")
    problems: dict[str, Any] = {}
    undecided: list[str] = []
    delegations = [name.lower() for name in subnet.delegations]
    flex = app.hosting is Hosting.FLEX_CONSUMPTION
    if app.hosting is Hosting.UNKNOWN:
        if not {FLEX_DELEGATION, SERVER_FARM_DELEGATION} & set(delegations):
            problems["delegations"] = list(subnet.delegations)
        else:
            undecided.append("delegation and minimum size depend on the plan, which could not be read")
    else:
        expected = FLEX_DELEGATION if flex else SERVER_FARM_DELEGATION
        if expected not in delegations:
            problems["delegations"] = list(subnet.delegations)
            problems["expected_delegation"] = (
                "Microsoft.App/environments" if flex else "Microsoft.Web/serverFarms"
            )
        ipv4_lengths = [
            length for length in map(_ipv4_prefix_length, subnet.address_prefixes) if length is not None
        ]
        minimum = 27 if flex else 28
        if not ipv4_lengths:
            undecided.append("the subnet reported no IPv4 address prefix")
        elif min(ipv4_lengths) > minimum:
            problems["address_prefixes"] = list(subnet.address_prefixes)
            problems["minimum_prefix"] = f"/{minimum}"
    if subnet.location is None:
        undecided.append("the subnet's region is unknown")
    elif not _same_region(subnet.location, app.location):
        problems["subnet_location"] = subnet.location
        problems["app_location"] = app.location
    if subnet.private_endpoint_ids:
        problems["private_endpoint_ids"] = sorted(subnet.private_endpoint_ids)
    evidence = {"subnet": subnet.id, **problems}
    if problems:
        reasons = []
        if "delegations" in problems:
            reasons.append(
                f"not delegated to {problems['expected_delegation']}"
                if "expected_delegation" in problems
                else "not delegated to Microsoft.Web/serverFarms or Microsoft.App/environments"
            )
        if "address_prefixes" in problems:
            reasons.append(
                f"{', '.join(subnet.address_prefixes)} is smaller than {problems['minimum_prefix']}"
            )
        if "subnet_location" in problems:
            reasons.append(f"it lies in {subnet.location}, the app in {app.location}")
        if "private_endpoint_ids" in problems:
            reasons.append(f"it also hosts {len(subnet.private_endpoint_ids)} private endpoint(s)")
        return fail(f"The integration subnet {subnet.name} is invalid: {'; '.join(reasons)}.", evidence)
    if undecided:
        return unknown_without_read(
            f"Cannot fully check subnet {subnet.name}: {'; '.join(undecided)}.", evidence
        )
    return passed(f"The integration subnet {subnet.name} meets the hard requirements.", evidence)


def _all_stored_lists(config: SiteConfig) -> dict[Site, tuple[AccessRule, ...]]:
    return {Site.MAIN: config.ip_security_restrictions, Site.SCM: config.scm_ip_security_restrictions}


def check_access_rule_limits(facts: AppFacts) -> Outcome:
    config = facts.app.config
    if config is None:
        return unknown(facts.app, (DataKey.CONFIG,), "the access restrictions (config/web)")
    lists = _all_stored_lists(config)
    if not any(lists.values()):
        return not_applicable("No access rules.")
    problems: list[dict[str, Any]] = []
    for site, rules in lists.items():
        if len(rules) > MAX_ACCESS_RULES:
            problems.append(
                {"site": site._value_, "limit": "rules", "count": len(rules), "max": MAX_ACCESS_RULES}
            )
        for rule in rules:
            # n commas make at most n + 1 sources: only a rule with enough commas is split.
            sources = rule_sources(rule) if (rule.ip_address or "").count(",") >= MAX_RULE_SOURCES else ()
            if len(sources) > MAX_RULE_SOURCES:
                problems.append(
                    {
                        "site": site._value_,
                        "limit": "sources",
                        "rule": rule.name,
                        "position": rule.position,
                        "count": len(sources),
                        "max": MAX_RULE_SOURCES,
                    }
                )
            for header, values in sorted(rule.headers.items()) if rule.headers else ():
                if len(values) > MAX_HEADER_VALUES:
                    problems.append(
                        {
                            "site": site._value_,
                            "limit": "header values",
                            "rule": rule.name,
                            "position": rule.position,
                            "header": header,
                            "count": len(values),
                            "max": MAX_HEADER_VALUES,
                        }
                    )
    if problems:
        return fail(f"{len(problems)} access-restriction limit(s) exceeded.", {"exceeded": problems})
    return passed("Access rules are within the documented limits.")


INTEGRATION_SUBNET_INVALID = Rule(
    id="drift/integration-subnet-invalid",
    category=Category.DRIFT,
    severity=Severity.MEDIUM,
    title="Integration subnet breaks a hard requirement",
    rationale="The integration subnet must be delegated (Microsoft.Web/serverFarms; Flex: Microsoft.App/"
    "environments), at least /28 (Flex /27), in the app's region, and not host private endpoints.",
    remediation="`az network vnet subnet update -g <rg> --vnet-name <vnet> -n <subnet> --delegations "
    "Microsoft.Web/serverFarms` (Flex: Microsoft.App/environments), or integrate with a correctly sized, "
    "same-region, dedicated subnet.",
    reference=Reference(
        docs.FUNCTIONS_NETWORKING,
        "Subnets",
        "subnets",
        basis="S6, S16; R-VNI-01, R-VNI-02, R-VNI-05, R-VNI-06, R-FLEX-01, R-FLEX-05",
    ),
    matrix_feature=Feature.REGIONAL_VNET_INTEGRATION,
    check=check_integration_subnet_invalid,
)


ACCESS_RULE_LIMITS = Rule(
    id="drift/access-rule-limits",
    category=Category.DRIFT,
    severity=Severity.LOW,
    title="Access restriction limits exceeded",
    rationale="The docs allow at most 512 rules, 8 sources per rule and 8 values per header; beyond that the "
    "platform may reject or ignore the configuration.",
    remediation="Consolidate rules (multi-source rules, service tags) and remove surplus ones with "
    "`az functionapp config access-restriction remove -g <rg> -n <app> --rule-name <name>`.",
    reference=Reference(
        docs.IP_RESTRICTIONS,
        "Add an access restriction rule (the 512-rule limit); Multi-source rules; Filter by http header",
        "add-an-access-restriction-rule",
        basis="S20, S21; R-AR-04, R-AR-05, R-AR-06",
    ),
    check=check_access_rule_limits,
)
