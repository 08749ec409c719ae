"""What a recording keeps of ARM traffic: no sign-in, no credential, no real GUID, no secret.

Sign-in traffic (a cloud's authority host, the managed identity endpoints, any OAuth2 token or
discovery path, any request carrying a credential form field) is never recorded: the token
request's body is the client secret itself. What is recorded is sanitized text: every GUID
becomes a deterministic zero-form GUID (the same real one always the same fake one within a
recording, so ids still join across responses); ``Authorization``/cookie headers and credential
form fields are dropped; tokens, keys, SAS signatures and secret-looking JSON values are blanked.
cassettes.py records and replays with these.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import threading
import zlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from vcr.request import Request

from auditor.clouds import CLOUDS

REDACTED = "REDACTED"

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GUID_PATTERN = re.compile(rf"(?<![0-9A-Za-z]){_GUID}(?![0-9A-Za-z])")
FAKE_GUID_PATTERN = re.compile(r"^00000000-0000-0000-0000-[0-9a-fA-F]{12}$")
_SUBSCRIPTION_IN_PATH = re.compile(rf"(/subscriptions/)({_GUID})(?![0-9A-Za-z])", re.IGNORECASE)

# Fakes for GUIDs that are not subscription ids start here, far above the subscription fakes
# (0, 1, 2 …), so the two series never collide.
_OTHER_GUID_BASE = 0x100000000

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?")
_BEARER = re.compile(r"(?i)\b(Bearer)\s+(?!REDACTED\b)[A-Za-z0-9\-._~+/]+=*")
_ACCOUNT_KEY = re.compile(r"(?i)\b(AccountKey|SharedAccessKey)=(?!REDACTED\b)[^;\"'\s&]+")
_SAS_SIGNATURE = re.compile(r"(?i)([?&;]|\\u0026)(sig)=(?!REDACTED\b)[^&\"'\s;]+")
# A JSON string value under a key that names a secret. Booleans, numbers and nulls are left alone
# (``"tokenStoreEnabled": null`` says nothing secret), and so is an already empty value.
_SECRET_JSON_VALUE = re.compile(
    r'"(?P<key>[A-Za-z0-9_$.\-]*(?:key|secret|password|token|assertion)[A-Za-z0-9_$.\-]*)"'
    r'(?P<sep>\s*:\s*)"(?P<value>(?:[^"\\]|\\.)+)"',
    re.IGNORECASE,
)
# Keys that match the secret pattern but hold names, not secrets; the collector reads none of
# them, but blanking them would make recordings look unlike ARM for no gain.
NON_SECRET_JSON_KEYS = frozenset({"keyvaultreferenceidentity"})

_DROPPED_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-ms-authorization-auxiliary",
        # The App Service / Arc managed-identity endpoints take a shared secret in these.
        "x-identity-header",
        "secret",
    }
)
# Form fields (query string or form body) that carry a credential: dropped, name and value.
CREDENTIAL_FIELDS = frozenset(
    {
        "client_secret",
        "client_assertion",
        "assertion",
        "refresh_token",
        "password",
        "access_token",
        "id_token",
    }
)
_FORM_BODY = re.compile(r"[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*")

# Sign-in traffic is never recorded (see is_sign_in_request): the authority of every cloud
# (and the older names of the public one), the instance metadata service, and any OAuth2
# token, authorization or discovery path, wherever it is served.
_IDENTITY_HOSTS = frozenset(
    {cloud.authority for cloud in CLOUDS.values()}
    | {"login.windows.net", "login.microsoft.com", "sts.windows.net", "169.254.169.254"}
)
_IDENTITY_PATH = re.compile(
    r"(?i)/oauth2/|/\.well-known/openid-configuration|/discovery/instance|/metadata/identity/|/msi/token"
)
# Where a managed identity outside the VM (App Service, Arc, Cloud Shell, Service Fabric) is asked.
_IDENTITY_ENDPOINT_VARIABLES = ("IDENTITY_ENDPOINT", "MSI_ENDPOINT", "IMDS_ENDPOINT")


class GuidMap:
    """Real GUID -> fake zero-form GUID, stable within one recording and safe across threads."""

    def __init__(self, subscription_ids: Iterable[str] = ()) -> None:
        self._fakes: dict[str, str] = {}
        self._subscriptions: list[str] = []
        self._next_other = _OTHER_GUID_BASE
        self._lock = threading.Lock()
        for subscription_id in subscription_ids:
            self.subscription(subscription_id)

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The fake ids given to subscriptions, in the order they were first seen."""
        with self._lock:
            return tuple(self._fakes[real] for real in self._subscriptions)

    def subscription(self, real: str) -> str:
        """The fake id of a subscription: the n-th subscription seen gets ``…-{n:012x}``."""
        return self._fake_for(real, subscription=True)

    def fake(self, real: str) -> str:
        return self._fake_for(real, subscription=False)

    def _fake_for(self, real: str, *, subscription: bool) -> str:
        key = real.lower()
        if FAKE_GUID_PATTERN.match(key):
            return key
        with self._lock:
            fake = self._fakes.get(key)
            if fake is None:
                if subscription:
                    fake = _zero_guid(len(self._subscriptions))
                    self._subscriptions.append(key)
                else:
                    fake = _zero_guid(self._next_other)
                    self._next_other += 1
                self._fakes[key] = fake
            return fake


def _zero_guid(number: int) -> str:
    return f"00000000-0000-0000-0000-{number:012x}"


