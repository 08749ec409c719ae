"""--upload: the run's reports into Blob Storage (Azurite over HTTPS with OAuth), nothing lost locally."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from auditor.cli import main
from auditor.collect.clients import FakeCredential
from auditor.upload import Report, parse_target, upload
from tests.azurite_support import Azurite, run_azurite, storage_token
from tests.support.paths import REPO

DEMO = REPO / "cassettes" / "demo"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


class StorageCredential:
    """Replay's static token for ARM; for Blob Storage a token Azurite's basic OAuth accepts."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if scopes == ("https://storage.azure.com/.default",):
            return AccessToken(storage_token(), 4102444800)
        return AccessToken("replay-token", 4102444800)


@pytest.fixture(scope="module")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    yield from run_azurite(tmp_path_factory.mktemp("azurite"))


@pytest.fixture
def storage(azurite: Azurite, monkeypatch: pytest.MonkeyPatch) -> Azurite:
    """Azurite trusted by the SDK's transport, and replay's FakeCredential handing out a storage token."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(azurite.ca_path))
    monkeypatch.setattr(FakeCredential, "get_token", StorageCredential.get_token)
    return azurite


def _container(storage: Azurite, name: str) -> Any:
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient(storage.account_url, credential=StorageCredential())
    container = service.get_container_client(name)
    if not container.exists():
        container.create_container()
    return container


def _audit(tmp_path: Path, *extra: str) -> int:
    return main(
        ["audit", "--subscription", SUBSCRIPTION, "--replay", str(DEMO), "--fail-on", "never", *extra]
    )


def test_audit_uploads_its_reports_under_the_run_and_latest(storage: Azurite, tmp_path: Path) -> None:
    container = _container(storage, "reports")
    html, saved = tmp_path / "report.html", tmp_path / "result.json"
    url = f"{storage.account_url}/reports/nightly"
    code = _audit(tmp_path, "--format", "html", "--output", str(html), "--save", str(saved), "--upload", url)
    assert code == 0
    result = json.loads(saved.read_text(encoding="utf-8"))
    stamp = result["started_at"].replace("-", "").replace(":", "")[:15] + "Z"
    blobs = {blob.name: blob for blob in container.list_blobs(name_starts_with="nightly/")}
    expected = {
        f"nightly/runs/{stamp}/report.html": (html, "text/html; charset=utf-8"),
        f"nightly/runs/{stamp}/result.json": (saved, "application/json"),
        "nightly/latest/report.html": (html, "text/html; charset=utf-8"),
        "nightly/latest/result.json": (saved, "application/json"),
    }
    assert set(blobs) == set(expected)
    for name, (local, content_type) in expected.items():
        assert blobs[name].content_settings.content_type == content_type
        assert container.download_blob(name).readall() == local.read_bytes()


def test_a_run_folder_is_never_overwritten(storage: Azurite, tmp_path: Path) -> None:
    container = _container(storage, "reruns")
    report = tmp_path / "result.json"
    report.write_text('{"first": true}', encoding="utf-8")
    target = parse_target(f"{storage.account_url}/reruns")
    first = upload([Report(report, "json")], target, "2026-12-04T17:03:23Z", StorageCredential())
    assert first.complete and first.uploaded == ["runs/20261204T170323Z/result.json", "latest/result.json"]
    report.write_text('{"second": true}', encoding="utf-8")
    second = upload([Report(report, "json")], target, "2026-12-04T17:03:23Z", StorageCredential())
    assert not second.complete
    assert [blob for blob, _ in second.failed] == ["runs/20261204T170323Z/result.json"]
    assert "BlobAlreadyExists" in second.failed[0][1]
    # Neither the run's evidence nor latest/ took the clashing copy.
    assert container.download_blob("runs/20261204T170323Z/result.json").readall() == b'{"first": true}'
    assert container.download_blob("latest/result.json").readall() == b'{"first": true}'


def test_failed_upload_exits_3_and_keeps_the_local_files(
    storage: Azurite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif, saved = tmp_path / "report.sarif", tmp_path / "result.json"
    url = f"{storage.account_url}/no-such-container"
    code = _audit(
        tmp_path, "--format", "sarif", "--output", str(sarif), "--save", str(saved), "--upload", url
    )
    assert code == 3
    err = capsys.readouterr().err
    assert "2 blob(s) not written" in err and "ContainerNotFound" in err and "local files are complete" in err
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert json.loads(saved.read_text(encoding="utf-8"))["schema_version"] == 1


def test_a_token_azurite_refuses_is_a_failed_upload(
    storage: Azurite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _container(storage, "refused")
    monkeypatch.setattr(
        FakeCredential, "get_token", lambda self, *s, **k: AccessToken("replay-token", 4102444800)
    )
    saved = tmp_path / "result.json"
    assert _audit(tmp_path, "--save", str(saved), "--upload", f"{storage.account_url}/refused") == 3
    assert saved.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--save", "r.json", "--upload", "http://acct.blob.core.windows.net/c"], "needs an https://"),
        (["--save", "r.json", "--upload", "https://acct.blob.core.windows.net/c?sv=1&sig=x"], "no SAS token"),
        (["--save", "r.json", "--upload", "https://acct.blob.core.windows.net/"], "names no container"),
        (["--upload", "https://acct.blob.core.windows.net/c"], "needs a report file"),
        (
            ["--save", "a/r.json", "--output", "b/r.json", "--upload", "https://a.blob.core.windows.net/c"],
            "clash",
        ),
    ],
)
def test_unusable_upload_requests_are_usage_errors_before_any_audit(
    arguments: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    try:
        code = _audit(tmp_path, *arguments)
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir()), "nothing is written when the upload request is unusable"


def test_container_urls_split_into_account_container_and_prefix() -> None:
    target = parse_target("https://acct.blob.core.windows.net/reports/nightly/prod/")
    assert (target.account_url, target.container, target.prefix) == (
        "https://acct.blob.core.windows.net",
        "reports",
        "nightly/prod/",
    )
    emulator = parse_target("https://127.0.0.1:10000/devstoreaccount1/reports")
    assert (emulator.account_url, emulator.container, emulator.prefix) == (
        "https://127.0.0.1:10000/devstoreaccount1",
        "reports",
        "",
    )


def test_report_uploads_its_output_into_the_results_run_folder(
    storage: Azurite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = _container(storage, "rendered")
    saved = tmp_path / "result.json"
    assert _audit(tmp_path, "--save", str(saved)) == 0
    monkeypatch.setattr("auditor.cli._live_credential", lambda authority: StorageCredential())
    markdown = tmp_path / "summary.md"
    url = f"{storage.account_url}/rendered"
    assert (
        main(["report", str(saved), "--format", "markdown", "--output", str(markdown), "--upload", url]) == 0
    )
    stamp = json.loads(saved.read_text(encoding="utf-8"))["started_at"].replace("-", "").replace(":", "")[:15]
    name = f"runs/{stamp}Z/summary.md"
    assert container.download_blob(name).readall() == markdown.read_bytes()
    assert container.get_blob_client(name).get_blob_properties().content_settings.content_type == (
        "text/markdown; charset=utf-8"
    )
