"""The Azure clouds the auditor can audit: ARM endpoint and Microsoft Entra authority of each."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CLOUDS", "DEFAULT_CLOUD", "Cloud"]


@dataclass(frozen=True)
class Cloud:
    name: str
    arm_endpoint: str  # base_url of every ARM client; the token scope is "<arm_endpoint>/.default"
    authority: str  # authority host for DefaultAzureCredential


# The names are those of `az cloud list`; endpoints as azure.identity.AzureAuthorityHosts and
# azure-mgmt-core's ARM endpoint table give them.
CLOUDS: dict[str, Cloud] = {
    cloud.name: cloud
    for cloud in (
        Cloud("AzureCloud", "https://management.azure.com", "login.microsoftonline.com"),
        Cloud("AzureUSGovernment", "https://management.usgovcloudapi.net", "login.microsoftonline.us"),
        Cloud("AzureChinaCloud", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
    )
}
DEFAULT_CLOUD = "AzureCloud"
