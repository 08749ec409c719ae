"""Configuration risk rules (rules.md, "Risk rules"): HTTPS, TLS, FTP, remote debugging, CORS."""

from __future__ import annotations

import functools
from typing import Any

from auditor import docs
from auditor.model import DataKey
from auditor.rules.base import (
    Category,
    Outcome,
    Reference,
    Rule,
    Severity,
    fail,
    passed,
    unknown,
    unknown_without_read,
)
from auditor.rules.defaults import (
    FTPS_STATE_DEFAULT,
    HTTPS_ONLY_DEFAULT,
    MIN_TLS_VERSION_DEFAULT,
    REMOTE_DEBUGGING_ENABLED_DEFAULT,
    SCM_MIN_TLS_VERSION_DEFAULT,
)
from auditor.rules.facts import AppFacts


def check_https_only_disabled(facts: AppFacts) -> Outcome:
    https_only = facts.app.https_only
    if https_only is None:
        return fail(
            f"httpsOnly is {HTTPS_ONLY_DEFAULT.note()}.",
            {"httpsOnly": None, "not_set": {"httpsOnly": HTTPS_ONLY_DEFAULT.note()}},
        )
    if not https_only:
        return fail("httpsOnly is false: the app accepts plain HTTP.", {"httpsOnly": False})
    return passed("httpsOnly is true.", {"httpsOnly": True})


# Cached: a tenant's apps share a handful of version strings, and every app has two.
@functools.lru_cache(maxsize=256)
def _tls_below_1_2(version: str) -> bool | None:
    try:
        major, minor = (int(part) for part in version.strip().split(".")[:2])
    except ValueError:
        return None
    return (major, minor) < (1, 2)


def check_tls_below_1_2(facts: AppFacts) -> Outcome:
    config = facts.app.config
    if config is None:
        return unknown(facts.app, (DataKey.CONFIG,), "config/web (minTlsVersion)")
    main, scm = config.min_tls_version, config.scm_min_tls_version
    versions = {"minTlsVersion": main, "scmMinTlsVersion": scm}
    below = {name: value for name, value in versions.items() if value and _tls_below_1_2(value)}
    if below:
        return fail(
            "TLS below 1.2 is accepted: "
            + ", ".join(f"{name} {value}" for name, value in below.items())
            + ".",
            below,
        )
    evidence: dict[str, Any] = versions
    suffix = ""
    if not main or not scm:
        # A version not set is the platform's default minimum (1.2 on both sites).
        not_set = {
            default.field: default.note()
            for default in (MIN_TLS_VERSION_DEFAULT, SCM_MIN_TLS_VERSION_DEFAULT)
            if not versions[default.field]
        }
        evidence = {**versions, "not_set": not_set}
        suffix = "".join(f" ({name} {note})" for name, note in not_set.items())
    unreadable = [name for name, value in versions.items() if value and _tls_below_1_2(value) is None]
    if unreadable:
        return unknown_without_read(
            "config/web reported an unreadable " + " and ".join(unreadable) + ".", evidence
        )
    return passed(f"TLS 1.2 or later is required on both sites{suffix}.", evidence)


def check_ftp_allowed(facts: AppFacts) -> Outcome:
    config = facts.app.config
    if config is None:
        return unknown(facts.app, (DataKey.CONFIG,), "config/web (ftpsState)")
    if config.ftps_state is None:
        # Microsoft Learn states no default FTP state: whether plain FTP is open is not known.
        return unknown_without_read(
            f"ftpsState is {FTPS_STATE_DEFAULT.note()}: plain FTP may be accepted.",
            {"ftpsState": None, "not_set": {"ftpsState": FTPS_STATE_DEFAULT.note()}},
        )
    evidence = {"ftpsState": config.ftps_state}
    if config.ftps_state.lower() == "allallowed":
        return fail("ftpsState is AllAllowed: plain FTP (credentials in clear text) is accepted.", evidence)
    return passed(f"ftpsState is {config.ftps_state}.", evidence)


