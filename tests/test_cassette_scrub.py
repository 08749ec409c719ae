"""No committed cassette may hold a real id, token or key: every GUID must be a zero-form fake."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO as ROOT

# tests/corpus holds other projects' public recordings (tests/corpus/README.md), scrubbed the same way.
CASSETTE_ROOTS = (ROOT / "cassettes", ROOT / "tests" / "cassettes", ROOT / "tests" / "corpus")

GUID = re.compile(
    r"(?<![0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z])"
)
FAKE_GUID = re.compile(r"^00000000-0000-0000-0000-[0-9a-f]{12}$")
# GUIDs other than the zero form that may appear, each with the reason it is not a secret or an
# identifier of anyone's resources. Empty: the demo and recordings need none.
ALLOWED_GUIDS: frozenset[str] = frozenset()

LEAK_PATTERNS = {
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\."),
    "bearer token": re.compile(r"(?i)\bBearer\s+(?!REDACTED\b)[A-Za-z0-9\-._~+/]{8,}"),
    "storage account key": re.compile(r"(?i)\bAccountKey=(?!REDACTED\b)[^;\"'\s&]+"),
    "SAS signature": re.compile(r"(?i)(?:[?&;]|\\u0026)sig=(?!REDACTED\b)[^&\"'\s;]+"),
    "hybrid connection send key": re.compile(r'"sendKeyValue"\s*:\s*"[^"]+"'),
    # A sign-in request's form (or a query string) carrying the credential itself.
    "credential form field": re.compile(
        r"(?i)(?<![A-Za-z0-9_])(?:client_secret|client_assertion|refresh_token|password)="
    ),
}
# Recorded sign-in traffic: an OAuth2 token, authorization or discovery endpoint.
SIGN_IN_PATH = re.compile(r"(?i)/oauth2/|/\.well-known/openid-configuration|/discovery/instance")


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _strings(item)


def _authorization_headers(node: Any) -> Iterator[str]:
    """Header maps of vcrpy interactions that carry credentials."""
    if isinstance(node, dict):
        for key, value in node.items():
            if str(key).lower() in ("authorization", "cookie", "set-cookie") and key != "properties":
                yield str(key)
            yield from _authorization_headers(value)
    elif isinstance(node, list):
        for item in node:
            yield from _authorization_headers(item)


def _request_uris(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uri" and isinstance(value, str):
                yield value
            yield from _request_uris(value)
    elif isinstance(node, list):
        for item in node:
            yield from _request_uris(item)


def find_leaks(document: Any) -> list[str]:
    """What in a loaded cassette (YAML or JSON) looks like a real id or a secret."""
    leaks = [f"{name} header" for name in _authorization_headers(document)]
    leaks.extend(f"sign-in request {uri[:80]}" for uri in _request_uris(document) if SIGN_IN_PATH.search(uri))
    for text in _strings(document):
        for guid in GUID.findall(text):
            if not FAKE_GUID.match(guid) and guid.lower() not in ALLOWED_GUIDS:
                leaks.append(f"GUID {guid}")
        for name, pattern in LEAK_PATTERNS.items():
            leaks.extend(f"{name}: {match.group(0)[:40]}" for match in pattern.finditer(text))
    return leaks


def load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def cassette_files() -> list[Path]:
    return sorted(
        path
        for root in CASSETTE_ROOTS
        if root.is_dir()
        for path in root.rglob("*")
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file()
    )


def test_the_demo_cassettes_and_the_real_corpus_are_among_the_scanned_files() -> None:
    scanned = {path.relative_to(ROOT).as_posix() for path in cassette_files()}
    assert {"cassettes/demo/arm.yaml", "cassettes/demo-gap/arm.yaml"} <= scanned
    corpus = {path.relative_to(ROOT).as_posix() for path in (ROOT / "tests" / "corpus").glob("*.yaml")}
    assert corpus and corpus <= scanned


@pytest.mark.parametrize("path", cassette_files(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_cassette_holds_no_real_ids_or_secrets(path: Path) -> None:
    assert find_leaks(load(path)) == []


def test_scrub_check_catches_every_kind_of_leak() -> None:
    dirty = {
        "interactions": [
            {
                "request": {
                    "uri": "https://management.azure.com/subscriptions/3f2b9c1e-7a44-4d0b-9c61-2e8f5a7d1b90/"
                    "providers/Microsoft.Web/sites?api-version=2025-05-01",
                    "headers": {"Authorization": ["Bearer abcdefghijklmnop"]},
                },
                "response": {
                    "body": {
                        "string": json.dumps(
                            {
                                "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2ln",
                                "conn": "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=bXlrZXk=;",
                                "sas": "https://st.blob.core.windows.net/c?sv=2024-11-04&sig=abc%2Fdef",
                                "properties": {"sendKeyName": "defaultSender", "sendKeyValue": "c2VjcmV0"},
                            }
                        )
                    }
                },
            },
            {
                "request": {
                    "method": "POST",
                    "uri": "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
                    "body": "client_id=app&client_secret=s3cr3t&grant_type=client_credentials",
                },
            },
        ]
    }
    leaks = " | ".join(find_leaks(dirty))
    for expected in (
        "Authorization header",
        "GUID 3f2b9c1e-7a44-4d0b-9c61-2e8f5a7d1b90",
        "JWT",
        "bearer token",
        "storage account key",
        "SAS signature",
        "hybrid connection send key",
        "credential form field: client_secret=",
        "sign-in request https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
    ):
        assert expected in leaks


@pytest.mark.parametrize(
    "field", ["client_secret", "client_assertion", "refresh_token", "password", "PASSWORD"]
)
def test_scrub_check_catches_every_credential_form_field(field: str) -> None:
    assert find_leaks({"body": f"client_id=app&{field}=value"}) == [f"credential form field: {field}="]


def test_scrub_check_accepts_zero_form_guids_and_redacted_values() -> None:
    clean = {
        "uri": "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/x",
        "etag": 'W/"00000000-0000-0000-0000-0000000a0b1c"',
        "text": "Bearer REDACTED; AccountKey=REDACTED; ?sv=1&sig=REDACTED",
        "body": '{"sendKeyValue":"","sendKeyName":""}',
    }
    assert find_leaks(clean) == []
