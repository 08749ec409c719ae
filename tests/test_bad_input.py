"""Bad input from a careless or hostile user: exit 2 with one line, never a traceback.

Result files, policy and waiver files, numbers and ids on the command line: each case was
reproduced as a traceback (or silently accepted) before it was refused here.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor import result_file
from auditor.cli import main
from tests.support.paths import REPO

SAMPLE = REPO / "tests" / "fixtures" / "sample_result.json"
DEMO = REPO / "cassettes" / "demo"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
WAIVER = """waivers:
  - rule: {rule}
    resource: {resource}
    reason: Vendor tool uploads over FTPS only.
    owner: platform-team@contoso.com
    expires: {expires}
{extra}"""


def _sample() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return loaded


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Exit code and stderr lines, whether main returns or argparse exits."""
    try:
        code = main(argv)
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, lines


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], expected: str) -> None:
    code, lines = _run(argv, capsys)
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert expected in lines[0], lines[0]
    assert "Traceback" not in lines[0]


def _audit(*extra: str) -> list[str]:
    return ["audit", "--subscription", SUBSCRIPTION, "--replay", str(DEMO), "--output", os.devnull, *extra]


# -- result files -----------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_by_report_and_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    _refused(["report", str(deep)], capsys, "nested too deeply")
    _refused(["diff", str(deep), str(SAMPLE)], capsys, "nested too deeply")


def test_nesting_below_the_parser_limit_is_refused_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # json.loads takes ~900 levels; diff walks results recursively, so the cap is far lower.
    result = _sample()
    deep: Any = "leaf"
    for _ in range(500):
        deep = {"x": deep}
    result["findings"][0]["evidence"] = deep
    path = tmp_path / "deep-evidence.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    _refused(["diff", str(path), str(SAMPLE)], capsys, "nested deeper than 64 levels")


def _with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    result = _sample()
    change(result)
    return result


WRONG_SHAPES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "findings that are numbers": (
        lambda r: r.update(findings=[1, "x", None]),
        "findings[0] is not an object",
    ),
    "a finding without a rule": (lambda r: r["findings"][0].pop("rule_id"), "findings[0].rule_id is missing"),
    "a numeric severity": (
        lambda r: r["findings"][1].update(severity=3),
        "findings[1].severity is an integer, expected string",
    ),
    "inbound as text": (
        lambda r: r["resources"][0].update(inbound="public"),
        "resources[0].inbound is a string, expected null or object",
    ),
    "a resource without an id": (lambda r: r["resources"][0].pop("id"), "resources[0].id is missing"),
    "a gap that is a list": (lambda r: r.update(gaps=[[]]), "gaps[0] is not an object"),
    "a gap with a boolean status": (
        lambda r: r["gaps"][0].update(status=True),
        "gaps[0].status is a boolean, expected integer or null",
    ),
    "a subscription without a status": (
        lambda r: r["subscriptions"][0].pop("status"),
        "subscriptions[0].status is missing",
    ),
    "summary as a list": (lambda r: r.update(summary=[]), "summary is an array, expected object"),
    "waivers of the wrong kind": (lambda r: r.update(waivers=[{"rule_id": 1}]), "waivers[0].rule_id"),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
