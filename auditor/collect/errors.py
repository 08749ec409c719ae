"""Exceptions that stop an audit instead of becoming a gap."""

from __future__ import annotations

from collections.abc import Iterator


def exception_chain(error: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps: azure-core keeps the transport's error in ``inner_exception``."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = getattr(current, "inner_exception", None)
        pending.extend(
            [current.__cause__, current.__context__, inner if isinstance(inner, BaseException) else None]
        )


class ReadOnlyViolation(Exception):
    """A request other than GET reached the pipeline; it was refused before it left the process."""


class ReplayMiss(Exception):
    """Replay asked for a request the cassette does not hold.

    A missing recording is a broken cassette, not a fact about Azure: turning it
    into a gap would make an incomplete replay look like a real read failure.
    """


class MalformedResponse(ValueError):
    """ARM answered with a body of the wrong shape: not JSON ARM would send, items that are not
    objects, ``properties`` that is not an object, JSON nested past what a parser can take.

    In a live audit it is a failed read like any other (a gap); under replay it means the
    cassette is corrupt, since it is not what ARM sent.
    """
