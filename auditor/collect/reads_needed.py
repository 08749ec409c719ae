"""Which optional reads an audit makes: decided by the layer that uses the answers, not here.

The collector reads an app's functions only when a rule can use them. Which rule can is the
rules' knowledge, so the command builds the answer there (auditor/rules/reads_needed.py) and
passes it to :func:`auditor.collect.inventory.collect_inventory`: collect imports nothing of
the rules, and data flows one way, collect → model → rules.
"""

from __future__ import annotations

from typing import Protocol

from auditor.model import App


class ReadsNeeded(Protocol):
    @property
    def functions_not_needed_because(self) -> str:
        """Recorded in an app's ``not_read`` when its functions are skipped."""
        ...

    def functions_needed(self, app: App) -> bool:
        """Whether to read the app's functions (``app`` holds everything else already read)."""
        ...
