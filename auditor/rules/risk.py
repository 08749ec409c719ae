"""Inbound-exposure risk rules (rules.md, "Risk rules"); RISK_RULES lists every risk rule in order."""

from __future__ import annotations

from typing import Any

from auditor import docs
from auditor.model import AccessRule, DataKey
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
from auditor.rules.inbound import (
    Exposure,
    InboundVerdict,
    Site,
    has_header_limits,
    is_service_tag_rule,
    matches_any_ip,
    matches_every_source,
    rule_sources,
    rule_summary,
)
from auditor.rules.inbound_outcomes import inbound_evidence, inbound_unknown
from auditor.rules.risk_config import (
    CORS_WILDCARD,
    FTP_ALLOWED,
    HTTPS_ONLY_DISABLED,
    REMOTE_DEBUGGING_ENABLED,
    TLS_BELOW_1_2,
)
from auditor.rules.risk_outbound import (
    HYBRID_CONNECTION_ENDPOINT,
    OUTBOUND_UNCONTROLLED,
    ROUTE_ALL_DISABLED,
    SERVICE_ENDPOINT_OUTBOUND_OPEN,
)

# Enum values are read as ``_value_`` here: ``.value`` is a Python-level property, and this code
# runs for every app (29 rules x 10,000 apps; bench/RESULTS.md: what it buys).
CLIENT_CONTROLLED_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-host"})
APPROVED_STATUS = "approved"


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
        return inbound_unknown(facts.app, verdict)
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
            return inbound_unknown(facts.app, verdict)
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
        return inbound_unknown(app, facts.main)
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
        return inbound_unknown(app, main)
    return fail(
        f"The main site is public and {len(anonymous)} function(s) accept anonymous HTTP calls: "
        + ", ".join(anonymous)
        + ".",
        evidence,
    )


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
