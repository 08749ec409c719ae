"""Evidence made JSON-ready, its canonical encoding, and the stable fingerprint of a finding."""

from __future__ import annotations

import hashlib
import json
import json.encoder
from collections.abc import Callable, Mapping
from typing import Any


def _canonical_encoder() -> Callable[[Any], str]:
    """json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).

    json.dumps builds a JSONEncoder per call for these options, and JSONEncoder.encode builds
    its C encoder per call too: a third of the cost of a fingerprint. This one is built once.
    Without json's C accelerator, JSONEncoder.encode does the same.
    """
    encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:
        return encoder.encode
    # The arguments JSONEncoder.iterencode passes, without its circular-reference markers
    # (evidence is a tree built per outcome).
    chunks = make_encoder(
        None,
        encoder.default,
        json.encoder.encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    return lambda value: "".join(chunks(value, 0))


_CANONICAL = _canonical_encoder()


def canonical_json(value: Any) -> str:
    return _CANONICAL(value)


def fingerprint(rule_id: str, resource_id: str, evidence: Mapping[str, Any]) -> str:
    """Stable across runs, ARM casing changes and editions: only live-state evidence goes in."""
    canonical = _CANONICAL(evidence if type(evidence) is dict else dict(evidence))
    material = "\n".join((rule_id, resource_id.lower(), canonical))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


_SCALARS = (str, int, float, bool, type(None))


def jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most evidence values; isinstance against the ABCs below is slow
        return value
    if kind is dict:
        return {str(key): jsonable(item) for key, item in value.items()}
    if kind is list:
        return [jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(item) for item in value]
        return sorted(items, key=canonical_json) if isinstance(value, set | frozenset) else items
    return value
