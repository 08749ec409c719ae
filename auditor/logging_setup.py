"""Status lines on stderr: plain text for people, one JSON object per line for job runners.

``--log-format json`` turns every status line (summary, stored run, errors, progress with -v) into
``{"time": "…Z", "level": "info", "event": "audit.summary", "message": "…", …fields}`` so a
scheduler can parse and alert on it. The report itself still goes to stdout or ``--output``.

Nothing reaches stderr any other way: log records of the SDKs (azure-core, azure-identity,
urllib3), Python warnings and an unexpected traceback go through the same formatter (event
``log``, ``warning`` or ``crash``). Text is made safe for a terminal first: a value from Azure or
from an input file cannot carry an escape sequence or a bidi override to the operator's screen.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from auditor.report.common import json_escape_invisible, printable

__all__ = ["LOG_FORMATS", "configure", "emit", "log_format", "progress_wanted", "requested_log_format"]

LOG_FORMATS = ("text", "json")
_state = {"format": "text"}
# Libraries repeat in many lines what the auditor's own one-line message says (azure-identity
# logs every failed attempt of its chain); their warnings show with -v.
_QUIET_UNLESS_VERBOSE = ("azure.identity",)


def configure(log_format: str, *, verbose: bool = False) -> None:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    _state["format"] = log_format
    root = logging.getLogger()
    if _LIBRARY_LOGS not in root.handlers:
        root.addHandler(_LIBRARY_LOGS)
    for name in _QUIET_UNLESS_VERBOSE:
        logging.getLogger(name).setLevel(logging.WARNING if verbose else logging.ERROR)
    # Re-installed on every call: something else (a test runner) may have replaced
    # warnings.showwarning since the last one.
    logging.captureWarnings(False)
    logging.captureWarnings(True)
    sys.excepthook = _crash_line


def requested_log_format(argv: Sequence[str]) -> str:
    """The ``--log-format`` of a command line not parsed yet, so even a usage error is JSON."""
    for index, argument in enumerate(argv):
        value = None
        if argument == "--log-format" and index + 1 < len(argv):
            value = argv[index + 1]
        elif argument.startswith("--log-format="):
            value = argument.partition("=")[2]
        if value in LOG_FORMATS:
            return value
    return "text"


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
        line = json_escape_invisible(
            json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))
        )
    else:
        line = printable(message)
    print(line, file=sys.stderr, flush=True)


def progress_wanted(verbose: bool) -> bool:
    """Progress lines: always with -v; otherwise only for a person watching a text terminal."""
    if verbose:
        return True
    return _state["format"] == "text" and sys.stderr.isatty()


class _LibraryLogs(logging.Handler):
    """Log records of any library (and Python warnings) as status lines; never raw text."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string must not end the audit
            message = str(record.msg)
        level = record.levelname.lower()
        event = "warning" if record.name == "py.warnings" else "log"
        if _state["format"] == "json":
            fields: dict[str, Any] = {"logger": record.name}
            if record.exc_info and record.exc_info[0] is not None:
                fields["traceback"] = "".join(traceback.format_exception(*record.exc_info))
            emit(message, event=event, level=level, **fields)
            return
        # Text: one line per line of the message, each made safe for the terminal.
        for line in message.splitlines():
            if line.strip():
                emit(f"{record.name}: {line.strip()}", event=event, level=level)


_LIBRARY_LOGS = _LibraryLogs(level=logging.WARNING)


def _crash_line(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """An unexpected exception: its traceback, through the formatter like every other line."""
    text = "".join(traceback.format_exception(kind, error, trace))
    if _state["format"] == "json":
        emit(
            f"auditor: internal error: {kind.__name__}: {error}",
            event="crash",
            level="critical",
            traceback=text,
        )
        return
    for line in text.rstrip().splitlines():
        emit(line, event="crash", level="critical")
