"""The organisation's baseline policy: requirements per scope, each unmet one a ``policy/<name>`` finding.

A policy file (``--policy policy.yaml``)::

    version: 1
    requirements:
      - name: prod-inbound-private          # the finding is policy/prod-inbound-private
        description: Production apps are reachable only through private endpoints or an ILB ASE.
        severity: high                      # info | low | medium (default) | high
        scope:                              # every key given must match; none given = every app
          subscriptions: [00000000-0000-0000-0000-000000000000]
          resource_groups: ["rg-*-prod"]    # globs, case-insensitive
          names: ["func-*"]                 # app name ("app" or "app/slot"), globs
          tags: {env: prod}                 # tag value glob; "*" = the tag is present
        require:                            # every check given must hold
          inbound: [private, internal]      # allowed main-site exposures
          scm_inbound: [restricted, private, internal]
          outbound: controlled
          hosting: [premium, dedicated, ase, flex_consumption]
          hybrid_connections: false         # forbidden
          route_all: true
          min_tls: "1.2"                    # main and SCM sites

The live values are the ones the rules already derived (``AppFacts``), so "inbound" here means
exactly what the ``inbound`` column of every report shows.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.model import App, Hosting
from auditor.rules.base import Severity, Status
from auditor.rules.facts import AppFacts
from auditor.rules.inbound import Exposure
from auditor.rules.outbound import IntegrationKind
from auditor.yamlfile import (
    YamlInputError,
    boolean,
    compose_file,
    fail,
    mapping,
    sequence,
    text,
    texts,
)

__all__ = ["Policy", "PolicyError", "Requirement", "load_policy", "requirement_outcomes"]

PolicyError = YamlInputError
POLICY_VERSION = 1
RULE_PREFIX = "policy/"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_EXPOSURES = tuple(value.value for value in Exposure if value is not Exposure.UNKNOWN)
_HOSTINGS = tuple(value.value for value in Hosting if value is not Hosting.UNKNOWN)
_TLS = re.compile(r"^1\.[0-3]$")


@dataclass(frozen=True)
class Scope:
    subscriptions: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)

    def matches(self, app: App) -> bool:
        if self.subscriptions and app.subscription_id.lower() not in self.subscriptions:
            return False
        if self.resource_groups and not _any_glob(app.resource_group, self.resource_groups):
            return False
        if self.names and not _any_glob(app.name, self.names):
            return False
        tags = {key.lower(): value for key, value in app.tags.items()}
        return all(
            key.lower() in tags and fnmatch.fnmatchcase(tags[key.lower()].lower(), pattern.lower())
            for key, pattern in self.tags.items()
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "subscriptions": list(self.subscriptions),
            "resource_groups": list(self.resource_groups),
            "names": list(self.names),
            "tags": dict(self.tags),
        }


def _any_glob(value: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), pattern.lower()) for pattern in patterns)


@dataclass(frozen=True)
class Requirement:
    name: str
    description: str | None
    severity: Severity
    scope: Scope
    # check name -> the required value, as written in the file (a list for "one of")
    require: Mapping[str, Any]
    line: int

    @property
    def rule_id(self) -> str:
        return RULE_PREFIX + self.name


@dataclass(frozen=True)
class Policy:
    path: Path
    requirements: tuple[Requirement, ...]


# -- loading ---------------------------------------------------------------------------------------


def _choices(path: Path, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> list[str]:
    values = [value.lower() for value in texts(path, node, what)]
    for value in values:
        if value not in allowed:
            raise fail(path, node, f"{what}: {value!r} is not one of {', '.join(allowed)}")
    return sorted(set(values))


def _check_outbound(path: Path, node: yaml.Node, what: str) -> str:
    value = text(path, node, what).lower()
    if value != "controlled":
        raise fail(path, node, f"{what} can only require 'controlled', not {value!r}")
    return value


def _check_min_tls(path: Path, node: yaml.Node, what: str) -> str:
    value = text(path, node, what)
    if not _TLS.match(value):
        raise fail(path, node, f'{what} must be a TLS version such as "1.2", not {value!r}')
    return value


def _check_true(path: Path, node: yaml.Node, what: str) -> bool:
    if not boolean(path, node, what):
        raise fail(path, node, f"{what} can only require true (leave it out to allow either)")
    return True


def _check_forbidden(path: Path, node: yaml.Node, what: str) -> bool:
    if boolean(path, node, what):
        raise fail(path, node, f"{what} can only be false (forbidden); leave it out to allow them")
    return False


_CHECK_PARSERS: dict[str, Callable[[Path, yaml.Node, str], Any]] = {
    "inbound": lambda path, node, what: _choices(path, node, what, _EXPOSURES),
    "scm_inbound": lambda path, node, what: _choices(path, node, what, _EXPOSURES),
    "outbound": _check_outbound,
    "hosting": lambda path, node, what: _choices(path, node, what, _HOSTINGS),
    "hybrid_connections": _check_forbidden,
    "route_all": _check_true,
    "min_tls": _check_min_tls,
}


def _scope(path: Path, node: yaml.Node, what: str) -> Scope:
    entries = mapping(path, node, what, allowed=("subscriptions", "resource_groups", "names", "tags"))
    tags: dict[str, str] = {}
    if "tags" in entries:
        for tag_key, (key_node, value_node) in mapping(
            path, entries["tags"][1], f"{what}.tags", allowed=_keys_of(entries["tags"][1])
        ).items():
            if not tag_key.strip():
                raise fail(path, key_node, f"{what}.tags: a tag name must not be empty")
            tags[tag_key] = text(path, value_node, f"{what}.tags.{tag_key}")

    def patterns(key: str) -> tuple[str, ...]:
        return texts(path, entries[key][1], f"{what}.{key}") if key in entries else ()

    subscriptions = tuple(value.lower() for value in patterns("subscriptions"))
    return Scope(subscriptions, patterns("resource_groups"), patterns("names"), tags)


def _keys_of(node: yaml.Node) -> tuple[str, ...]:
    if isinstance(node, yaml.MappingNode):
        return tuple(str(key.value) for key, _ in node.value if isinstance(key, yaml.ScalarNode))
    return ()


def _requirement(path: Path, node: yaml.Node, index: int) -> Requirement:
    what = f"requirement #{index + 1}"
    entries = mapping(
        path,
        node,
        what,
        allowed=("name", "description", "severity", "scope", "require"),
        required=("name", "require"),
    )
    name_node = entries["name"][1]
    name = text(path, name_node, f"{what}: name")
    if not _NAME.match(name):
        raise fail(
            path, name_node, f"{what}: name {name!r} must be lowercase letters, digits, '-', '_' or '.'"
        )
    what = f"requirement {name!r}"
    severity = Severity.MEDIUM
    if "severity" in entries:
        severity_node = entries["severity"][1]
        raw = text(path, severity_node, f"{what}: severity").lower()
        if raw not in tuple(Severity):
            raise fail(path, severity_node, f"{what}: severity must be one of info, low, medium, high")
        severity = Severity(raw)
    require_node = entries["require"][1]
    checks = mapping(path, require_node, f"{what}: require", allowed=tuple(_CHECK_PARSERS))
    if not checks:
        raise fail(path, require_node, f"{what}: require names no check")
    require = {
        check: _CHECK_PARSERS[check](path, value_node, f"{what}: require.{check}")
        for check, (_, value_node) in checks.items()
    }
    return Requirement(
        name=name,
        description=text(path, entries["description"][1], f"{what}: description")
        if "description" in entries
        else None,
        severity=severity,
        scope=_scope(path, entries["scope"][1], f"{what}: scope") if "scope" in entries else Scope(),
        require=require,
        line=node.start_mark.line + 1,
    )


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file; :class:`PolicyError` names the line of the first problem."""
    root = compose_file(path)
    entries = mapping(path, root, "policy", allowed=("version", "requirements"), required=("requirements",))
    if "version" in entries:
        version_node = entries["version"][1]
        if text(path, version_node, "version") != str(POLICY_VERSION):
            raise fail(path, version_node, f"version must be {POLICY_VERSION}")
    requirements: list[Requirement] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(sequence(path, entries["requirements"][1], "requirements")):
        requirement = _requirement(path, node, index)
        if requirement.name in seen:
            raise fail(
                path,
                node,
                f"requirement {requirement.name!r} is defined twice (first on line {seen[requirement.name]})",
            )
        seen[requirement.name] = requirement.line
        requirements.append(requirement)
    if not requirements:
        raise fail(path, entries["requirements"][1], "requirements must list at least one requirement")
    return Policy(path, tuple(requirements))


