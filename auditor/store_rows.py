"""The run history's rows as the code sees them: run summaries, stored JSON read back, inventory snapshots."""

from __future__ import annotations

import dataclasses
import enum
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.model import Inventory


class StoreError(Exception):
    """The store cannot be opened or used; the message is one line for the user."""


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(_plain(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def inventory_snapshot(inventory: Inventory) -> str:
    """The inventory as JSON: every field of every dataclass, enums as their values."""
    return json.dumps(_plain(inventory), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class RunSummary:
    id: int
    scope: str
    cloud: str
    subscriptions: tuple[str, ...]
    edition: str
    started_at: str
    finished_at: str
    tool_version: str
    source: str
    exit_code: int
    resources: int
    failing: int
    unknown: int
    waived: int
    gaps: int

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["subscriptions"] = list(self.subscriptions)
        return data


RUN_COLUMNS = (
    "id, scope, cloud, subscriptions, edition, started_at, finished_at, tool_version, source, "
    "exit_code, resources, failing, unknown, waived, gaps"
)


_TEXT_COLUMNS = ("scope", "cloud", "edition", "started_at", "finished_at", "tool_version", "source")


_INTEGER_COLUMNS = ("id", "exit_code", "resources", "failing", "unknown", "waived", "gaps")


def run_summary(row: sqlite3.Row, path: Path) -> RunSummary:
    values = dict(row)
    damaged = f"run history {path} is damaged: run {values.get('id')!r}"
    for column in _INTEGER_COLUMNS:
        if type(values[column]) is not int:
            raise StoreError(f"{damaged} has {column} {values[column]!r}, not a number")
    for column in _TEXT_COLUMNS:
        if not isinstance(values[column], str):
            raise StoreError(f"{damaged} has {column} {values[column]!r}, not text")
    subscriptions = stored_json(values["subscriptions"], f"{damaged} (subscriptions)")
    if not isinstance(subscriptions, list) or not all(isinstance(item, str) for item in subscriptions):
        raise StoreError(f"{damaged} has subscriptions that are not a list of ids")
    values["subscriptions"] = tuple(subscriptions)
    return RunSummary(**values)


def stored_json(text: object, what: str) -> Any:
    if not isinstance(text, str):
        raise StoreError(f"{what} is not JSON text")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise StoreError(f"{what} is not valid JSON") from None
