"""Reading result files: size-capped and validated (output_files.py writes them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.input_files import RESULT_FILE_LIMIT, read_input_text

SCHEMA_VERSION = 1
# Results nest about ten levels deep; the cap keeps every recursive reader (diff, encoders) safe.
MAX_NESTING = 64

# The shape every reader of a result relies on, in JSON Schema's type names, in one place:
# {field: (required, allowed types)}. Unknown fields are allowed, so newer results still read.
_TEXT = frozenset({"string"})
_OPTIONAL_TEXT = frozenset({"string", "null"})
_OPTIONAL_OBJECT = frozenset({"object", "null"})
_OPTIONAL_ARRAY = frozenset({"array", "null"})
Shape = dict[str, tuple[bool, frozenset[str]]]
RESULT_SHAPE: Shape = {
    "schema_version": (True, frozenset({"integer"})),
    "edition": (True, _TEXT),
    "subscriptions": (True, frozenset({"array"})),
    "resources": (True, frozenset({"array"})),
    "findings": (True, frozenset({"array"})),
    "gaps": (True, frozenset({"array"})),
    "summary": (True, frozenset({"object"})),
    "tool": (False, _OPTIONAL_OBJECT),
    "cloud": (False, _OPTIONAL_TEXT),
    "started_at": (False, _OPTIONAL_TEXT),
    "finished_at": (False, _OPTIONAL_TEXT),
    "waivers": (False, _OPTIONAL_ARRAY),
    "policy": (False, _OPTIONAL_OBJECT),
}
ITEM_SHAPES: dict[str, Shape] = {
    "subscriptions": {"id": (True, _TEXT), "status": (True, _TEXT), "error": (False, _OPTIONAL_TEXT)},
    "resources": {
        "id": (True, _TEXT),
        "name": (False, _OPTIONAL_TEXT),
        "slot": (False, _OPTIONAL_TEXT),
        "resource_group": (False, _OPTIONAL_TEXT),
        "location": (False, _OPTIONAL_TEXT),
        "kind": (False, _OPTIONAL_TEXT),
        "os": (False, _OPTIONAL_TEXT),
        "hosting": (False, _OPTIONAL_TEXT),
        "outbound": (False, _OPTIONAL_TEXT),
        "plan": (False, _OPTIONAL_OBJECT),
        "inbound": (False, _OPTIONAL_OBJECT),
        "vnet_integration": (False, _OPTIONAL_OBJECT),
        "access_rules": (False, _OPTIONAL_OBJECT),
        "inbound_detail": (False, _OPTIONAL_OBJECT),
        "outbound_detail": (False, _OPTIONAL_OBJECT),
        "private_endpoints": (False, _OPTIONAL_ARRAY),
        "hybrid_connections": (False, _OPTIONAL_ARRAY),
        "functions": (False, _OPTIONAL_ARRAY),
    },
    "findings": {
        "rule_id": (True, _TEXT),
        "resource_id": (True, _TEXT),
        "status": (True, _TEXT),
        "severity": (True, _TEXT),
        "category": (False, _OPTIONAL_TEXT),
        "title": (False, _OPTIONAL_TEXT),
        "message": (False, _OPTIONAL_TEXT),
        "remediation": (False, _OPTIONAL_TEXT),
        "fingerprint": (False, _OPTIONAL_TEXT),
        "resource_name": (False, _OPTIONAL_TEXT),
        "evidence": (False, _OPTIONAL_OBJECT),
        "reference": (False, frozenset({"object", "string", "null"})),
        "waived": (False, _OPTIONAL_OBJECT),
        "waiver_expired": (False, _OPTIONAL_OBJECT),
    },
    "gaps": {
        "operation": (True, _TEXT),
        "reason": (True, _TEXT),
        "status": (False, frozenset({"integer", "null"})),
        "resource_id": (False, _OPTIONAL_TEXT),
        "subscription_id": (False, _OPTIONAL_TEXT),
        "affects": (False, _OPTIONAL_ARRAY),
    },
    "waivers": {
        "rule_id": (True, _TEXT),
        "resource": (True, _TEXT),
        "status": (True, _TEXT),
        "reason": (False, _OPTIONAL_TEXT),
        "owner": (False, _OPTIONAL_TEXT),
        "expires": (False, _OPTIONAL_TEXT),
        "line": (False, frozenset({"integer", "null"})),
        "matches": (False, frozenset({"integer", "null"})),
    },
}


class ResultFileError(Exception):
    """A result file that is missing, unreadable or not an auditor result."""


def load_result(path: Path) -> dict[str, Any]:
    label = f"result file {path}"
    text = read_input_text(path, label, ResultFileError, RESULT_FILE_LIMIT)
    return parse_result(text, label)


def parse_result(text: str, label: str) -> dict[str, Any]:
    """A result from its JSON text, checked by :func:`validate_result`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultFileError(
            f"{label} is not valid JSON (line {error.lineno}, column {error.colno})"
        ) from error
    except RecursionError:
        raise ResultFileError(f"{label} is not an auditor result (nested too deeply)") from None
    return validate_result(data, label)


def validate_result(data: object, label: str) -> dict[str, Any]:
    """``data`` if it has the shape every reporter, diff and store reader relies on.

    Raises :class:`ResultFileError` naming the first field that is missing or of the wrong type,
    so a hand-edited or hostile file is refused with one line instead of failing in a reporter.
    """
    if not isinstance(data, dict):
        raise ResultFileError(f"{label} is not an auditor result (expected a JSON object)")
    missing = [key for key, (required, _) in RESULT_SHAPE.items() if required and key not in data]
    if missing:
        raise ResultFileError(f"{label} is not an auditor result (missing {', '.join(missing)})")
    version = data["schema_version"]
    if json_type(version) != "integer" or version != SCHEMA_VERSION:
        raise ResultFileError(
            f"{label} has schema_version {json.dumps(version)[:40]}; this auditor reads {SCHEMA_VERSION}"
        )
    _check_fields(data, RESULT_SHAPE, "", label)
    for key, shape in ITEM_SHAPES.items():
        for index, item in enumerate(data.get(key) or ()):
            where = f"{key}[{index}]"
            if not isinstance(item, dict):
                raise ResultFileError(f"{label} is not an auditor result ({where} is not an object)")
            _check_fields(item, shape, f"{where}.", label)
    check_nesting(data, label, ResultFileError)
    return data


def _check_fields(item: dict[str, Any], shape: Shape, prefix: str, label: str) -> None:
    for key, (required, types) in shape.items():
        if key not in item:
            if required:
                raise ResultFileError(f"{label} is not an auditor result ({prefix}{key} is missing)")
            continue
        kind = json_type(item[key])
        if kind not in types:
            expected = " or ".join(sorted(types))
            raise ResultFileError(
                f"{label} is not an auditor result ({prefix}{key} is {_article(kind)}, expected {expected})"
            )


def json_type(value: object) -> str:
    """The JSON Schema type name of a parsed JSON value (a bool is never an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _article(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def check_nesting(data: object, label: str, error_type: type[Exception], limit: int = MAX_NESTING) -> None:
    """Refuse data nested deeper than ``limit`` levels; walked level by level, never recursively."""
    level: list[Any] = [data]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            raise error_type(f"{label} is nested deeper than {limit} levels")
        deeper: list[Any] = []
        for value in level:
            children = value.values() if isinstance(value, dict) else value
            deeper.extend(child for child in children if isinstance(child, dict | list))
        level = deeper
