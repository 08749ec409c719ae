"""Risk rules (rules.md, "Risk rules"): exposure and hardening, whatever the edition."""

from __future__ import annotations

import functools
from typing import Any

from auditor import docs
from auditor.model import AccessRule, App, DataKey
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
from auditor.rules.defaults import (
    FTPS_STATE_DEFAULT,
    HTTPS_ONLY_DEFAULT,
    MIN_TLS_VERSION_DEFAULT,
    REMOTE_DEBUGGING_ENABLED_DEFAULT,
    SCM_MIN_TLS_VERSION_DEFAULT,
)
from auditor.rules.facts import AppFacts
from auditor.rules.inbound import (
    Exposure,
    InboundVerdict,
    Site,
    has_header_limits,
    is_allow,
    is_service_tag_rule,
    is_subnet_rule,
    matches_any_ip,
    matches_every_source,
    rule_sources,
    rule_summary,
)
from auditor.rules.outbound import Egress

# Enum values are read as ``_value_`` here: ``.value`` is a Python-level property, and this code
# runs for every app (29 rules x 10,000 apps in bench/evaluation.py).
CLIENT_CONTROLLED_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-host"})
APPROVED_STATUS = "approved"


def inbound_evidence(verdict: InboundVerdict) -> dict[str, Any]:
    return {
        "site": verdict.site._value_,
        "exposure": verdict.exposure._value_,
        "reason": verdict.reason,
        "decided_by": verdict.decided_by,
        "deciding_rule": rule_summary(verdict.deciding_rule) if verdict.deciding_rule is not None else None,
        "effective_default_action": verdict.effective_default_action,
        "default_action_explicit": verdict.default_action_explicit,
        "uses_main_rules": verdict.uses_main_rules,
    }


def _verdict_unknown(app: App, verdict: InboundVerdict) -> Outcome:
    what = f"the {verdict.site._value_} site's inbound access"
    if verdict.missing:
        return unknown(app, verdict.missing, what)
    return unknown_without_read(
        f"Could not decide {what}: {verdict.reason}.",
        {"site": verdict.site._value_, "reason": verdict.reason},
    )


def _describe_public(verdict: InboundVerdict) -> str:
    if verdict.reason == "allow-all-rule" and verdict.deciding_rule is not None:
        rule = verdict.deciding_rule
        return (
            f"rule '{rule.name or rule.position}' (priority {rule.priority}) allows {rule.ip_address} "
            "before any restriction applies"
        )
    if verdict.reason == "default-allow":
        return "no rule matches every source and the default action is explicitly Allow"
    return "there are no access rules and no default action, so every source is allowed"


def check_public_unrestricted(facts: AppFacts) -> Outcome:
    verdict = facts.main
    if verdict.exposure is Exposure.UNKNOWN:
        return _verdict_unknown(facts.app, verdict)
    evidence = inbound_evidence(verdict)
    evidence["public_network_access"] = facts.app.public_network_access
    if verdict.exposure is Exposure.PUBLIC:
        return fail(f"The main site is public: {_describe_public(verdict)} ({verdict.reason}).", evidence)
    return passed(f"The main site is {verdict.exposure._value_} ({verdict.reason}).", evidence)


def check_scm_unrestricted(facts: AppFacts) -> Outcome:
    if facts.main.exposure is Exposure.PUBLIC:
        return not_applicable("The main site itself is public; risk/public-unrestricted reports it.")
    for verdict in (facts.main, facts.scm):
        if verdict.exposure is Exposure.UNKNOWN:
            return _verdict_unknown(facts.app, verdict)
    evidence = inbound_evidence(facts.scm)
    evidence["main_exposure"] = facts.main.exposure._value_
    if facts.scm.exposure is Exposure.PUBLIC:
        return fail(
            f"The SCM (Kudu) site is public ({facts.scm.reason}) while the main site is "
            f"{facts.main.exposure._value_}: deployment and console endpoints are open to everyone.",
            evidence,
        )
    return passed(f"The SCM site is {facts.scm.exposure._value_} ({facts.scm.reason}).", evidence)


