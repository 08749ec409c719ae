"""Run history in one SQLite file: every run's result, inventory snapshot and metadata.

A run is written in a single ``BEGIN IMMEDIATE`` transaction, so a run killed half-way leaves the
store exactly as it was, and two runs finishing together queue on SQLite's write lock (WAL
journal, busy timeout) instead of failing or interleaving. :meth:`Store.stage_run` leaves that
transaction open, so the command line commits it together with the run's files
(output_files.RunOutputs).

Where the store lives: ``--store PATH``, else ``$AUDITOR_STORE``, else
``$XDG_DATA_HOME/auditor/history.sqlite`` (``~/.local/share/auditor/history.sqlite``).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.counts import count_findings, counts_as_waived
from auditor.model import Inventory

__all__ = [
    "STORE_ENV",
    "PendingRun",
    "RunSummary",
    "Store",
    "StoreError",
    "default_store_path",
    "inventory_snapshot",
    "scope_key",
]

STORE_ENV = "AUDITOR_STORE"
STORE_FORMAT = 1
# Long enough for another nightly run to commit its (single, small) transaction.
BUSY_TIMEOUT_MS = 30_000
# SQLite waits for a lock without returning to Python, so no signal is handled while it waits:
# taking the write lock waits in steps this short instead.
_LOCK_STEP_MS = 100
_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    scope         TEXT NOT NULL,
    cloud         TEXT NOT NULL,
    subscriptions TEXT NOT NULL,   -- JSON list of the audited subscription ids
    edition       TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    source        TEXT NOT NULL,   -- "live", "replay:DIR" …
    exit_code     INTEGER NOT NULL,
    resources     INTEGER NOT NULL,
    failing       INTEGER NOT NULL,
    unknown       INTEGER NOT NULL,
    waived        INTEGER NOT NULL,
    gaps          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_scope ON runs (scope, id);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    result TEXT NOT NULL             -- the canonical JSON result
);
CREATE TABLE IF NOT EXISTS inventories (
    run_id    INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    inventory TEXT NOT NULL          -- the Inventory dataclasses as JSON
);
CREATE TABLE IF NOT EXISTS findings (
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    rule_id     TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    severity    TEXT NOT NULL,
    status      TEXT NOT NULL,
    waived      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_by_run ON findings (run_id);
"""


class StoreError(Exception):
    """The store cannot be opened or used; the message is one line for the user."""


def default_store_path() -> Path:
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "auditor" / "history.sqlite"


def scope_key(cloud: str, subscriptions: Sequence[str], all_subscriptions: bool) -> str:
    """Runs are compared with earlier runs of the same scope: same cloud, same subscriptions."""
    if all_subscriptions:
        return f"{cloud}:all"
    return f"{cloud}:" + ",".join(sorted({subscription.lower() for subscription in subscriptions}))


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


_RUN_COLUMNS = (
    "id, scope, cloud, subscriptions, edition, started_at, finished_at, tool_version, source, "
    "exit_code, resources, failing, unknown, waived, gaps"
)


def _summary(row: sqlite3.Row) -> RunSummary:
    values = dict(row)
    values["subscriptions"] = tuple(json.loads(values["subscriptions"]))
    return RunSummary(**values)


