"""`--record` never holds a credential: sign-in traffic is not recorded, credential fields are dropped.

The sign-in goes through a real ``azure.identity.ClientSecretCredential`` (and MSAL) to a fake
Entra endpoint on loopback, the audit through the real SDK clients to the fake ARM; then the
whole cassette directory is searched for the secret and the token.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from azure.identity import ClientSecretCredential
from vcr.request import Request

from auditor import cli, exit_codes
from auditor.collect.cassettes import CASSETTE_FILE
from auditor.collect.recording_scrub import GuidMap, is_sign_in_request, sanitize_request
from bench.fake_arm import FakeArm, generate_tenant
from tests.fake_sign_in import FakeSignIn
from tests.support.fake_arm_fixtures import PointCli
from tests.test_cassette_scrub import find_leaks

TENANT_ID = "3c0f1d7e-5b2a-4e8f-9a61-7d2c4b8e0f13"
CLIENT_ID = "8e4b2a19-0c7d-4f3e-b5a6-1d9c8e7f6a25"
CLIENT_SECRET = "Zx8Q~s3cr3t-value.that-must-never-be-recorded"
ACCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.c2lnbmVk"


def test_a_recorded_live_audit_holds_neither_the_client_secret_nor_the_token(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    point_cli_at_fake_arm: PointCli,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tenant = generate_tenant(3)
    recorded = tmp_path / "recorded"
    with FakeSignIn(tmp_path, ACCESS_TOKEN) as sign_in, FakeArm(tenant) as arm:
        bundle = tmp_path / "bundle.pem"
        bundle.write_text(Path(arm.ca_file).read_text() + Path(sign_in.ca_file).read_text())
        point_cli_at_fake_arm(arm.base_url, str(bundle))
        monkeypatch.setattr(
            cli,
            "_live_credential",
            lambda authority: ClientSecretCredential(
                TENANT_ID,
                CLIENT_ID,
                CLIENT_SECRET,
                authority=sign_in.authority,
                disable_instance_discovery=True,
            ),
        )
        code = cli.main(
            [
                "audit",
                "--subscription",
                tenant.subscriptions[0],
                "--record",
                str(recorded),
                "--format",
                "json",
                "--fail-on",
                "never",
            ]
        )
    capsys.readouterr()
    assert code == exit_codes.EXIT_OK
    # The secret really went over the wire, inside the recording.
    token_requests = [seen for seen in sign_in.requests if seen.method == "POST"]
    assert token_requests and CLIENT_SECRET in token_requests[0].body

    files = sorted(path for path in recorded.rglob("*") if path.is_file())
    assert [path.name for path in files] == ["arm.yaml", "manifest.json"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in (CLIENT_SECRET, ACCESS_TOKEN, "client_secret", "grant_type", sign_in.authority):
            assert secret not in text, f"{secret!r} recorded in {path.name}"
    cassette = yaml.safe_load((recorded / CASSETTE_FILE).read_text(encoding="utf-8"))
    uris = [interaction["request"]["uri"] for interaction in cassette["interactions"]]
    assert uris and all(uri.startswith(arm.base_url) for uri in uris)
    assert find_leaks(cassette) == []


@pytest.mark.parametrize(
    "uri",
    [
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "https://login.microsoftonline.us/common/discovery/instance?api-version=1.1",
        "https://127.0.0.1:8443/tenant/v2.0/.well-known/openid-configuration",
        "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x",
        "http://localhost:8081/msi/token?api-version=2019-08-01&resource=https://management.azure.com",
    ],
)
def test_sign_in_requests_are_recognised_by_host_or_path(uri: str) -> None:
    assert is_sign_in_request(Request("GET", uri, None, {}))


def test_a_request_carrying_a_credential_form_is_sign_in_wherever_it_goes() -> None:
    body = f"client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&grant_type=client_credentials"
    assert is_sign_in_request(Request("POST", "https://sts.example.test/token", body, {}))
    assert not is_sign_in_request(
        Request("GET", "https://management.azure.com/subscriptions?api-version=2022-12-01", None, {})
    )


def test_the_sanitizer_drops_credential_fields_and_headers_as_defence_in_depth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = Request(
        "POST",
        "https://management.azure.com/x?api-version=1&password=hunter2&refresh_token=rt-value#frag",
        f"client_id=app&client_secret={CLIENT_SECRET}&client_assertion=eyJhbGciOi.x.y&Password=p&scope=a",
        {
            "Authorization": ["Bearer abc"],
            "X-IDENTITY-HEADER": ["shared"],
            "Proxy-Authorization": ["Basic x"],
        },
    )
    sanitized = sanitize_request(request, GuidMap())
    assert sanitized.uri == "https://management.azure.com/x?api-version=1#frag"
    assert sanitized.body == b"client_id=app&scope=a"
    assert list(sanitized.headers) == []
