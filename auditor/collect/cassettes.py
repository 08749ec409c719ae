"""Record and replay ARM traffic with vcrpy, sanitizing secrets when a recording is saved.

Layout of a cassette directory (``--record DIR`` writes it, ``--replay DIR`` reads it)::

    DIR/arm.yaml        vcrpy YAML (``version: 1``, ``interactions: [...]``): every ARM request
                        of one audit run, in the order they were sent, with the response ARM gave
    DIR/manifest.json   {"subscriptions": [sanitized ids], "recorded_at": "...Z", "tool_version": "..."}

Replay matches a request on method, scheme, host, port, path and query. It plays the matching
interactions in the order they were recorded (a 429 then the 200 of azure-core's retry) and, once
all of them have been played, repeats the last one, so the collector may read a resource twice.
A request with no recording raises :data:`UnrecordedRequest` from inside the HTTP transport.

Recording never holds a credential. Sign-in traffic (a cloud's authority host, the managed
identity endpoints, any OAuth2 token or discovery path, any request carrying a credential form
field) is sent live but never recorded: the token request's body is the client secret itself.
What is recorded is sanitized text: subscription, tenant and every other GUID become
deterministic zero-form GUIDs (``00000000-0000-0000-0000-XXXXXXXXXXXX``), the same real GUID
always mapping to the same fake one within a recording so ids still join across responses;
``Authorization``/cookie headers and credential form fields (``client_secret``, ``password`` …,
in a query string or a form body) are dropped; tokens, keys, SAS signatures and secret-looking
JSON values are blanked (recording_scrub.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import urllib3.connectionpool
import vcr

# vcr.patch and vcr.serialize are vcrpy internals with no public equivalent (why each is needed:
# _thread_safe_patching, _LoadedCassette); pyproject bounds vcrpy to the major version checked here.
import vcr.patch
import vcr.serialize
import yaml
from vcr.cassette import Cassette, CassetteContextDecorator
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request

from auditor import __version__, interrupts
from auditor.collect.recording_scrub import GuidMap, request_to_record, sanitize_response
from auditor.input_files import CASSETTE_FILE_LIMIT, read_input_text

CASSETTE_FILE = "arm.yaml"
MANIFEST_FILE = "manifest.json"

# Raised from the HTTP transport when replay meets a request that was never recorded.
UnrecordedRequest = CannotOverwriteExistingCassetteException

MATCH_ON = ("method", "scheme", "host", "port", "path", "query")


class CassetteError(Exception):
    """The cassette directory cannot be replayed; the message is one line for the user."""


class _InOrderCassette(Cassette):  # type: ignore[misc]
    """Plays matching interactions in recorded order, then repeats the last; safe under threads.

    vcrpy's own ``allow_playback_repeats`` always answers with the *first* match, which would
    replay a recorded 429 forever instead of the 200 that followed it, and its play counter is
    unguarded while the collector reads from a thread pool.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._play_lock = threading.Lock()

    def play_response(self, request: Request) -> Any:
        with self._play_lock:
            matches = list(self._responses(request))
            if not matches:
                return super().play_response(request)  # raises UnhandledHTTPRequestError
            for index, response in matches:
                if self.play_counts[index] == 0:
                    self.play_counts[index] += 1
                    return response
            index, response = matches[-1]
            self.play_counts[index] += 1
            return response


# vcrpy builds every stub connection inside ``vcr.patch.force_reset()``, which puts the real
# urllib3 classes back *globally* for a moment. A thread opening a connection in that moment gets
# a real one and goes to the network (observed under a thread pool). Connection construction and
# those reset windows therefore take turns on one lock; reentrant because the stub is built from
# inside urllib3's ``_new_conn``.
_CONNECTION_LOCK = threading.RLock()
# The collector's HTTP exchanges take turns on the *same* lock while a cassette is active
# (arm_reader._SerializedTransport): vcrpy's Cassette appends recordings and counts plays
# without locking, and one mechanism instead of two cannot deadlock or disagree about what
# is guarded. Reentrant: the connection is built inside the exchange.
CASSETTE_EXCHANGE_LOCK = _CONNECTION_LOCK
_vcr_force_reset = vcr.patch.force_reset


@contextlib.contextmanager
def _force_reset_in_turn() -> Iterator[None]:
    with _CONNECTION_LOCK, _vcr_force_reset():
        yield


def _in_turn(new_conn: Any) -> Any:
    def new_conn_in_turn(self: Any) -> Any:
        with _CONNECTION_LOCK:
            return new_conn(self)

    return new_conn_in_turn


@contextlib.contextmanager
def _thread_safe_patching() -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(vcr.patch, "force_reset", _force_reset_in_turn))
        for pool in (urllib3.connectionpool.HTTPConnectionPool, urllib3.connectionpool.HTTPSConnectionPool):
            stack.enter_context(mock.patch.object(pool, "_new_conn", _in_turn(pool.__dict__["_new_conn"])))
        yield