def _config_lists(facts: AppFacts) -> dict[Site, tuple[AccessRule, ...]] | Outcome:
    if facts.app.config is None:
        return unknown(facts.app, (DataKey.CONFIG,), "the access restrictions (config/web)")
    return facts.rule_lists


def check_shadowed_access_rule(facts: AppFacts) -> Outcome:
    lists = _config_lists(facts)
    if isinstance(lists, Outcome):
        return lists
    if not any(lists.values()):
        return not_applicable("No access rules are in effect.")
    dead: list[dict[str, Any]] = []
    for site, rules in lists.items():
        # The rules that can shadow others, in list order, so that the first one found is the same.
        shadowing = [
            candidate
            for candidate in rules
            if candidate.priority is not None and matches_every_source(candidate)
        ]
        for rule in rules:
            if not shadowing or rule.priority is None:
                continue
            shadow = next(
                (
                    candidate
                    for candidate in shadowing
                    if candidate.priority is not None and candidate.priority < rule.priority
                ),
                None,
            )
            if shadow is not None:
                dead.append(
                    {
                        "site": site._value_,
                        "rule": rule_summary(rule),
                        "shadowed_by": {
                            "position": shadow.position,
                            "name": shadow.name,
                            "priority": shadow.priority,
                            "action": shadow.action,
                        },
                    }
                )
    if dead:
        names = ", ".join(
            f"{entry['site']}:{entry['rule']['name'] or entry['rule']['position']}" for entry in dead
        )
        return fail(
            f"{len(dead)} access rule(s) can never apply because an earlier rule matches every source: "
            f"{names}.",
            {"dead_rules": dead},
        )
    return passed(
        "Every access rule in effect can apply.", {"rules_in_effect": sum(map(len, lists.values()))}
    )


def _header_names(rule: AccessRule) -> set[str]:
    return {name.lower() for name, values in rule.headers.items() if values}


def check_spoofable_header_rule(facts: AppFacts) -> Outcome:
    lists = _config_lists(facts)
    if isinstance(lists, Outcome):
        return lists
    header_rules = [(site, rule) for site, rule in facts.allow_rules if has_header_limits(rule)]
    if not header_rules:
        return not_applicable("No Allow rule is limited by HTTP headers.")
    spoofable = [
        {"site": site._value_, "rule": rule_summary(rule)}
        for site, rule in header_rules
        if matches_any_ip(rule) and _header_names(rule) <= CLIENT_CONTROLLED_HEADERS
    ]
    if spoofable:
        return fail(
            "An Allow rule admits any IP address and is limited only by X-Forwarded-For/X-Forwarded-Host, "
            "headers any client can send.",
            {"spoofable_rules": spoofable},
        )
    return passed("Header-limited Allow rules also limit the source or use a non-spoofable header.")


def check_frontdoor_without_fdid(facts: AppFacts) -> Outcome:
    lists = _config_lists(facts)
    if isinstance(lists, Outcome):
        return lists
    front_door = [
        (site, rule)
        for site, rule in facts.allow_rules
        if is_service_tag_rule(rule)
        and any(source.lower() == "azurefrontdoor.backend" for source in rule_sources(rule))
    ]
    if not front_door:
        return not_applicable("No Allow rule for the AzureFrontDoor.Backend service tag.")
    unpinned = [
        {"site": site._value_, "rule": rule_summary(rule)}
        for site, rule in front_door
        if "x-azure-fdid" not in _header_names(rule)
    ]
    if unpinned:
        return fail(
            "An AzureFrontDoor.Backend rule has no X-Azure-FDID header: every Front Door profile of every "
            "tenant can reach the app.",
            {"rules_without_fdid": unpinned},
        )
    return passed("Every AzureFrontDoor.Backend rule is pinned with X-Azure-FDID.")


def _is_azure_cloud(source: str) -> bool:
    lowered = source.lower()
    return lowered == "azurecloud" or lowered.startswith("azurecloud.")


