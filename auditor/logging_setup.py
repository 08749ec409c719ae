"""Status lines on stderr: plain text for people, one JSON object per line for job runners.

``--log-format json`` turns every status line (summary, stored run, errors, progress with -v) into
``{"time": "…Z", "level": "info", "event": "audit.summary", "message": "…", …fields}`` so a
scheduler can parse and alert on it. The report itself still goes to stdout or ``--output``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["LOG_FORMATS", "configure", "emit", "log_format", "progress_wanted"]

LOG_FORMATS = ("text", "json")
_state = {"format": "text"}


def configure(log_format: str) -> None:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    _state["format"] = log_format


def log_format() -> str:
    return _state["format"]


def emit(message: str, *, event: str = "status", level: str = "info", **fields: Any) -> None:
    """Write one status line to stderr in the configured format."""
    if _state["format"] == "json":
        record = {
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": level,
            "event": event,
            "message": message,
            **fields,
        }
        line = json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))
    else:
        line = message
    print(line, file=sys.stderr, flush=True)


def progress_wanted(verbose: bool) -> bool:
    """Progress lines: always with -v; otherwise only for a person watching a text terminal."""
    if verbose:
        return True
    return _state["format"] == "text" and sys.stderr.isatty()
