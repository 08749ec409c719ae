"""Output paths as a careless or hostile user names them: nothing clobbered, nothing half-written.

Each case goes through the command line (``auditor report RESULT --output PATH`` renders a saved
result, no Azure needed; ``audit --save`` takes the same path). Tests may run as root, to whom
permission bits mean nothing: the device cases use a private device node (device_nodes.py).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.output_files import RunOutputs
from auditor.store import Store
from tests.support.paths import REPO

RESULT = REPO / "tests" / "fixtures" / "sample_result.json"
NAME_MAX = 255


def _report(output: Path | str, *extra: str) -> int:
    return main(["report", str(RESULT), "--format", "json", "--output", str(output), *extra])


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def _expected_report(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["report", str(RESULT), "--format", "json"]) == 0
    return capsys.readouterr().out


def _leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.startswith(".auditor-"))


def test_a_new_file_is_written_whole_and_nothing_else_is_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _expected_report(capsys)
    target = tmp_path / "new" / "report.json"
    assert _report(target) == 0
    assert target.read_text(encoding="utf-8") == expected
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()
    assert _leftovers(target.parent) == []


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def test_a_character_device_is_written_in_place_and_stays_a_device(
    null_device: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = null_device.stat()
    assert _report(null_device) == 0
    assert main(["report", str(RESULT), "--output", str(null_device), "--format", "csv"]) == 0
    after = null_device.stat()
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert _leftovers(null_device.parent) == []


def test_a_full_device_is_a_clear_error_not_a_traceback(
    full_device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _report(full_device) == 2
    line = _error_line(capsys)
    assert line == f"auditor: error: cannot write --output {full_device}: {os.strerror(errno.ENOSPC)}"
    assert stat.S_ISCHR(full_device.stat().st_mode)


def test_a_symlink_is_written_through_and_stays_a_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _expected_report(capsys)
    real = tmp_path / "data" / "report.json"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(Path("data") / "report.json")
    assert _report(link) == 0
    assert link.is_symlink() and os.readlink(link) == str(Path("data") / "report.json")
    assert real.read_text(encoding="utf-8") == expected
    assert _leftovers(real.parent) == [] and _leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_its_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "reports" / "today.json")
    assert _report(link) == 0
    assert link.is_symlink() and (tmp_path / "reports" / "today.json").is_file()


def test_a_fifo_is_written_in_place_and_stays_a_fifo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _expected_report(capsys)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert _report(fifo) == 0
    reader.join(10)
    assert received == [expected.encode("utf-8")]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("prefix", ["/dev/fd", "/proc/self/fd"])
def test_an_open_descriptor_is_written_in_place(prefix: str, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _expected_report(capsys)
    read_end, write_end = os.pipe()
    chunks: list[bytes] = []

    def drain() -> None:
        with os.fdopen(read_end, "rb") as stream:
            chunks.append(stream.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert _report(f"{prefix}/{write_end}") == 0
    finally:
        os.close(write_end)
    reader.join(10)
    assert b"".join(chunks) == expected.encode("utf-8")


@pytest.mark.skipif(shutil.which("bash") is None, reason="process substitution needs bash")
def test_a_process_substitution_receives_the_report(tmp_path: Path) -> None:
    compressed = tmp_path / "report.json.gz"
    auditor = [sys.executable, "-m", "auditor", "report", str(RESULT), "--format", "json"]
    command = " ".join(f"'{part}'" for part in auditor) + f" --output >(gzip > '{compressed}')"
    finished = subprocess.run(["bash", "-c", command + "; wait"], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    plain = subprocess.run(auditor, capture_output=True, text=True, timeout=60).stdout
    for _ in range(50):  # the substituted gzip may finish a moment after bash
        if compressed.exists() and compressed.stat().st_size:
            break
        threading.Event().wait(0.1)
    unpacked = subprocess.run(["gzip", "-dc", str(compressed)], capture_output=True, text=True, timeout=60)
    assert unpacked.stdout == plain


def test_a_read_only_file_is_refused_even_for_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    target.write_text("keep me\n", encoding="utf-8")
    target.chmod(0o444)
    assert _report(target) == 2
    assert _error_line(capsys) == f"auditor: error: --output {target} is read-only: refusing to overwrite it"
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert _leftovers(tmp_path) == []


def test_a_replaced_file_keeps_its_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    assert _report(target) == 0
    assert target.read_text(encoding="utf-8") != "old\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_name_at_the_file_name_limit_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / ("r" * (NAME_MAX - len(".json")) + ".json")
    assert len(target.name) == NAME_MAX
    target.write_text("old\n", encoding="utf-8")  # replaced, through a temporary file beside it
    assert _report(target) == 0
    assert target.read_text(encoding="utf-8").startswith("{")
    assert _leftovers(tmp_path) == []


def test_a_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _report(tmp_path) == 2
    assert _error_line(capsys) == f"auditor: error: cannot write --output {tmp_path}: it is a directory"


def test_audit_save_takes_the_same_path_rules(
    tmp_path: Path, null_device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    read_only = tmp_path / "result.json"
    read_only.write_text("keep me\n", encoding="utf-8")
    read_only.chmod(0o400)
    demo = ["audit", "--subscription", "00000000-0000-0000-0000-000000000000", "--replay"]
    demo += [str(REPO / "cassettes" / "demo"), "--fail-on", "never", "--format", "json"]
    assert main([*demo, "--save", str(read_only), "--output", str(tmp_path / "report.json")]) == 2
    assert "--save" in _error_line(capsys) and read_only.read_text(encoding="utf-8") == "keep me\n"
    assert not (tmp_path / "report.json").exists()  # all or nothing: the report waits for the result
    assert main([*demo, "--save", str(null_device), "--output", str(null_device)]) == 0
    assert stat.S_ISCHR(null_device.stat().st_mode)


def test_a_read_only_run_history_is_refused_before_the_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "history.db"
    Store(history).close()
    history.chmod(0o444)
    before = history.read_bytes()
    demo = ["audit", "--subscription", "00000000-0000-0000-0000-000000000000", "--replay"]
    assert main([*demo, "/nonexistent/cassette", "--store", str(history)]) == 2
    assert (
        _error_line(capsys) == f"auditor: error: run history {history} is read-only: refusing to overwrite it"
    )
    assert history.read_bytes() == before


def test_staged_files_are_removed_when_the_run_does_not_commit(tmp_path: Path) -> None:
    rolled_back: list[bool] = []
    with pytest.raises(RuntimeError), RunOutputs() as outputs:
        outputs.add("--save", tmp_path / "a.json", "{}")
        outputs.add_transaction("run 1", lambda: None, lambda: rolled_back.append(True))
        assert len(_leftovers(tmp_path)) == 1
        raise RuntimeError("render failed")
    assert list(tmp_path.iterdir()) == [] and rolled_back == [True]


@pytest.fixture(autouse=True)
def _restore_permissions(tmp_path: Path) -> Iterator[None]:
    yield
    for path in tmp_path.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(0o644)


def test_a_terminal_named_by_path_gets_no_escape_sequence(tmp_path: Path) -> None:
    """``--output /dev/tty`` is read by a person, as stdout on a terminal is."""
    hostile = "name\x1b[2J\u202eevil\x9b2J"
    primary, secondary = os.openpty()
    try:
        with RunOutputs() as outputs:
            outputs.add("--output", Path(os.ttyname(secondary)), f"{hostile}\n")
            outputs.commit()
        received = os.read(primary, 4096).decode()
    finally:
        os.close(primary)
        os.close(secondary)
    assert "\x1b" not in received and "\u202e" not in received and "\x9b" not in received
    assert "\\u001b[2J" in received and "\\u202e" in received


def test_a_file_keeps_the_text_as_rendered(tmp_path: Path) -> None:
    """Only a terminal is neutralised: a file holds exactly what the reporter wrote."""
    target = tmp_path / "report.csv"
    with RunOutputs() as outputs:
        outputs.add("--output", target, "name\x1b[2J\n")
        outputs.commit()
    assert target.read_text() == "name\x1b[2J\n"