def check_broad_service_tag(facts: AppFacts) -> Outcome:
    lists = _config_lists(facts)
    if isinstance(lists, Outcome):
        return lists
    tag_rules = [(site, rule) for site, rule in facts.allow_rules if is_service_tag_rule(rule)]
    if not tag_rules:
        return not_applicable("No Allow rule uses a service tag.")
    broad = [
        {"site": site._value_, "rule": rule_summary(rule)}
        for site, rule in tag_rules
        if any(_is_azure_cloud(source) for source in rule_sources(rule))
    ]
    if broad:
        return fail(
            "An Allow rule admits the AzureCloud service tag: any Azure customer's resources can reach the "
            "app.",
            {"broad_rules": broad},
        )
    return passed("Service-tag Allow rules name specific services.")


def check_private_endpoint_bypassed(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.private_endpoints is None:
        return unknown(app, (DataKey.PRIVATE_ENDPOINTS,), "the private endpoint connections")
    approved = [pe.id for pe in app.private_endpoints if (pe.status or "").lower() == APPROVED_STATUS]
    if not approved:
        return not_applicable("No approved private endpoint.")
    explicitly_enabled = (app.public_network_access or "").strip().lower() == "enabled"
    evidence: dict[str, Any] = {
        "approved_private_endpoints": sorted(approved),
        "public_network_access": app.public_network_access,
        "main_exposure": facts.main.exposure._value_,
    }
    if not explicitly_enabled:
        return passed(
            f"publicNetworkAccess is {app.public_network_access or 'unset'}: the private endpoint closes the "
            "public path.",
            evidence,
        )
    if facts.main.exposure is Exposure.UNKNOWN:
        return _verdict_unknown(app, facts.main)
    if facts.main.exposure is Exposure.PUBLIC:
        evidence["reason"] = facts.main.reason
        return fail(
            "An approved private endpoint exists, but publicNetworkAccess is Enabled and no access rule "
            f"restricts the main site ({facts.main.reason}): the private endpoint is bypassed.",
            evidence,
        )
    return passed(f"The public path is {facts.main.exposure._value_} ({facts.main.reason}).", evidence)


def check_private_endpoint_not_approved(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.private_endpoints is None:
        return unknown(app, (DataKey.PRIVATE_ENDPOINTS,), "the private endpoint connections")
    if not app.private_endpoints:
        return not_applicable("No private endpoint connection.")
    # Anything but Approved is not approved: besides Pending, Rejected and Disconnected, ARM
    # answers the transitional Approving, Rejecting and Disconnecting (tests/corpus/cli-net-pe-webapp).
    pending = sorted(
        (
            {"id": pe.id, "status": pe.status}
            for pe in app.private_endpoints
            if pe.status and pe.status.lower() != APPROVED_STATUS
        ),
        key=lambda entry: str(entry["id"]).lower(),
    )
    if pending:
        return fail(
            f"{len(pending)} private endpoint connection(s) are not approved: "
            + ", ".join(f"{entry['status']}" for entry in pending)
            + ".",
            {"connections": pending},
        )
    unstated = sorted(pe.id for pe in app.private_endpoints if not pe.status)
    if unstated:
        return unknown_without_read(
            f"{len(unstated)} private endpoint connection(s) report no approval state.",
            {"connections": unstated},
        )
    return passed("Every private endpoint connection is approved.")


def check_service_endpoint_outbound_open(facts: AppFacts) -> Outcome:
    app = facts.app
    if facts.main.exposure is Exposure.UNKNOWN:
        return _verdict_unknown(app, facts.main)
    if facts.main.exposure is not Exposure.RESTRICTED:
        return not_applicable(
            f"The main site is {facts.main.exposure._value_}, not restricted by access rules."
        )
    service_endpoint_rules = [
        rule_summary(rule) for rule in facts.main.rules_in_effect if is_allow(rule) and is_subnet_rule(rule)
    ]
    if not service_endpoint_rules:
        return not_applicable("Private site access does not rely on service-endpoint rules.")
    evidence: dict[str, Any] = {
        "service_endpoint_rules": service_endpoint_rules,
        "outbound": facts.outbound.status._value_,
        "outbound_reason": facts.outbound.reason,
    }
    if facts.outbound.status is Egress.UNKNOWN:
        return _outbound_unknown(facts)
    if facts.outbound.status is Egress.UNCONTROLLED:
        return fail(
            "Private site access relies on service-endpoint rules while outbound is uncontrolled: "
            f"the app keeps full outbound internet access ({facts.outbound.reason}).",
            evidence,
        )
    return passed("Outbound is controlled as well.", evidence)


def check_route_all_disabled(facts: AppFacts) -> Outcome:
    app = facts.app
    if not facts.integration.regional:
        return not_applicable("No regional VNet integration.")
    if app.hosting._value_ == "flex_consumption":
        return not_applicable("Flex Consumption routes all traffic through the VNet by design.")
    routing = facts.route_all
    evidence: dict[str, Any] = {
        "virtual_network_subnet_id": facts.integration.subnet_id,
        "flags": routing.flags,
    }
    if routing.enabled:
        return passed("Route all is enabled.", evidence)
    if routing.enabled is None:
        return unknown(app, (DataKey.CONFIG,), "config/web (vnetRouteAllEnabled)")
    if app.hosting._value_ == "unknown":
        return unknown(app, (DataKey.PLAN,), "the plan (a Flex Consumption app routes all by design)")
    return fail(
        "Regional VNet integration without route all: internet-bound traffic bypasses the VNet's NSGs and "
        "routes.",
        evidence,
    )


def _outbound_unknown(facts: AppFacts) -> Outcome:
    verdict = facts.outbound
    if verdict.missing:
        return unknown(facts.app, verdict.missing, f"the egress path ({verdict.reason})")
    return unknown_without_read(verdict.message, {"outbound_reason": verdict.reason})


def check_outbound_uncontrolled(facts: AppFacts) -> Outcome:
    verdict = facts.outbound
    evidence = dict(verdict.evidence)
    evidence["reason"] = verdict.reason
    if verdict.status is Egress.UNKNOWN:
        return _outbound_unknown(facts)
    if verdict.status is Egress.CONTROLLED:
        return passed(verdict.message, evidence)
    message = f"Internet egress is not controlled: {verdict.message}"
    if facts.edition == "2019-04":
        message += (
            " The 2019-04 edition says only an App Service Environment offers outbound IP restrictions."
        )
    return fail(message, evidence)


def check_hybrid_connection_endpoint(facts: AppFacts) -> Outcome:
    app = facts.app
    if app.hybrid_connections is None:
        return unknown(app, (DataKey.HYBRID_CONNECTIONS,), "the Hybrid Connections")
    if not app.hybrid_connections:
        return passed("No Hybrid Connections.")
    endpoints = sorted({f"{hc.hostname}:{hc.port}" for hc in app.hybrid_connections})
    return fail(
        "The app can reach these endpoints in another network through Hybrid Connections: "
        + ", ".join(endpoints)
        + ".",
        {"endpoints": endpoints},
    )


def check_anonymous_http_trigger_public(facts: AppFacts) -> Outcome:
    app = facts.app
    main = facts.main
    if main.exposure not in (Exposure.PUBLIC, Exposure.UNKNOWN):
        return not_applicable(f"The main site is {main.exposure._value_}.")
    if app.functions is None:
        return unknown(app, (DataKey.FUNCTIONS, *main.missing), "the functions and their bindings")
    anonymous = sorted(
        function.name
        for function in app.functions
        if any(
            binding.type.lower() == "httptrigger" and (binding.auth_level or "").lower() == "anonymous"
            for binding in function.bindings
        )
    )
    if not anonymous:
        return passed("No HTTP trigger accepts anonymous calls.")
    evidence: dict[str, Any] = {"anonymous_http_functions": anonymous, "main_reason": main.reason}
    if main.exposure is Exposure.UNKNOWN:
        return _verdict_unknown(app, main)
    return fail(
        f"The main site is public and {len(anonymous)} function(s) accept anonymous HTTP calls: "
        + ", ".join(anonymous)
        + ".",
        evidence,
    )


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


PUBLIC_UNRESTRICTED = Rule(
    id="risk/public-unrestricted",
    category=Category.RISK,
    severity=Severity.HIGH,
    title="Main site reachable from any address",
    rationale="With public network access on and no access rule or Deny default deciding, anyone on the "
    "internet can call the app's HTTP endpoints.",
    remediation="Add Allow rules for the callers and make the unmatched action Deny: `az functionapp config "
    "access-restriction add -g <rg> -n <app> --rule-name allow-callers --action Allow --ip-address <cidr> "
    "--priority 100` then `az resource update --ids <app-id>/config/web --set "
    "properties.ipSecurityRestrictionsDefaultAction=Deny`; or, behind a private endpoint, `az resource "
    "update --ids <app-id> --set properties.publicNetworkAccess=Disabled`.",
    reference=Reference(
        docs.ACCESS_RESTRICTIONS,
        "App access; Unmatched rule",
        "app-access",
        basis="S21, S20; R-AR-01, R-AR-02, R-PE-01",
    ),
    check=check_public_unrestricted,
)

SCM_UNRESTRICTED = Rule(
    id="risk/scm-unrestricted",
    category=Category.RISK,
    severity=Severity.HIGH,
    title="SCM (Kudu) site public while the main site is not",
    rationale="The SCM site has its own rules and default action; leaving it open exposes deployment, "
    "console and log endpoints even though the app itself is locked down.",
    remediation="`az functionapp config access-restriction set -g <rg> -n <app> "
    "--use-same-restrictions-for-scm-site true`, or add SCM rules with `--scm-site true` and set "
    "`properties.scmIpSecurityRestrictionsDefaultAction=Deny` with `az resource update --ids "
    "<app-id>/config/web`.",
    reference=Reference(
        docs.ACCESS_RESTRICTIONS,
        "Restrict access to the advanced tools site",
        "restrict-access-to-the-advanced-tools-site",
        basis="S21, S20; R-AR-11",
    ),
    check=check_scm_unrestricted,
)

SHADOWED_ACCESS_RULE = Rule(
    id="risk/shadowed-access-rule",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Access rule that can never apply",
    rationale="Rules are evaluated by ascending priority; a rule behind one that matches every source is "
    "dead, so the list does not do what it appears to do.",
    remediation="Remove or re-prioritise the dead rule: `az functionapp config access-restriction remove -g "
    "<rg> -n <app> --rule-name <name>` and add it again with a lower priority number than the rule that "
    "matches every source.",
    reference=Reference(
        docs.ACCESS_RESTRICTIONS,
        "How it works (priority order)",
        "how-it-works",
        basis="S21; R-AR-01, R-AR-03",
    ),
    check=check_shadowed_access_rule,
)

SPOOFABLE_HEADER_RULE = Rule(
    id="risk/spoofable-header-rule",
    category=Category.RISK,
    severity=Severity.HIGH,
    title="Allow rule limited only by client-controlled headers",
    rationale="X-Forwarded-For and X-Forwarded-Host are sent by the client; an Allow rule for any IP "
    "limited only by them admits anyone who sets the header.",
    remediation="Limit the rule's source (IP ranges or a service tag) or pin it with X-Azure-FDID: `az "
    "functionapp config access-restriction remove -g <rg> -n <app> --rule-name <name>` then add it back "
    "with `--ip-address <cidr>` or `--service-tag AzureFrontDoor.Backend --http-headers x-azure-fdid=<id>`.",
    reference=Reference(
        docs.ACCESS_RESTRICTIONS,
        "HTTP header filtering for site access restriction rules",
        "http-header-filtering-for-site-access-restriction-rules",
        basis="S21; R-AR-06",
    ),
    check=check_spoofable_header_rule,
)

FRONTDOOR_WITHOUT_FDID = Rule(
    id="risk/frontdoor-without-fdid",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Front Door rule without X-Azure-FDID",
    rationale="The AzureFrontDoor.Backend tag covers every Front Door profile of every tenant; without the "
    "X-Azure-FDID header filter anyone's Front Door can reach the app.",
    remediation="`az functionapp config access-restriction add -g <rg> -n <app> --rule-name frontdoor "
    "--action Allow --priority 100 --service-tag AzureFrontDoor.Backend --http-headers "
    "x-azure-fdid=<front-door-id>` and remove the unpinned rule.",
    reference=Reference(
        docs.ACCESS_RESTRICTIONS,
        "Restrict access to a specific Azure Front Door instance",
        "restrict-access-to-a-specific-azure-front-door-instance",
        basis="S21, S20; R-AR-07",
    ),
    check=check_frontdoor_without_fdid,
)

BROAD_SERVICE_TAG = Rule(
    id="risk/broad-service-tag",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Allow rule for the AzureCloud service tag",
    rationale="AzureCloud (or AzureCloud.<region>) covers the public IP space of every Azure customer, not "
    "just your resources.",
    remediation="Replace the rule with the specific service tag or address ranges of the callers: "
    "`az functionapp config access-restriction remove -g <rg> -n <app> --rule-name <name>`.",
    reference=Reference(
        docs.ACCESS_RESTRICTIONS,
        "Access restriction rules based on service tags",
        "access-restriction-rules-based-on-service-tags",
        basis="S21; R-AR-07, R-AR-14",
    ),
    check=check_broad_service_tag,
)

PRIVATE_ENDPOINT_BYPASSED = Rule(
    id="risk/private-endpoint-bypassed",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Private endpoint with the public path still open",
    rationale="An explicit publicNetworkAccess=Enabled keeps the public endpoint open next to the private "
    "endpoint; with no access rule restricting it, the private endpoint isolates nothing.",
    remediation="`az resource update --ids <app-id> --set properties.publicNetworkAccess=Disabled`.",
    reference=Reference(
        docs.PRIVATE_ENDPOINTS,
        "Security considerations",
        "security-considerations",
        basis="S22, S21; R-PE-01",
    ),
    check=check_private_endpoint_bypassed,
)

PRIVATE_ENDPOINT_NOT_APPROVED = Rule(
    id="risk/private-endpoint-not-approved",
    category=Category.RISK,
    severity=Severity.LOW,
    title="Private endpoint connection not approved",
    rationale="A connection that is not Approved (Pending, Rejected, Disconnected, or on its way there: "
    "Approving, Rejecting, Disconnecting) carries no traffic: whoever relies on it is either cut off or "
    "still using the public path.",
    remediation="Approve it (`az network private-endpoint-connection approve --id <connection-id>`) or "
    "delete it (`az network private-endpoint-connection delete --id <connection-id>`).",
    reference=Reference(
        docs.PRIVATE_ENDPOINTS, "Conceptual overview", "conceptual-overview", basis="S22; R-PE-04"
    ),
    check=check_private_endpoint_not_approved,
)

SERVICE_ENDPOINT_OUTBOUND_OPEN = Rule(
    id="risk/service-endpoint-outbound-open",
    category=Category.RISK,
    severity=Severity.LOW,
    title="Service-endpoint private access with open outbound",
    rationale="Service-endpoint rules restrict who can call the app, not where it can call: the Functions "
    "networking docs have warned since 2019 that the function still has full outbound access to the "
    "internet.",
    remediation="Route all traffic into the VNet and deny internet egress on the integration subnet: `az "
    "resource update --ids <app-id> --set properties.outboundVnetRouting.allTraffic=true` and `az network "
    "nsg rule create -g <rg> --nsg-name <nsg> -n deny-internet --priority 4000 --direction Outbound "
    "--access Deny --destination-address-prefixes Internet --destination-port-ranges '*'`.",
    reference=Reference(
        docs.FUNCTIONS_NETWORKING,
        "Outbound IP restrictions",
        "outbound-ip-restrictions",
        basis="S1 (2019: Private site access), S13, S6; R-RT-08",
    ),
    check=check_service_endpoint_outbound_open,
)

ROUTE_ALL_DISABLED = Rule(
    id="risk/route-all-disabled",
    category=Category.RISK,
    severity=Severity.MEDIUM,
    title="Regional VNet integration without route all",
    rationale="Without route all only RFC1918 traffic enters the VNet; internet-bound traffic bypasses its "
    "NSGs and routes.",
    remediation="`az resource update --ids <app-id> --set properties.outboundVnetRouting.allTraffic=true` "
    "(or `az functionapp config set -g <rg> -n <app> --vnet-route-all-enabled true`).",
    reference=Reference(
        docs.VNET_ROUTING,
        "Configure application routing",
        "configure-application-routing",
        basis="S17, S16; R-RT-03",
    ),
    check=check_route_all_disabled,
)

OUTBOUND_UNCONTROLLED = Rule(
    id="risk/outbound-uncontrolled",
    category=Category.RISK,
    severity=Severity.LOW,
    title="Internet egress not controlled",
    rationale="Unless all traffic enters a VNet whose subnet denies internet egress (NSG) or sends the "
    "default route to an appliance (UDR), a compromised function can exfiltrate data anywhere.",
    remediation="Integrate with a VNet and route all traffic, then deny egress on the subnet: `az network "
    "nsg rule create -g <rg> --nsg-name <nsg> -n deny-internet --priority 4000 --direction Outbound "
    "--access Deny --destination-address-prefixes Internet --destination-port-ranges '*'`, or `az network "
    "route-table route create -g <rg> --route-table-name <rt> -n default --address-prefix 0.0.0.0/0 "
    "--next-hop-type VirtualAppliance --next-hop-ip-address <firewall-ip>`.",
    reference=Reference(
        docs.FUNCTIONS_NETWORKING,
        "Outbound IP restrictions; Network security groups; Routes",
        "outbound-ip-restrictions",
        basis="S6, S16; R-RT-03, R-RT-05, R-ASE-05",
    ),
    check=check_outbound_uncontrolled,
)

HYBRID_CONNECTION_ENDPOINT = Rule(
    id="risk/hybrid-connection-endpoint",
    category=Category.RISK,
    severity=Severity.INFO,
    title="Hybrid Connection endpoints reachable from the app",
    rationale="Each Hybrid Connection is a TCP path from the app into another network, outside VNet "
    "controls; they should be known and intended.",
    remediation="Review the endpoints; remove unneeded ones with "
    "`az functionapp hybrid-connection remove -g <rg> -n <app> --namespace <namespace> --hybrid-connection "
    "<name>`.",
    reference=Reference(docs.HYBRID_CONNECTIONS, "How it works", basis="S24; R-HC-04"),
    check=check_hybrid_connection_endpoint,
)

ANONYMOUS_HTTP_TRIGGER_PUBLIC = Rule(
    id="risk/anonymous-http-trigger-public",
    category=Category.RISK,
    severity=Severity.HIGH,
    title="Anonymous HTTP trigger on a public app",
    rationale="An httpTrigger with authLevel anonymous needs no key; on a public site anyone on the "
    "internet can invoke it.",
    remediation="Set `authLevel` to `function` in the function's binding (function.json or decorator) or "
    "restrict the main site with access rules or a private endpoint.",
    reference=Reference(docs.HTTP_TRIGGER, "Authorization level (authLevel)", basis="R-AR-02"),
    check=check_anonymous_http_trigger_public,
)

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

RISK_RULES: tuple[Rule, ...] = (
    PUBLIC_UNRESTRICTED,
    SCM_UNRESTRICTED,
    SHADOWED_ACCESS_RULE,
    SPOOFABLE_HEADER_RULE,
    FRONTDOOR_WITHOUT_FDID,
    BROAD_SERVICE_TAG,
    PRIVATE_ENDPOINT_BYPASSED,
    PRIVATE_ENDPOINT_NOT_APPROVED,
    SERVICE_ENDPOINT_OUTBOUND_OPEN,
    ROUTE_ALL_DISABLED,
    OUTBOUND_UNCONTROLLED,
    HYBRID_CONNECTION_ENDPOINT,
    ANONYMOUS_HTTP_TRIGGER_PUBLIC,
    HTTPS_ONLY_DISABLED,
    TLS_BELOW_1_2,
    FTP_ALLOWED,
    REMOTE_DEBUGGING_ENABLED,
    CORS_WILDCARD,
)
