"""Replay the demo cassettes through the real collector and write the reviewed golden digests.

    .venv/bin/python tools/build_demo_goldens.py     # cassettes/ -> tests/golden/ (part of `make regen`)

A golden digest lists every fail and unknown outcome of one replayed audit, every resource's
exposure and every gap. tests/test_demo_audit.py compares a fresh replay with it on every run,
so a change in collection, rules or the demo that moves any outcome fails there until the
difference is reviewed and `make regen` rewrites the digests. This module is the only writer.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.collect.cassettes import replaying
from auditor.collect.clients import FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.evaluate import evaluate
from auditor.result_types import Result
from auditor.rules.reads_needed import READS_NEEDED

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# Results carry their run time; a fixed one keeps the digests (and fingerprints) stable.
FIXED_TIME = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
# (cassette, edition) of every golden digest, written as tests/golden/<cassette>.<edition>.json.
GOLDEN_RUNS = (("demo", "2026-09"), ("demo", "2019-04"), ("demo-gap", "2026-09"))


def golden_name(cassette: str, edition: str) -> str:
    return f"{cassette}.{edition}.json"


def audit(cassette_dir: Path, edition: str, *, include_passed: bool = False) -> Result:
    """The result of auditing the demo subscription replayed from ``cassette_dir``."""
    with replaying(cassette_dir):
        inventory = collect_inventory([SUBSCRIPTION], FakeCredential(), reads_needed=READS_NEEDED)
    return evaluate(
        inventory,
        edition=edition,
        started_at=FIXED_TIME,
        finished_at=FIXED_TIME,
        include_passed=include_passed,
        tool_version=__version__,
    )


def digest(result: Mapping[str, Any]) -> dict[str, Any]:
    """What a golden file holds of a result: exposure per resource, findings and gaps, sorted."""
    names = {resource["id"].lower(): resource["name"] for resource in result["resources"]}
    return {
        "exposure": {
            resource["name"]: {
                "hosting": resource["hosting"],
                "os": resource["os"],
                "inbound": resource["inbound"],
                "outbound": resource["outbound"],
                "vnet_integration": resource["vnet_integration"]["kind"],
            }
            for resource in result["resources"]
        },
        "findings": sorted(
            f"{names[finding['resource_id'].lower()]} {finding['status']} {finding['rule_id']} "
            f"{finding['fingerprint']}"
            for finding in result["findings"]
        ),
        "gaps": sorted(f"{gap['operation']} {gap['status']}" for gap in result["gaps"]),
    }


def render(golden: dict[str, Any]) -> str:
    return json.dumps(golden, indent=2, sort_keys=True) + "\n"


def write_goldens(cassettes: Path, out: Path) -> None:
    """Replay each golden run from ``cassettes`` and write its digest into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for cassette, edition in GOLDEN_RUNS:
        golden = digest(audit(cassettes / cassette, edition))
        (out / golden_name(cassette, edition)).write_text(render(golden), encoding="utf-8")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cassettes", type=Path, default=ROOT / "cassettes", help="parent of demo/ etc.")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "golden", help="folder of the digests")
    args = parser.parse_args(list(argv) if argv is not None else None)
    write_goldens(args.cassettes, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
