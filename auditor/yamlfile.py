"""YAML input files (policy, waivers) read as node trees, so every error names its line.

``yaml.safe_load`` throws the positions away; ``yaml.compose`` keeps a ``start_mark`` on every
node. The helpers below turn nodes into plain values one field at a time and raise
:class:`YamlInputError` with ``path:line:column`` when a value is missing, unknown or malformed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import yaml

from auditor.result_file import read_input_text


class YamlInputError(Exception):
    """A user-supplied YAML file that cannot be used; the message is one line naming the place."""


def _where(path: Path, node: yaml.Node | None) -> str:
    if node is None:
        return str(path)
    mark = node.start_mark
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def fail(path: Path, node: yaml.Node | None, message: str) -> YamlInputError:
    return YamlInputError(f"{_where(path, node)}: {message}")


def compose_file(path: Path) -> yaml.Node:
    """The document's root node; unreadable, empty or syntactically broken files raise."""
    text = read_input_text(path, "", YamlInputError)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        raise YamlInputError(f"{where}: not valid YAML: {error.problem}") from error
    except yaml.YAMLError as error:
        raise YamlInputError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from error
    if node is None:
        raise YamlInputError(f"{path}: the file is empty")
    return node


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


def iso_date(path: Path, node: yaml.Node, what: str) -> date:
    raw = text(path, node, what)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise fail(path, node, f"{what} must be a date as YYYY-MM-DD, not {raw!r}") from None
