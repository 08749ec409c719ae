"""Exceptions that stop an audit instead of becoming a gap."""

from __future__ import annotations


class ReadOnlyViolation(Exception):
    """A request other than GET reached the pipeline; it was refused before it left the process."""


class ReplayMiss(Exception):
    """Replay asked for a request the cassette does not hold.

    A missing recording is a broken cassette, not a fact about Azure: turning it
    into a gap would make an incomplete replay look like a real read failure.
    """
