"""Command line: argument parsing, wiring and the exit code. No Azure or rule logic here."""
# The user-facing description is DESCRIPTION and EPILOG below (what `auditor --help` prints).

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from auditor import __version__, interrupts
from auditor.clouds import CLOUDS, DEFAULT_CLOUD
from auditor.collect.pacing import MAX_THROTTLE_WAIT
from auditor.evaluate import FAIL_ON_CHOICES
from auditor.exit_codes import (
    EXIT_CANNOT_VOUCH,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from auditor.log_analytics import SendToAction
from auditor.logging_setup import LOG_FORMATS, configure, emit, progress_wanted, requested_log_format
from auditor.output_files import WRITTEN, OutputError, RunOutputs, refuse_shared_paths, write_output
from auditor.report import RENDERERS, render
from auditor.report.common import printable, terminal_safe
from auditor.report.json_report import render as render_json
from auditor.result_file import ResultFileError, load_result
from auditor.store import MAX_RUN_ID, STORE_ENV, StoreError, parse_count
from auditor.upload import UploadTargetError, upload_target
from auditor.yamlfile import YamlInputError

if TYPE_CHECKING:
    from auditor.model import Inventory
    from auditor.result_types import Result
    from auditor.schedule import AuditInputs

# Matched with fullmatch: ``$`` would also accept a trailing newline.
SUBSCRIPTION_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# The most concurrent reads worth having: ARM's budget is 250 reads per subscription.
MAX_CONCURRENCY = 256


DESCRIPTION = (
    "Audit the network exposure of Azure Function Apps: where each app and deployment slot can be "
    "reached from (main site and SCM/Kudu site), whether its outbound traffic is controlled, and where "
    "its configuration differs from what Microsoft documents its hosting plan supports. Every finding "
    "carries the evidence that decided it and a link to the Microsoft Learn page behind it. The audit "
    "sends only GET requests to Azure Resource Manager (the Reader role is enough) and never reads app "
    "settings, keys or credentials."
)
EPILOG = """examples:
  auditor audit --subscription 1f0e2c3d-0000-0000-0000-000000000000
  auditor audit --all-subscriptions --format html --output report.html --save result.json
  auditor report result.json --format sarif --output result.sarif
  auditor rules                        what each finding means, how to fix it, where it is documented
  auditor matrix --edition 2019-04     what the docs said each hosting plan supports, with sources

credentials: azure.identity.DefaultAzureCredential (environment service principal, workload or managed
identity, or `az login`).
exit codes: 0 no failing finding at or above --fail-on; 1 failing findings; 2 usage error;
3 the audit could not vouch for its result (see the gaps in the report).
documentation: README.md (usage, options, nightly audits) and docs/collection.md (every call made to
Azure) in the auditor repository; `auditor COMMAND --help` for the options of one command."""

# `--store` without a path: the default history (see auditor/store.py).
_DEFAULT_STORE = ""
_DEFAULT_STORE_HELP = "$XDG_DATA_HOME/auditor/history.sqlite (~/.local/share/auditor/history.sqlite)"


class UsageError(Exception):
    """Bad input from the user: exit 2 with a one-line message."""


class CannotVouch(Exception):
    """The audit could not run or could not vouch for its result: exit 3."""


def subscription_id(value: str) -> str:
    if not SUBSCRIPTION_ID.fullmatch(value):
        raise argparse.ArgumentTypeError(f"malformed subscription id {value!r}: expected a GUID")
    return value.lower()


def _whole_number(highest: int) -> Callable[[str], int]:
    """An argparse type: ASCII digits only (``int`` also takes ``" 7"``, ``1_0`` and ``١٢``), 1..highest."""

    def parse(value: str) -> int:
        number = parse_count(value, highest)
        if number is None:
            raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {highest}, not {value!r}")
        return number

    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, then exit 2, as output.md promises for usage errors; JSON with --log-format json.
        _status(f"auditor: error: {message}", event="error", level="error")
        self.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from auditor.matrix import DEFAULT_EDITION, available_editions

    parser = _Parser(
        prog="auditor",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    audit.add_argument("--max-concurrency", type=_whole_number(MAX_CONCURRENCY), default=16, metavar="N")
    audit.add_argument(
        "--max-throttle-wait",
        type=float,
        default=MAX_THROTTLE_WAIT,
        metavar="SECONDS",
        help="longest Retry-After of a throttled (429) read to wait out; a longer one makes the read "
        f"a gap (default {MAX_THROTTLE_WAIT:.0f})",
    )
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
    history.add_argument("--limit", type=_whole_number(MAX_RUN_ID), default=50, metavar="N")

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
        if sys.stdout.isatty():
            # A person is reading: a hostile name in a CSV or HTML report must not drive the terminal.
            text = terminal_safe(text)
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_output("--output", Path(output), text)


def _output_path(output: str) -> Path | None:
    return None if output == "-" else Path(output)


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
            ("--output", _output_path(args.output), True),
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
    code, run_id = _write_audit_outputs(args, inputs, result, inventory, exit_code(result, args.fail_on))
    _status(_summary_line(result), event="audit.summary", **result["summary"], gaps=len(result["gaps"]))
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
        code = _upload_reports(result, args, credential, code)
    if args.send_to is not None:
        return _send_to_log_analytics(result, args, credential, code)
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


def _upload_reports(result: Mapping[str, Any], args: argparse.Namespace, credential: Any, code: int) -> int:
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


def _send_to_log_analytics(result: Result, args: argparse.Namespace, credential: Any, code: int) -> int:
    """After every local output is written; outside any cassette, so replay never sees this traffic."""
    from auditor.log_analytics import describe_failure, send

    outcome = send(result, args.send_to, credential, cloud=args.cloud)
    if not outcome.complete:
        _status(f"auditor: {describe_failure(outcome, args.send_to)}", event="send.failed", level="error")
        return EXIT_CANNOT_VOUCH
    _status(f"auditor: sent {outcome.rows} rows to Log Analytics {args.send_to.stream}", event="send.ok")
    return code


def _write_audit_outputs(
    args: argparse.Namespace, inputs: AuditInputs, result: Result, inventory: Inventory, code: int
) -> tuple[int, int | None]:
    """Render every output, then commit them together (--save, --output, the store run).

    Returns the exit code (--fail-on-new decides it from the store) and the id of the stored run.

    Everything is rendered and staged before anything is committed, so an error or a signal
    before the commit leaves no output, and one during it is held until it is done
    (output_files.RunOutputs). stdout comes last: a reader that stops early (``| head``)
    must not cost the run its files or its place in the history.
    """
    from auditor.schedule import judge_new_findings, stage_run
    from auditor.store import Store

    report = render(result, args.format)
    run_id = None
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(Store(inputs.store_path)) if inputs.store_path is not None else None
        if store is not None:
            code = judge_new_findings(store, inputs, args, result, code)
        outputs = stack.enter_context(RunOutputs())
        if args.save is not None:
            outputs.add("--save", args.save, render_json(result))
        if args.output != "-":
            outputs.add("--output", Path(args.output), report)
        if store is not None:
            run_id = stage_run(store, inputs, args, result, inventory, code, outputs)
        outputs.commit()
    if args.output == "-":
        _emit(report, "-")
    return code, run_id


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


def _summary_line(result: Result) -> str:
    """The status line, from the same ``summary`` the ``audit.summary`` event carries as its fields."""
    summary = result["summary"]
    by_severity = ", ".join(f"{severity} {count}" for severity, count in summary["by_severity"].items())
    failed_subscriptions = sum(1 for scan in result["subscriptions"] if scan["status"] != "ok")
    parts = [
        f"auditor: {summary['resources']} function apps and slots in "
        f"{len(result['subscriptions'])} subscription(s)",
        f"{summary['failing']} failing ({by_severity})",
        f"{summary['unknown']} unknown",
    ]
    if summary["waived"]:
        parts.append(f"{summary['waived']} waived (listed, not counted)")
    parts.append(f"{len(result['gaps'])} gaps")
    if failed_subscriptions:
        parts.append(f"{failed_subscriptions} subscription(s) could not be read")
    return "; ".join(parts)


def _run_report(args: argparse.Namespace) -> int:
    refuse_shared_paths([("the input", args.result, False), ("--output", _output_path(args.output), True)])
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

    refuse_shared_paths([("the input", args.result, False), ("--output", _output_path(args.output), True)])
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
    from auditor.evaluate import rule_catalogue

    catalogue = rule_catalogue()
    if args.format == "json":
        _emit(render_json({"rules": catalogue}), "-")
        return EXIT_OK
    _emit("\n\n".join(_rule_block(rule) for rule in catalogue) + "\n", "-")
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
        _emit(render_json(document), "-")
        return EXIT_OK
    rows, sources = matrix_rows_with_sources(args.edition)
    headers = list(rows[0]) if rows else []
    table = [[printable(row[header]) for header in headers] for row in rows]
    cited = [f"[{note.number}] {note.doc}, {note.section}\n    {note.url}" for note in sources]
    text = f"{load_edition(args.edition).title}\n\n" + tabulate(table, headers=headers, tablefmt="simple")
    text += "\n\n" + "\n".join(notes)
    _emit(text + "\n\nsources:\n" + "\n".join(cited) + "\n", "-")
    return EXIT_OK


def _run_history(args: argparse.Namespace) -> int:
    from auditor.schedule import run_history

    _emit(run_history(args), "-")
    return EXIT_OK


def _run_diff(args: argparse.Namespace) -> int:
    from auditor.schedule import history_store_path, run_diff

    inputs = [(f"the input {value}", Path(value), False) for value in args.runs if Path(value).exists()]
    refuse_shared_paths(
        [("--store", history_store_path(args), False), *inputs, ("--output", _output_path(args.output), True)]
    )

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
