"""A fake Logs Ingestion endpoint over TLS on loopback, for the `--send-to log-analytics` tests.

It speaks the contract of ``POST {endpoint}/dataCollectionRules/{id}/streams/{stream}``
(api-version 2023-01-01): a gzip'd JSON array of rows, a bearer token, 204 on success.
Each request is kept as it arrived; ``fail_when`` picks batches to answer 500 every time
they are sent, retries included.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.loopback_tls import serve_over_tls


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    rows: list[dict[str, Any]] | None  # the decoded array, None when the body was not one
    status: int


class FakeIngestion:
    """Serves on https://127.0.0.1:<port> until closed; ``ca_file`` is the CA to trust."""

    def __init__(self, fail_when: Callable[[list[dict[str, Any]]], bool] | None = None) -> None:
        self.fail_when = fail_when
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._directory = tempfile.TemporaryDirectory(prefix="fake-ingestion-")
        self.ca_file = str(Path(self._directory.name) / "ca.pem")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.endpoint = serve_over_tls(self._server, Path(self.ca_file))
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-ingestion", daemon=True)

    def __enter__(self) -> FakeIngestion:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._directory.cleanup()

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> int:
        url = urlsplit(target)
        rows: list[dict[str, Any]] | None = None
        try:
            decoded = json.loads(gzip.decompress(body))
            if isinstance(decoded, list):
                rows = decoded
        except (OSError, ValueError):
            rows = None
        status = 204
        if rows is None:
            status = 400
        elif self.fail_when is not None and self.fail_when(rows):
            status = 500
        with self._lock:
            self.received.append(Received(method, url.path, parse_qs(url.query), headers, body, rows, status))
        return status

    def accepted_rows(self) -> list[dict[str, Any]]:
        return [row for request in self.received if request.status == 204 for row in request.rows or []]


def _handler_for(fake: FakeIngestion) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # the base class names it so
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = fake.answer("POST", self.path, headers, body)
            payload = b"" if status == 204 else b'{"error":{"code":"InternalServerError","message":"boom"}}'
            self.send_response(status)
            if payload:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
