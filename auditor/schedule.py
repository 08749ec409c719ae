"""The scheduled-audit side of the command line: policy and waiver inputs, the run history,
``--fail-on-new``, ``auditor history`` and ``auditor diff``.

Kept out of cli.py so the wiring there stays a few lines; errors raised here are the input
errors of their modules (:class:`YamlInputError`, :class:`StoreError`, :class:`ResultFileError`),
which the command line turns into exit code 2 with one line.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.diff import diff_results, new_failing, render_text
from auditor.exit_codes import EXIT_CANNOT_VOUCH, EXIT_FINDINGS, EXIT_OK
from auditor.logging_setup import emit
from auditor.model import Inventory
from auditor.output_files import RunOutputs, refuse_read_only
from auditor.policy import Policy, load_policy
from auditor.report.common import json_escape_invisible
from auditor.result_file import ResultFileError, load_result
from auditor.store import (
    MAX_RUN_ID,
    STORE_ENV,
    Store,
    StoreError,
    default_store_path,
    inventory_snapshot,
    parse_count,
    scope_key,
)
from auditor.waivers import Waiver, load_waivers

__all__ = [
    "AuditInputs",
    "audit_store_path",
    "history_store_path",
    "judge_new_findings",
    "prepare",
    "run_diff",
    "run_history",
    "stage_run",
]


@dataclass(frozen=True)
class AuditInputs:
    policy: Policy | None
    waivers: tuple[Waiver, ...] | None
    store_path: Path | None
    scope: str


def audit_store_path(args: argparse.Namespace) -> Path | None:
    # "--store" alone (const "") means the default path; no flag but $AUDITOR_STORE set also records.
    if args.store is None:
        return Path(os.environ[STORE_ENV]).expanduser() if os.environ.get(STORE_ENV) else None
    return default_store_path() if str(args.store) == "" else Path(args.store)


def prepare(args: argparse.Namespace) -> AuditInputs:
    """Read every input file before Azure is touched: a typo fails in a second, not after the audit."""
    from auditor.evaluate import rule_catalogue

    policy = load_policy(args.policy) if args.policy is not None else None
    waivers = (
        load_waivers(args.waivers, (rule["id"] for rule in rule_catalogue()))
        if args.waivers is not None
        else None
    )
    store_path = audit_store_path(args)
    if args.fail_on_new is not None and store_path is None:
        raise StoreError(
            f"--fail-on-new needs a run history to compare with: add --store (or set {STORE_ENV})"
        )
    if store_path is not None:
        refuse_read_only(store_path, "run history")
        Store(store_path).close()  # creates it, or proves it is a usable store
    scope = scope_key(args.cloud, args.subscription or (), args.all_subscriptions)
    return AuditInputs(policy, waivers, store_path, scope)


def _source(args: argparse.Namespace) -> str:
    if args.replay is not None:
        return f"replay:{args.replay}"
    if args.record is not None:
        return f"record:{args.record}"
    return "live"


def judge_new_findings(
    store: Store, inputs: AuditInputs, args: argparse.Namespace, result: Mapping[str, Any], exit_code: int
) -> int:
    """The exit code under --fail-on-new: failing findings the previous run of the scope did not have."""
    if args.fail_on_new is None or exit_code == EXIT_CANNOT_VOUCH:
        return exit_code
    previous = store.runs(scope=inputs.scope, limit=1)
    before = store.result(previous[0].id) if previous else {"findings": [], "resources": []}
    label = f"run {previous[0].id}" if previous else "(no earlier run)"
    changes = diff_results(before, result, before_label=label, after_label="this run")
    fresh = new_failing(changes, args.fail_on_new)
    emit(
        f"auditor: {len(fresh)} new failing finding(s) at or above {args.fail_on_new} since {label}",
        event="audit.new_findings",
        new=len(fresh),
        compared_with=label,
    )
    return EXIT_FINDINGS if fresh else EXIT_OK


def stage_run(
    store: Store,
    inputs: AuditInputs,
    args: argparse.Namespace,
    result: Mapping[str, Any],
    inventory: Inventory,
    exit_code: int,
    outputs: RunOutputs,
) -> int:
    """Insert the run in the store, to be committed with the run's other outputs; its id."""
    pending = store.stage_run(
        result, inventory_snapshot(inventory), scope=inputs.scope, source=_source(args), exit_code=exit_code
    )
    outputs.add_transaction(f"run {pending.id} in {store.path}", pending.commit, pending.rollback)
    return pending.id