# A recording writes every request and response out in full, so its YAML has no aliases; a few
# (from a hand edit) may repeat some nodes, but never multiply them (a "billion laughs" file).
_ALIAS_GROWTH = 10
_ALIAS_ALLOWANCE = 10_000
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_cassette(directory: Path) -> dict[str, Any]:
    """The parsed cassette of ``directory``, checked, or :class:`CassetteError` saying what is wrong.

    The file is read once, size-capped (input_files.CASSETTE_FILE_LIMIT), with a safe YAML loader
    that refuses aliases expanding past the size of the file, and every interaction must have the
    fields replay reads, of the right types.
    """
    if not directory.is_dir():
        raise CassetteError(f"cassette directory not found: {directory}")
    path = directory / CASSETTE_FILE
    if not path.exists():
        raise CassetteError(f"no {CASSETTE_FILE} in cassette directory {directory}")
    text = read_input_text(path, f"cassette {path}", CassetteError, CASSETTE_FILE_LIMIT)
    try:
        loaded = _safe_yaml(text, path)
    except (yaml.YAMLError, RecursionError) as error:
        reason = " ".join(str(error).split()) or "nested too deeply"
        raise CassetteError(f"cannot read cassette {path}: {reason}") from error
    if not isinstance(loaded, dict) or not isinstance(loaded.get("interactions"), list):
        raise CassetteError(f"cassette {path} has no 'interactions' list")
    for index, item in enumerate(loaded["interactions"]):
        problem = _interaction_problem(item)
        if problem is not None:
            raise CassetteError(f"cassette {path} is corrupt: interaction {index + 1}: {problem}")
    return loaded


def _safe_yaml(text: str, path: Path) -> Any:
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        unique, expanded = _node_counts(node)
        if expanded > _ALIAS_GROWTH * unique + _ALIAS_ALLOWANCE:
            raise CassetteError(
                f"cassette {path} is corrupt: its YAML aliases expand {unique} nodes to {expanded}"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _node_counts(root: yaml.Node) -> tuple[int, int]:
    """(distinct nodes, nodes once every alias is expanded), without expanding or recursing."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise yaml.YAMLError("an alias refers to a node that contains it")
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return len(sizes), sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _interaction_problem(item: object) -> str | None:
    """What makes one recorded interaction unplayable, or None."""
    if not isinstance(item, dict):
        return "not a mapping"
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return "needs a 'request' and a 'response' mapping"
    if not isinstance(request.get("method"), str) or not isinstance(request.get("uri"), str):
        return "the request needs a method and a uri"
    if not isinstance(request.get("body"), str | bytes | None):
        return "the request body is not text"
    status = response.get("status")
    if not isinstance(status, dict) or not isinstance(status.get("message"), str):
        return "the response needs a status with a code and a message"
    code = status.get("code")
    if type(code) is not int or not 100 <= code <= 599:
        return f"the response status code {code!r} is not an HTTP status"
    body = response.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("string"), str | bytes | None):
        return "the response body needs a 'string'"
    for part, headers in (("request", request.get("headers")), ("response", response.get("headers"))):
        if not _are_headers(headers):
            return f"the {part} headers are not a mapping of names to text values"
    return None


def _are_headers(headers: object) -> bool:
    if headers is None:
        return True
    if not isinstance(headers, dict):
        return False
    return all(
        isinstance(name, str)
        and (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)))
        for name, value in headers.items()
    )


class _LoadedCassette:
    """A vcrpy persister handing over the cassette :func:`load_cassette` read and checked.

    vcrpy's own persister would read the file again, unbounded, after the check.
    """

    def __init__(self, loaded: dict[str, Any]) -> None:
        self._loaded = loaded

    def load_cassette(self, cassette_path: str, serializer: Any) -> Any:
        return vcr.serialize.deserialize(self._loaded, _AlreadyParsed)

    @staticmethod
    def save_cassette(cassette_path: str, cassette_dict: Any, serializer: Any) -> None:
        raise CassetteError("replay never writes a cassette")


class _AlreadyParsed:
    @staticmethod
    def deserialize(loaded: Any) -> Any:
        return loaded


@contextlib.contextmanager
def replaying(directory: Path) -> Iterator[Cassette]:
    """Serve every HTTP request made through ``requests`` from ``directory/arm.yaml``."""
    loaded = load_cassette(directory)
    config = vcr.VCR().get_merged_config(
        path=str(directory / CASSETTE_FILE),
        record_mode="none",
        match_on=MATCH_ON,
        allow_playback_repeats=True,
        decode_compressed_response=False,
        persister=_LoadedCassette(loaded),
    )
    with _thread_safe_patching(), CassetteContextDecorator.from_args(_InOrderCassette, **config) as cassette:
        yield cassette


@contextlib.contextmanager
def recording(directory: Path, subscription_ids: Sequence[str] = ()) -> Iterator[GuidMap]:
    """Send requests live and write a sanitized ``arm.yaml`` + ``manifest.json`` into ``directory``.

    ``subscription_ids`` (the ones audited) get the first fakes, ``…-000000000000`` onwards, in
    that order. Nothing in ``directory`` changes unless the block completes: the cassette is
    recorded in a sibling temporary directory and moved into place at the end.
    """
    guid_map = GuidMap(subscription_ids)
    directory.parent.mkdir(parents=True, exist_ok=True)
    # A short name: the directory's own may be at the file-name limit already.
    staging = Path(tempfile.mkdtemp(prefix=".auditor-recording-", dir=directory.parent))
    try:
        config = vcr.VCR().get_merged_config(
            path=str(staging / CASSETTE_FILE),
            record_mode="all",
            match_on=MATCH_ON,
            decode_compressed_response=True,
            record_on_exception=False,
            before_record_request=lambda request: request_to_record(request, guid_map),
            before_record_response=lambda response: sanitize_response(response, guid_map),
        )
        with _thread_safe_patching(), CassetteContextDecorator.from_args(Cassette, **config) as cassette:
            yield guid_map
            # vcrpy writes nothing when no request was made; an empty cassette is still a cassette.
            cassette.dirty = True
        manifest = {
            "subscriptions": list(guid_map.subscriptions),
            "recorded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool_version": __version__,
        }
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        directory.mkdir(exist_ok=True)
        with interrupts.deferred():  # a signal leaves the old pair or the new one, never one of each
            for name in (CASSETTE_FILE, MANIFEST_FILE):
                os.replace(staging / name, directory / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
