"""Rebuild every artifact generated from the demo description (tools/demo_contoso.py), in order.

    .venv/bin/python tools/regen_demo.py                # `make regen`: rewrites them in the repo
    .venv/bin/python tools/regen_demo.py --root DIR     # the same tree under DIR (for comparison)

1. cassettes/demo, demo-gap, demo-day2 (tools/build_demo_cassettes.py);
2. cassettes/hostile, poisoned from the fresh cassettes/demo (tools/build_hostile_cassette.py);
3. tests/golden/*.json, replayed from the fresh cassettes (tools/build_demo_goldens.py);
4. cassettes/demo/EXPECTED.md, from the description and the fresh 2026-09 golden
   (tools/write_demo_expected.py);
5. tests/fixtures/*.json, the reporter tests' saved results, replayed from the fresh cassettes
   (tools/build_report_fixtures.py).
tests/test_demo_regen.py runs this into a temporary folder and fails on any difference.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

# Run as a script, so its siblings are top-level modules; mypy sees the tools from the repository root.
if TYPE_CHECKING:
    from tools import (
        build_demo_cassettes,
        build_demo_goldens,
        build_hostile_cassette,
        build_report_fixtures,
        write_demo_expected,
    )
else:
    import build_demo_cassettes
    import build_demo_goldens
    import build_hostile_cassette
    import build_report_fixtures
    import write_demo_expected

ROOT = Path(__file__).resolve().parent.parent
DEMO_CASSETTES = ("demo", "demo-gap", "demo-day2", "hostile")


def generated_paths(root: Path) -> list[Path]:
    """Every file this tool writes under ``root``."""
    cassettes = root / "cassettes"
    paths = [cassettes / name / file for name in DEMO_CASSETTES for file in ("arm.yaml", "manifest.json")]
    paths.append(cassettes / "demo" / "EXPECTED.md")
    golden = root / "tests" / "golden"
    paths.extend(golden / build_demo_goldens.golden_name(*run) for run in build_demo_goldens.GOLDEN_RUNS)
    paths.extend(root / "tests" / "fixtures" / name for name in build_report_fixtures.FIXTURE_RUNS)
    return paths


def regenerate(root: Path) -> None:
    cassettes = root / "cassettes"
    goldens = root / "tests" / "golden"
    build_demo_cassettes.main(["--out", str(cassettes)])
    build_hostile_cassette.write(cassettes / "demo", cassettes / "hostile")
    build_demo_goldens.write_goldens(cassettes, goldens)
    write_demo_expected.main(["--goldens", str(goldens), "--out", str(cassettes / "demo" / "EXPECTED.md")])
    build_report_fixtures.write_fixtures(cassettes, root / "tests" / "fixtures")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="where cassettes/, tests/golden/ and tests/fixtures/ go"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    regenerate(args.root)
    for path in generated_paths(args.root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
