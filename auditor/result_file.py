"""Reading result files, validated (output_files.py writes them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
REQUIRED_KEYS = ("schema_version", "edition", "subscriptions", "resources", "findings", "gaps", "summary")


class ResultFileError(Exception):
    """A result file that is missing, unreadable or not an auditor result."""


def read_input_text(path: Path, describe: str, error_type: type[Exception]) -> str:
    """A user-named input file as UTF-8 text, or ``error_type`` with a one-line reason.

    ``describe`` names the file in the message (``"result file"``; empty for just the path).
    """
    label = f"{describe} {path}" if describe else str(path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise error_type(f"cannot read {label}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise error_type(f"{label} is not UTF-8 text") from error


def load_result(path: Path) -> dict[str, Any]:
    text = read_input_text(path, "result file", ResultFileError)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultFileError(
            f"result file {path} is not valid JSON (line {error.lineno}, column {error.colno})"
        ) from error
    if not isinstance(data, dict):
        raise ResultFileError(f"result file {path} is not an auditor result (expected a JSON object)")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ResultFileError(f"result file {path} is not an auditor result (missing {', '.join(missing)})")
    if data["schema_version"] != SCHEMA_VERSION:
        raise ResultFileError(
            f"result file {path} has schema_version {data['schema_version']!r}; "
            f"this auditor reads {SCHEMA_VERSION}"
        )
    for key in ("subscriptions", "resources", "findings", "gaps"):
        if not isinstance(data[key], list):
            raise ResultFileError(f"result file {path} is not an auditor result ({key} is not a list)")
    return data
