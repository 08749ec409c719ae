"""The run history: one transaction per run, safe under a kill and under two writers at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from auditor.model import Inventory, SubscriptionScan
from auditor.store import Store, StoreError, default_store_path, inventory_snapshot, scope_key

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def _result(marker: int) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "tool": {"name": "auditor", "version": "test"},
        "edition": "2026-09",
        "cloud": "AzureCloud",
        "started_at": f"2026-10-{marker % 28 + 1:02d}T02:30:00Z",
        "finished_at": f"2026-10-{marker % 28 + 1:02d}T02:31:00Z",
        "subscriptions": [{"id": SUBSCRIPTION, "status": "ok", "error": None}],
        "resources": [{"id": f"/subscriptions/{SUBSCRIPTION}/x/{marker}"}],
        "findings": [
            {
                "fingerprint": f"f{marker}",
                "rule_id": "risk/x",
                "resource_id": "r",
                "severity": "high",
                "status": "fail",
            },
            {
                "fingerprint": "w",
                "rule_id": "risk/y",
                "resource_id": "r",
                "severity": "low",
                "status": "fail",
                "waived": {"reason": "ok", "owner": "me", "expires": "2099-01-01"},
            },
        ],
        "gaps": [],
        "summary": {},
        "marker": marker,
    }


INVENTORY = inventory_snapshot(
    Inventory(subscriptions=(SubscriptionScan(SUBSCRIPTION, "ok"),), apps=(), gaps=())
)


def test_a_run_round_trips_with_its_metadata_and_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "history.sqlite"
    with Store(path) as store:
        first = store.record_run(_result(1), INVENTORY, scope="AzureCloud:a", source="live", exit_code=1)
        second = store.record_run(_result(2), INVENTORY, scope="AzureCloud:b", source="replay:x", exit_code=0)
    with Store(path, read_only=True) as store:
        assert [run.id for run in store.runs()] == [second, first]
        assert [run.id for run in store.runs(scope="AzureCloud:a")] == [first]
        run = store.run(first)
        assert (run.failing, run.waived, run.exit_code, run.subscriptions) == (1, 1, 1, (SUBSCRIPTION,))
        assert store.result(second)["marker"] == 2
        assert store.inventory(first)["subscriptions"] == [
            {"id": SUBSCRIPTION, "status": "ok", "error": None}
        ]
        assert store.integrity() == "ok"
        with pytest.raises(StoreError, match="no run 99"):
            store.result(99)


def test_the_store_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    Store(path).close()
    import sqlite3

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_text("not a database, just text " * 100, encoding="utf-8")
    with pytest.raises(StoreError, match="not a usable auditor run history"):
        Store(path)


def test_reading_a_missing_store_does_not_create_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no run history"):
        Store(tmp_path / "nowhere.sqlite", read_only=True)
    assert not (tmp_path / "nowhere.sqlite").exists()


def test_default_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUDITOR_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store_path() == tmp_path / "auditor" / "history.sqlite"
    monkeypatch.setenv("AUDITOR_STORE", str(tmp_path / "elsewhere.sqlite"))
    assert default_store_path() == tmp_path / "elsewhere.sqlite"


def test_scope_ignores_order_and_case_of_subscriptions() -> None:
    assert scope_key("AzureCloud", ["B", "a"], False) == scope_key("AzureCloud", ["a", "b"], False)
    assert scope_key("AzureCloud", [], True) == "AzureCloud:all"
    assert scope_key("AzureChinaCloud", ["a"], False) != scope_key("AzureCloud", ["a"], False)


_KILLED_WRITER = """
import sys, time
from pathlib import Path
from auditor.store import Store

def stall(db, run_id, inventory_json):
    # Inside the transaction: runs, results and findings rows are written, the inventory is not.
    Path(sys.argv[2]).write_text(str(run_id))
    time.sleep(60)

Store._insert_inventory = staticmethod(stall)
with Store(Path(sys.argv[1])) as store:
    store.record_run({"findings": [{"fingerprint": "x", "status": "fail"}], "subscriptions": []}, "{}",
                     scope="s", source="live", exit_code=0)
"""


def test_a_run_killed_mid_write_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with Store(path) as store:
        kept = store.record_run(_result(1), INVENTORY, scope="s", source="live", exit_code=0)
    reached = tmp_path / "reached"
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(path), str(reached)])
    try:
        deadline = time.monotonic() + 30
        while not reached.exists():
            assert writer.poll() is None, "the writer ended before reaching the stall"
            assert time.monotonic() < deadline, "the writer never reached the stall"
            time.sleep(0.05)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    with Store(path) as store:
        assert [run.id for run in store.runs()] == [kept]
        assert store.integrity() == "ok"
        assert store._db.execute("SELECT count(*) FROM findings").fetchone()[0] == 2
        # The write lock died with the process: the next run records normally.
        store.record_run(_result(2), INVENTORY, scope="s", source="live", exit_code=0)
        assert len(store.runs()) == 2


def _write_runs(path: str, writer: int, count: int) -> None:
    with Store(Path(path)) as store:
        for index in range(count):
            store.record_run(
                _result(writer * 1000 + index), INVENTORY, scope=f"w{writer}", source="live", exit_code=0
            )


def test_two_processes_writing_at_once_do_not_corrupt_the_store(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    count = 25
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_runs, args=(str(path), writer, count)) for writer in (1, 2)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    with Store(path) as store:
        assert store.integrity() == "ok"
        runs = store.runs()
        assert len(runs) == 2 * count and len({run.id for run in runs}) == 2 * count
        for run in runs:
            marker = store.result(run.id)["marker"]
            assert run.scope == f"w{marker // 1000}"
            assert store.inventory(run.id)["apps"] == []
        findings = store._db.execute("SELECT count(*) FROM findings").fetchone()[0]
        assert findings == 2 * 2 * count


def test_inventory_snapshot_is_json_with_enum_values() -> None:
    snapshot = json.loads(INVENTORY)
    assert snapshot == {
        "apps": [],
        "arm_calls": 0,
        "gaps": [],
        "subscriptions": [{"error": None, "id": SUBSCRIPTION, "status": "ok"}],
    }
