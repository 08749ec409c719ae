"""Where the tests find the repository and the read-only reference material beside it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# ../shared: the spec and reference material, beside the repository (read-only in CI).
SHARED = REPO.parent / "shared"
