"""Pace ARM reads by the subscription's read budget, and outwait throttling within reason.

ARM throttles reads with a token bucket per subscription and principal (250 tokens,
refilled at 25 per second; capabilities.md §5) and tells the caller what is left in
``x-ms-ratelimit-remaining-subscription-reads``. azure-core's RetryPolicy honours a
429's ``Retry-After`` but gives up after three (``retry_status``), which would turn
every app read during a long throttle into a gap. So a :class:`PacingPolicy` sits
*inside* the RetryPolicy (a 429 never reaches it) and, per subscription:

* keeps a local copy of the bucket, set from what ARM reports after every response
  (less the requests still in flight), and holds a request back while the copy is
  nearly empty: the audit slows to the refill rate before ARM has to throttle it;
* on a 429 empties the bucket, holds every request of that subscription until
  ``Retry-After`` has passed, then sends the same request again, as often as ARM asks;
* but waits no longer than ``max_throttle_wait`` (``--max-throttle-wait``, 10 minutes by
  default) at a time: a 429 asking for more makes the read fail with :class:`ThrottledTooLong`
  (a gap, exit code 3), and so does every read of that subscription until that Retry-After
  has passed, instead of the audit sleeping for as long as ARM (or a broken proxy) says.

Every wait is cut short by :meth:`ArmPacer.cancel` (SIGINT, SIGTERM, a fatal error), so
an interrupted audit does not sit out a throttle before it can exit.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HTTPPolicy

REMAINING_READS_HEADER = "x-ms-ratelimit-remaining-subscription-reads"
# ARM's documented read bucket per subscription and principal (capabilities.md §5).
BUCKET_SIZE = 250
REFILL_PER_SECOND = 25.0
# Requests are held back while fewer tokens than this remain, so requests already in
# flight (whose cost the last header did not count yet) do not run the bucket dry.
DEFAULT_RESERVE = 10
# A 429 without a usable Retry-After: wait this long, doubling up to the cap.
_FALLBACK_WAIT = 1.0
_FALLBACK_WAIT_MAX = 60.0
# The longest single Retry-After outwaited (seconds). ARM's own throttling asks for seconds;
# far longer is a broken proxy, a misconfigured gateway or a principal shut out for the day.
MAX_THROTTLE_WAIT = 600.0
K = TypeVar("K", bound=Hashable)
_SUBSCRIPTION = re.compile(r"/subscriptions/([^/?#]+)", re.IGNORECASE)


class PacingCancelled(Exception):
    """The audit was interrupted while a request waited for ARM's budget."""


class ThrottledTooLong(Exception):
    """ARM asked for a longer wait than the audit outwaits: the read becomes a gap (429).

    Not an AzureError, so azure-core's RetryPolicy passes it on instead of retrying it.
    """

    status_code = 429


@dataclass
class _Bucket:
    tokens: float
    updated: float
    paused_until: float = 0.0
    in_flight: int = 0  # requests sent whose answer has not come back
    fallback_wait: float = _FALLBACK_WAIT
    refused_until: float = 0.0  # ARM asked for longer than max_throttle_wait: reads fail until then
    refused_for: float = 0.0  # that Retry-After, for the message


