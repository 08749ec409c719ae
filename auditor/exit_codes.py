"""The process exit codes of every command, defined once (spec/output.md, "Exit codes")."""

from __future__ import annotations

EXIT_OK = 0  # audit complete, no failing finding at or above --fail-on
EXIT_FINDINGS = 1  # audit complete, a failing finding at or above --fail-on (or a new one)
EXIT_USAGE = 2  # bad flag, malformed id, unreadable or corrupt input
EXIT_CANNOT_VOUCH = 3  # sign-in failed, a subscription was not found, or data could not be read
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM
