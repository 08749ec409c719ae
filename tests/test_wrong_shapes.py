"""ARM bodies of the wrong shape: a gap in a live audit, a corrupt cassette under replay, never a crash.

A body that is not what ARM sends (``{"value": "x"}``, ``[1, null]``, a list item that is not an
object, ``properties`` that is not an object, JSON nested past the parser) cannot be audited. Live
it is one more failed read (a gap, exit 3); from a cassette it means the file is corrupt (exit 2
with one line). Wrong types *inside* a resource are treated as absent (collect/web.py) and may
change outcomes, but never crash the audit.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor import cli, exit_codes
from bench.fake_arm import FakeArm, generate_tenant
from tests.support.fake_arm_fixtures import PointCli
from tests.support.paths import REPO
from tests.test_faults import _public_sites

HAPPY = REPO / "tests" / "cassettes" / "collect" / "happy_path.yaml"
DEMO_GAP = REPO / "cassettes" / "demo-gap" / "arm.yaml"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

# Which recorded answer to spoil: the first request whose path (without query) matches.
ENDPOINTS = {
    "sites list": r"/subscriptions/[^/]+/providers/Microsoft\.Web/sites$",
    "plans list": r"/providers/Microsoft\.Web/serverfarms$",
    "config/web": r"/sites/func-happy/config/web$",
    "functions": r"/sites/func-happy/functions$",
    "vnet connections": r"/slots/staging/virtualNetworkConnections$",
    "app hybrid connections": r"/sites/func-happy/hybridConnectionRelays$",
}
BODIES = {
    "value is text": '{"value": "x"}',
    "a JSON array": "[1, null]",
    "a JSON string": '"x"',
    "properties as text": '{"value": [{"id": "x", "properties": "x"}], "properties": "x"}',
    "nested 100,000 deep": "[" * 100_000,
}


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return loaded


def _write(directory: Path, cassette: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "arm.yaml").write_text(yaml.dump(cassette, Dumper=yaml.CSafeDumper), encoding="utf-8")
    return directory


def _replay(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    argv = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(directory), "--output", os.devnull]
    code = cli.main([*argv, "--fail-on", "never"])
    return code, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def happy() -> dict[str, Any]:
    return _load(HAPPY)


@pytest.mark.parametrize("body", sorted(BODIES))
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_a_cassette_body_of_the_wrong_shape_is_a_corrupt_cassette(
    happy: dict[str, Any], endpoint: str, body: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = copy.deepcopy(happy)
    spoiled = next(
        item
        for item in cassette["interactions"]
        if re.search(ENDPOINTS[endpoint], item["request"]["uri"].split("?")[0])
    )
    spoiled["response"]["body"]["string"] = BODIES[body]
    code, lines = _replay(_write(tmp_path / "cassette", cassette), capsys)
    assert code == 2, lines
    assert len(lines) == 1 and "is corrupt: " in lines[0], lines


def test_the_unspoiled_cassette_replays(
    happy: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = _replay(_write(tmp_path / "cassette", happy), capsys)
    assert code == 0, lines


# -- wrong types inside resources: outcomes may change, the audit never crashes --------------------

_KEEP = frozenset({"id", "name", "type"})
SWAPS: dict[str, Callable[[Any], Any]] = {
    "text to number": lambda value: 7 if isinstance(value, str) else value,
    "number to text": lambda value: "7" if isinstance(value, int | float) else value,
    "container to text": lambda value: "x" if isinstance(value, dict | list) else value,
    "container to number": lambda value: 0 if isinstance(value, dict | list) else value,
    "list to object": lambda value: {"k": [1]} if isinstance(value, list) else value,
    "object to list": lambda value: [1, "x"] if isinstance(value, dict) else value,
    "null": lambda value: None,
}


def _swap_inside(value: Any, swap: Callable[[Any], Any]) -> Any:
    swapped = swap(value)
    if swapped is not value:
        return swapped
    if isinstance(value, dict):
        return {key: _swap_inside(item, swap) for key, item in value.items()}
    if isinstance(value, list):
        return [_swap_inside(item, swap) for item in value]
    return value


def _spoil_resource(resource: Any, swap: Callable[[Any], Any], where: str) -> Any:
    if not isinstance(resource, dict):
        return resource
    if where == "properties":
        inner = resource.get("properties")
        if not isinstance(inner, dict):
            return resource
        return {**resource, "properties": {key: _swap_inside(item, swap) for key, item in inner.items()}}
    return {
        key: item if key in _KEEP or key == "properties" else _swap_inside(item, swap)
        for key, item in resource.items()
    }


def _spoil(cassette: dict[str, Any], swap: Callable[[Any], Any], where: str) -> dict[str, Any]:
    spoiled = copy.deepcopy(cassette)
    for item in spoiled["interactions"]:
        text = item["response"]["body"]["string"]
        if item["response"]["status"]["code"] != 200 or not text:
            continue
        body = json.loads(text)
        if isinstance(body, dict) and isinstance(body.get("value"), list):
            body["value"] = [_spoil_resource(resource, swap, where) for resource in body["value"]]
        elif isinstance(body, list):
            body = [_spoil_resource(resource, swap, where) for resource in body]
        else:
            body = _spoil_resource(body, swap, where)
        item["response"]["body"]["string"] = json.dumps(body)
    return spoiled


@pytest.mark.parametrize("where", ["top-level fields", "properties"])
@pytest.mark.parametrize("swap", sorted(SWAPS))
@pytest.mark.parametrize("source", [HAPPY, DEMO_GAP], ids=["happy-path", "demo-gap"])
def test_wrong_types_inside_resources_never_crash_the_audit(
    source: Path, swap: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = _spoil(_load(source), SWAPS[swap], where)
    code, lines = _replay(_write(tmp_path / "cassette", cassette), capsys)
    # 2 when a spoiled id or list no longer matches a recorded request, or a shape is wrong.
    assert code in (0, 1, 2, 3), lines
    if code == 2:
        assert len(lines) == 1 and ("is corrupt" in lines[0] or "is incomplete" in lines[0]), lines


# -- live: the same bodies are gaps ---------------------------------------------------------------


@pytest.fixture
def fake_arm_audit(point_cli_at_fake_arm: PointCli) -> Iterator[Callable[[FakeArm], int]]:
    def audit(arm: FakeArm) -> int:
        point_cli_at_fake_arm(arm.base_url, arm.ca_file, read_timeout=5)
        return cli.main(["audit", "--subscription", arm.tenant.subscriptions[0], "--format", "json"])

    yield audit


def test_live_bodies_of_the_wrong_shape_are_gaps(
    fake_arm_audit: Callable[[FakeArm], int], capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = generate_tenant(6)
    sub = tenant.subscriptions[0]
    sites = tenant.lists[f"/subscriptions/{sub}/providers/microsoft.web/sites"]
    functions_of = _public_sites(tenant)[0]  # functions are read for public sites only
    config_of = next(site["id"] for site in sites if site["id"] != functions_of)
    tenant.bodies[f"{config_of}/config/web".lower()] = [1, None]
    tenant.lists[f"{functions_of}/functions".lower()] = [1, "x"]  # type: ignore[list-item]
    with FakeArm(tenant) as arm:
        code = fake_arm_audit(arm)
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert code == exit_codes.EXIT_CANNOT_VOUCH, captured.err
    reasons = {gap["resource_id"].lower(): gap["reason"] for gap in result["gaps"]}
    assert "expected a JSON object, got array" in reasons[config_of.lower()]
    assert "expected a JSON object, got integer" in reasons[functions_of.lower()]
    assert len(result["resources"]) == tenant.apps


# -- the cassette file itself ---------------------------------------------------------------------

_BOMB = "\n".join(
    ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    + [f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]" for level in range(1, 10)]
    + ["interactions: *a9"]
)


def _one_interaction(happy: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> str:
    cassette = copy.deepcopy(happy)
    change(cassette["interactions"][0])
    dumped: str = yaml.dump(cassette, Dumper=yaml.CSafeDumper)
    return dumped


CORRUPT_FILES: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "an alias bomb": (lambda _: _BOMB, "aliases expand"),
    "a recursive alias": (lambda _: "interactions: &a [*a]\n", "refers to a node that contains it"),
    "nesting 200,000 deep": (lambda _: "interactions: " + "[" * 200_000, "cannot read cassette"),
    "a python tag": (
        lambda _: 'interactions: !!python/object/apply:os.system ["echo pwned"]\n',
        "cannot read cassette",
    ),
    "a NUL byte": (lambda happy: "\0" + yaml.dump(happy, Dumper=yaml.CSafeDumper), "not a text file"),
    "an interaction that is a number": (lambda _: "interactions: [5]\n", "interaction 1: not a mapping"),
    "a response without a status": (
        lambda happy: _one_interaction(happy, lambda item: item["response"].pop("status")),
        "needs a status",
    ),
    "a status code as text": (
        lambda happy: _one_interaction(happy, lambda item: item["response"]["status"].update(code="200")),
        "status code '200' is not an HTTP status",
    ),
    "a status code as a boolean": (
        lambda happy: _one_interaction(happy, lambda item: item["response"]["status"].update(code=True)),
        "status code True is not an HTTP status",
    ),
    "headers as text": (
        lambda happy: _one_interaction(happy, lambda item: item["response"].update(headers="x")),
        "response headers are not a mapping",
    ),
    "a body string that is a list": (
        lambda happy: _one_interaction(happy, lambda item: item["response"]["body"].update(string=[1])),
        "response body needs a 'string'",
    ),
    "a request without a uri": (
        lambda happy: _one_interaction(happy, lambda item: item["request"].pop("uri")),
        "needs a method and a uri",
    ),
}


@pytest.mark.parametrize("case", sorted(CORRUPT_FILES))
def test_a_corrupt_cassette_file_is_refused_in_one_line(
    happy: dict[str, Any], case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, expected = CORRUPT_FILES[case]
    directory = tmp_path / "cassette"
    directory.mkdir()
    (directory / "arm.yaml").write_text(make(happy), encoding="utf-8")
    code, lines = _replay(directory, capsys)
    assert code == 2 and len(lines) == 1 and expected in lines[0], lines


def test_dev_zero_as_a_cassette_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "cassette"
    directory.mkdir()
    (directory / "arm.yaml").symlink_to("/dev/zero")
    code, lines = _replay(directory, capsys)
    assert code == 2 and len(lines) == 1 and "not a text file" in lines[0], lines


def test_a_cassette_with_a_byte_order_mark_replays(
    happy: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = _write(tmp_path / "cassette", happy)
    (directory / "arm.yaml").write_bytes(b"\xef\xbb\xbf" + (directory / "arm.yaml").read_bytes())
    code, lines = _replay(directory, capsys)
    assert code == 0, lines
