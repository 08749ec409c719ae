"""``make bench``: every benchmark, each in its own process so peak RSS is its own."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    # A live audit of N apps against the fake ARM at 50 ms latency with ARM's throttling.
    ("bench.collection", "100"),
    ("bench.collection", "1000"),
    ("bench.collection", "5000"),
    ("bench.evaluation", "10000"),
    ("bench.html_report", "5000"),
)


def main() -> int:
    for module, argument in BENCHMARKS:
        completed = subprocess.run([sys.executable, "-m", module, argument], check=False)
        if completed.returncode != 0:
            return completed.returncode
    return 0


raise SystemExit(main())
