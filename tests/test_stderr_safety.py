"""stderr: safe for a terminal in text, one JSON object per line with --log-format json, and a failed
sign-in that names its real cause.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import urllib3.exceptions
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.core.pipeline.policies import RetryPolicy

from auditor import logging_setup
from auditor.cli import main
from auditor.collect import inventory as inventory_module
from auditor.collect.sign_in import describe
from tests.support.paths import REPO

DEMO = REPO / "cassettes" / "demo"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
OSC8 = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
STALE_WAIVER = """waivers:
  - rule: risk/ftp-allowed
    resource: "/subscriptions/x/{osc8}\\u202e\\u009b"
    reason: "{osc8}"
    owner: ops
    expires: 2099-12-31
"""


def _audit(*extra: str) -> int:
    argv = [
        "audit",
        "--subscription",
        SUBSCRIPTION,
        "--replay",
        str(DEMO),
        "--output",
        "-",
        "--format",
        "json",
    ]
    return main([*argv, "--fail-on", "never", *extra])


@pytest.fixture
def osc8_waivers(tmp_path: Path) -> Path:
    path = tmp_path / "waivers.yaml"
    escaped = OSC8.replace("\\", "\\\\").replace("\x1b", "\\e")  # YAML double-quoted escapes
    path.write_text(STALE_WAIVER.format(osc8=escaped), encoding="utf-8")
    return path


def test_a_stale_waiver_warning_prints_no_raw_escape_sequence(
    osc8_waivers: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _audit("--waivers", str(osc8_waivers)) == 0
    err = capsys.readouterr().err
    stale = [line for line in err.splitlines() if "is stale" in line]
    assert len(stale) == 1
    assert "\x1b" not in err and "\u202e" not in err and "\x9b" not in err
    assert "\\x1b]8;;https://evil.example/" in stale[0] and "\\u202e" in stale[0]


def _json_lines(err: str) -> list[dict[str, Any]]:
    lines = [line for line in err.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON, or this raises
    assert all(isinstance(record, dict) for record in records)
    return records


def test_json_stderr_escapes_what_it_carries(osc8_waivers: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit("--waivers", str(osc8_waivers), "--log-format", "json") == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\u202e" not in err and "\x9b" not in err
    stale = next(record for record in _json_lines(err) if record["event"] == "waiver.stale")
    assert stale["waiver"]["reason"] == OSC8  # escaped on the wire, exact once parsed


def test_library_logs_and_python_warnings_are_json_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    collect = inventory_module.collect_inventory

    def noisy_collect(*args: Any, **kwargs: Any) -> Any:
        logging.getLogger("urllib3.connectionpool").warning("Connection pool is full: %s\x1b[2J", "arm")
        logging.getLogger("azure.core.pipeline").error("multi\nline\n\tmessage")
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # the test run turns warnings into errors
            warnings.warn("a library deprecation", FutureWarning, stacklevel=1)
        return collect(*args, **kwargs)

    monkeypatch.setattr(inventory_module, "collect_inventory", noisy_collect)
    assert _audit("--log-format", "json") == 0
    records = _json_lines(capsys.readouterr().err)
    library = [record for record in records if record["event"] in ("log", "warning")]
    assert {record.get("logger") for record in library} >= {"urllib3.connectionpool", "azure.core.pipeline"}
    assert any(
        record["event"] == "warning" and "a library deprecation" in record["message"] for record in library
    )
    assert any(record["event"] == "audit.summary" for record in records)

    assert _audit() == 0  # text: each library line named, made safe for a terminal
    err = capsys.readouterr().err
    assert "urllib3.connectionpool: Connection pool is full: arm\\x1b[2J" in err
    assert "azure.core.pipeline: message" in err and "\x1b" not in err


def test_usage_errors_are_json_when_json_was_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["audit", "--log-format", "json", "--subscription", "not-a-guid"],
        ["history", "--log-format=json", "--limit", "0"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        (record,) = _json_lines(capsys.readouterr().err)
        assert record["event"] == "error" and record["message"].startswith("auditor: error: argument")


def test_an_unexpected_traceback_is_json_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    logging_setup.configure("json")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    (record,) = _json_lines(capsys.readouterr().err)
    assert record["event"] == "crash" and "RuntimeError: boom" in record["traceback"]
    logging_setup.configure("text")


# -- a failed sign-in names its cause ---------------------------------------------------------------


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A service principal in the environment, and a resolver that finds nothing (no network)."""

    def unresolvable(host: object, *args: object, **kwargs: object) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)
    # azure-core backs off between retries of the token request; the cause is the same each time.
    monkeypatch.setattr(RetryPolicy, "sleep", lambda self, settings, transport, response=None: None)
    monkeypatch.setenv("AZURE_TENANT_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "not-a-secret")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_dns_failure_at_sign_in_is_named(
    no_dns: None, log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["audit", "--subscription", SUBSCRIPTION, "--max-concurrency", "1", "--log-format", log_format]
    assert main(argv) == 3
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    message = json.loads(lines[0])["message"] if log_format == "json" else lines[0]
    assert message == (
        "auditor: cannot vouch for the audit: EnvironmentCredential could not sign in: "
        "cannot reach login.microsoftonline.com: name resolution failed"
    )


def _connection_error(host: str, cause: BaseException) -> ServiceRequestError:
    """The chain azure-core raises for a token request that never reached the endpoint."""
    connection = urllib3.connection.HTTPSConnection(host, 443)
    new_connection = urllib3.exceptions.NewConnectionError(connection, f"Failed to establish: {cause}")
    new_connection.__cause__ = cause
    error = ServiceRequestError(str(new_connection), error=new_connection)
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            _connection_error("login.microsoftonline.com", ConnectionRefusedError(111, "Connection refused")),
            "cannot reach login.microsoftonline.com: connection refused",
        ),
        (
            _connection_error("login.microsoftonline.us", TimeoutError("timed out")),
            "cannot reach login.microsoftonline.us: timed out",
        ),
        (
            _connection_error("login.microsoftonline.com", OSError(101, "Network is unreachable")),
            "cannot reach login.microsoftonline.com: network is unreachable",
        ),
        (
            _connection_error(
                "login.chinacloudapi.cn", ssl.SSLCertVerificationError(1, "certificate verify failed")
            ),
            "TLS with login.chinacloudapi.cn failed",
        ),
        (
            ClientAuthenticationError(
                "Authentication failed: AADSTS7000215: Invalid client secret provided. Ensure the secret "
                "being sent in the request is the client secret value. Trace ID: 1\r\nCorrelation ID: 2"
            ),
            "AADSTS7000215: Invalid client secret provided.",
        ),
        (ClientAuthenticationError("first line\nsecond line"), "first line"),
    ],
    ids=["refused", "timeout", "unreachable", "tls", "entra", "other"],
)
def test_the_cause_of_a_failed_sign_in_in_a_few_words(error: BaseException, expected: str) -> None:
    assert describe(error).startswith(expected)
