"""The published result schema (auditor/schemas/result.schema.json), applied to every result the
tests produce: :func:`validate_every_result` wraps evaluation for the whole session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import jsonschema
import pytest

import auditor.evaluate
from auditor.result_types import Result

SCHEMA: dict[str, Any] = json.loads(
    resources.files("auditor").joinpath("schemas/result.schema.json").read_text(encoding="utf-8")
)
jsonschema.Draft202012Validator.check_schema(SCHEMA)
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def schema_errors(result: object) -> list[str]:
    """Every way ``result`` breaks the schema, as ``path: message`` lines (none: it conforms)."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(_VALIDATOR.iter_errors(result), key=lambda error: list(error.absolute_path))
    ]


def assert_conforms(result: object, label: str = "result") -> None:
    errors = schema_errors(result)
    assert not errors, f"{label} breaks the result schema:\n" + "\n".join(errors[:20])


@pytest.fixture(autouse=True, scope="session")
def validate_every_result() -> Iterator[None]:
    """Every result evaluation builds during the tests is checked against the schema.

    The wrapper sits on the inner builder, which ``evaluate`` looks up on each call, so results
    built through a name imported before the session (``from auditor.evaluate import evaluate``,
    the CLI) are checked too.
    """
    build = auditor.evaluate._evaluate

    def checked(*args: Any, **kwargs: Any) -> Result:
        result = build(*args, **kwargs)
        assert_conforms(result)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auditor.evaluate, "_evaluate", checked)
        yield
