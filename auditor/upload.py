"""``--upload CONTAINER_URL``: the reports this run wrote, copied to the user's Blob Storage container.

An opt-in write to the user's own storage, after every local output is written. It goes through
azure-storage-blob on its own client and pipeline with the audit's credential (a bearer token for
``https://storage.azure.com``), never through the ARM clients, whose read-only guard stays as
strict as without this option.

Layout in the container (below any path the URL adds after the container name)::

    runs/<started_at as YYYYMMDDTHHMMSSZ>/<file name>   one folder per run, never overwritten
    latest/<file name>                                    the newest run's copy, overwritten

A run's blobs are written with ``overwrite=False``: a second upload of the same run (or a clash)
fails instead of replacing evidence. ``latest/`` is written only after the run's own copy of the
same file succeeded. Each blob gets the content type of its report format.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.report.common import printable

CONTENT_TYPES: Mapping[str, str] = {
    "json": "application/json",
    "sarif": "application/sarif+json",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "table": "text/plain; charset=utf-8",
    "ocsf": "application/x-ndjson",
}

RETRY_TOTAL = 3
CONNECTION_TIMEOUT_SECONDS = 30
READ_TIMEOUT_SECONDS = 120


class UploadTargetError(ValueError):
    """A --upload URL the auditor will not use (a usage error)."""


@dataclass(frozen=True)
class UploadTarget:
    account_url: str  # https://account.blob.core.windows.net (or https://host:port/account for path style)
    container: str
    prefix: str  # "" or "some/path/" inside the container

    def describe(self) -> str:
        return f"{self.account_url}/{self.container}/{self.prefix}"


@dataclass(frozen=True)
class Report:
    path: Path
    fmt: str  # a key of CONTENT_TYPES


@dataclass
class UploadOutcome:
    uploaded: list[str] = field(default_factory=list)  # blob names
    failed: list[tuple[str, str]] = field(default_factory=list)  # (blob name, one-line reason)

    @property
    def complete(self) -> bool:
        return not self.failed


def _path_style(host: str) -> bool:
    """Emulators and IP endpoints put the account in the path (as azure-storage-blob decides)."""
    if host in ("localhost",):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def parse_target(url: str) -> UploadTarget:
    """The account, container and path prefix of ``https://account.blob…/container[/path]``."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise UploadTargetError(f"--upload needs an https:// container URL, not {printable(url)!r}")
    if parts.query or parts.fragment:
        # A SAS token would be a secret on the command line and in logs; the credential does it.
        raise UploadTargetError(
            "--upload takes the container URL without a query (no SAS token): access comes from the "
            "audit's credential, which needs Storage Blob Data Contributor on the container"
        )
    host = parts.hostname or ""
    segments = [segment for segment in parts.path.split("/") if segment]
    account_segments = 1 if _path_style(host) else 0
    if not host or len(segments) <= account_segments:
        raise UploadTargetError(f"--upload URL {printable(url)!r} names no container")
    account_url = f"https://{parts.netloc}" + "".join(f"/{s}" for s in segments[:account_segments])
    container = segments[account_segments]
    prefix = "".join(f"{segment}/" for segment in segments[account_segments + 1 :])
    return UploadTarget(account_url=account_url, container=container, prefix=prefix)


def upload_target(value: str) -> UploadTarget:
    """argparse type of ``--upload``: a malformed URL is a usage error before any audit runs."""
    import argparse

    try:
        return parse_target(value)
    except UploadTargetError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def reports_written(args: Any) -> list[Report]:
    """The files this audit writes: ``--output`` unless stdout, and ``--save``."""
    reports = []
    if args.output != "-":
        reports.append(Report(Path(args.output), args.format))
    save = getattr(args, "save", None)  # `auditor report` has no --save
    if save is not None:
        reports.append(Report(Path(save), "json"))
    return reports


def check_reports(reports: Sequence[Report]) -> None:
    """Refuse, before the audit, an upload with nothing to send or two files of the same blob name."""
    if not reports:
        raise UploadTargetError("--upload needs a report file: add --output PATH or --save RESULT.json")
    names = [report.path.name for report in reports]
    if len(set(names)) != len(names):
        raise UploadTargetError(
            f"--output and --save have the same file name {names[0]!r}: their blobs would clash"
        )


def run_folder(started_at: datetime | str) -> str:
    """``runs/20261204T170323Z/``: sortable, one per run, from the result's start time."""
    if isinstance(started_at, str):
        started_at = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    return "runs/" + started_at.strftime("%Y%m%dT%H%M%SZ") + "/"


def blob_names(target: UploadTarget, started_at: datetime | str, report: Report) -> tuple[str, str]:
    """The run's blob name and the ``latest/`` one for ``report``."""
    name = report.path.name
    return (f"{target.prefix}{run_folder(started_at)}{name}", f"{target.prefix}latest/{name}")


def _reason(error: BaseException) -> str:
    code = getattr(error, "error_code", None)
    message = str(getattr(error, "message", None) or error).strip().splitlines()
    first = message[0] if message else type(error).__name__
    return printable(f"{code}: {first}" if code else first)


def upload(
    reports: Sequence[Report],
    target: UploadTarget,
    started_at: datetime | str,
    credential: Any,
    **client_options: Any,
) -> UploadOutcome:
    """Upload each report to the run folder, then to ``latest/``; a failure never stops the others."""
    from azure.core.exceptions import AzureError
    from azure.storage.blob import ContainerClient, ContentSettings

    outcome = UploadOutcome()
    client = ContainerClient(
        target.account_url,
        target.container,
        credential=credential,
        retry_total=RETRY_TOTAL,
        connection_timeout=CONNECTION_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        **client_options,
    )
    with client:
        for report in reports:
            run_blob, latest_blob = blob_names(target, started_at, report)
            settings = ContentSettings(content_type=CONTENT_TYPES.get(report.fmt, "application/octet-stream"))
            data = report.path.read_bytes()
            for blob, overwrite in ((run_blob, False), (latest_blob, True)):
                try:
                    client.upload_blob(blob, data, overwrite=overwrite, content_settings=settings)
                except AzureError as error:
                    outcome.failed.append((blob, _reason(error)))
                    break  # latest/ never gets a file whose run copy is missing
                outcome.uploaded.append(blob)
    return outcome


def describe_failure(outcome: UploadOutcome, target: UploadTarget) -> str:
    failed = "; ".join(f"{blob} ({reason})" for blob, reason in outcome.failed)
    return (
        f"upload to {printable(target.describe())} incomplete: {len(outcome.failed)} blob(s) not written: "
        f"{failed}; the local files are complete"
    )
