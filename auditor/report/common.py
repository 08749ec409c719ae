"""What every reporter shares: display order of the result's vocabularies, and safe text."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

SEVERITY_ORDER = ("high", "medium", "low", "info")
STATUS_ORDER = ("fail", "unknown", "pass")
HOSTING_ORDER = (
    "consumption",
    "flex_consumption",
    "premium",
    "dedicated",
    "ase",
    "container_apps",
    "unknown",
)
INBOUND_ORDER = ("public", "restricted", "private", "internal", "unknown")
OUTBOUND_ORDER = ("controlled", "uncontrolled", "unknown")


def printable(value: object) -> str:
    """Render an Azure-supplied value safely for a terminal or a text format.

    Names, tags and rule descriptions are attacker-controlled; an escape
    sequence in one must not repaint or hide the operator's terminal.
    """
    text = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def rank(order: Sequence[str], value: object) -> int:
    """Position of ``value`` in a display order; values the order does not know sort last."""
    return order.index(value) if isinstance(value, str) and value in order else len(order)


def display_name(resource: Mapping[str, Any], text: Callable[[object], str] = printable) -> str:
    """The resource's name with its slot (``app/slot``), each part passed through ``text``.

    ``text`` is :func:`printable` for terminals and Markdown; CSV keeps the raw
    value, since its quoting already carries newlines safely.
    """
    name = text(resource.get("name"))
    slot = resource.get("slot")
    if slot and not name.endswith(f"/{slot}"):
        name = f"{name}/{text(slot)}"
    return name