@pytest.mark.parametrize("fmt", ["table", "csv", "sarif", "markdown", "html"])
def test_a_result_of_the_wrong_shape_is_refused_before_any_reporter_runs(
    case: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, expected = WRONG_SHAPES[case]
    path = tmp_path / "result.json"
    path.write_text(json.dumps(_with(change)), encoding="utf-8")
    _refused(["report", str(path), "--format", fmt], capsys, expected)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("version", ["true", "1.0", '"1"', "null"])
def test_schema_version_must_be_the_integer_one(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # True == 1 and 1.0 == 1 in Python: an equality test alone accepted both.
    text = SAMPLE.read_text(encoding="utf-8").replace(
        '"schema_version": 1', f'"schema_version": {version}', 1
    )
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    _refused(["report", str(path)], capsys, f"schema_version {version}")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert main(["report", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == _sample()


def test_dev_zero_is_refused_without_reading_it_all(capsys: pytest.CaptureFixture[str]) -> None:
    _refused(["report", "/dev/zero"], capsys, "not a text file (it holds NUL bytes)")
    _refused(["diff", "/dev/zero", str(SAMPLE)], capsys, "not a text file")


def test_a_regular_file_over_the_cap_is_refused_from_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(result_file, "RESULT_FILE_LIMIT", 1024)
    path = tmp_path / "big.json"
    path.write_text(" " * 2048, encoding="utf-8")
    _refused(["report", str(path)], capsys, "larger than the 1024 byte limit")


def test_an_endless_stream_is_cut_off_at_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(result_file, "RESULT_FILE_LIMIT", 8 * 1024 * 1024)
    fifo = tmp_path / "endless.json"
    os.mkfifo(fifo)
    stop = threading.Event()

    def write_forever() -> None:
        chunk = b"[" * 65536
        try:
            with fifo.open("wb") as stream:
                while not stop.is_set():
                    stream.write(chunk)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    try:
        _refused(["report", str(fifo)], capsys, "larger than the 8 MiB limit")
    finally:
        stop.set()
        writer.join(timeout=10)


# -- policy and waiver files ------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--policy", "--waivers"])
@pytest.mark.parametrize("deep", ["[" * 20_000, "- " * 20_000 + "x", "{a: " * 20_000])
def test_deeply_nested_yaml_is_refused(
    flag: str, deep: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(deep + "\n", encoding="utf-8")
    _refused(_audit(flag, str(path)), capsys, "nested deeper than 32 levels")


@pytest.mark.parametrize("flag", ["--policy", "--waivers"])
def test_dev_zero_as_policy_or_waivers_is_refused(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    _refused(_audit(flag, "/dev/zero"), capsys, "/dev/zero is not a text file")


def test_a_policy_with_a_byte_order_mark_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (REPO / "examples" / "policy.yaml").read_bytes())
    code, lines = _run(_audit("--policy", str(path), "--fail-on", "never"), capsys)
    assert code == 0, lines


@pytest.mark.parametrize("expires", ["20991231", '"2099-W01-1"', "2099-12-31T00:00:00", '"２０９９-12-31"'])
def test_a_waiver_date_must_be_written_yyyy_mm_dd(
    expires: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        WAIVER.format(rule="risk/ftp-allowed", resource='"*"', expires=expires, extra=""), encoding="utf-8"
    )
    _refused(_audit("--waivers", str(path)), capsys, "expires must be a date as YYYY-MM-DD")


@pytest.mark.parametrize(
    ("rule", "resource"), [('"*"', '"*"'), ('"*/*"', '"/subscriptions/*"'), ('"*"', '"*/sites/*"')]
)
def test_a_waiver_of_everything_needs_all_true(
    rule: str, resource: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        WAIVER.format(rule=rule, resource=resource, expires="2099-12-31", extra=""), encoding="utf-8"
    )
    _refused(_audit("--waivers", str(path)), capsys, "waives every finding")
    path.write_text(
        WAIVER.format(rule=rule, resource=resource, expires="2099-12-31", extra="    all: true\n"),
        encoding="utf-8",
    )
    code, lines = _run(_audit("--waivers", str(path), "--fail-on", "low"), capsys)
    assert code == 0, lines


def test_a_narrow_glob_waiver_needs_no_confirmation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        WAIVER.format(
            rule='"risk/*"',
            resource='"*/resourceGroups/rg-contoso-dedicated/*"',
            expires="2099-12-31",
            extra="",
        ),
        encoding="utf-8",
    )
    code, lines = _run(_audit("--waivers", str(path), "--fail-on", "never"), capsys)
    assert code == 0, lines


# -- numbers and ids on the command line ------------------------------------------------------------


@pytest.mark.parametrize("value", ["100000000000000000000000", "0", "-1", "١٢", " 12", "1_0", "12\n", "+3"])
def test_history_limit_is_a_plain_whole_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    _refused(["history", "--limit", value], capsys, "expected a whole number from 1 to")


@pytest.mark.parametrize("value", ["100000000000000000000000", "0", "٣"])
def test_max_concurrency_is_range_checked(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    _refused(_audit("--max-concurrency", value), capsys, "expected a whole number from 1 to 256")


@pytest.mark.parametrize("run_id", ["100000000000000000000000", "١٢", "²"])
def test_a_run_id_out_of_range_or_in_other_digits_is_refused(
    run_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "history.sqlite"
    assert main(_audit("--store", str(store), "--fail-on", "never")) == 0
    capsys.readouterr()
    _refused(["diff", "--store", str(store), run_id], capsys, "is not a run id")
    _refused(["diff", "--store", str(store), "1", run_id], capsys, "is not a run id")


@pytest.mark.parametrize(
    "value", [f"{SUBSCRIPTION}\n", f" {SUBSCRIPTION}", f"{SUBSCRIPTION}0", "０" * 8 + SUBSCRIPTION[8:]]
)
def test_a_subscription_id_is_matched_whole(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    _refused(["audit", "--subscription", value, "--replay", str(DEMO)], capsys, "malformed subscription id")