def sanitize_guids(text: str, guid_map: GuidMap) -> str:
    """Replace every GUID by its fake; a GUID after ``/subscriptions/`` is mapped as a subscription."""
    text = _SUBSCRIPTION_IN_PATH.sub(lambda m: m.group(1) + guid_map.subscription(m.group(2)), text)
    return GUID_PATTERN.sub(lambda m: guid_map.fake(m.group(0)), text)


def scrub_secrets(text: str) -> str:
    """Blank tokens, keys, SAS signatures and secret-looking JSON string values."""
    text = _JWT.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _ACCOUNT_KEY.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    text = _SAS_SIGNATURE.sub(lambda m: f"{m.group(1)}{m.group(2)}={REDACTED}", text)

    def blank(match: re.Match[str]) -> str:
        if match.group("key").lower() in NON_SECRET_JSON_KEYS:
            return match.group(0)
        return f'"{match.group("key")}"{match.group("sep")}""'

    return _SECRET_JSON_VALUE.sub(blank, text)


def drop_credential_fields(form: str) -> str:
    """``form`` (a query string or form body) without the fields in :data:`CREDENTIAL_FIELDS`."""
    kept = [
        field
        for field in form.split("&")
        if unquote_plus(field.split("=", 1)[0]).strip().lower() not in CREDENTIAL_FIELDS
    ]
    return "&".join(kept)


def _drop_credential_query_fields(uri: str) -> str:
    base, mark, rest = uri.partition("?")
    if not mark:
        return uri
    query, hash_mark, fragment = rest.partition("#")
    query = drop_credential_fields(query)
    return f"{base}?{query}{hash_mark}{fragment}" if query else f"{base}{hash_mark}{fragment}"


def _identity_endpoint_hosts() -> set[str]:
    hosts = set()
    for variable in _IDENTITY_ENDPOINT_VARIABLES:
        value = os.environ.get(variable)
        if value:
            hosts.add(urlsplit(value if "//" in value else f"//{value}").netloc.lower())
    hosts.discard("")
    return hosts


def is_sign_in_request(request: Request) -> bool:
    """True for identity-provider traffic, which a recording must never hold."""
    parts = urlsplit(request.uri)
    host = (parts.hostname or "").lower()
    if host in _IDENTITY_HOSTS or parts.netloc.lower() in _identity_endpoint_hosts():
        return True
    if _IDENTITY_PATH.search(parts.path):
        return True
    body = decode_body(request.body, None)
    return (
        body is not None
        and _FORM_BODY.fullmatch(body.strip()) is not None
        and ("grant_type" in body.lower() or drop_credential_fields(body.strip()) != body.strip())
    )


def sanitize_text(text: str, guid_map: GuidMap) -> str:
    """Everything a recording does to a URI, header value or body: secrets, then GUIDs."""
    return sanitize_guids(scrub_secrets(text), guid_map)


def sanitize_headers(headers: Mapping[str, Any], guid_map: GuidMap) -> dict[str, Any]:
    """Drop credential and cookie headers; sanitize the values of the others (names are kept)."""
    cleaned: dict[str, Any] = {}
    for name, value in headers.items():
        if name.lower() in _DROPPED_HEADERS:
            continue
        if isinstance(value, list):
            cleaned[name] = [sanitize_text(str(item), guid_map) for item in value]
        else:
            cleaned[name] = sanitize_text(str(value), guid_map)
    return cleaned


def decode_body(body: bytes | str | None, content_encoding: str | None) -> str | None:
    """The body as text (gunzipped/inflated when ARM compressed it); None when it is not text."""
    if body is None:
        return None
    if isinstance(body, str):
        return body
    raw = body
    encoding = (content_encoding or "").strip().lower()
    with contextlib.suppress(OSError, zlib.error):
        if encoding == "gzip" or raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def sanitize_request(request: Request, guid_map: GuidMap) -> Request:
    """A vcrpy ``before_record_request`` hook body (vcrpy hands it a copy)."""
    request.uri = sanitize_text(_drop_credential_query_fields(request.uri), guid_map)
    request.headers = sanitize_headers(request.headers, guid_map)
    body = decode_body(request.body, None)
    if body is not None:
        if _FORM_BODY.fullmatch(body.strip()):
            body = drop_credential_fields(body.strip())
        request.body = sanitize_text(body, guid_map).encode("utf-8")
    return request


def request_to_record(request: Request, guid_map: GuidMap) -> Request | None:
    """What vcrpy records of a request: nothing for sign-in traffic, else the sanitized request."""
    if is_sign_in_request(request):
        return None
    return sanitize_request(request, guid_map)


def sanitize_response(response: dict[str, Any], guid_map: GuidMap) -> dict[str, Any]:
    """A vcrpy ``before_record_response`` hook body: readable, sanitized text and a true length."""
    headers: dict[str, Any] = dict(response.get("headers") or {})
    encoding_header = _header(headers, "content-encoding")
    body = response.get("body") or {}
    text = decode_body(body.get("string"), encoding_header)
    if text is not None:
        sanitized = sanitize_text(text, guid_map).encode("utf-8")
        response["body"] = {**body, "string": sanitized}
        headers = {name: value for name, value in headers.items() if name.lower() != "content-encoding"}
        for name in list(headers):
            if name.lower() == "content-length":
                headers[name] = [str(len(sanitized))]
    response["headers"] = sanitize_headers(headers, guid_map)
    return response


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            if isinstance(value, list):
                return str(value[0]) if value else None
            return str(value)
    return None