# -- evaluation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    status: Status
    live: Any
    message: str


def _one_of(live: str, allowed: list[str], label: str) -> CheckResult:
    if live == "unknown":
        return CheckResult(Status.UNKNOWN, live, f"{label} could not be determined")
    if live in allowed:
        return CheckResult(Status.PASS, live, f"{label} is {live}")
    return CheckResult(Status.FAIL, live, f"{label} is {live}, policy allows {' or '.join(allowed)}")


def _tls_tuple(version: str) -> tuple[int, int] | None:
    try:
        major, minor = (int(part) for part in version.strip().split(".")[:2])
    except ValueError:
        return None
    return major, minor


def _min_tls(facts: AppFacts, required: str) -> CheckResult:
    config = facts.app.config
    if config is None:
        return CheckResult(Status.UNKNOWN, None, "config/web could not be read (minimum TLS)")
    live = {"minTlsVersion": config.min_tls_version, "scmMinTlsVersion": config.scm_min_tls_version}
    floor = _tls_tuple(required)
    below = []
    undecided = []
    for field_name, value in live.items():
        version = _tls_tuple(value) if value else None
        if version is None:
            undecided.append(field_name)
        elif floor is not None and version < floor:
            below.append(f"{field_name} {value}")
    if below:
        return CheckResult(Status.FAIL, live, f"{', '.join(below)} is below the required TLS {required}")
    if undecided:
        return CheckResult(Status.UNKNOWN, live, f"config/web did not report {' or '.join(undecided)}")
    return CheckResult(Status.PASS, live, f"TLS {required} or later on both sites")


