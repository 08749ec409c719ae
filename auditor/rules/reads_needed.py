"""The rules' answer to the collector's question which optional reads to make (collect/reads_needed.py)."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import App
from auditor.rules.facts import functions_needed


@dataclass(frozen=True)
class RulesReadsNeeded:
    """Reads only what some rule can use: see :func:`auditor.rules.facts.functions_needed`."""

    functions_not_needed_because: str = (
        "not needed: the main site is not public and the app is not VNet-integrated"
    )

    def functions_needed(self, app: App) -> bool:
        return functions_needed(app)


READS_NEEDED = RulesReadsNeeded()
