"""Where a command's text goes (stdout or --output), and the audit command's output phase."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.exit_codes import EXIT_CANNOT_VOUCH
from auditor.logging_setup import emit
from auditor.output_files import RunOutputs, write_output
from auditor.report import render
from auditor.report.common import printable, terminal_safe
from auditor.report.json_report import render as render_json

if TYPE_CHECKING:
    from auditor.model import Inventory
    from auditor.result_types import Result
    from auditor.schedule import AuditInputs


def write_text(text: str, output: str) -> None:
    if output == "-":
        if sys.stdout.isatty():
            # A person is reading: a hostile name in a CSV or HTML report must not drive the terminal.
            text = terminal_safe(text)
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_output("--output", Path(output), text)


def output_path(output: str) -> Path | None:
    return None if output == "-" else Path(output)


def upload_reports(result: Mapping[str, Any], args: argparse.Namespace, credential: Any, code: int) -> int:
    """After every local output is written; outside any cassette, so replay never sees this traffic."""
    from auditor.upload import describe_failure, reports_written, upload

    outcome = upload(reports_written(args), args.upload, result["started_at"], credential)
    if not outcome.complete:
        emit(f"auditor: {describe_failure(outcome, args.upload)}", event="upload.failed", level="error")
        return EXIT_CANNOT_VOUCH
    emit(
        f"auditor: uploaded {len(outcome.uploaded)} blobs to {printable(args.upload.describe())}",
        event="upload.ok",
    )
    return code


def send_to_log_analytics(result: Result, args: argparse.Namespace, credential: Any, code: int) -> int:
    """After every local output is written; outside any cassette, so replay never sees this traffic."""
    from auditor.log_analytics import describe_failure, send

    outcome = send(result, args.send_to, credential, cloud=args.cloud)
    if not outcome.complete:
        emit(f"auditor: {describe_failure(outcome, args.send_to)}", event="send.failed", level="error")
        return EXIT_CANNOT_VOUCH
    emit(f"auditor: sent {outcome.rows} rows to Log Analytics {args.send_to.stream}", event="send.ok")
    return code


def write_audit_outputs(
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
        write_text(report, "-")
    return code, run_id


def summary_line(result: Result) -> str:
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