def _route_all(facts: AppFacts) -> CheckResult:
    if facts.app.hosting is Hosting.ASE:
        return CheckResult(Status.PASS, "ase", "an App Service Environment routes all traffic by design")
    kind = facts.integration.kind
    if kind is IntegrationKind.UNKNOWN:
        return CheckResult(Status.UNKNOWN, None, "the VNet integration could not be determined")
    if kind is not IntegrationKind.REGIONAL:
        return CheckResult(Status.FAIL, {"vnet_integration": kind.value}, "no regional VNet integration")
    enabled = facts.route_all.enabled
    if enabled is None:
        return CheckResult(Status.UNKNOWN, None, "route all could not be read")
    if enabled:
        return CheckResult(Status.PASS, True, "route all is on")
    return CheckResult(Status.FAIL, False, "route all is off")


def _hybrid_connections(facts: AppFacts) -> CheckResult:
    connections = facts.app.hybrid_connections
    if connections is None:
        return CheckResult(Status.UNKNOWN, None, "the hybrid connections could not be read")
    endpoints = sorted(f"{hc.hostname}:{hc.port}" for hc in connections)
    if endpoints:
        return CheckResult(Status.FAIL, endpoints, f"hybrid connections to {', '.join(endpoints)}")
    return CheckResult(Status.PASS, [], "no hybrid connection")


def _check(check: str, required: Any, facts: AppFacts) -> CheckResult:
    if check == "inbound":
        return _one_of(facts.main.exposure.value, required, "inbound")
    if check == "scm_inbound":
        return _one_of(facts.scm.exposure.value, required, "SCM inbound")
    if check == "outbound":
        return _one_of(facts.outbound.status.value, [required], "outbound")
    if check == "hosting":
        return _one_of(facts.app.hosting.value, required, "hosting")
    if check == "hybrid_connections":
        return _hybrid_connections(facts)
    if check == "route_all":
        return _route_all(facts)
    if check == "min_tls":
        return _min_tls(facts, required)
    raise ValueError(f"unknown policy check {check!r}")  # load_policy admits only the checks above


@dataclass(frozen=True)
class RequirementOutcome:
    requirement: Requirement
    status: Status
    message: str
    evidence: dict[str, Any]


def requirement_outcomes(policy: Policy, facts: AppFacts) -> list[RequirementOutcome]:
    """The verdict of every requirement whose scope covers this app.

    fail if any check fails; else unknown if any check could not be decided; else pass. The
    evidence holds the requirement and the live values only, so the fingerprint follows the app.
    """
    outcomes = []
    for requirement in policy.requirements:
        if not requirement.scope.matches(facts.app):
            continue
        results = {check: _check(check, required, facts) for check, required in requirement.require.items()}
        failed = [result.message for result in results.values() if result.status is Status.FAIL]
        undecided = [result.message for result in results.values() if result.status is Status.UNKNOWN]
        if failed:
            status, message = Status.FAIL, "; ".join(failed) + "."
        elif undecided:
            status, message = Status.UNKNOWN, "; ".join(undecided) + "."
        else:
            status, message = Status.PASS, "; ".join(result.message for result in results.values()) + "."
        evidence = {
            "requirement": dict(requirement.require),
            "live": {check: result.live for check, result in results.items()},
        }
        outcomes.append(RequirementOutcome(requirement, status, message, evidence))
    return outcomes
