"""Command line: argument parsing, wiring and the exit code. No Azure or rule logic here."""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from auditor import __version__
from auditor.clouds import CLOUDS, DEFAULT_CLOUD
from auditor.evaluate import FAIL_ON_CHOICES
from auditor.interrupts import handle_sigterm, interrupted_exit_code
from auditor.log_analytics import SendToAction
from auditor.logging_setup import LOG_FORMATS, configure, emit, progress_wanted
from auditor.report import RENDERERS, render
from auditor.report.common import printable
from auditor.report.json_report import render as render_json
from auditor.result_file import ResultFileError, load_result, write_atomically
from auditor.store import STORE_ENV, StoreError
from auditor.upload import UploadTargetError, upload_target
from auditor.yamlfile import YamlInputError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_CANNOT_VOUCH = 3

SUBSCRIPTION_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CREDENTIAL_HELP = (
    "no usable Azure credential: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET "
    "(or AZURE_FEDERATED_TOKEN_FILE for workload identity), run on a managed identity, or run `az login`"
)


# `--store` without a path: the default history (see auditor/store.py).
_DEFAULT_STORE = ""
_DEFAULT_STORE_HELP = "$XDG_DATA_HOME/auditor/history.sqlite (~/.local/share/auditor/history.sqlite)"


class UsageError(Exception):
    """Bad input from the user: exit 2 with a one-line message."""


class CannotVouch(Exception):
    """The audit could not run or could not vouch for its result: exit 3."""


def subscription_id(value: str) -> str:
    if not SUBSCRIPTION_ID.match(value):
        raise argparse.ArgumentTypeError(f"malformed subscription id {value!r}: expected a GUID")
    return value.lower()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, then exit 2, as output.md promises for usage errors.
        self.exit(EXIT_USAGE, f"auditor: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from auditor.matrix import DEFAULT_EDITION, available_editions

    parser = _Parser(prog="auditor", description=__doc__)
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    logs = _Parser(add_help=False)
    logs.add_argument("--log-format", choices=LOG_FORMATS, default="text", help="status lines on stderr")
    store = _Parser(add_help=False)
    store.add_argument(
        "--store",
        type=Path,
        metavar="PATH",
        help=f"run history (SQLite); default ${STORE_ENV}, else {_DEFAULT_STORE_HELP}",
    )

    audit = commands.add_parser(
        "audit", help="audit function apps in one or more subscriptions", parents=[logs]
    )
    scope = audit.add_mutually_exclusive_group(required=True)
    scope.add_argument("--subscription", action="append", type=subscription_id, metavar="ID")
    scope.add_argument(
        "--all-subscriptions", action="store_true", help="every subscription the credential can read"
    )
    audit.add_argument("--cloud", choices=sorted(CLOUDS), default=DEFAULT_CLOUD)
    audit.add_argument("--format", choices=sorted(RENDERERS), default="table")
    audit.add_argument("--output", default="-", metavar="PATH|-")
    audit.add_argument("--edition", choices=available_editions(), default=DEFAULT_EDITION)
    failing = audit.add_mutually_exclusive_group()
    failing.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="high")
    failing.add_argument(
        "--fail-on-new",
        choices=FAIL_ON_CHOICES[:-1],
        metavar="SEVERITY",
        help="exit 1 only for failing findings at or above SEVERITY that the previous run of the "
        "same scope in the store did not have",
    )
    audit.add_argument(
        "--store",
        nargs="?",
        const=_DEFAULT_STORE,
        type=Path,
        metavar="PATH",
        help=f"record the run in this history (SQLite); without PATH: ${STORE_ENV}, else "
        f"{_DEFAULT_STORE_HELP}; also recorded whenever ${STORE_ENV} is set",
    )
    audit.add_argument("--policy", type=Path, metavar="POLICY.yaml", help="baseline policy (drift)")
    audit.add_argument("--waivers", type=Path, metavar="WAIVERS.yaml", help="agreed exceptions")
    cassette = audit.add_mutually_exclusive_group()
    cassette.add_argument("--record", type=Path, metavar="DIR", help="run live and write sanitized cassettes")
    cassette.add_argument("--replay", type=Path, metavar="DIR", help="run offline from recorded cassettes")
    audit.add_argument("--save", type=Path, metavar="RESULT.json", help="also write the JSON result here")
    audit.add_argument("--include-passed", action="store_true", help="list passing outcomes too")
    audit.add_argument("--max-concurrency", type=int, default=16, metavar="N")
    audit.add_argument(
        "--inventory-source",
        choices=("arm", "resource-graph"),
        default="arm",
        help="list resources per subscription (arm) or with Azure Resource Graph queries",
    )
    audit.add_argument(
        "--send-to",
        nargs=2,
        action=SendToAction,
        metavar=("log-analytics", "DCR_ENDPOINT,DCR_ID,STREAM"),
        help="also send findings and resources to Log Analytics (Logs Ingestion API) "
        "once the local outputs are written",
    )
    audit.add_argument(
        "--upload",
        type=upload_target,
        metavar="CONTAINER_URL",
        help="also upload the report files this run writes (--output, --save) to this Blob Storage "
        "container (https://ACCOUNT.blob.core.windows.net/CONTAINER[/PATH]) with the audit's credential",
    )
    audit.add_argument("-v", "--verbose", action="store_true", help="progress and ARM call counts on stderr")

    report = commands.add_parser("report", help="re-render a saved JSON result (no Azure access)")
    report.add_argument("result", type=Path, metavar="RESULT.json")
    report.add_argument("--format", choices=sorted(RENDERERS), default="table")
    report.add_argument("--output", default="-", metavar="PATH|-")
    report.add_argument(
        "--upload",
        type=upload_target,
        metavar="CONTAINER_URL",
        help="also upload the --output file to this Blob Storage container, in the result's run folder",
    )

    fix = commands.add_parser(
        "fix", help="print a reviewable script of the fixes in a saved result (never runs it)"
    )
    fix.add_argument("result", type=Path, metavar="RESULT.json")
    fix.add_argument("--rule", action="append", metavar="RULE", help="only this rule (repeatable)")
    fix.add_argument("--resource-group", metavar="RG", help="only resources in this resource group")
    fix.add_argument("--shell", choices=("bash", "powershell"), default="bash")
    fix.add_argument("--output", default="-", metavar="PATH|-")

    history = commands.add_parser("history", help="list the runs in the run history", parents=[logs, store])
    history.add_argument("--format", choices=("table", "json"), default="table")
    history.add_argument("--limit", type=int, default=50, metavar="N")

    diff = commands.add_parser(
        "diff",
        help="what changed between two runs (default: the last two runs of the same scope)",
        parents=[logs, store],
    )
    diff.add_argument(
        "runs", nargs="*", metavar="RUN", help="a run id from `auditor history` or a saved RESULT.json"
    )
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument("--output", default="-", metavar="PATH|-")

    rules = commands.add_parser("rules", help="list the rule catalogue")
    rules.add_argument("--format", choices=("table", "json"), default="table")

    matrix = commands.add_parser("matrix", help="print the capability matrix of an edition")
    matrix.add_argument("--edition", choices=available_editions(), default=DEFAULT_EDITION)
    matrix.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def _emit(text: str, output: str) -> None:
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomically(Path(output), text)


