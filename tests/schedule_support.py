"""Shared by the scheduled-audit tests: the two recorded nights of the demo subscription."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.cli import main
from tests.support.paths import REPO

DAY1 = REPO / "cassettes" / "demo"
DAY2 = REPO / "cassettes" / "demo-day2"
EXAMPLES = REPO / "examples"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
PREMIUM_GROUP = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-contoso-premium"
ORDERS = f"{PREMIUM_GROUP}/providers/Microsoft.Web/sites/func-orders"


def audit(cassette: Path, *extra: str) -> int:
    return main(
        [
            "audit",
            "--subscription",
            SUBSCRIPTION,
            "--replay",
            str(cassette),
            "--format",
            "json",
            "--output",
            "-",
            *extra,
        ]
    )


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
