"""Command line: the commands' wiring and exit code (grammar in cli_parser). No Azure or rule logic."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor import __version__, interrupts
from auditor.cli_parser import (
    build_parser,
)
from auditor.clouds import CLOUDS, DEFAULT_CLOUD
from auditor.command_output import (
    output_path,
    send_to_log_analytics,
    summary_line,
    upload_reports,
    write_audit_outputs,
    write_text,
)
from auditor.exit_codes import (
    EXIT_CANNOT_VOUCH,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from auditor.logging_setup import configure, emit, progress_wanted, requested_log_format
from auditor.output_files import WRITTEN, OutputError, refuse_shared_paths
from auditor.report import render
from auditor.report.common import printable
from auditor.report.json_report import render as render_json
from auditor.result_file import ResultFileError, load_result
from auditor.store import StoreError
from auditor.upload import UploadTargetError
from auditor.yamlfile import YamlInputError

if TYPE_CHECKING:
    pass


class UsageError(Exception):
    """Bad input from the user: exit 2 with a one-line message."""


class CannotVouch(Exception):
    """The audit could not run or could not vouch for its result: exit 3."""


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
        WRITTEN.add(f"--record {args.record}")
        return
    yield credential


def _live_credential(authority: str) -> Any:
    from auditor.collect.clients import TRANSPORT_TIMEOUTS
    from auditor.collect.sign_in import live_credential

    # The sign-in requests get the same connect and read timeouts as ARM's (a silent network
    # must not hold the audit for the SDK's default five minutes per attempt).
    return live_credential(authority, **TRANSPORT_TIMEOUTS)


def _run_audit(args: argparse.Namespace) -> int:
    from azure.core.exceptions import ClientAuthenticationError

    from auditor.collect.clients import ArmPacer, CallCounter, ReadOnlyViolation
    from auditor.collect.errors import MalformedResponse, ReplayMiss
    from auditor.collect.inventory import collect_inventory
    from auditor.collect.sign_in import sign_in_failure
    from auditor.collect.subscriptions import ListedSubscription, with_unaudited
    from auditor.evaluate import evaluate, exit_code
    from auditor.rules.reads_needed import READS_NEEDED
    from auditor.schedule import audit_store_path, prepare, report_waivers

    if not args.max_throttle_wait >= 0:  # also refuses nan
        raise UsageError("--max-throttle-wait must be a number of seconds, 0 or more")
    refuse_shared_paths(
        [
            ("--policy", args.policy, False),
            ("--waivers", args.waivers, False),
            ("--store", audit_store_path(args), True),
            ("--save", args.save, True),
            ("--output", output_path(args.output), True),
        ]
    )
    _check_upload(args)
    inputs = prepare(args)
    progress: Callable[[str], None] | None = (
        (lambda message: _status(message, event="progress")) if progress_wanted(args.verbose) else None
    )
    counter = CallCounter()
    # One read budget for the whole audit, the subscription listing included.
    pacer = ArmPacer(max_throttle_wait=args.max_throttle_wait)
    started_at = _utc_now()
    arm_endpoint = CLOUDS[args.cloud].arm_endpoint
    skipped: list[ListedSubscription] = []
    credential: Any = None
    try:
        with _cassette_mode(args) as credential:
            subscriptions = args.subscription
            if args.all_subscriptions:
                subscriptions, skipped = _all_subscriptions(credential, counter, arm_endpoint, pacer)
            inventory = collect_inventory(
                subscriptions,
                credential,
                # The rules decide which optional reads (the functions) can change an outcome.
                reads_needed=READS_NEEDED,
                max_concurrency=args.max_concurrency,
                base_url=arm_endpoint,
                counter=counter,
                progress=progress,
                pacer=pacer,
                inventory_source=args.inventory_source,
                # A recording holds what ARM sent: a body of the wrong shape means a corrupt file.
                malformed_stops=args.replay is not None,
            )
    except ReplayMiss as error:
        raise UsageError(f"cassette {args.replay} is incomplete: {error}") from error
    except MalformedResponse as error:
        raise UsageError(f"cassette {args.replay} is corrupt: {error}") from error
    except ReadOnlyViolation as error:
        raise CannotVouch(f"refused a non-GET request: {error}") from error
    except ClientAuthenticationError as error:
        raise CannotVouch(sign_in_failure(error, credential)) from error
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
    code, run_id = write_audit_outputs(args, inputs, result, inventory, exit_code(result, args.fail_on))
    _status(summary_line(result), event="audit.summary", **result["summary"], gaps=len(result["gaps"]))
    report_waivers(result)
    if args.verbose:
        apps = len(result["resources"])
        per_app = f" ({inventory.arm_calls / apps:.2f} per function app or slot)" if apps else ""
        _status(f"ARM calls: {inventory.arm_calls}{per_app}")
    if run_id is not None:
        _status(
            f"auditor: recorded run {run_id} in {inputs.store_path}", event="store.recorded", run_id=run_id
        )
    if args.upload is not None:
        code = upload_reports(result, args, credential, code)
    if args.send_to is not None:
        return send_to_log_analytics(result, args, credential, code)
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


def _all_subscriptions(
    credential: Any, counter: Any, arm_endpoint: str, pacer: Any
) -> tuple[list[str], list[Any]]:
    """The auditable subscriptions ARM lists, and the listed ones that are not (disabled, deleted)."""
    from azure.core.exceptions import AzureError, ClientAuthenticationError

    from auditor.collect.pacing import ThrottledTooLong
    from auditor.collect.subscriptions import list_subscriptions

    try:
        listed = list_subscriptions(credential, counter, base_url=arm_endpoint, pacer=pacer)
    except ClientAuthenticationError:
        raise
    except ThrottledTooLong as error:
        raise CannotVouch(f"cannot list the subscriptions: {error}") from error
    except AzureError as error:
        reason = " ".join(str(error.message or error).split())
        raise CannotVouch(f"cannot list the subscriptions: {printable(reason)}") from error
    if not listed:
        raise CannotVouch("the credential can read no subscription")
    return [item.id for item in listed if item.auditable], [item for item in listed if not item.auditable]


def _run_report(args: argparse.Namespace) -> int:
    refuse_shared_paths([("the input", args.result, False), ("--output", output_path(args.output), True)])
    _check_upload(args)
    try:
        result = load_result(args.result)
    except ResultFileError as error:
        raise UsageError(str(error)) from error
    write_text(render(result, args.format), args.output)
    if args.upload is not None:
        cloud = CLOUDS.get(str(result.get("cloud")), CLOUDS[DEFAULT_CLOUD])
        return upload_reports(result, args, _live_credential(cloud.authority), EXIT_OK)
    return EXIT_OK


def _run_fix(args: argparse.Namespace) -> int:
    from auditor.fix_script import render_script

    refuse_shared_paths([("the input", args.result, False), ("--output", output_path(args.output), True)])
    try:
        result = load_result(args.result)
    except ResultFileError as error:
        raise UsageError(str(error)) from error
    script = render_script(
        result, source=str(args.result), shell=args.shell, rules=args.rule, resource_group=args.resource_group
    )
    write_text(script, args.output)
    return EXIT_OK


def _run_rules(args: argparse.Namespace) -> int:
    from auditor.evaluate import rule_catalogue

    catalogue = rule_catalogue()
    if args.format == "json":
        write_text(render_json({"rules": catalogue}), "-")
        return EXIT_OK
    write_text("\n\n".join(_rule_block(rule) for rule in catalogue) + "\n", "-")
    return EXIT_OK


def _rule_block(rule: dict[str, Any]) -> str:
    """One rule for the terminal; the documentation URL stays on one line so it can be opened."""
    reference = rule["reference"]
    lines = [
        f"{rule['id']} ({rule['severity']}): {rule['title']}",
        *_wrapped("why", rule["rationale"]),
        *_wrapped("fix", rule["remediation"]),
        *_wrapped("docs", f"{reference['doc']}, {reference['section']}"),
        f"{' ' * 9}{reference['url']}",
    ]
    if reference.get("basis"):
        lines += _wrapped("basis", f"{reference['basis']} (research notes behind the reference)")
    return "\n".join(lines)


def _wrapped(label: str, text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(
        text,
        width=100,
        initial_indent=f"  {label + ':':<7}",
        subsequent_indent=" " * 9,
        break_on_hyphens=False,
    )


def _run_matrix(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from auditor.matrix import load_edition, matrix_cells, matrix_notes, matrix_rows, matrix_rows_with_sources

    notes = matrix_notes(args.edition)
    if args.format == "json":
        document = {
            "edition": args.edition,
            "title": load_edition(args.edition).title,
            "cells": matrix_rows(args.edition),
            "notes": notes,
            "sources": matrix_cells(args.edition),
        }
        write_text(render_json(document), "-")
        return EXIT_OK
    rows, sources = matrix_rows_with_sources(args.edition)
    headers = list(rows[0]) if rows else []
    table = [[printable(row[header]) for header in headers] for row in rows]
    cited = [f"[{note.number}] {note.doc}, {note.section}\n    {note.url}" for note in sources]
    text = f"{load_edition(args.edition).title}\n\n" + tabulate(table, headers=headers, tablefmt="simple")
    text += "\n\n" + "\n".join(notes)
    write_text(text + "\n\nsources:\n" + "\n".join(cited) + "\n", "-")
    return EXIT_OK


def _run_history(args: argparse.Namespace) -> int:
    from auditor.schedule import run_history

    write_text(run_history(args), "-")
    return EXIT_OK


def _run_diff(args: argparse.Namespace) -> int:
    from auditor.schedule import history_store_path, run_diff

    inputs = [(f"the input {value}", Path(value), False) for value in args.runs if Path(value).exists()]
    refuse_shared_paths(
        [("--store", history_store_path(args), False), *inputs, ("--output", output_path(args.output), True)]
    )

    write_text(run_diff(args), args.output)
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


def _already_written() -> str:
    """What this run has committed, for a message about a run that did not finish."""
    return ", ".join(WRITTEN.items)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    configure(requested_log_format(arguments))
    args = build_parser().parse_args(arguments)
    configure(getattr(args, "log_format", "text"), verbose=bool(getattr(args, "verbose", False)))
    interrupts.install()
    WRITTEN.clear()
    try:
        return COMMANDS[args.command](args)
    except (UsageError, YamlInputError, StoreError, ResultFileError, OutputError) as error:
        written = f" (already written: {_already_written()})" if WRITTEN.items else ""
        _status(f"auditor: error: {error}{written}", event="error", level="error")
        return EXIT_USAGE
    except CannotVouch as error:
        _status(f"auditor: cannot vouch for the audit: {error}", event="cannot_vouch", level="error")
        return EXIT_CANNOT_VOUCH
    except KeyboardInterrupt as interrupt:  # SIGINT or SIGTERM (auditor/interrupts.py)
        written = f"already written: {_already_written()}" if WRITTEN.items else "nothing was written"
        _status(f"auditor: interrupted; {written}", event="interrupted", level="warning")
        return interrupts.interrupted_exit_code(interrupt)
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        _status(f"auditor: error: {error}", event="error", level="error")
        return EXIT_USAGE


def run(argv: Sequence[str] | None = None) -> int:
    """The console entry point: :func:`main`, and after an interrupt no wait for stuck worker threads."""
    code = main(argv)
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        interrupts.exit_if_threads_linger(code)
    return code
