"""The canonical JSON result, as other tools and scheduled jobs parse it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def render(result: Mapping[str, Any]) -> str:
    # sort_keys keeps saved results diffable run to run; ensure_ascii=False keeps
    # resource names readable (JSON is UTF-8 on disk).
    return json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
