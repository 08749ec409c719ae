"""Read-only Azure SDK clients with an explicit pipeline.

The pipeline is the SDK's default one minus ``ARMAutoResourceProviderRegistrationPolicy``
(on a 409 ``MissingSubscriptionRegistration`` it POSTs ``…/register``, a write),
plus a guard that refuses any non-GET request and a counter of sent requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.pipeline import PipelineRequest, policies
from azure.core.pipeline.transport import HttpTransport
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import __version__ as NETWORK_SDK_VERSION
from azure.mgmt.web import WebSiteManagementClient
from azure.mgmt.web import __version__ as WEB_SDK_VERSION

from auditor.collect.errors import ReadOnlyViolation
from auditor.collect.pacing import ArmPacer, PacingPolicy

__all__ = [
    "ARM_ENDPOINT",
    "RESOURCE_GRAPH_PATH",
    "TRANSPORT_TIMEOUTS",
    "ArmPacer",
    "CallCounter",
    "FakeCredential",
    "ReadOnlyViolation",
    "build_network_client",
    "build_pipeline_policies",
    "build_web_client",
]

ARM_ENDPOINT = "https://management.azure.com"
# 429s never reach the RetryPolicy: PacingPolicy (pacing.py) outwaits them, each wait up to
# --max-throttle-wait.
# The RetryPolicy handles 5xx, connection resets and read timeouts (three of each at most),
# fewer attempts than the SDK default (10) so one broken call cannot stall an audit for long.
RETRY_TOTAL = 6
# Every HTTP request (ARM and sign-in) gives up on a silent peer instead of waiting out the
# SDK's defaults (300 s to connect, 300 s per read, each retried): a connection is set up in
# 10 s or not at all, and an ARM read answers within 60 s (the slowest list pages seen take a
# few seconds). A timed-out read is retried by the RetryPolicy, then becomes a gap.
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
TRANSPORT_TIMEOUTS: dict[str, Any] = {
    "connection_timeout": CONNECT_TIMEOUT_SECONDS,
    "read_timeout": READ_TIMEOUT_SECONDS,
}
# The one non-GET request the auditor sends: an Azure Resource Graph query (POST, returns
# resource properties and no secrets), used by ``--inventory-source resource-graph``.
RESOURCE_GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"
# Far enough ahead that replay never asks for a new token (2100-01-01T00:00:00Z).
_REPLAY_TOKEN_EXPIRES_ON = 4102444800


class CallCounter:
    """Counts HTTP requests sent to ARM, shared by every client (and thread) of one audit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def increment(self) -> None:
        with self._lock:
            self._count += 1

    @property
    def value(self) -> int:
        with self._lock:
            return self._count


class FakeCredential:
    """A static token for replay and tests: no identity endpoint is ever contacted."""

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        return AccessToken("replay-token", _REPLAY_TOKEN_EXPIRES_ON)


class ReadOnlyGuardPolicy(policies.SansIOHTTPPolicy[Any, Any]):
    """Refuses every method but GET before the request reaches the transport.

    The single exception, only in the Resource Graph client's pipeline, is a POST to exactly
    ``RESOURCE_GRAPH_PATH``: a query that reads resource properties (never keys or settings)
    and changes nothing. The Web and Network clients never get it.
    """

    def __init__(self, allow_resource_graph_query: bool = False) -> None:
        self._allow_resource_graph_query = allow_resource_graph_query

    def on_request(self, request: PipelineRequest[Any]) -> None:
        method = str(request.http_request.method).upper()
        path = urlsplit(str(request.http_request.url)).path
        if (
            self._allow_resource_graph_query
            and method == "POST"
            and path.lower() == RESOURCE_GRAPH_PATH.lower()
        ):
            return
        if method != "GET":
            raise ReadOnlyViolation(
                f"{method} {request.http_request.url} refused: the auditor only sends GET requests"
            )


class CallCounterPolicy(policies.SansIOHTTPPolicy[Any, Any]):
    """Counts each request handed to the transport; placed after retry, so retries count too."""

    def __init__(self, counter: CallCounter) -> None:
        self._counter = counter

    def on_request(self, request: PipelineRequest[Any]) -> None:
        self._counter.increment()


def build_pipeline_policies(
    credential: TokenCredential,
    counter: CallCounter,
    *,
    sdk_moniker: str,
    base_url: str = ARM_ENDPOINT,
    retry_total: int = RETRY_TOTAL,
    pacer: ArmPacer | None = None,
    allow_resource_graph_query: bool = False,
) -> list[Any]:
    """The SDK's default policy list (see azure/mgmt/web/_client.py), made read-only, paced and counted."""
    scope = f"{base_url.rstrip('/')}/.default"
    return [
        policies.RequestIdPolicy(),
        policies.HeadersPolicy(),
        policies.UserAgentPolicy(sdk_moniker=sdk_moniker),
        policies.ProxyPolicy(),
        policies.ContentDecodePolicy(),
        policies.RedirectPolicy(),
        policies.RetryPolicy(retry_total=retry_total),
        ARMChallengeAuthenticationPolicy(credential, scope),
        policies.CustomHookPolicy(),
        policies.NetworkTraceLoggingPolicy(),
        policies.DistributedTracingPolicy(),
        policies.SensitiveHeaderCleanupPolicy(),
        ARMHttpLoggingPolicy(),
        # Inside the RetryPolicy, so a 429 is outwaited here and never spends its retries;
        # before the guard and the counter, so every re-sent request is checked and counted.
        PacingPolicy(pacer if pacer is not None else ArmPacer()),
        # Last before the transport: a request created by any policy above
        # (a redirect, an auth challenge) still passes the guard and the counter.
        ReadOnlyGuardPolicy(allow_resource_graph_query),
        CallCounterPolicy(counter),
    ]


ClientT = TypeVar("ClientT")


def _build_client(
    client_class: Callable[..., ClientT],
    sdk_moniker: str,
    subscription_id: str,
    credential: TokenCredential,
    counter: CallCounter,
    base_url: str,
    transport: HttpTransport[Any, Any] | None,
    pacer: ArmPacer | None,
) -> ClientT:
    kwargs: dict[str, Any] = {}
    if transport is not None:
        kwargs["transport"] = transport
    return client_class(
        credential,
        subscription_id,
        base_url=base_url,
        policies=build_pipeline_policies(
            credential, counter, sdk_moniker=sdk_moniker, base_url=base_url, pacer=pacer
        ),
        **kwargs,
    )


def build_web_client(
    subscription_id: str,
    credential: TokenCredential,
    counter: CallCounter,
    *,
    base_url: str = ARM_ENDPOINT,
    transport: HttpTransport[Any, Any] | None = None,
    pacer: ArmPacer | None = None,
) -> WebSiteManagementClient:
    return _build_client(
        WebSiteManagementClient,
        f"mgmt-web/{WEB_SDK_VERSION}",
        subscription_id,
        credential,
        counter,
        base_url,
        transport,
        pacer,
    )


def build_network_client(
    subscription_id: str,
    credential: TokenCredential,
    counter: CallCounter,
    *,
    base_url: str = ARM_ENDPOINT,
    transport: HttpTransport[Any, Any] | None = None,
    pacer: ArmPacer | None = None,
) -> NetworkManagementClient:
    return _build_client(
        NetworkManagementClient,
        f"mgmt-network/{NETWORK_SDK_VERSION}",
        subscription_id,
        credential,
        counter,
        base_url,
        transport,
        pacer,
    )