class Store:
    """One open store. Use as a context manager; every method is one short transaction."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not create and not path.exists():
            raise StoreError(f"no run history at {path} (audit with --store first)")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE below), never implicit.
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open run history {path}: {error}") from error
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._prepare()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreError(f"{path} is not a usable auditor run history: {error}") from error

    def _prepare(self) -> None:
        mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.DatabaseError(f"cannot switch the journal to WAL (got {mode})")
        with self._transaction():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, STORE_FORMAT):
                raise sqlite3.DatabaseError(f"store format {version}; this auditor reads {STORE_FORMAT}")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {STORE_FORMAT}")

    def _begin(self) -> None:
        # IMMEDIATE takes the write lock up front, so two writers wait on the busy timeout
        # instead of one failing with "database is locked" when it upgrades a read lock.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        self._db.execute(f"PRAGMA busy_timeout = {_LOCK_STEP_MS}")
        try:
            while True:
                try:
                    self._db.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if getattr(error, "sqlite_errorcode", None) not in _BUSY_CODES:
                        raise
                    if time.monotonic() >= deadline:
                        raise
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._begin()
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------

    def record_run(
        self,
        result: Mapping[str, Any],
        inventory_json: str,
        *,
        scope: str,
        source: str,
        exit_code: int,
    ) -> int:
        """Store one run (metadata, result, inventory, finding index) atomically; return its id."""
        pending = self.stage_run(result, inventory_json, scope=scope, source=source, exit_code=exit_code)
        pending.commit()
        return pending.id

    def stage_run(
        self,
        result: Mapping[str, Any],
        inventory_json: str,
        *,
        scope: str,
        source: str,
        exit_code: int,
    ) -> PendingRun:
        """Insert one run in a transaction left open: the run is stored once it is committed."""
        findings = list(result.get("findings", ()))
        counts = count_findings(findings)
        result_json = json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        metadata = (
            scope,
            str(result.get("cloud") or "AzureCloud"),
            json.dumps([scan["id"] for scan in result.get("subscriptions", ())]),
            str(result.get("edition")),
            str(result.get("started_at")),
            str(result.get("finished_at")),
            str((result.get("tool") or {}).get("version")),
            source,
            exit_code,
            len(result.get("resources", ())),
            counts.failing,
            counts.unknown,
            counts.waived,
            len(result.get("gaps", ())),
        )
        try:
            self._begin()
        except sqlite3.Error as error:
            raise StoreError(f"cannot record the run in {self.path}: {error}") from error
        db = self._db
        try:
            cursor = db.execute(
                "INSERT INTO runs (scope, cloud, subscriptions, edition, started_at, finished_at, "
                "tool_version, source, exit_code, resources, failing, unknown, waived, gaps) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                metadata,
            )
            run_id = int(cursor.lastrowid or 0)
            db.execute("INSERT INTO results (run_id, result) VALUES (?, ?)", (run_id, result_json))
            db.executemany(
                "INSERT INTO findings (run_id, fingerprint, rule_id, resource_id, severity, status, "
                "waived) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        str(f.get("fingerprint")),
                        str(f.get("rule_id")),
                        str(f.get("resource_id")),
                        str(f.get("severity")),
                        str(f.get("status")),
                        1 if counts_as_waived(f) else 0,
                    )
                    for f in findings
                ],
            )
            self._insert_inventory(db, run_id, inventory_json)
        except BaseException as error:
            _roll_back(db)
            if isinstance(error, sqlite3.Error):
                raise StoreError(f"cannot record the run in {self.path}: {error}") from error
            raise
        return PendingRun(run_id, self)

    @staticmethod
    def _insert_inventory(db: sqlite3.Connection, run_id: int, inventory_json: str) -> None:
        db.execute("INSERT INTO inventories (run_id, inventory) VALUES (?, ?)", (run_id, inventory_json))

    # -- reading ---------------------------------------------------------------------------------

    def runs(self, *, scope: str | None = None, limit: int | None = None) -> list[RunSummary]:
        """Runs, newest first."""
        query = f"SELECT {_RUN_COLUMNS} FROM runs"
        parameters: list[Any] = []
        if scope is not None:
            query += " WHERE scope = ?"
            parameters.append(scope)
        query += " ORDER BY id DESC"
        if limit is not None:
            query += " LIMIT ?"
            parameters.append(limit)
        with closing(self._db.execute(query, parameters)) as cursor:
            return [_summary(row) for row in cursor.fetchall()]

    def run(self, run_id: int) -> RunSummary:
        with closing(self._db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))) as cursor:
            row = cursor.fetchone()
        if row is None:
            raise StoreError(f"no run {run_id} in {self.path} (see `auditor history`)")
        return _summary(row)

    def result(self, run_id: int) -> dict[str, Any]:
        self.run(run_id)
        with closing(self._db.execute("SELECT result FROM results WHERE run_id = ?", (run_id,))) as cursor:
            row = cursor.fetchone()
        loaded: dict[str, Any] = json.loads(row["result"])
        return loaded

    def inventory(self, run_id: int) -> dict[str, Any]:
        self.run(run_id)
        with closing(
            self._db.execute("SELECT inventory FROM inventories WHERE run_id = ?", (run_id,))
        ) as cursor:
            row = cursor.fetchone()
        loaded: dict[str, Any] = json.loads(row["inventory"])
        return loaded

    def integrity(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])


def _roll_back(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


@dataclass(frozen=True)
class PendingRun:
    """A run inserted in an open transaction of ``store``: nothing is stored until :meth:`commit`."""

    id: int
    store: Store

    def commit(self) -> None:
        try:
            self.store._db.execute("COMMIT")
        except sqlite3.Error as error:
            _roll_back(self.store._db)
            raise StoreError(f"cannot record the run in {self.store.path}: {error}") from error

    def rollback(self) -> None:
        _roll_back(self.store._db)
