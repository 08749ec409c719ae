"""What every read of an audit shares: the SDK clients, the pool they run on, the gaps.

Reads run on a bounded pool, interleaved across subscriptions, and pace themselves by
ARM's read budget (pacing.py); a read that fails is a :class:`ReadFailure`
(read_failures.py), unless its error must stop the audit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3.connectionpool
from azure.core.credentials import TokenCredential
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.web import WebSiteManagementClient

from auditor.collect.cassettes import CASSETTE_EXCHANGE_LOCK
from auditor.collect.clients import (
    CONNECT_TIMEOUT_SECONDS,
    CallCounter,
    build_network_client,
    build_web_client,
)
from auditor.collect.pacing import ArmPacer, interleaved_by_budget
from auditor.collect.read_failures import GapLog, ReadFailure, classify_failure
from auditor.collect.web import id_segment

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
C = TypeVar("C")

# A read: the operation it stands for (a gap names it) and the call that makes it.
Job = tuple[str, Callable[[], T]]


def _cassette_active() -> bool:
    """True while vcrpy (record or replay) has replaced urllib3's connection classes."""
    connection_class = getattr(urllib3.connectionpool.HTTPSConnectionPool, "ConnectionCls", None)
    return str(getattr(connection_class, "__module__", "")).startswith("vcr")


class _PacedTransport(RequestsTransport):  # type: ignore[misc]  # lazily exported, typed Any
    """The requests transport, whose retry back-off sleeps end the moment the audit is cancelled.

    azure-core's RetryPolicy sleeps through ``transport.sleep``, a plain ``time.sleep``.
    """

    def __init__(self, pacer: ArmPacer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pacer = pacer

    def sleep(self, duration: float) -> None:
        self._pacer.pause(duration)


class _SerializedTransport(_PacedTransport):
    """One HTTP exchange at a time while a cassette is active (see CASSETTE_EXCHANGE_LOCK).

    vcrpy is not thread-safe: while one thread builds a connection (or records) it briefly
    restores urllib3's real classes for every thread, so a concurrent request could slip
    past the cassette to the network unrecorded.

    Work still runs on the pool, and waits for ARM's budget (PacingPolicy, above the
    transport) happen outside the lock; only the exchange itself takes turns.
    """

    def send(self, request: Any, **kwargs: Any) -> Any:
        with CASSETTE_EXCHANGE_LOCK:
            return super().send(request, **kwargs)


class ArmReader:
    """Builds the SDK clients, runs reads on the pool, keeps the gaps; :meth:`close` the clients."""

    def __init__(
        self,
        credential: TokenCredential,
        counter: CallCounter,
        base_url: str,
        session: requests.Session,
        pool: ThreadPoolExecutor,
        progress: Callable[[str], None] | None,
        pacer: ArmPacer,
        read_timeout: float,
        malformed_stops: bool = False,
    ) -> None:
        self.credential = credential
        self.counter = counter
        self.base_url = base_url
        self.pacer = pacer
        self.gaps = GapLog()
        self._malformed_stops = malformed_stops
        self._read_timeout = read_timeout
        self._arm_host = urlsplit(base_url).netloc.lower()
        self._session = session
        self._pool = pool
        self._progress = progress
        self._network_clients: dict[str, NetworkManagementClient] = {}
        self._clients: list[Any] = []  # every SDK client built, to close
        self._serialize_sends = _cassette_active()

    def say(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    # -- clients --

    def transport(self) -> RequestsTransport:
        transport_class = _SerializedTransport if self._serialize_sends else _PacedTransport
        return transport_class(
            self.pacer,
            session=self._session,
            session_owner=False,
            connection_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=self._read_timeout,
        )

    def built_client(self, build: Callable[..., C], *leading: str) -> C:
        """The client ``build(*leading, credential, counter, ...)`` makes over this audit's
        session, read budget and call count; closed with the others."""
        client = build(
            *leading,
            self.credential,
            self.counter,
            base_url=self.base_url,
            transport=self.transport(),
            pacer=self.pacer,
        )
        self._clients.append(client)
        return client

    def web_client(self, subscription_id: str) -> WebSiteManagementClient:
        return self.built_client(build_web_client, subscription_id)

    def network_client(self, subscription_id: str) -> NetworkManagementClient:
        key = subscription_id.lower()
        if key not in self._network_clients:
            self._network_clients[key] = self.built_client(build_network_client, subscription_id)
        return self._network_clients[key]

    def network_client_for(self, resource_id: str) -> NetworkManagementClient:
        """The network client of the subscription ``resource_id`` lives in."""
        return self.network_client(id_segment(resource_id, "subscriptions") or "")

    def close(self) -> None:
        for client in self._clients:
            client.close()

    # -- reads --

    def read(self, operation: str, fetch: Callable[[], T]) -> T | ReadFailure:
        try:
            return fetch()
        except Exception as error:
            return classify_failure(error, operation, self._arm_host, self._malformed_stops)

    def run_all(self, jobs: Mapping[K, Job[T]]) -> dict[K, T | ReadFailure]:
        """Run every (operation, fetch) job on the pool; the first audit-stopping error cancels the rest."""
        order = interleaved_by_budget({key: operation for key, (operation, _) in jobs.items()})
        futures: dict[K, Future[T | ReadFailure]] = {
            key: self._pool.submit(self.read, jobs[key][0], jobs[key][1]) for key in order
        }
        try:
            return {key: future.result() for key, future in futures.items()}
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
