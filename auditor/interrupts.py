"""SIGTERM handled like Ctrl-C: the audit stops at once and writes nothing half-done.

Python turns SIGINT into KeyboardInterrupt but lets SIGTERM (what a scheduler or
``docker stop`` sends) kill the process outright. Raising :class:`Terminated`, a
KeyboardInterrupt, sends both through the same path: the collector cancels its
waiting requests and abandons the pool, no output is written (every output is
written atomically, after collection), and the exit code says which signal it was.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def handle_sigterm() -> None:
    """Make SIGTERM raise :class:`Terminated` in the main thread (signals can only be set there)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


def interrupted_exit_code(interrupt: KeyboardInterrupt) -> int:
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED
