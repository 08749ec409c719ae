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

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditor.counts import count_findings, counts_as_waived
from auditor.result_file import ResultFileError, check_nesting, parse_result
from auditor.store_rows import (
    RUN_COLUMNS,
    RunSummary,
    StoreError,
    inventory_snapshot,
    run_summary,
    stored_json,
)

__all__ = [
    "MAX_RUN_ID",
    "STORE_ENV",
    "PendingRun",
    "RunSummary",
    "Store",
    "StoreError",
    "default_store_path",
    "inventory_snapshot",
    "parse_count",
    "scope_key",
]

STORE_ENV = "AUDITOR_STORE"
# SQLite integers are 64-bit: a larger run id (or --limit) cannot name anything.
MAX_RUN_ID = 2**63 - 1
_ASCII_NUMBER = re.compile(r"[0-9]{1,19}")
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


def parse_count(value: str, highest: int = MAX_RUN_ID) -> int | None:
    """``value`` as a number from 1 to ``highest`` written in ASCII digits, else None.

    ``int()`` also accepts surrounding spaces, ``1_000`` and other scripts' digits (``١٢``).
    """
    if not _ASCII_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= highest else None


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


_TABLES = frozenset({"runs", "results", "inventories", "findings", "sqlite_sequence"})
# What SQLite answers when a read-only store cannot be opened the ordinary way: its directory
# (or the -shm file beside it) cannot be written, so the WAL index cannot be set up.
_READ_ONLY_ERRORS = frozenset(
    {
        "SQLITE_CANTOPEN",
        "SQLITE_READONLY",
        "SQLITE_READONLY_CANTINIT",
        "SQLITE_READONLY_CANTLOCK",
        "SQLITE_READONLY_DIRECTORY",
        "SQLITE_READONLY_RECOVERY",
    }
)


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    query = "mode=ro&immutable=1" if immutable else "mode=ro"
    return f"file:{quote(str(path.absolute()), safe='/')}?{query}"


def _has_pending_wal(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


class Store:
    """One open store. Use as a context manager; every method is one short transaction.

    ``read_only=True`` (``auditor history`` and ``auditor diff``) never creates, converts or
    writes the file: a store on read-only media or with mode 0444 is still readable, and a path
    that is empty or some other SQLite file is refused instead of turned into a run history.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        if read_only:
            self._db = self._open_for_reading()
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE below), never implicit.
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open run history {path}: {error}") from error
        try:
            self._configure()
            self._prepare()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreError(f"{path} is not a usable auditor run history: {error}") from error

    def _configure(self) -> None:
        self._db.row_factory = sqlite3.Row
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._db.execute("PRAGMA foreign_keys = ON")

    def _open_for_reading(self) -> sqlite3.Connection:
        path = self.path
        if not path.exists():
            raise StoreError(f"no run history at {path} (audit with --store first)")
        if path.is_file() and path.stat().st_size == 0:
            raise StoreError(f"{path} is not an auditor run history (the file is empty)")
        try:
            return self._connect_read_only(immutable=False)
        except sqlite3.Error as error:
            if getattr(error, "sqlite_errorname", "") not in _READ_ONLY_ERRORS:
                raise StoreError(f"{path} is not a usable auditor run history: {error}") from error
            if _has_pending_wal(path):
                raise StoreError(
                    f"cannot read run history {path}: its directory is read-only and "
                    f"{path.name}-wal holds changes not yet written back; open it once with write access"
                ) from error
        try:
            # Nobody can write here, so SQLite may do without the WAL index it cannot create.
            return self._connect_read_only(immutable=True)
        except sqlite3.Error as error:
            raise StoreError(f"cannot read run history {path}: {error}") from error

    def _connect_read_only(self, *, immutable: bool) -> sqlite3.Connection:
        uri = _read_only_uri(self.path, immutable=immutable)
        self._db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            self._configure()
            self._check_format()
        except BaseException:
            self._db.close()
            raise
        return self._db

    def _tables(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _check_format(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = self._tables()
        if version != STORE_FORMAT or not {"runs", "results", "inventories"} <= tables:
            raise StoreError(f"{self.path} is not an auditor run history")

    def _prepare(self) -> None:
        # Checked before the journal mode changes: switching to WAL already rewrites the header.
        if self._db.execute("PRAGMA user_version").fetchone()[0] == 0 and self._tables() - _TABLES:
            # Some other application's database: adding our tables to it would damage it.
            raise sqlite3.DatabaseError("it holds tables of another application")
        mode = self._execute_when_free("PRAGMA journal_mode = WAL").fetchone()[0]
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
        self._execute_when_free("BEGIN IMMEDIATE")

    def _execute_when_free(self, statement: str) -> sqlite3.Cursor:
        """Run ``statement``, waiting in short steps while another writer holds the lock.

        Short steps keep a signal deliverable; the overall wait is still BUSY_TIMEOUT_MS. The
        switch to WAL needs this too: SQLite can answer it "locked" at once, without waiting,
        while another process is creating or converting the same store.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        self._db.execute(f"PRAGMA busy_timeout = {_LOCK_STEP_MS}")
        try:
            while True:
                try:
                    return self._db.execute(statement)
                except sqlite3.OperationalError as error:
                    if getattr(error, "sqlite_errorcode", None) not in _BUSY_CODES:
                        raise
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(_LOCK_STEP_MS / 1000)
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

    def _rows(self, query: str, parameters: Sequence[Any]) -> list[sqlite3.Row]:
        try:
            with closing(self._db.execute(query, parameters)) as cursor:
                return list(cursor.fetchall())
        except sqlite3.Error as error:
            raise StoreError(f"cannot read run history {self.path}: {error}") from error

    def runs(self, *, scope: str | None = None, limit: int | None = None) -> list[RunSummary]:
        """Runs, newest first."""
        query = f"SELECT {RUN_COLUMNS} FROM runs"
        parameters: list[Any] = []
        if scope is not None:
            query += " WHERE scope = ?"
            parameters.append(scope)
        query += " ORDER BY id DESC"
        if limit is not None:
            query += " LIMIT ?"
            parameters.append(limit)
        return [run_summary(row, self.path) for row in self._rows(query, parameters)]

    def run(self, run_id: int) -> RunSummary:
        rows = self._rows(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))
        if not rows:
            raise StoreError(f"no run {run_id} in {self.path} (see `auditor history`)")
        return run_summary(rows[0], self.path)

    def _stored(self, run_id: int, table: str, column: str) -> str:
        self.run(run_id)
        rows = self._rows(f"SELECT {column} FROM {table} WHERE run_id = ?", (run_id,))
        if not rows or not isinstance(rows[0][column], str):
            raise StoreError(f"run history {self.path} is damaged: run {run_id} has no stored {column}")
        text: str = rows[0][column]
        return text

    def result(self, run_id: int) -> dict[str, Any]:
        text = self._stored(run_id, "results", "result")
        try:
            return parse_result(text, f"the result of run {run_id}")
        except ResultFileError as error:
            raise StoreError(f"run history {self.path} is damaged: {error}") from error

    def inventory(self, run_id: int) -> dict[str, Any]:
        what = f"run history {self.path} is damaged: the inventory of run {run_id}"
        loaded = stored_json(self._stored(run_id, "inventories", "inventory"), what)
        apps = loaded.get("apps") if isinstance(loaded, dict) else None
        if not isinstance(apps, list) or not all(isinstance(app, dict) for app in apps):
            raise StoreError(f"{what} is not an inventory snapshot")
        check_nesting(loaded, what, StoreError)
        inventory: dict[str, Any] = loaded
        return inventory

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
