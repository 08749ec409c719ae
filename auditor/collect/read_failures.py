"""A failed read: the gap it becomes, or the error that stops the audit.

Each read returns either its wire data or a :class:`ReadFailure`; a failure becomes a
:class:`Gap` plus ``missing`` entries on the apps it affects. Only errors that make the
whole audit untrustworthy propagate: authentication failures, a refused non-GET request
and, under replay, a request the cassette lacks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    DecodeError,
    DeserializationError,
    HttpResponseError,
)
from vcr.errors import CannotOverwriteExistingCassetteException

from auditor.collect.errors import MalformedResponse, ReadOnlyViolation, ReplayMiss, exception_chain
from auditor.collect.pacing import PacingCancelled, ThrottledTooLong
from auditor.model import DataKey, Gap

T = TypeVar("T")

_MAX_REASON = 300


@dataclass(frozen=True)
class ReadFailure:
    operation: str  # "GET /subscriptions/…" (path, no query)
    status: int | None
    reason: str


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 1] + "…"


def _http_reason(error: HttpResponseError) -> str:
    odata = error.error
    if odata is not None and odata.code:
        return _one_line(f"{odata.code}: {odata.message or ''}".rstrip(": "))
    return _one_line(error.reason or str(error.message) or type(error).__name__)


def classify_failure(
    error: Exception, operation: str, arm_host: str, malformed_stops: bool = False
) -> ReadFailure:
    """The gap a failed read becomes, or the error re-raised when it must stop the audit."""
    if isinstance(error, RecursionError):
        # Raised while parsing or reading a body nested deeper than Python's stack.
        error = MalformedResponse("the JSON body is nested too deeply")
    for link in exception_chain(error):
        if isinstance(link, (ReadOnlyViolation, PacingCancelled)):
            raise link
        if malformed_stops and isinstance(link, MalformedResponse):
            raise link
        if malformed_stops and isinstance(link, DecodeError | DeserializationError):
            # Not JSON, or JSON the SDK cannot read as the operation's answer.
            detail = _one_line(f"{type(link).__name__}: {link}".rstrip(": "))
            raise MalformedResponse(f"the body is not what the operation answers ({detail})") from error
        if isinstance(link, CannotOverwriteExistingCassetteException):
            failed = link.failed_request
            raise ReplayMiss(f"{failed.method} {failed.uri}: no recording in the cassette") from error
        if isinstance(link, ThrottledTooLong):
            return ReadFailure(operation, link.status_code, _one_line(str(link)))
    if isinstance(error, ClientAuthenticationError):
        # A 401 that ARM answered is about one subscription; anything else came from the
        # credential (identity endpoint, az CLI …) and no later call can succeed either.
        request = getattr(error.response, "request", None)
        if urlsplit(str(getattr(request, "url", ""))).netloc.lower() != arm_host:
            raise error
    if isinstance(error, HttpResponseError):
        return ReadFailure(operation, error.status_code, _http_reason(error))
    if isinstance(error, (AzureError, ValueError)):
        return ReadFailure(operation, None, _one_line(f"{type(error).__name__}: {error}"))
    raise error


def value_or_missing(result: T | ReadFailure | None, key: DataKey, missing: dict[DataKey, str]) -> T | None:
    """A read's answer; a failed one leaves ``key`` missing (named by the operation) instead."""
    if isinstance(result, ReadFailure):
        missing[key] = result.operation
        return None
    return result


class GapLog:
    """The gaps of one audit, recorded from the pool's threads."""

    def __init__(self) -> None:
        self._gaps: list[Gap] = []
        self._lock = threading.Lock()

    def record(
        self,
        subscription_id: str,
        failure: ReadFailure,
        resource_id: str | None = None,
        affects: tuple[DataKey, ...] = (),
    ) -> None:
        gap = Gap(
            subscription_id=subscription_id,
            operation=failure.operation,
            status=failure.status,
            reason=failure.reason,
            resource_id=resource_id,
            affects=affects,
        )
        with self._lock:
            self._gaps.append(gap)

    def sorted(self) -> tuple[Gap, ...]:
        with self._lock:
            return tuple(
                sorted(self._gaps, key=lambda gap: (gap.subscription_id.lower(), gap.operation.lower()))
            )