def _status(message: str, *, event: str = "status", level: str = "info", **fields: Any) -> None:
    emit(message, event=event, level=level, **fields)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@contextlib.contextmanager
def _cassette_mode(args: argparse.Namespace) -> Iterator[Any]:
    """Yield the credential to use, inside the record or replay context if asked."""
    from auditor.collect.cassettes import CassetteError, recording, replaying
    from auditor.collect.clients import FakeCredential

    if args.replay is not None:
        try:
            context = replaying(args.replay)
            with context:
                yield FakeCredential()
        except CassetteError as error:
            raise UsageError(str(error)) from error
        return
    credential = _live_credential(CLOUDS[args.cloud].authority)
    if args.record is not None:
        with recording(args.record, args.subscription or ()):
            yield credential
        return
    yield credential


def _live_credential(authority: str) -> Any:
    from azure.identity import DefaultAzureCredential

    # Interactive browser login would hang a scheduled job; it stays excluded.
    return DefaultAzureCredential(authority=authority)


def _run_audit(args: argparse.Namespace) -> int:
    from azure.core.exceptions import ClientAuthenticationError

    from auditor.collect.clients import CallCounter, ReadOnlyViolation
    from auditor.collect.errors import ReplayMiss
    from auditor.collect.inventory import collect_inventory
    from auditor.collect.subscriptions import ListedSubscription, with_unaudited
    from auditor.evaluate import evaluate, exit_code
    from auditor.schedule import prepare, record, report_waivers

    if args.max_concurrency < 1:
        raise UsageError("--max-concurrency must be at least 1")
    _check_upload(args)
    inputs = prepare(args)
    progress: Callable[[str], None] | None = (
        (lambda message: _status(message, event="progress")) if progress_wanted(args.verbose) else None
    )
    counter = CallCounter()
    started_at = _utc_now()
    arm_endpoint = CLOUDS[args.cloud].arm_endpoint
    skipped: list[ListedSubscription] = []
    try:
        with _cassette_mode(args) as credential:
            send_credential = credential
            subscriptions = args.subscription
            if args.all_subscriptions:
                subscriptions, skipped = _all_subscriptions(credential, counter, arm_endpoint)
            inventory = collect_inventory(
                subscriptions,
                credential,
                max_concurrency=args.max_concurrency,
                base_url=arm_endpoint,
                counter=counter,
                progress=progress,
                inventory_source=args.inventory_source,
            )
    except ReplayMiss as error:
        raise UsageError(f"cassette {args.replay} is incomplete: {error}") from error
    except ReadOnlyViolation as error:
        raise CannotVouch(f"refused a non-GET request: {error}") from error
    except ClientAuthenticationError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "CredentialUnavailable" in type(error).__name__ or "DefaultAzureCredential failed" in first_line:
            raise CannotVouch(CREDENTIAL_HELP) from error
        raise CannotVouch(f"authentication failed: {first_line}") from error
    inventory = with_unaudited(inventory, skipped)
    result = evaluate(
        inventory,
        edition=args.edition,
        started_at=started_at,
        finished_at=_utc_now(),
        include_passed=args.include_passed,
        tool_version=__version__,
        cloud=args.cloud,
        policy=inputs.policy,
        waivers=inputs.waivers,
    )
    if args.save is not None:
        write_atomically(args.save, render_json(result))
    _emit(render(result, args.format), args.output)
    _status(_summary_line(result), event="audit.summary", **result["summary"])
    report_waivers(result)
    if args.verbose:
        apps = len(result["resources"])
        per_app = f" ({inventory.arm_calls / apps:.2f} per function app or slot)" if apps else ""
        _status(f"ARM calls: {inventory.arm_calls}{per_app}")
    code = record(inputs, args, result, inventory, exit_code(result, args.fail_on))
    if args.upload is not None:
        code = _upload_reports(result, args, send_credential, code)
    if args.send_to is not None:
        return _send_to_log_analytics(result, args, send_credential, code)
    return code


