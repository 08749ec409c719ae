"""Replay and record through vcrpy: validation, playback order, atomic sanitized recordings."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import yaml
from azure.mgmt.web import WebSiteManagementClient

from auditor.collect.cassettes import (
    CASSETTE_FILE,
    MANIFEST_FILE,
    CassetteError,
    UnrecordedRequest,
    recording,
    replaying,
)
from auditor.collect.clients import FakeCredential
from tests.support.paths import REPO as ROOT
from tests.test_cassette_scrub import find_leaks

ZERO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
REAL_LOOKING_SUBSCRIPTION = "3f2b9c1e-7a44-4d0b-9c61-2e8f5a7d1b90"


def interaction(uri: str, status: int, body: str) -> dict[str, object]:
    return {
        "request": {"method": "GET", "uri": uri, "body": None, "headers": {}},
        "response": {
            "status": {"code": status, "message": "x"},
            "headers": {"content-type": ["application/json"], "content-length": [str(len(body))]},
            "body": {"string": body},
        },
    }


def write_cassette(directory: Path, interactions: list[dict[str, object]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CASSETTE_FILE).write_text(yaml.safe_dump({"interactions": interactions, "version": 1}))
    return directory


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no arm.yaml"),
        ("interactions: [unclosed", "cannot read cassette"),
        ("version: 1\n", "has no 'interactions' list"),
    ],
)
def test_replaying_refuses_a_broken_cassette_with_one_line(
    tmp_path: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / CASSETTE_FILE).write_text(content)
    with pytest.raises(CassetteError, match=message) as raised, replaying(tmp_path):
        pass
    assert "\n" not in str(raised.value)


def test_replaying_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="not found"), replaying(tmp_path / "absent"):
        pass


def test_replay_plays_matches_in_order_then_repeats_the_last(tmp_path: Path) -> None:
    uri = "https://management.azure.com/x?api-version=1"
    write_cassette(tmp_path, [interaction(uri, 429, '{"error":{}}'), interaction(uri, 200, '{"n":1}')])
    with replaying(tmp_path):
        assert [requests.get(uri, timeout=5).status_code for _ in range(3)] == [429, 200, 200]
        with pytest.raises(UnrecordedRequest):
            requests.get("https://management.azure.com/y?api-version=1", timeout=5)


def test_replay_matches_on_query(tmp_path: Path) -> None:
    uri = "https://management.azure.com/x?api-version=1&includeSlots=true"
    write_cassette(tmp_path, [interaction(uri, 200, "[]")])
    with replaying(tmp_path):
        assert requests.get(uri, timeout=5).status_code == 200
        with pytest.raises(UnrecordedRequest):
            requests.get("https://management.azure.com/x?api-version=1", timeout=5)


def test_replay_serves_a_thread_pool(tmp_path: Path) -> None:
    uris = [f"https://management.azure.com/item/{n}?api-version=1" for n in range(40)]
    write_cassette(tmp_path, [interaction(uri, 200, json.dumps({"n": n})) for n, uri in enumerate(uris)])
    with replaying(tmp_path), ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda uri: requests.get(uri, timeout=5).json()["n"], uris * 3))
    assert answers == list(range(40)) * 3


def test_the_demo_cassette_deserializes_with_the_real_sdk() -> None:
    with replaying(ROOT / "cassettes" / "demo"):
        client = WebSiteManagementClient(FakeCredential(), ZERO_SUBSCRIPTION)
        sites = list(client.web_apps.list())  # two pages: the second follows nextLink
        config = client.web_apps.get_configuration("rg-contoso-dedicated", "func-docs")
        functions = list(client.web_apps.list_functions("rg-contoso-dedicated", "func-docs"))  # 429, then 200
    kinds = [site.kind for site in sites]
    assert len(sites) == 31
    assert (
        sum("functionapp" in str(kind).split(",") and "workflowapp" not in str(kind) for kind in kinds) == 29
    )
    assert [rule.priority for rule in config.ip_security_restrictions] == [100, 200, 2147483647]
    assert [function.name for function in functions] == ["func-docs/Render"]


class _ArmLikeHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(
            {
                "id": f"/subscriptions/{REAL_LOOKING_SUBSCRIPTION}/resourceGroups/rg/providers/x",
                "properties": {"sendKeyName": "defaultSender", "sendKeyValue": "c2VjcmV0LWtleQ=="},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-ms-request-id", "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ArmLikeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_recording_writes_a_sanitized_cassette_that_replays(tmp_path: Path, local_server: str) -> None:
    target = tmp_path / "recorded"
    uri = f"{local_server}/subscriptions/{REAL_LOOKING_SUBSCRIPTION}/providers/Microsoft.Web/x?api-version=1"
    with recording(target, [REAL_LOOKING_SUBSCRIPTION]):
        live = requests.get(uri, headers={"Authorization": "Bearer abcdefghijklmnopqrstuvwxyz"}, timeout=5)
    assert live.json()["properties"]["sendKeyValue"] == "c2VjcmV0LWtleQ=="  # the caller saw the real answer

    saved = yaml.safe_load((target / CASSETTE_FILE).read_text())
    assert find_leaks(saved) == []
    manifest = json.loads((target / MANIFEST_FILE).read_text())
    assert manifest["subscriptions"] == [ZERO_SUBSCRIPTION]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["recorded"]  # no staging left behind

    with replaying(target):
        replayed = requests.get(uri.replace(REAL_LOOKING_SUBSCRIPTION, ZERO_SUBSCRIPTION), timeout=5).json()
    assert replayed["properties"] == {"sendKeyName": "", "sendKeyValue": ""}
    assert replayed["id"].startswith(f"/subscriptions/{ZERO_SUBSCRIPTION}/")


def test_a_failed_recording_leaves_the_previous_cassette(tmp_path: Path, local_server: str) -> None:
    target = write_cassette(
        tmp_path / "recorded", [interaction("https://management.azure.com/old", 200, "{}")]
    )
    before = (target / CASSETTE_FILE).read_text()
    with pytest.raises(RuntimeError), recording(target):
        requests.get(f"{local_server}/new", timeout=5)
        raise RuntimeError("audit failed")
    assert (target / CASSETTE_FILE).read_text() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["recorded"]


def test_a_cassette_directory_named_at_the_file_name_limit_records(tmp_path: Path, local_server: str) -> None:
    target = tmp_path / ("c" * 255)
    with recording(target):
        requests.get(f"{local_server}/subscriptions", timeout=5)
    assert (target / CASSETTE_FILE).is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == [target.name]
