"""SIGINT and SIGTERM stop a run at once, never half-way through committing its outputs.

Python turns SIGINT into KeyboardInterrupt but lets SIGTERM (what a scheduler or
``docker stop`` sends) kill the process outright. :func:`install` makes both raise in the
main thread, :class:`Interrupted` or :class:`Terminated` (both KeyboardInterrupt), so they
take one path: the collector stops sending, abandons the requests on the wire, staged
outputs are removed, and the exit code says which signal it was (130 or 143).

* Only the first signal raises. One that follows while the run is stopping (removing
  temporary files, rolling back the store) is ignored, so it cannot cut that cleanup short
  or end the process with a traceback and another exit code. Should the stop itself hang,
  a signal more than :data:`FORCE_AFTER_SECONDS` after the first exits at once.
* Inside :func:`deferred` (the moment the outputs of a run are committed) a signal is held
  and raised when the block ends, so the outputs are either all committed or none.
* Worker threads may be stuck on a socket of a silent network: :func:`exit_if_threads_linger`
  ends the process without waiting for them once the main thread is done.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType

from auditor.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED

# A repeated signal this long after the first means the orderly stop is stuck.
FORCE_AFTER_SECONDS = 5.0

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """SIGINT arrived."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived."""


class _State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.first: int | None = None  # the signal that is stopping the run
        self.first_at = 0.0
        self.deferring = 0  # depth of deferred() blocks
        self.held: int | None = None  # a signal that arrived inside deferred()


_state = _State()


def exit_code_of(signum: int) -> int:
    return EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED


def _stop(signum: int) -> None:
    _state.first = signum
    _state.first_at = time.monotonic()
    raise Terminated() if signum == signal.SIGTERM else Interrupted()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _state.first is not None:
        if time.monotonic() - _state.first_at > FORCE_AFTER_SECONDS:
            with contextlib.suppress(OSError):
                os.write(2, b"auditor: interrupted again while stopping; exiting at once\n")
            os._exit(exit_code_of(_state.first))
        return
    if _state.deferring:
        _state.held = _state.held or signum
        return
    _stop(signum)


def install() -> None:
    """Route SIGINT and SIGTERM through this module (signals can only be set in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _state.reset()  # a fresh run in this process
    for signum in _SIGNALS:
        signal.signal(signum, _on_signal)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM for the duration of the block; a held signal is raised at its end."""
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
        if not _state.deferring and _state.held is not None and _state.first is None:
            held, _state.held = _state.held, None
            _stop(held)


def interrupted_exit_code(interrupt: KeyboardInterrupt) -> int:
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED


def exit_if_threads_linger(code: int) -> None:
    """After an interrupt, end the process now if worker threads are still alive.

    Python waits for non-daemon threads (a thread pool's workers among them) before it
    exits; a worker blocked on a socket of a silent network would hold the process for
    the whole read timeout and then open a new connection to retry.
    """
    others = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.current_thread() and not thread.daemon and thread.is_alive()
    ]
    if not others:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