def check_remote_debugging_enabled(facts: AppFacts) -> Outcome:
    config = facts.app.config
    if config is None:
        return unknown(facts.app, (DataKey.CONFIG,), "config/web (remoteDebuggingEnabled)")
    if config.remote_debugging_enabled is None:
        note = REMOTE_DEBUGGING_ENABLED_DEFAULT.note()
        return passed(
            f"remoteDebuggingEnabled is {note}.",
            {"remoteDebuggingEnabled": None, "not_set": {"remoteDebuggingEnabled": note}},
        )
    evidence = {"remoteDebuggingEnabled": config.remote_debugging_enabled}
    if config.remote_debugging_enabled:
        return fail("Remote debugging is enabled: a debugger port is open on the app.", evidence)
    return passed("Remote debugging is off.", evidence)


def check_cors_wildcard(facts: AppFacts) -> Outcome:
    config = facts.app.config
    if config is None:
        return unknown(facts.app, (DataKey.CONFIG,), "config/web (cors)")
    evidence = {"cors.allowedOrigins": sorted(config.cors_allowed_origins)}
    if any(origin.strip() == "*" for origin in config.cors_allowed_origins):
        return fail("CORS allows every origin (*).", evidence)
    if not config.cors_allowed_origins:
        # Empty and not set read the same: no origin is allowed, so there is no wildcard either.
        return passed(
            "CORS allows no cross-origin caller (cors.allowedOrigins is empty or not set).", evidence
        )
    return passed("CORS names specific origins.", evidence)


HTTPS_ONLY_DISABLED = Rule(
    id="risk/https-only-disabled",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="HTTPS not enforced",
    rationale="With httpsOnly false the app answers plain HTTP, so requests and keys can travel unencrypted.",
    remediation="`az functionapp update -g <rg> -n <app> --set httpsOnly=true`.",
    reference=Reference(docs.TLS_BINDINGS, "Enforce HTTPS", "enforce-https"),
    check=check_https_only_disabled,
)


TLS_BELOW_1_2 = Rule(
    id="risk/tls-below-1.2",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Minimum TLS version below 1.2",
    rationale="TLS 1.0 and 1.1 are deprecated and weak; the main and SCM sites should both require 1.2 or "
    "later.",
    remediation="`az functionapp config set -g <rg> -n <app> --min-tls-version 1.2` and "
    "`az resource update --ids <app-id>/config/web --set properties.scmMinTlsVersion=1.2`.",
    reference=Reference(docs.TLS_BINDINGS, "Enforce TLS versions", "enforce-tls-versions"),
    check=check_tls_below_1_2,
)


FTP_ALLOWED = Rule(
    id="risk/ftp-allowed",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Plain FTP allowed",
    rationale="ftpsState AllAllowed accepts unencrypted FTP, exposing deployment credentials and content.",
    remediation="`az functionapp config set -g <rg> -n <app> --ftps-state Disabled` (or `FtpsOnly`).",
    reference=Reference(docs.FTP_DEPLOYMENT, "Enforce FTPS", "enforce-ftps"),
    check=check_ftp_allowed,
)


REMOTE_DEBUGGING_ENABLED = Rule(
    id="risk/remote-debugging-enabled",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Remote debugging enabled",
    rationale="Remote debugging opens extra ports on the app and is meant to be switched on briefly, not "
    "left on.",
    remediation="`az functionapp config set -g <rg> -n <app> --remote-debugging-enabled false`.",
    reference=Reference(
        docs.APP_CONFIGURATION,
        "Configure general settings (Remote debugging)",
        "configure-general-settings",
        basis="S22 (Limitations); R-PE-09, R-ASE-07",
    ),
    check=check_remote_debugging_enabled,
)


CORS_WILDCARD = Rule(
    id="risk/cors-wildcard",
    category=Category.RISK,
    severity=Severity.LOW,
    title="CORS allows every origin",
    rationale="allowedOrigins * lets any web page call the app from a browser with the visitor's context.",
    remediation="`az functionapp cors remove -g <rg> -n <app> --allowed-origins '*'` and add the real "
    "origins with `az functionapp cors add -g <rg> -n <app> --allowed-origins https://<origin>`.",
    reference=Reference(docs.FUNCTION_APP_SETTINGS, "CORS", "cors", basis="S6; R-AR-14"),
    check=check_cors_wildcard,
)
