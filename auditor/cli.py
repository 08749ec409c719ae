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
from auditor.report import RENDERERS, render
from auditor.report.json_report import render as render_json
from auditor.report.table import printable
from auditor.result_file import ResultFileError, load_result, write_atomically

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_CANNOT_VOUCH = 3

SUBSCRIPTION_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
FAIL_ON_CHOICES = ("info", "low", "medium", "high", "never")
CREDENTIAL_HELP = (
    "no usable Azure credential: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET "
    "(or AZURE_FEDERATED_TOKEN_FILE for workload identity), run on a managed identity, or run `az login`"
)


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

    audit = commands.add_parser("audit", help="audit function apps in one or more subscriptions")
    audit.add_argument("--subscription", action="append", type=subscription_id, required=True, metavar="ID")
    audit.add_argument("--format", choices=sorted(RENDERERS), default="table")
    audit.add_argument("--output", default="-", metavar="PATH|-")
    audit.add_argument("--edition", choices=available_editions(), default=DEFAULT_EDITION)
    audit.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="high")
    cassette = audit.add_mutually_exclusive_group()
    cassette.add_argument("--record", type=Path, metavar="DIR", help="run live and write sanitized cassettes")
    cassette.add_argument("--replay", type=Path, metavar="DIR", help="run offline from recorded cassettes")
    audit.add_argument("--save", type=Path, metavar="RESULT.json", help="also write the JSON result here")
    audit.add_argument("--include-passed", action="store_true", help="list passing outcomes too")
    audit.add_argument("--max-concurrency", type=int, default=16, metavar="N")
    audit.add_argument("-v", "--verbose", action="store_true", help="progress and ARM call counts on stderr")

    report = commands.add_parser("report", help="re-render a saved JSON result (no Azure access)")
    report.add_argument("result", type=Path, metavar="RESULT.json")
    report.add_argument("--format", choices=sorted(RENDERERS), default="table")
    report.add_argument("--output", default="-", metavar="PATH|-")

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


def _status(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
    credential = _live_credential()
    if args.record is not None:
        with recording(args.record):
            yield credential
        return
    yield credential


def _live_credential() -> Any:
    from azure.identity import DefaultAzureCredential

    # Interactive browser login would hang a scheduled job; it stays excluded.
    return DefaultAzureCredential()


def _run_audit(args: argparse.Namespace) -> int:
    from azure.core.exceptions import ClientAuthenticationError

    from auditor.collect.clients import CallCounter, ReadOnlyViolation
    from auditor.collect.errors import ReplayMiss
    from auditor.collect.inventory import collect_inventory
    from auditor.evaluate import evaluate, exit_code

    if args.max_concurrency < 1:
        raise UsageError("--max-concurrency must be at least 1")
    progress: Callable[[str], None] | None = _status if args.verbose else None
    counter = CallCounter()
    started_at = _utc_now()
    try:
        with _cassette_mode(args) as credential:
            inventory = collect_inventory(
                args.subscription,
                credential,
                max_concurrency=args.max_concurrency,
                counter=counter,
                progress=progress,
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
    result = evaluate(
        inventory,
        edition=args.edition,
        started_at=started_at,
        finished_at=_utc_now(),
        include_passed=args.include_passed,
        tool_version=__version__,
    )
    if args.save is not None:
        write_atomically(args.save, render_json(result))
    _emit(render(result, args.format), args.output)
    _status(_summary_line(result))
    if args.verbose:
        apps = len(result["resources"])
        per_app = f" ({inventory.arm_calls / apps:.2f} per function app or slot)" if apps else ""
        _status(f"ARM calls: {inventory.arm_calls}{per_app}")
    return exit_code(result, args.fail_on)


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
    try:
        result = load_result(args.result)
    except ResultFileError as error:
        raise UsageError(str(error)) from error
    _emit(render(result, args.format), args.output)
    return EXIT_OK


def _run_rules(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from auditor.evaluate import rule_catalogue

    catalogue = rule_catalogue()
    if args.format == "json":
        _emit(render_json({"rules": catalogue}), "-")
        return EXIT_OK
    rows = [[rule["id"], rule["category"], rule["severity"], rule["title"]] for rule in catalogue]
    _emit(tabulate(rows, headers=["rule", "category", "severity", "title"], tablefmt="simple") + "\n", "-")
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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "audit": _run_audit,
    "report": _run_report,
    "rules": _run_rules,
    "matrix": _run_matrix,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        _status(f"auditor: error: {error}")
        return EXIT_USAGE
    except CannotVouch as error:
        _status(f"auditor: cannot vouch for the audit: {error}")
        return EXIT_CANNOT_VOUCH
    except KeyboardInterrupt:
        _status("auditor: interrupted; nothing was written")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        _status(f"auditor: error: {printable(error)}")
        return EXIT_USAGE