class ArmPacer:
    """The read budgets of every subscription one audit touches, shared by all its clients and threads."""

    def __init__(
        self,
        *,
        bucket_size: int = BUCKET_SIZE,
        refill_per_second: float = REFILL_PER_SECOND,
        reserve: int = DEFAULT_RESERVE,
        max_throttle_wait: float = MAX_THROTTLE_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size = float(bucket_size)
        self._max_throttle_wait = max_throttle_wait
        self._refill = refill_per_second
        self._reserve = float(min(reserve, bucket_size - 1))
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._throttled = 0
        self._waited = 0.0

    # -- figures --

    @property
    def throttled(self) -> int:
        """429 responses received."""
        with self._lock:
            return self._throttled

    @property
    def waited_seconds(self) -> float:
        """Time requests spent held back (summed over threads)."""
        with self._lock:
            return self._waited

    # -- control --

    def cancel(self) -> None:
        """Wake every waiting request with :class:`PacingCancelled`; later requests fail at once."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def pause(self, seconds: float) -> None:
        """Sleep ``seconds`` (a retry's back-off), or until :meth:`cancel`: then PacingCancelled."""
        if self._cancelled.wait(seconds):
            raise PacingCancelled("the audit was interrupted")

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=self._size, updated=now)
        elif now > bucket.updated:
            bucket.tokens = min(self._size, bucket.tokens + (now - bucket.updated) * self._refill)
            bucket.updated = now
        return bucket

    def acquire(self, key: str) -> None:
        """Take one read token for ``key`` (a subscription id), waiting while there is none."""
        while True:
            if self._cancelled.is_set():
                raise PacingCancelled("the audit was interrupted")
            with self._lock:
                now = self._clock()
                bucket = self._bucket(key, now)
                if now < bucket.refused_until:
                    raise self._too_long(bucket.refused_for)
                if now >= bucket.paused_until and bucket.tokens >= self._reserve + 1:
                    bucket.tokens -= 1
                    bucket.in_flight += 1
                    return
                if now < bucket.paused_until:
                    delay = bucket.paused_until - now
                else:
                    delay = (self._reserve + 1 - bucket.tokens) / self._refill
                self._waited += delay
            # Woken early only by cancel(); other threads recheck on their own schedule.
            self._cancelled.wait(delay)

    def release(self, key: str, remaining: int | None) -> None:
        """A request of ``key`` came back (or failed); ``remaining`` is ARM's header, if it sent one.

        ARM's count is the truth, less what is still in flight (ARM may not have counted
        those yet): it lowers the local copy when another client shares the budget, and
        raises it when the budget is larger or refills faster than documented.
        """
        with self._lock:
            bucket = self._bucket(key, self._clock())
            bucket.in_flight = max(0, bucket.in_flight - 1)
            if remaining is not None:
                bucket.tokens = min(self._size, max(0.0, float(remaining - bucket.in_flight)))
                bucket.fallback_wait = _FALLBACK_WAIT

    def throttle(self, key: str, retry_after: float | None) -> None:
        """ARM answered 429: hold every request of ``key`` until ``retry_after`` seconds have passed.

        Raises :class:`ThrottledTooLong` when ``retry_after`` is beyond ``max_throttle_wait``.
        """
        with self._lock:
            self._throttled += 1
            now = self._clock()
            bucket = self._bucket(key, now)
            if retry_after is None:
                retry_after = min(bucket.fallback_wait, self._max_throttle_wait)
                bucket.fallback_wait = min(_FALLBACK_WAIT_MAX, bucket.fallback_wait * 2)
            if retry_after > self._max_throttle_wait:
                bucket.refused_until = max(bucket.refused_until, now + retry_after)
                bucket.refused_for = retry_after
                raise self._too_long(retry_after)
            # Empty but for the reserve: once Retry-After has passed, requests go on at the refill rate.
            bucket.tokens = min(bucket.tokens, self._reserve)
            bucket.paused_until = max(bucket.paused_until, now + retry_after)

    def _too_long(self, retry_after: float) -> ThrottledTooLong:
        return ThrottledTooLong(
            f"ARM throttled the read and asked to retry after {retry_after:.0f} s, longer than the "
            f"{self._max_throttle_wait:.0f} s this audit waits (--max-throttle-wait)"
        )


def retry_after_seconds(headers: Any) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date), else ``retry-after-ms``; None if absent."""
    value = headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                parsed = None  # neither seconds nor a date: fall through to the others
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value) / 1000)
            except ValueError:
                continue
    return None


def remaining_reads(headers: Any) -> int | None:
    value = headers.get(REMAINING_READS_HEADER)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def budget_key(url: str) -> str:
    """The bucket a request draws on: its subscription, or the tenant for tenant-level calls."""
    match = _SUBSCRIPTION.search(url)
    return match.group(1).lower() if match else "tenant"


def interleaved_by_budget(operations: Mapping[K, str]) -> list[K]:
    """The keys of ``operations`` taking turns across budgets, so the pool's queue is not one's backlog.

    A worker that waits for a subscription's ARM budget is idle; submitted in order, every
    worker would wait on the first subscription while the others' reads sit in the queue.
    """
    by_budget: dict[str, list[K]] = {}
    for key, operation in operations.items():
        by_budget.setdefault(budget_key(operation), []).append(key)
    queues = list(by_budget.values())
    order: list[K] = []
    for position in range(max((len(queue) for queue in queues), default=0)):
        order.extend(queue[position] for queue in queues if position < len(queue))
    return order


class PacingPolicy(HTTPPolicy[Any, Any]):
    """Draws a token before each send; on 429 waits ``Retry-After`` (up to the cap) and sends again."""

    def __init__(self, pacer: ArmPacer) -> None:
        super().__init__()
        self._pacer = pacer

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        key = budget_key(str(request.http_request.url))
        while True:
            self._pacer.acquire(key)
            try:
                response = self.next.send(request)
            except BaseException:
                self._pacer.release(key, None)
                raise
            headers = response.http_response.headers
            self._pacer.release(key, remaining_reads(headers))
            if response.http_response.status_code != 429:
                return response
            retry_after = retry_after_seconds(headers)
            # Not streamed: the transport has read the 429's body and released the connection.
            self._pacer.throttle(key, retry_after)