def _check_upload(args: argparse.Namespace) -> None:
    """An --upload with nothing to send, or with clashing names, fails before any work is done."""
    if args.upload is None:
        return
    from auditor.upload import check_reports, reports_written

    try:
        check_reports(reports_written(args))
    except UploadTargetError as error:
        raise UsageError(str(error)) from error


def _upload_reports(result: dict[str, Any], args: argparse.Namespace, credential: Any, code: int) -> int:
    """After every local output is written; outside any cassette, so replay never sees this traffic."""
    from auditor.upload import describe_failure, reports_written, upload

    outcome = upload(reports_written(args), args.upload, result["started_at"], credential)
    if not outcome.complete:
        _status(f"auditor: {describe_failure(outcome, args.upload)}", event="upload.failed", level="error")
        return EXIT_CANNOT_VOUCH
    _status(
        f"auditor: uploaded {len(outcome.uploaded)} blobs to {printable(args.upload.describe())}",
        event="upload.ok",
    )
    return code


def _send_to_log_analytics(
    result: dict[str, Any], args: argparse.Namespace, credential: Any, code: int
) -> int:
    """After every local output is written; outside any cassette, so replay never sees this traffic."""
    from auditor.log_analytics import describe_failure, send

    outcome = send(result, args.send_to, credential, cloud=args.cloud)
    if not outcome.complete:
        _status(f"auditor: {describe_failure(outcome, args.send_to)}", event="send.failed", level="error")
        return EXIT_CANNOT_VOUCH
    _status(f"auditor: sent {outcome.rows} rows to Log Analytics {args.send_to.stream}", event="send.ok")
    return code


def _all_subscriptions(credential: Any, counter: Any, arm_endpoint: str) -> tuple[list[str], list[Any]]:
    """The auditable subscriptions ARM lists, and the listed ones that are not (disabled, deleted)."""
    from azure.core.exceptions import AzureError, ClientAuthenticationError

    from auditor.collect.subscriptions import list_subscriptions

    try:
        listed = list_subscriptions(credential, counter, base_url=arm_endpoint)
    except ClientAuthenticationError:
        raise
    except AzureError as error:
        reason = " ".join(str(error.message or error).split())
        raise CannotVouch(f"cannot list the subscriptions: {printable(reason)}") from error
    if not listed:
        raise CannotVouch("the credential can read no subscription")
    return [item.id for item in listed if item.auditable], [item for item in listed if not item.auditable]


