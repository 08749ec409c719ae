"""A run history that is damaged, read-only, empty or someone else's: read safely or refused in one line."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from tests.support.paths import REPO

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
NOBODY = 65534


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, list[str]]:
    try:
        code = main(argv)
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, [line for line in captured.err.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding two runs of the demo-gap subscription (runs 1 and 2)."""
    path = tmp_path_factory.mktemp("store") / "history.sqlite"
    for _ in range(2):
        code = main(
            [
                "audit",
                "--subscription",
                SUBSCRIPTION,
                "--replay",
                str(REPO / "cassettes" / "demo-gap"),
                "--store",
                str(path),
                "--output",
                os.devnull,
                "--fail-on",
                "never",
            ]
        )
        assert code == 3  # demo-gap has gaps: the audit cannot vouch
    return path


@pytest.fixture
def store(two_runs: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "history.sqlite"
    shutil.copyfile(two_runs, copy)
    return copy


DAMAGE = {
    "missing result row": ("DELETE FROM results WHERE run_id = 2", "run 2 has no stored result"),
    "result not JSON": ("UPDATE results SET result = '[[[' WHERE run_id = 2", "is not valid JSON"),
    "result nested too deeply": (
        f"UPDATE results SET result = '{'[' * 100_000}' WHERE run_id = 2",
        "nested too deeply",
    ),
    "result of the wrong shape": (
        "UPDATE results SET result = '{\"findings\": [1]}' WHERE run_id = 2",
        "is not an auditor result",
    ),
    "result as a number": (
        "UPDATE results SET result = 7 WHERE run_id = 2",
        "the result of run 2 is not an auditor",
    ),
    "result as a blob": ("UPDATE results SET result = x'00' WHERE run_id = 2", "run 2 has no stored result"),
    "missing inventory row": ("DELETE FROM inventories WHERE run_id = 2", "run 2 has no stored inventory"),
    "inventory of the wrong shape": (
        "UPDATE inventories SET inventory = '5' WHERE run_id = 2",
        "is not an inventory snapshot",
    ),
    "subscriptions not JSON": ("UPDATE runs SET subscriptions = 'x' WHERE id = 2", "is not valid JSON"),
    "subscriptions not a list": (
        "UPDATE runs SET subscriptions = '5' WHERE id = 2",
        "subscriptions that are not a list of ids",
    ),
    "a count as text": (
        "UPDATE runs SET resources = 'abc' WHERE id = 2",
        "has resources 'abc', not a number",
    ),
    "a missing column": ("ALTER TABLE runs DROP COLUMN gaps", "no such column: gaps"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_store_is_one_line_and_exit_2(
    case: str, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statement, expected = DAMAGE[case]
    with sqlite3.connect(store) as db:
        db.execute(statement)
    db.close()
    code, _, lines = _run(["diff", "--store", str(store)], capsys)
    assert code == 2 and len(lines) == 1 and expected in lines[0], lines


def test_history_on_an_empty_file_leaves_it_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "history.sqlite"
    empty.touch()
    for argv in (["history", "--store", str(empty)], ["diff", "--store", str(empty)]):
        code, _, lines = _run(argv, capsys)
        assert code == 2 and lines == [
            f"auditor: error: {empty} is not an auditor run history (the file is empty)"
        ]
    assert empty.stat().st_size == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["history.sqlite"]


def test_history_on_a_missing_path_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "history.sqlite"
    code, _, lines = _run(["history", "--store", str(missing)], capsys)
    assert code == 2 and lines == [f"auditor: error: no run history at {missing} (audit with --store first)"]
    assert not missing.parent.exists()


def test_another_applications_database_is_neither_read_nor_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "places.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE bookmarks (url TEXT)")
    db.close()
    before = other.read_bytes()
    code, _, lines = _run(["history", "--store", str(other)], capsys)
    assert code == 2 and lines == [f"auditor: error: {other} is not an auditor run history"]
    audit = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(REPO / "cassettes" / "demo-gap")]
    code, _, lines = _run([*audit, "--store", str(other), "--output", os.devnull], capsys)
    assert code == 2 and len(lines) == 1 and "holds tables of another application" in lines[0]
    assert other.read_bytes() == before


def test_history_and_diff_never_write_the_store(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = store.read_bytes()
    assert _run(["history", "--store", str(store)], capsys)[0] == 0
    assert _run(["diff", "--store", str(store)], capsys)[0] == 0
    assert _run(["diff", "--store", str(store), "1", "2"], capsys)[0] == 0
    assert store.read_bytes() == before


@pytest.fixture
def read_only_store(two_runs: Path) -> Iterator[Path]:
    """The store with mode 0444 in a directory with mode 0555, readable by everyone.

    Outside pytest's private temporary directory, so another user can reach it.
    """
    directory = Path(tempfile.mkdtemp(prefix="auditor-read-only-"))
    path = directory / "history.sqlite"
    shutil.copyfile(two_runs, path)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    directory.chmod(0o555)
    try:
        yield path
    finally:
        directory.chmod(0o755)
        shutil.rmtree(directory)


# Run as a user who cannot write the store. root writes through any file mode, so as root the
# child first runs the same command on a writable copy (loading every module it needs: the
# interpreter may sit where "nobody" cannot read), then drops to "nobody" and runs it for real.
_CHILD = f"""
import contextlib, io, os, shutil, sys, tempfile
from auditor.cli import main
argv, store = sys.argv[1:-1], sys.argv[-1]
if os.geteuid() == 0:
    with tempfile.TemporaryDirectory() as scratch:
        copy = shutil.copy(store, scratch)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main([*argv, "--store", copy])
    os.setgroups([])
    os.setgid({NOBODY})
    os.setuid({NOBODY})
sys.exit(main([*argv, "--store", store]))
"""


def _as_unprivileged_user(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _CHILD, *argv],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        env={**os.environ, "PYTHONPATH": str(REPO), "HOME": tempfile.gettempdir()},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "argv",
    [["history"], ["history", "--format", "json"], ["diff"], ["diff", "1", "2"], ["diff", "2"]],
    ids=" ".join,
)
def test_a_read_only_store_is_readable(read_only_store: Path, argv: list[str]) -> None:
    done = _as_unprivileged_user([*argv, str(read_only_store)])
    assert done.returncode == 0, done.stderr
    assert "run" in done.stdout or "Configuration changes" in done.stdout
    assert sorted(path.name for path in read_only_store.parent.iterdir()) == ["history.sqlite"]
