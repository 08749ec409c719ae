"""A signal in the write phase leaves every output of the run or none, and says which.

Each test runs a replayed demo audit in a subprocess, with --save, --output and --store, and
sends the process a real signal from inside the write phase at a chosen moment (by wrapping
the system call that marks it): while the outputs are staged (nothing may be written), in the
middle of the commit (everything must be), and twice in a row (no traceback, one exit code).
A run waiting for another run's hold on the store's write lock stops within seconds too.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.store import Store
from tests.schedule_support import DAY1, SUBSCRIPTION
from tests.support.paths import REPO

# argv: MODE, then the auditor's arguments. MODE picks the moment the signal is sent.
_SIGNALLED_RUN = r"""
import os, pathlib, signal, sys

mode, argv = sys.argv[1], sys.argv[2:]
real_fsync, real_replace, real_unlink = os.fsync, os.replace, pathlib.Path.unlink

def signal_self(signum):
    os.kill(os.getpid(), signum)

if mode in ("staging", "twice"):
    def fsync(descriptor):  # a staged temporary file has just been written
        real_fsync(descriptor)
        signal_self(signal.SIGTERM)
    os.fsync = fsync
if mode == "twice":
    def unlink(self, missing_ok=False):  # the staged files are being removed
        signal_self(signal.SIGINT)
        real_unlink(self, missing_ok=missing_ok)
    pathlib.Path.unlink = unlink
if mode == "commit":
    def replace(source, target):  # the first output has just been committed
        real_replace(source, target)
        signal_self(signal.SIGTERM)
    os.replace = replace

from auditor.cli import run
raise SystemExit(run(argv))
"""


def _runs(path: Path) -> int:
    with Store(path, read_only=True) as store:
        return len(store.runs())


def _signalled_audit(mode: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Path]]:
    paths = {
        "save": tmp_path / "result.json",
        "output": tmp_path / "report.sarif",
        "store": tmp_path / "h.db",
    }
    with Store(paths["store"]) as store:
        store.record_run({"findings": [], "subscriptions": []}, "{}", scope="s", source="live", exit_code=0)
    argv = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(DAY1), "--fail-on", "never"]
    argv += ["--save", str(paths["save"]), "--format", "sarif", "--output", str(paths["output"])]
    argv += ["--store", str(paths["store"])]
    finished = subprocess.run(
        [sys.executable, "-c", _SIGNALLED_RUN, mode, *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return finished, paths


def _leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.startswith(".auditor-"))


@pytest.mark.parametrize("mode", ["staging", "twice"])
def test_a_signal_before_the_commit_leaves_nothing_and_says_so(mode: str, tmp_path: Path) -> None:
    finished, paths = _signalled_audit(mode, tmp_path)
    assert finished.returncode == 143, finished.stderr
    assert "Traceback" not in finished.stderr
    assert finished.stderr.strip().splitlines()[-1] == "auditor: interrupted; nothing was written"
    assert not paths["save"].exists() and not paths["output"].exists()
    assert _runs(paths["store"]) == 1
    assert _leftovers(tmp_path) == []


def test_a_signal_during_the_commit_is_held_until_everything_is_written(tmp_path: Path) -> None:
    finished, paths = _signalled_audit("commit", tmp_path)
    assert finished.returncode == 143, finished.stderr
    assert "Traceback" not in finished.stderr
    assert paths["save"].is_file() and paths["output"].is_file()
    assert _runs(paths["store"]) == 2
    assert finished.stderr.strip().splitlines()[-1] == (
        f"auditor: interrupted; already written: run 2 in {paths['store']}, "
        f"--save {paths['save']}, --output {paths['output']}"
    )
    assert _leftovers(tmp_path) == []


@pytest.mark.slow  # lets a real subprocess reach the lock before signalling it
def test_a_signal_while_waiting_for_the_stores_write_lock_stops_within_seconds(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    Store(path).close()
    other_run = sqlite3.connect(path, isolation_level=None)
    other_run.execute("BEGIN IMMEDIATE")  # another nightly run, committing
    try:
        argv = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(DAY1), "--store", str(path)]
        argv += ["--fail-on", "never", "--output", str(tmp_path / "report.txt")]
        process = subprocess.Popen(
            [sys.executable, "-m", "auditor", *argv],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)  # started, and waiting for the lock (SQLite's busy timeout is 30 s)
        assert process.poll() is None, process.communicate()
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=20)
        finally:
            process.kill()
        elapsed = time.monotonic() - sent
    finally:
        other_run.close()
    assert process.returncode == 143, stderr
    assert elapsed < 3.0
    assert stderr.strip().splitlines()[-1] == "auditor: interrupted; nothing was written"
    assert not (tmp_path / "report.txt").exists()
