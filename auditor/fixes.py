"""Runnable fixes: the Azure CLI commands that remedy one failing finding on its exact resource.

A fix is offered only where the remedy is a configuration change with one right value (turn a
setting off, deny what no rule allows, approve a pending connection). Where the remedy is a
design decision -- move to another plan, choose a subnet, name the callers to allow, pin a Front
Door id only the user knows -- the finding gets no ``fix``: a made-up or placeholder command is
worse than none. :data:`FIXABLE_RULES` lists the rules that can carry one.

A fix is data, not shell text: ``commands`` holds argv lists, so each shell quotes them its own
way (auditor/fix_script.py) and no resource name can become code. Every flag used here is checked
against the Azure CLI's documented parameters (tests/data/az-cli-parameters.json).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# /subscriptions/S/resourceGroups/RG/providers/Microsoft.Web/sites/NAME[/slots/SLOT]
_SITE_ID = re.compile(
    r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<group>[^/]+)"
    r"/providers/Microsoft\.Web/sites/(?P<name>[^/]+)(?:/slots/(?P<slot>[^/]+))?$",
    re.IGNORECASE,
)
# A private endpoint connection on a site or slot: az network private-endpoint-connection takes its id.
_CONNECTION_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Web/sites/[^/]+"
    r"(?:/slots/[^/]+)?/privateEndpointConnections/[^/]+$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Site:
    """The app or slot a finding names, as the Azure CLI addresses it."""

    id: str
    subscription: str
    resource_group: str
    name: str
    slot: str | None

    @property
    def arm_type(self) -> str:
        return "Microsoft.Web/sites/slots" if self.slot else "Microsoft.Web/sites"

    def target(self) -> list[str]:
        """``--resource-group … --name … [--slot …] --subscription …`` for az functionapp commands.

        The subscription is explicit: the CLI's default subscription may be another one.
        """
        arguments = ["--resource-group", self.resource_group, "--name", self.name]
        if self.slot:
            arguments += ["--slot", self.slot]
        return [*arguments, "--subscription", self.subscription]


def parse_site(resource_id: str) -> Site | None:
    match = _SITE_ID.match(resource_id)
    if match is None:
        return None
    return Site(
        id=resource_id,
        subscription=match["subscription"],
        resource_group=match["group"],
        name=match["name"],
        slot=match["slot"],
    )


def _fix(
    summary: str,
    commands: list[list[str]],
    properties: list[dict[str, Any]],
    caution: str | None = None,
) -> dict[str, Any]:
    fix: dict[str, Any] = {"summary": summary, "commands": commands, "properties": properties}
    if caution:
        fix["caution"] = caution
    return fix


def _site_property(site: Site, path: str, value: Any) -> dict[str, Any]:
    """A Bicep/ARM property of the site (or slot) resource itself."""
    return {"resource_type": site.arm_type, "path": f"properties.{path}", "value": value}


def _config_property(site: Site, path: str, value: Any) -> dict[str, Any]:
    """A property of the site's ``config/web`` child (siteConfig in Bicep)."""
    return {
        "resource_type": f"{site.arm_type}/config",
        "name": "web",
        "path": f"properties.{path}",
        "value": value,
    }


def _config_set(site: Site, *arguments: str) -> list[str]:
    return ["az", "functionapp", "config", "set", *site.target(), *arguments]


def _access_restriction_set(site: Site, *arguments: str) -> list[str]:
    return ["az", "functionapp", "config", "access-restriction", "set", *site.target(), *arguments]


def _resource_update(resource_id: str, assignment: str) -> list[str]:
    return ["az", "resource", "update", "--ids", resource_id, "--set", assignment]


Builder = Callable[[Site, Mapping[str, Any]], dict[str, Any] | None]


