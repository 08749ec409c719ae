"""YAML input files (policy, waivers) read as node trees, so every error names its line.

``yaml.safe_load`` throws the positions away; ``yaml.compose`` keeps a ``start_mark`` on every
node. The helpers below turn nodes into plain values one field at a time and raise
:class:`YamlInputError` with ``path:line:column`` when a value is missing, unknown or malformed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from auditor.input_files import YAML_FILE_LIMIT, read_input_text

MAX_NESTING = 32


class YamlInputError(Exception):
    """A user-supplied YAML file that cannot be used; the message is one line naming the place."""


def _where(path: Path, node: yaml.Node | None) -> str:
    return _at(path, node.start_mark if node is not None else None)


def _at(path: Path, mark: Any) -> str:
    """``path:line:column`` of a PyYAML mark (pure-Python or libyaml), or the path alone."""
    if mark is None:
        return str(path)
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def fail(path: Path, node: yaml.Node | None, message: str) -> YamlInputError:
    return YamlInputError(f"{_where(path, node)}: {message}")


def compose_file(path: Path) -> yaml.Node:
    """The document's root node; unreadable, empty, too deep or syntactically broken files raise."""
    text = read_input_text(path, str(path), YamlInputError, YAML_FILE_LIMIT)
    try:
        _check_nesting(path, text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise YamlInputError(f"{_at(path, error.problem_mark)}: not valid YAML: {error.problem}") from error
    except yaml.YAMLError as error:
        raise YamlInputError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from error
    if node is None:
        raise YamlInputError(f"{path}: the file is empty")
    return node


def _check_nesting(path: Path, text: str) -> None:
    """Refuse collections nested deeper than :data:`MAX_NESTING` before a tree is built.

    The event stream is flat, so this costs no recursion; composing a 20,000-deep file would
    exhaust Python's stack. Policy and waiver files need four or five levels.
    """
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise YamlInputError(
                    f"{_at(path, event.start_mark)}: nested deeper than {MAX_NESTING} levels"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def mapping(
    path: Path, node: yaml.Node, what: str, *, allowed: Iterable[str], required: Iterable[str] = ()
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping's entries as ``key -> (key node, value node)``; unknown or missing keys raise."""
    if not isinstance(node, yaml.MappingNode):
        raise fail(path, node, f"{what} must be a mapping")
    allowed_keys = tuple(allowed)
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise fail(path, key_node, f"{what}: keys must be plain names")
        key = str(key_node.value)
        if key not in allowed_keys:
            raise fail(
                path, key_node, f"{what}: unknown key {key!r} (expected one of {', '.join(allowed_keys)})"
            )
        if key in entries:
            raise fail(path, key_node, f"{what}: key {key!r} is given twice")
        entries[key] = (key_node, value_node)
    for key in required:
        if key not in entries:
            raise fail(path, node, f"{what}: missing required key {key!r}")
    return entries


def sequence(path: Path, node: yaml.Node, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise fail(path, node, f"{what} must be a list")
    return list(node.value)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def text(path: Path, node: yaml.Node, what: str) -> str:
    """A non-empty string. Numbers are accepted as written (``min_tls: 1.2`` means "1.2")."""
    if not isinstance(node, yaml.ScalarNode) or _is_null(node) or node.tag == "tag:yaml.org,2002:bool":
        raise fail(path, node, f"{what} must be a text value")
    value = str(node.value).strip()
    if not value:
        raise fail(path, node, f"{what} must not be empty")
    return value


def texts(path: Path, node: yaml.Node, what: str) -> tuple[str, ...]:
    """One text value or a non-empty list of them."""
    if isinstance(node, yaml.SequenceNode):
        items = tuple(text(path, item, f"each item of {what}") for item in node.value)
        if not items:
            raise fail(path, node, f"{what} must not be an empty list")
        return items
    return (text(path, node, what),)


def boolean(path: Path, node: yaml.Node, what: str) -> bool:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
        raise fail(path, node, f"{what} must be true or false")
    return str(node.value).lower() in ("true", "yes", "on", "y")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(path: Path, node: yaml.Node, what: str) -> date:
    """A calendar date written YYYY-MM-DD, and only so.

    ``date.fromisoformat`` also takes ``20991231`` and week dates such as ``2099-W01-1``, which
    a reader of the file would not recognise as the date that applies.
    """
    raw = text(path, node, what)
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise fail(path, node, f"{what} must be a date as YYYY-MM-DD, not {raw!r}") from None