def _summary_line(result: dict[str, Any]) -> str:
    findings = result["findings"]
    failing = [finding for finding in findings if finding["status"] == "fail"]
    unknown = sum(1 for finding in findings if finding["status"] == "unknown")
    by_severity = ", ".join(
        f"{severity} {sum(1 for finding in failing if finding['severity'] == severity)}"
        for severity in ("high", "medium", "low", "info")
    )
    failed_subscriptions = sum(1 for scan in result["subscriptions"] if scan["status"] != "ok")
    parts = [
        f"auditor: {len(result['resources'])} function apps and slots in "
        f"{len(result['subscriptions'])} subscription(s)",
        f"{len(failing)} failing ({by_severity})",
        f"{unknown} unknown",
        f"{len(result['gaps'])} gaps",
    ]
    if failed_subscriptions:
        parts.append(f"{failed_subscriptions} subscription(s) could not be read")
    return "; ".join(parts)


def _run_report(args: argparse.Namespace) -> int:
    _check_upload(args)
    try:
        result = load_result(args.result)
    except ResultFileError as error:
        raise UsageError(str(error)) from error
    _emit(render(result, args.format), args.output)
    if args.upload is not None:
        cloud = CLOUDS.get(str(result.get("cloud")), CLOUDS[DEFAULT_CLOUD])
        return _upload_reports(result, args, _live_credential(cloud.authority), EXIT_OK)
    return EXIT_OK


def _run_fix(args: argparse.Namespace) -> int:
    from auditor.fix_script import render_script

    try:
        result = load_result(args.result)
    except ResultFileError as error:
        raise UsageError(str(error)) from error
    script = render_script(
        result, source=str(args.result), shell=args.shell, rules=args.rule, resource_group=args.resource_group
    )
    _emit(script, args.output)
    return EXIT_OK


def _run_rules(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from auditor.evaluate import rule_catalogue

    catalogue = rule_catalogue()
    if args.format == "json":
        _emit(render_json({"rules": catalogue}), "-")
        return EXIT_OK
    rows = [
        [rule["id"], rule["severity"], f"{rule['title']}\n{rule['rationale']}", rule["remediation"]]
        for rule in catalogue
    ]
    table = tabulate(
        rows,
        headers=["rule", "severity", "title and rationale", "remediation"],
        tablefmt="grid",
        maxcolwidths=[None, None, 60, 60],
    )
    _emit(table + "\n", "-")
    return EXIT_OK


def _run_matrix(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from auditor.matrix import matrix_rows

    rows = matrix_rows(args.edition)
    if args.format == "json":
        _emit(render_json({"edition": args.edition, "cells": rows}), "-")
        return EXIT_OK
    headers = list(rows[0]) if rows else []
    table = [[printable(row[header]) for header in headers] for row in rows]
    _emit(tabulate(table, headers=headers, tablefmt="simple") + "\n", "-")
    return EXIT_OK


def _run_history(args: argparse.Namespace) -> int:
    from auditor.schedule import run_history

    _emit(run_history(args), "-")
    return EXIT_OK


def _run_diff(args: argparse.Namespace) -> int:
    from auditor.schedule import run_diff

    _emit(run_diff(args), args.output)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "audit": _run_audit,
    "history": _run_history,
    "diff": _run_diff,
    "report": _run_report,
    "fix": _run_fix,
    "rules": _run_rules,
    "matrix": _run_matrix,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure(getattr(args, "log_format", "text"))
    handle_sigterm()
    try:
        return COMMANDS[args.command](args)
    except (UsageError, YamlInputError, StoreError, ResultFileError) as error:
        _status(f"auditor: error: {error}", event="error", level="error")
        return EXIT_USAGE
    except CannotVouch as error:
        _status(f"auditor: cannot vouch for the audit: {error}", event="cannot_vouch", level="error")
        return EXIT_CANNOT_VOUCH
    except KeyboardInterrupt as interrupt:  # SIGINT, or SIGTERM (auditor/interrupts.py)
        _status("auditor: interrupted; nothing was written")
        return interrupted_exit_code(interrupt)
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        _status(f"auditor: error: {printable(error)}")
        return EXIT_USAGE
