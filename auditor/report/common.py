"""What every reporter shares: display order of the result's vocabularies, and safe text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from auditor.model import Hosting
from auditor.rules.base import SEVERITY_VALUES_HIGH_FIRST, Category, Status
from auditor.rules.inbound import Exposure
from auditor.rules.outbound import Egress

# Display orders, from the enums that define each vocabulary (declaration order, except where noted).
SEVERITY_ORDER = SEVERITY_VALUES_HIGH_FIRST
# Listed outcomes only (not_applicable is never shown), the ones that need attention first.
STATUS_ORDER = (Status.FAIL.value, Status.UNKNOWN.value, Status.PASS.value)
HOSTING_ORDER = tuple(hosting.value for hosting in Hosting)
INBOUND_ORDER = tuple(exposure.value for exposure in Exposure)
OUTBOUND_ORDER = tuple(egress.value for egress in Egress)
CATEGORY_ORDER = tuple(category.value for category in Category)


# Characters that change how the text around them is shown without being seen themselves:
# DEL and the C1 controls (U+009B is a one-byte CSI that starts a terminal escape sequence), the
# bidirectional marks, embeddings, overrides and isolates (U+202E shows "exe.txt" as "txt.exe"),
# and the line and paragraph separators. C0 controls are handled with each format's own escapes.
INVISIBLE_CONTROLS = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(f"[{INVISIBLE_CONTROLS}]")
# The same, and the C0 controls except tab, newline and carriage return (HTML text), or except
# tab and newline (a terminal, where a carriage return can overwrite what was printed).
_INVISIBLE_OR_C0 = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{INVISIBLE_CONTROLS}]")
_TERMINAL_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f{INVISIBLE_CONTROLS}]")


def code_point_escape(char: str) -> str:
    """``\\x1b``, ``\\u202e`` or ``\\U0001f600``: how a hidden character is shown instead."""
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(value: object) -> str:
    """Render an Azure-supplied value safely for a terminal or a text format.

    Names, tags and rule descriptions are attacker-controlled; an escape
    sequence in one must not repaint or hide the operator's terminal, and a
    bidi override must not reorder what the operator reads.
    """
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else code_point_escape(ch) for ch in text)


def terminal_safe(text: str) -> str:
    """A whole document for a terminal: every control but tab and newline, and every bidi
    override, shown as ``\\u001b``-style text (a CSV or HTML report written to a terminal).

    JSON is unchanged by it: its strings already escape all of these.
    """
    if not _TERMINAL_UNSAFE.search(text):
        return text
    return _TERMINAL_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def json_escape_invisible(encoded: str) -> str:
    """JSON text with every :data:`INVISIBLE_CONTROLS` character as a ``\\uXXXX`` escape.

    For text encoded with ``ensure_ascii=False``, which keeps names readable but leaves C1
    controls and bidi overrides raw. They only occur inside strings, where the escape reads
    back as the same character; the rest of the text is unchanged.
    """
    if not _INVISIBLE.search(encoded):
        return encoded
    return _INVISIBLE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


def visible_controls(text: str) -> str:
    """Control, bidi and separator characters as visible ``\\u202e``-style text (HTML shows these)."""
    if not _INVISIBLE_OR_C0.search(text):
        return text
    return _INVISIBLE_OR_C0.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


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
