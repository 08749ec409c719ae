"""Two roles on one path are refused before anything is read: no history replaced by a report.

``--store h.db --save h.db`` once replaced a three-run history with a JSON result, and
``report R.json --output R.json`` its own input. Paths are compared after resolving symlinks,
and by inode when the file exists (a hard link is the same file).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.store import Store
from tests.support.paths import REPO

RESULT = REPO / "tests" / "fixtures" / "sample_result.json"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# Never opened: the clash must be found before the cassette (or Azure) is touched.
MISSING_CASSETTE = "/nonexistent/cassette"


def _audit(*extra: str) -> int:
    return main(["audit", "--subscription", SUBSCRIPTION, "--replay", MISSING_CASSETTE, *extra])


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.db"
    with Store(path) as store:
        for number in range(3):
            store.record_run(
                {"findings": [], "subscriptions": [{"id": SUBSCRIPTION}], "started_at": str(number)},
                "{}",
                scope="s",
                source="live",
                exit_code=0,
            )
    return path


def _runs(path: Path) -> int:
    with Store(path, read_only=True) as store:
        return len(store.runs())


@pytest.mark.parametrize("flag", ["--save", "--output"])
def test_store_and_an_output_on_one_file_are_refused_and_the_history_kept(
    history: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = history.read_bytes()
    assert _audit("--store", str(history), flag, str(history)) == 2
    assert _error(capsys) == (
        f"auditor: error: --store and {flag} name the same file ({history}): give each its own path"
    )
    assert history.read_bytes() == before and _runs(history) == 3


def test_the_store_from_the_environment_counts_too(
    history: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITOR_STORE", str(history))
    assert _audit("--save", str(history)) == 2
    assert "--store and --save name the same file" in _error(capsys)
    assert _runs(history) == 3


def test_save_and_output_on_one_file_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "x.json"
    assert _audit("--save", str(target), "--output", str(target)) == 2
    assert "--save and --output name the same file" in _error(capsys)
    assert not target.exists()


def test_an_output_over_an_input_is_refused_before_the_input_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("not: [valid\n", encoding="utf-8")  # read first, this would be the error
    assert _audit("--policy", str(policy), "--output", str(policy)) == 2
    assert "--policy and --output name the same file" in _error(capsys)
    assert policy.read_text(encoding="utf-8") == "not: [valid\n"


def test_a_symlink_or_a_hard_link_to_the_same_file_is_the_same_file(
    history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(history)
    hard = tmp_path / "hard.db"
    os.link(history, hard)
    assert _audit("--store", str(history), "--save", str(link)) == 2
    assert "--store and --save" in _error(capsys)
    assert _audit("--store", str(hard), "--output", str(tmp_path / "." / "history.db")) == 2
    assert "--store and --output" in _error(capsys)
    assert _runs(history) == 3


def test_report_onto_its_own_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = tmp_path / "R.json"
    shutil.copy(RESULT, result)
    assert main(["report", str(result), "--output", str(result), "--format", "html"]) == 2
    assert _error(capsys) == (
        f"auditor: error: the input and --output name the same file ({result}): give each its own path"
    )
    assert result.read_bytes() == RESULT.read_bytes()


def test_diff_onto_an_input_or_its_store_is_refused(
    history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    shutil.copy(RESULT, first)
    shutil.copy(RESULT, second)
    assert main(["diff", str(first), str(second), "--output", str(second)]) == 2
    assert f"the input {second} and --output" in _error(capsys)
    assert main(["diff", "--store", str(history), "--output", str(history)]) == 2
    assert "--store and --output" in _error(capsys)
    assert second.read_bytes() == RESULT.read_bytes() and _runs(history) == 3


def test_a_device_may_take_several_roles(null_device: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = str(REPO / "cassettes" / "demo")
    args = ["audit", "--subscription", SUBSCRIPTION, "--replay", demo, "--fail-on", "never"]
    assert main([*args, "--save", str(null_device), "--output", str(null_device)]) == 0
