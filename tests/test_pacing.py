"""ArmPacer: the local copy of ARM's read bucket, Retry-After, and cancellation."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.utils import formatdate

import pytest

from auditor.collect.pacing import (
    MAX_THROTTLE_WAIT,
    ArmPacer,
    PacingCancelled,
    ThrottledTooLong,
    budget_key,
    remaining_reads,
    retry_after_seconds,
)

SUB = "00000000-0000-0000-0000-000000000000"


def _acquire(pacer: ArmPacer, times: int) -> None:
    for _ in range(times):
        pacer.acquire(SUB)


def _elapsed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def test_retry_after_in_seconds_dates_and_milliseconds() -> None:
    assert retry_after_seconds({"Retry-After": "17"}) == 17.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({"x-ms-retry-after-ms": "1500"}) == 1.5
    in_a_minute = retry_after_seconds({"Retry-After": formatdate(time.time() + 60, usegmt=True)})
    assert in_a_minute is not None and 55 < in_a_minute <= 60
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"Retry-After": "soon"}) is None


def test_remaining_reads_and_budget_key() -> None:
    assert remaining_reads({"x-ms-ratelimit-remaining-subscription-reads": "249"}) == 249
    assert remaining_reads({"x-ms-ratelimit-remaining-subscription-reads": "n/a"}) is None
    assert remaining_reads({}) is None
    url = f"https://management.azure.com/subscriptions/{SUB.upper()}/providers/Microsoft.Web/sites?x=1"
    assert budget_key(url) == SUB
    assert budget_key("https://management.azure.com/providers/Microsoft.ResourceGraph/resources") == "tenant"


def test_the_burst_is_free_then_requests_go_at_the_refill_rate() -> None:
    pacer = ArmPacer(bucket_size=5, refill_per_second=20, reserve=0)
    for _ in range(5):
        pacer.acquire(SUB)
    assert pacer.waited_seconds == 0
    # Five more need five refills at 20 per second.
    assert 0.2 <= _elapsed(lambda: _acquire(pacer, 5)) < 2.0
    # Another subscription has its own bucket.
    waited = pacer.waited_seconds
    pacer.acquire("other")
    assert pacer.waited_seconds == waited


def test_what_arm_reports_left_slows_the_pacer_down_before_a_429() -> None:
    pacer = ArmPacer(bucket_size=250, refill_per_second=20, reserve=3)
    pacer.acquire(SUB)
    pacer.release(SUB, 0)  # another client of the same principal emptied the bucket
    assert _elapsed(lambda: pacer.acquire(SUB)) >= 0.15  # (reserve + 1) / 20 per second
    assert pacer.throttled == 0


def test_what_arm_reports_left_counts_the_requests_still_in_flight() -> None:
    pacer = ArmPacer(bucket_size=250, refill_per_second=20, reserve=0)
    for _ in range(3):
        pacer.acquire(SUB)
    pacer.release(SUB, 2)  # two more are in flight: nothing is left for a third
    assert _elapsed(lambda: pacer.acquire(SUB)) >= 0.04


def test_a_budget_larger_than_documented_is_used_as_arm_reports_it() -> None:
    pacer = ArmPacer(bucket_size=5, refill_per_second=1, reserve=0)
    for _ in range(20):
        pacer.acquire(SUB)
        pacer.release(SUB, 4)  # ARM keeps answering that reads are left
    assert pacer.waited_seconds == 0


def test_a_429_holds_every_request_of_the_subscription_for_retry_after() -> None:
    pacer = ArmPacer(reserve=0)
    pacer.throttle(SUB, 0.3)
    assert pacer.throttled == 1
    assert 0.25 <= _elapsed(lambda: pacer.acquire(SUB)) < 2.0
    waited = pacer.waited_seconds
    pacer.acquire("other")
    assert pacer.waited_seconds == waited


def test_a_429_without_retry_after_backs_off_and_doubles() -> None:
    pacer = ArmPacer(reserve=0)
    pacer.throttle(SUB, None)
    assert 0.9 <= _elapsed(lambda: pacer.acquire(SUB)) < 3.0


def test_cancel_wakes_a_request_waiting_out_a_long_throttle() -> None:
    pacer = ArmPacer()
    pacer.throttle(SUB, 600)
    outcome: list[BaseException] = []

    def wait() -> None:
        try:
            pacer.acquire(SUB)
        except PacingCancelled as error:
            outcome.append(error)

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.1)
    started = time.monotonic()
    pacer.cancel()
    waiter.join(timeout=5)
    assert not waiter.is_alive() and time.monotonic() - started < 1
    assert len(outcome) == 1
    with pytest.raises(PacingCancelled):
        pacer.acquire("other")


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_retry_after_beyond_the_cap_fails_the_read_instead_of_sleeping() -> None:
    clock = _Clock()
    pacer = ArmPacer(reserve=0, max_throttle_wait=5, clock=clock)
    with pytest.raises(ThrottledTooLong, match="retry after 100000 s, longer than the 5 s"):
        pacer.throttle(SUB, 100000)
    # Every later read of the subscription fails at once, without being sent, until then.
    with pytest.raises(ThrottledTooLong):
        pacer.acquire(SUB)
    pacer.acquire("other")  # another subscription has its own budget
    clock.now += 100001
    pacer.acquire(SUB)
    assert pacer.waited_seconds == 0


def test_a_retry_after_up_to_the_cap_is_still_outwaited() -> None:
    pacer = ArmPacer(reserve=0, max_throttle_wait=0.3)
    pacer.throttle(SUB, 0.3)
    assert 0.25 <= _elapsed(lambda: pacer.acquire(SUB)) < 2.0
    assert MAX_THROTTLE_WAIT == 600  # the default: ten minutes


def test_the_fallback_back_off_never_exceeds_the_cap() -> None:
    pacer = ArmPacer(reserve=0, max_throttle_wait=0.2)
    for _ in range(3):  # would be 1, 2 and 4 s without the cap
        pacer.throttle(SUB, None)
        assert _elapsed(lambda: pacer.acquire(SUB)) < 1.0


def test_pause_sleeps_until_cancelled() -> None:
    pacer = ArmPacer()
    assert 0.05 <= _elapsed(lambda: pacer.pause(0.05)) < 1.0
    threading.Timer(0.1, pacer.cancel).start()
    started = time.monotonic()
    with pytest.raises(PacingCancelled):
        pacer.pause(600)
    assert time.monotonic() - started < 2.0
