"""The command line's grammar: every subcommand, option and help text (what `auditor --help` prints)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from auditor import __version__
from auditor.clouds import CLOUDS, DEFAULT_CLOUD
from auditor.collect.pacing import MAX_THROTTLE_WAIT
from auditor.evaluate import FAIL_ON_CHOICES
from auditor.exit_codes import (
    EXIT_USAGE,
)
from auditor.log_analytics import SendToAction
from auditor.logging_setup import LOG_FORMATS, emit
from auditor.report import RENDERERS
from auditor.store import MAX_RUN_ID, STORE_ENV, parse_count
from auditor.upload import upload_target

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
        emit(f"auditor: error: {message}", event="error", level="error")
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
