"""Azurite, the Azure Storage emulator, on a loopback port over HTTPS with OAuth bearer tokens.

The Makefile installs it from npm into .venv/azurite. It runs with ``--oauth basic`` (it checks
a bearer token's shape, issuer, audience and lifetime, not its signature: ``storage_token`` makes
one), HTTPS from a trustme certificate (azure-storage-blob sends tokens only over HTTPS), data in
memory, and telemetry off, so nothing leaves the machine. Tests skip when it is absent, unless
AUDITOR_REQUIRE_AZURITE is set (CI sets it).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import REPO

AZURITE = REPO / ".venv" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
ACCOUNT = "devstoreaccount1"  # Azurite's built-in account; the URL is path style
LISTENING = re.compile(r"listens on https://127\.0\.0\.1:(\d+)")
START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Azurite:
    account_url: str  # https://127.0.0.1:PORT/devstoreaccount1
    ca_path: Path  # the CA that signed its certificate (for REQUESTS_CA_BUNDLE)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode("ascii")


def storage_token(lifetime_seconds: int = 3600) -> str:
    """A JWT-shaped Entra token for Blob Storage that Azurite's basic OAuth accepts (unsigned)."""
    now = int(time.time())
    claims = {
        "aud": "https://storage.azure.com",
        "iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + lifetime_seconds,
    }
    return f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.c2lnbmF0dXJl"


def run_azurite(directory: Path) -> Iterator[Azurite]:
    """Start Azurite in ``directory``, yield it once it listens, stop it afterwards."""
    if not AZURITE.exists():
        if os.environ.get("AUDITOR_REQUIRE_AZURITE"):
            pytest.fail(f"AUDITOR_REQUIRE_AZURITE is set but {AZURITE} is missing (run make unit)")
        pytest.skip(f"{AZURITE} is not installed: make unit installs it with npm (sudo apt-get install npm)")
    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    key_path, cert_path, ca_path = directory / "key.pem", directory / "cert.pem", directory / "ca.pem"
    certificate.private_key_pem.write_to_path(str(key_path))
    certificate.cert_chain_pems[0].write_to_path(str(cert_path))
    authority.cert_pem.write_to_path(str(ca_path))
    # In memory (it refuses --location then); its cwd is the temporary directory all the same.
    command = [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", "0"]
    command += ["--inMemoryPersistence", "--oauth", "basic", "--cert", str(cert_path), "--key", str(key_path)]
    command += ["--disableTelemetry", "--skipApiVersionCheck", "--disableProductStyleUrl"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=directory
    )
    try:
        port = _wait_for_port(process)
        # Keep draining its access log so a full pipe can never block it.
        threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
        yield Azurite(account_url=f"https://127.0.0.1:{port}/{ACCOUNT}", ca_path=ca_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_for_port(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        match = LISTENING.search(line)
        if match:
            return int(match.group(1))
    raise RuntimeError("Azurite did not start: " + "".join(seen[-20:]))
