"""Replay the demo and hostile cassettes through the real collector and evaluation and write the
reporter tests' input results (tests/fixtures/*.json), so those inputs are what an audit saves.

    .venv/bin/python tools/build_report_fixtures.py     # cassettes/ -> tests/fixtures/ (part of `make regen`)

Each fixture is the saved result (``--save``, the JSON report) of one replayed audit with the
golden digests' fixed run time. Nothing is edited by hand: a reporter test that needs a case
finds it in the demo subscription (tools/demo_contoso.py) or the hostile cassette.
tests/test_demo_regen.py rebuilds them and fails on any difference.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.report.json_report import render

# Run as a script, so its siblings are top-level modules; mypy sees the tools from the repository root.
if TYPE_CHECKING:
    from tools.build_demo_goldens import audit
else:
    from build_demo_goldens import audit

ROOT = Path(__file__).resolve().parent.parent
# fixture file -> (cassette, edition, include_passed) of the audit it is the saved result of.
FIXTURE_RUNS = {
    "sample_result.json": ("demo-gap", "2026-09", False),
    "html_result.json": ("demo", "2026-09", False),
    "html_result_hostile.json": ("hostile", "2026-09", False),
}


def write_fixtures(cassettes: Path, out: Path) -> None:
    """Replay each fixture's audit from ``cassettes`` and write its saved result into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, (cassette, edition, include_passed) in FIXTURE_RUNS.items():
        result = audit(cassettes / cassette, edition, include_passed=include_passed)
        (out / name).write_text(render(result), encoding="utf-8")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cassettes", type=Path, default=ROOT / "cassettes", help="parent of demo/ etc.")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "tests" / "fixtures", help="folder of the fixtures"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    write_fixtures(args.cassettes, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
