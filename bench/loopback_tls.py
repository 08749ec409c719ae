"""TLS for the fake servers on loopback (fake ARM, fake sign-in, fake ingestion): one way to do it."""

from __future__ import annotations

import ssl
from http.server import ThreadingHTTPServer
from pathlib import Path

import trustme


def serve_over_tls(server: ThreadingHTTPServer, ca_file: Path) -> str:
    """Give ``server`` a certificate for 127.0.0.1 from a fresh CA, written to ``ca_file``.

    The clients under test verify it through that CA file (REQUESTS_CA_BUNDLE or their own
    setting), as they would verify Azure's. Returns the server's https base URL.
    """
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return f"https://127.0.0.1:{server.server_address[1]}"
