"""What the platform does with a field a rule reads when ARM leaves it null or out (docs/defaults.md).

Older API versions, exports and templates leave fields out of ``config/web`` and the site. A
rule judges such a field as the platform behaves, which Microsoft Learn documents for most of
them; the evidence then says "not set: platform default …, per <URL>" so a reader can check it.
Only a field whose default no public document states stays ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformDefault:
    field: str  # the wire name, as in config/web (or the site, for httpsOnly)
    meaning: str  # what the platform does when the field is not set, as a reader says it
    url: str | None  # the public page that documents it; None: no public page states a default

    @property
    def documented(self) -> bool:
        return self.url is not None

    def note(self) -> str:
        """The evidence line for a field that is not set."""
        if self.url is None:
            return "not set, and no public documentation states its default"
        return f"not set: platform default {self.meaning}, per {self.url}"


MIN_TLS_VERSION_DEFAULT = PlatformDefault(
    "minTlsVersion", "1.2", "https://learn.microsoft.com/azure/app-service/overview-tls"
)
SCM_MIN_TLS_VERSION_DEFAULT = PlatformDefault(
    "scmMinTlsVersion", "1.2", "https://learn.microsoft.com/azure/app-service/overview-tls"
)
HTTPS_ONLY_DEFAULT = PlatformDefault(
    "httpsOnly",
    "off (plain HTTP is accepted)",
    "https://learn.microsoft.com/azure/app-service/configure-ssl-bindings#enforce-https",
)
FTPS_STATE_DEFAULT = PlatformDefault("ftpsState", "undocumented", None)
REMOTE_DEBUGGING_ENABLED_DEFAULT = PlatformDefault(
    "remoteDebuggingEnabled",
    "off (enabled per app, and it turns itself off after 48 hours)",
    "https://learn.microsoft.com/azure/app-service/configure-common#configure-general-settings",
)
FUNCTIONS_RUNTIME_SCALE_MONITORING_ENABLED_DEFAULT = PlatformDefault(
    "functionsRuntimeScaleMonitoringEnabled",
    "off (runtime scale monitoring must be enabled)",
    "https://learn.microsoft.com/azure/azure-functions/functions-networking-options"
    "#premium-plan-with-virtual-network-triggers",
)

DEFAULTS: tuple[PlatformDefault, ...] = (
    MIN_TLS_VERSION_DEFAULT,
    SCM_MIN_TLS_VERSION_DEFAULT,
    HTTPS_ONLY_DEFAULT,
    FTPS_STATE_DEFAULT,
    REMOTE_DEBUGGING_ENABLED_DEFAULT,
    FUNCTIONS_RUNTIME_SCALE_MONITORING_ENABLED_DEFAULT,
)
DEFAULTS_BY_FIELD: dict[str, PlatformDefault] = {default.field: default for default in DEFAULTS}
