"""A fake Microsoft Entra sign-in endpoint over TLS on loopback, for the recording tests.

It answers what MSAL asks of an authority when ``azure.identity.ClientSecretCredential`` is
pointed at it (``authority="https://127.0.0.1:<port>"``, instance discovery off): the tenant's
OpenID configuration, then the client-credentials token request, whose form body holds the
client secret. Every request is kept (method, path, body) so a test can prove that the
credential really went over the wire, and then that no recording kept it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.loopback_tls import serve_over_tls


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    body: str


class FakeSignIn:
    """Serves sign-in on https://127.0.0.1:<port> until :meth:`close`; trusts ``ca_file``."""

    def __init__(self, directory: Path, access_token: str) -> None:
        self.access_token = access_token
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self.ca_file = str(directory / "sign-in-ca.pem")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.authority = serve_over_tls(self._server, Path(self.ca_file))
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-sign-in", daemon=True)

    def __enter__(self) -> FakeSignIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def seen(self, request: SeenRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def openid_configuration(self, tenant: str) -> dict[str, Any]:
        base = f"{self.authority}/{tenant}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "issuer": f"{base}/v2.0",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
        }


def _handler_for(sign_in: FakeSignIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # the base class names it so
            pass

        def _answer(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            sign_in.seen(SeenRequest("GET", self.path, ""))
            tenant = self.path.strip("/").split("/")[0]
            self._answer(sign_in.openid_configuration(tenant))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            sign_in.seen(SeenRequest("POST", self.path, body))
            self._answer(
                {
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "ext_expires_in": 3600,
                    "access_token": sign_in.access_token,
                }
            )

    return Handler
