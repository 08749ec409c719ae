"""Signing in with DefaultAzureCredential, and saying in one line why it failed.

DefaultAzureCredential tries a chain of credentials and, when none gives a token, raises one
error whose text lists every attempt; the exception of the credential that actually failed
(a DNS failure, a refused connection, an invalid client secret) is lost. Each credential of the
chain is therefore wrapped to remember what it raised, so the message can name the real cause:
``EnvironmentCredential could not sign in: cannot reach login.microsoftonline.com: name
resolution failed`` instead of a list of variables that are already set.
"""

from __future__ import annotations

import re
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import urllib3.exceptions
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError, DefaultAzureCredential
from urllib3.exceptions import NewConnectionError

from auditor.collect.errors import exception_chain

CREDENTIAL_HELP = (
    "no usable Azure credential: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET "
    "(or AZURE_FEDERATED_TOKEN_FILE for workload identity), run on a managed identity, or run `az login`"
)
_MAX_DETAIL = 300
# Microsoft Entra error codes ("AADSTS7000215: Invalid client secret provided. …"): the first sentence.
_ENTRA_ERROR = re.compile(r"AADSTS\d+:[^.\r\n]*\.?")


class _Remembering:
    """One credential of the chain, remembering the exception it raised (the chain keeps only text)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.error: BaseException | None = None
        # The chain names each attempt by this attribute, else by class: keep the inner name.
        self._credential_name = getattr(inner, "_credential_name", type(inner).__name__)

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self._remembered(self.inner.get_token, scopes, kwargs)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
        return self._remembered(self.inner.get_token_info, scopes, kwargs)

    def _remembered(self, call: Any, scopes: tuple[str, ...], kwargs: dict[str, Any]) -> Any:
        try:
            return call(*scopes, **kwargs)
        except BaseException as error:
            self.error = error
            raise

    def __enter__(self) -> _Remembering:
        self.inner.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self.inner.__exit__(*args)

    def close(self) -> None:
        self.inner.close()


def live_credential(authority: str, **options: Any) -> DefaultAzureCredential:
    """DefaultAzureCredential (no interactive browser: it would hang a scheduled job).

    ``options`` go to every credential of the chain (transport timeouts, for instance).
    """
    credential = DefaultAzureCredential(authority=authority, **options)
    credential.credentials = tuple(_Remembering(inner) for inner in credential.credentials)
    return credential


def sign_in_failure(error: ClientAuthenticationError, credential: Any) -> str:
    """One line saying why no token could be had."""
    for link in getattr(credential, "credentials", ()):
        failed = getattr(link, "error", None)
        if failed is not None and not isinstance(failed, CredentialUnavailableError):
            return f"{link._credential_name} could not sign in: {describe(failed)}"
    text = str(error).strip()
    if isinstance(error, CredentialUnavailableError) or "DefaultAzureCredential failed" in text:
        return CREDENTIAL_HELP  # no credential was configured at all
    return f"authentication failed: {describe(error)}"


def describe(error: BaseException) -> str:
    """The underlying cause of a failed token request, in a few words."""
    chain = list(exception_chain(error))
    where = _endpoint(chain) or "the sign-in endpoint"

    def found(*kinds: type[BaseException]) -> Any:
        return next((link for link in chain if isinstance(link, kinds)), None)

    # Most specific first: urllib3's NewConnectionError is also a ConnectTimeoutError.
    if found(urllib3.exceptions.NameResolutionError, socket.gaierror):
        return f"cannot reach {where}: name resolution failed"
    if found(ConnectionRefusedError):
        return f"cannot reach {where}: connection refused"
    tls = found(ssl.SSLError)
    if tls is not None:
        return f"TLS with {where} failed: {getattr(tls, 'reason', None) or _first_line(tls)}"
    proxy = found(urllib3.exceptions.ProxyError)
    if proxy is not None:
        return f"cannot reach {where} through the proxy: {_first_line(proxy)}"
    timeouts = (TimeoutError, urllib3.exceptions.TimeoutError)
    if any(isinstance(link, timeouts) and not isinstance(link, NewConnectionError) for link in chain):
        return f"cannot reach {where}: timed out"
    refused = found(OSError)
    if found(NewConnectionError) and refused is not None and getattr(refused, "strerror", None):
        return f"cannot reach {where}: {str(refused.strerror).lower()}"  # network unreachable …
    for link in chain:
        entra = _ENTRA_ERROR.search(str(link))
        if entra:
            return entra.group()
    return _first_line(error)


def _endpoint(chain: list[BaseException]) -> str | None:
    for link in chain:
        connection = getattr(link, "conn", None)
        host = getattr(connection, "host", None)
        if isinstance(host, str) and host:
            return host
        url = getattr(link, "url", None) or getattr(getattr(link, "request", None), "url", None)
        if isinstance(url, str) and urlsplit(url).hostname:
            return urlsplit(url).hostname
    return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    line = " ".join(lines[0].split()) if lines else type(error).__name__
    return line if len(line) <= _MAX_DETAIL else line[: _MAX_DETAIL - 1] + "…"