def report_waivers(result: Mapping[str, Any]) -> None:
    """One warning per waiver that no longer does anything: expired, or matching no finding."""
    for waiver in result.get("waivers", ()):
        if waiver["status"] == "active":
            continue
        since = f" on {waiver['expires']}" if waiver["status"] == "expired" else ": it matches no finding"
        emit(
            f"auditor: waiver on line {waiver['line']} ({waiver['rule_id']} for {waiver['resource']}) "
            f"{'expired' if waiver['status'] == 'expired' else 'is stale'}{since}",
            event=f"waiver.{waiver['status']}",
            level="warning",
            waiver=waiver,
        )


# -- auditor history --------------------------------------------------------------------------------


def history_store_path(args: argparse.Namespace) -> Path:
    """The store `history` and `diff` read."""
    return Path(args.store) if args.store is not None else default_store_path()


def _history_store(args: argparse.Namespace) -> Store:
    return Store(history_store_path(args), read_only=True)


def run_history(args: argparse.Namespace) -> str:
    from tabulate import tabulate

    from auditor.report.common import printable

    with _history_store(args) as store:
        runs = store.runs(limit=args.limit)
    if args.format == "json":
        return json.dumps({"runs": [run.as_dict() for run in runs]}, indent=2) + "\n"
    if not runs:
        return "No runs recorded yet.\n"
    rows = [
        [
            run.id,
            run.started_at,
            printable(run.scope if len(run.scope) <= 60 else run.scope[:59] + "…"),
            run.edition,
            run.resources,
            run.failing,
            run.unknown,
            run.waived,
            run.gaps,
            run.exit_code,
            printable(run.source),
        ]
        for run in runs
    ]
    headers = [
        "run",
        "started",
        "scope",
        "edition",
        "resources",
        "failing",
        "unknown",
        "waived",
        "gaps",
        "exit",
    ]
    return tabulate(rows, headers=[*headers, "source"], tablefmt="simple") + "\n"


# -- auditor diff -----------------------------------------------------------------------------------


def _is_run_id(value: str) -> bool:
    """A run id: digits that do not name an existing file (``auditor diff 12 new.json``)."""
    if Path(value).exists() or not value.isdigit():
        return False
    if parse_count(value) is None:
        raise StoreError(f"{value!r} is not a run id (a number from 1 to {MAX_RUN_ID} in the digits 0-9)")
    return True


Side = tuple[str, dict[str, Any], dict[str, Any] | None]


def _load(value: str, store: Store | None) -> Side:
    """(label, result, inventory snapshot or None) of a run id or a saved result file."""
    if _is_run_id(value):
        if store is None:
            raise StoreError("run ids need a run history (--store)")
        run_id = int(value)
        return f"run {run_id}", store.result(run_id), store.inventory(run_id)
    return value, load_result(Path(value)), None


def _open_history_if_needed(args: argparse.Namespace) -> Store | None:
    if len(args.runs) == 2 and not any(_is_run_id(value) for value in args.runs):
        return None  # two result files: no store is needed, or even opened
    return _history_store(args)


def run_diff(args: argparse.Namespace) -> str:
    if len(args.runs) > 2:
        raise StoreError("diff compares two runs: give at most two run ids or result files")
    store = _open_history_if_needed(args)
    try:
        if len(args.runs) == 2:
            first, second = (_load(value, store) for value in args.runs)
        else:
            assert store is not None
            first, second = _with_predecessor(args.runs, store)
    finally:
        if store is not None:
            store.close()
    changes = diff_results(
        first[1],
        second[1],
        before_label=first[0],
        after_label=second[0],
        # A result file has no snapshot: then both sides are compared on their results alone.
        before_inventory=first[2] if second[2] is not None else None,
        after_inventory=second[2] if first[2] is not None else None,
    )
    emit(
        f"auditor: {changes['summary']['new']} new ({changes['summary']['new_failing']} failing), "
        f"{changes['summary']['resolved']} resolved, "
        f"{changes['summary']['still_open']} still open",
        event="diff.summary",
        **changes["summary"],
    )
    if args.format == "json":
        return json_escape_invisible(json.dumps(changes, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
    return render_text(changes)


def _with_predecessor(runs: list[str], store: Store) -> tuple[Side, Side]:
    """One run id (or none: the newest run) compared with the run of its scope just before it."""
    if runs:
        if not _is_run_id(runs[0]):
            raise ResultFileError("a single argument must be a run id; to compare result files, give two")
        latest = store.run(int(runs[0]))
    else:
        newest = store.runs(limit=1)
        if not newest:
            raise StoreError(f"no runs recorded in {store.path} yet")
        latest = newest[0]
    earlier = [run for run in store.runs(scope=latest.scope) if run.id < latest.id]
    if not earlier:
        raise StoreError(
            f"run {latest.id} is the first run of its scope ({latest.scope}); nothing to compare"
        )
    return _load(str(earlier[0].id), store), _load(str(latest.id), store)