def _public_unrestricted(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any] | None:
    commands: list[list[str]] = []
    if evidence.get("reason") == "allow-all-rule":
        rule = evidence.get("deciding_rule")
        name = rule.get("name") if isinstance(rule, Mapping) else None
        if not name:
            return None  # an unnamed allow-all rule cannot be removed by name: no single command
        commands.append(
            [
                "az",
                "functionapp",
                "config",
                "access-restriction",
                "remove",
                *site.target(),
                "--rule-name",
                name,
            ]
        )
    commands.append(_access_restriction_set(site, "--default-action", "Deny"))
    return _fix(
        "Make the main site deny every caller that no access rule allows"
        + (" and remove the rule that allows every source." if len(commands) > 1 else "."),
        commands,
        [_config_property(site, "ipSecurityRestrictionsDefaultAction", "Deny")],
        caution="Callers without an Allow rule lose access: add rules for them first "
        "(az functionapp config access-restriction add --rule-name … --action Allow --ip-address …), "
        "or disable public network access if only private endpoints should reach the app.",
    )


def _scm_unrestricted(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any]:
    return _fix(
        "Make the SCM (Kudu) site use the main site's access rules and default action.",
        [_access_restriction_set(site, "--use-same-restrictions-for-scm-site", "true")],
        [_config_property(site, "scmIpSecurityRestrictionsUseMain", True)],
        caution="Deployments from sources the main site's rules do not allow will stop working.",
    )


def _private_endpoint_bypassed(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any]:
    return _fix(
        "Disable public network access: only the approved private endpoint reaches the app.",
        [_resource_update(site.id, "properties.publicNetworkAccess=Disabled")],
        [_site_property(site, "publicNetworkAccess", "Disabled")],
        caution="Every caller outside the private endpoint's network loses access.",
    )


_CONNECTION_COMMAND = ("az", "network", "private-endpoint-connection")
_APPROVED = "Approved after review of auditor finding risk/private-endpoint-not-approved"


_CONNECTION_COMMAND = ("az", "network", "private-endpoint-connection")
_APPROVED = "Approved after review of auditor finding risk/private-endpoint-not-approved"


def _private_endpoint_not_approved(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any] | None:
    commands: list[list[str]] = []
    for connection in evidence.get("connections") or []:
        if not isinstance(connection, Mapping):
            continue
        connection_id, status = str(connection.get("id") or ""), str(connection.get("status") or "")
        if not _CONNECTION_ID.match(connection_id):
            continue  # a network-side id cannot be approved here: no guess
        if status.lower() == "pending":
            commands.append(
                [*_CONNECTION_COMMAND, "approve", "--id", connection_id, "--description", _APPROVED]
            )
        elif status.lower() in ("rejected", "disconnected"):
            # A rejected or disconnected connection carries nothing and cannot come back: remove it.
            commands.append([*_CONNECTION_COMMAND, "delete", "--id", connection_id])
    if not commands:
        return None
    return _fix(
        "Approve the pending private endpoint connections; delete the rejected or disconnected ones.",
        commands,
        [],
        caution="Approve a pending connection only if you know its private endpoint: approving opens the "
        "app to that network.",
    )


def _route_all_disabled(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any]:
    return _fix(
        "Route all outbound traffic through the integrated VNet, so its NSGs and routes apply.",
        [_config_set(site, "--vnet-route-all-enabled", "true")],
        [_config_property(site, "vnetRouteAllEnabled", True)],
        caution="Internet-bound traffic then needs a path out of the VNet (NAT gateway or firewall).",
    )


def _https_only_disabled(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any]:
    return _fix(
        "Redirect plain HTTP to HTTPS.",
        [["az", "functionapp", "update", *site.target(), "--set", "httpsOnly=true"]],
        [_site_property(site, "httpsOnly", True)],
    )


def _tls_below_1_2(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any] | None:
    commands: list[list[str]] = []
    properties: list[dict[str, Any]] = []
    if "minTlsVersion" in evidence:
        commands.append(_config_set(site, "--min-tls-version", "1.2"))
        properties.append(_config_property(site, "minTlsVersion", "1.2"))
    if "scmMinTlsVersion" in evidence:
        # az functionapp config set has no SCM flag; the config/web resource takes it directly.
        # --force-string: the generic --set would otherwise send the number 1.2, not the string "1.2".
        scm = _resource_update(f"{site.id}/config/web", "properties.scmMinTlsVersion=1.2")
        commands.append([*scm, "--force-string"])
        properties.append(_config_property(site, "scmMinTlsVersion", "1.2"))
    if not commands:
        return None
    return _fix(
        "Require TLS 1.2 or later.",
        commands,
        properties,
        caution="Clients limited to TLS 1.0/1.1 can no longer connect.",
    )


def _ftp_allowed(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any]:
    return _fix(
        "Turn off FTP and FTPS deployment.",
        [_config_set(site, "--ftps-state", "Disabled")],
        [_config_property(site, "ftpsState", "Disabled")],
        caution="If a pipeline still deploys over FTP, use --ftps-state FtpsOnly instead.",
    )


def _remote_debugging_enabled(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any]:
    return _fix(
        "Turn off remote debugging.",
        [_config_set(site, "--remote-debugging-enabled", "false")],
        [_config_property(site, "remoteDebuggingEnabled", False)],
    )


def _cors_wildcard(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any]:
    return _fix(
        "Remove the * origin from CORS.",
        [["az", "functionapp", "cors", "remove", *site.target(), "--allowed-origins", "*"]],
        [],
        caution="Browser pages on other origins need their origin added: az functionapp cors add "
        "--allowed-origins https://…",
    )


SCALE_MONITORING = "functionsRuntimeScaleMonitoringEnabled"


def _vnet_trigger_unsupported(site: Site, evidence: Mapping[str, Any]) -> dict[str, Any] | None:
    # Only the finding that names the missing setting has a config fix; the others are about the plan.
    if SCALE_MONITORING not in evidence or evidence[SCALE_MONITORING] is True:
        return None
    return _fix(
        "Turn on runtime scale monitoring so non-HTTP triggers scale over VNet integration.",
        [_resource_update(f"{site.id}/config/web", f"properties.{SCALE_MONITORING}=true")],
        [_config_property(site, SCALE_MONITORING, True)],
    )


BUILDERS: dict[str, Builder] = {
    "risk/public-unrestricted": _public_unrestricted,
    "risk/scm-unrestricted": _scm_unrestricted,
    "risk/private-endpoint-bypassed": _private_endpoint_bypassed,
    "risk/private-endpoint-not-approved": _private_endpoint_not_approved,
    "risk/route-all-disabled": _route_all_disabled,
    "risk/https-only-disabled": _https_only_disabled,
    "risk/tls-below-1.2": _tls_below_1_2,
    "risk/ftp-allowed": _ftp_allowed,
    "risk/remote-debugging-enabled": _remote_debugging_enabled,
    "risk/cors-wildcard": _cors_wildcard,
    "drift/vnet-trigger-unsupported": _vnet_trigger_unsupported,
}
FIXABLE_RULES = frozenset(BUILDERS)


def fix_for(
    rule_id: str, status: str, resource_id: str, evidence: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The fix of one finding; None when not failing, no runnable fix for its rule, or an unparsable id."""
    if status != "fail":
        return None
    builder = BUILDERS.get(rule_id)
    if builder is None:
        return None
    site = parse_site(resource_id)
    if site is None:
        return None
    return builder(site, evidence)


def finding_fix(finding: Mapping[str, Any]) -> dict[str, Any] | None:
    """The finding's fix: the one saved in the result, else computed (results saved before fixes existed)."""
    saved = finding.get("fix")
    if isinstance(saved, Mapping):
        return dict(saved)
    evidence = finding.get("evidence")
    return fix_for(
        str(finding.get("rule_id") or ""),
        str(finding.get("status") or ""),
        str(finding.get("resource_id") or ""),
        evidence if isinstance(evidence, Mapping) else {},
    )
