"""Writing a run's outputs so that nothing is clobbered, and nothing is left half-written.

How a path is written depends on what it names (symlinks are followed: the target is
written, the link stays a link):

* a regular file, or nothing yet: atomically. The text goes to a temporary file beside the
  target, is flushed to disk, and is renamed over the target when the run commits, so a
  reader sees the old file or the new one. The temporary name is short
  (``.auditor-XXXXXXXX.tmp``), so an output named at the file-name limit still works. A
  replaced file keeps its mode (and its owner, where the process may set it).
* a read-only regular file: refused. The process may run as root, to whom permission bits
  mean nothing, so the file's mode bits are checked as well as :func:`os.access`.
* a character device (``/dev/null``, a terminal), a FIFO, or an open file descriptor
  (``/dev/fd/N``, ``/proc/self/fd/N``, ``/dev/stdout``: a process substitution or a shell
  redirection): written directly, appending, never truncating or replacing it.
* anything else (a directory, a socket, a block device): refused.

:class:`RunOutputs` commits the outputs of one run together: every file is staged first;
then the store transaction and the renames happen in one window in which SIGINT and SIGTERM
are held (:func:`auditor.interrupts.deferred`), so a signal leaves all of them or none.
Direct outputs follow. :data:`WRITTEN` keeps what was committed, so the message of a run
interrupted or failing afterwards says truthfully what is already on disk.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from auditor import interrupts
from auditor.report.common import terminal_safe

__all__ = ["WRITTEN", "OutputError", "RunOutputs", "refuse_read_only", "refuse_shared_paths", "write_output"]

# Paths that name an already open file descriptor rather than a file.
_DESCRIPTOR_PATH = re.compile(r"^/(?:dev/fd|proc/(?:self|thread-self|\d+)/fd)/\d+$|^/dev/std(?:out|err)$")
_TEMPORARY_PREFIX = ".auditor-"
_TEMPORARY_SUFFIX = ".tmp"


class OutputError(Exception):
    """An output cannot be written (or must not be); the message is one line for the user."""


class WrittenOutputs:
    """What this process has committed so far, in order (one process runs one command)."""

    def __init__(self) -> None:
        self._items: list[str] = []

    def add(self, description: str) -> None:
        self._items.append(description)

    def clear(self) -> None:
        self._items.clear()

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(self._items)


WRITTEN = WrittenOutputs()


@dataclass(frozen=True)
class _Target:
    named: Path  # as the user gave it
    resolved: Path  # where the bytes go
    direct: bool  # written in place (a device, a FIFO, a descriptor), not replaced
    existing: os.stat_result | None  # the regular file being replaced, if any


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def refuse_read_only(path: Path, label: str, existing: os.stat_result | None = None) -> None:
    """:class:`OutputError` if ``path`` is a regular file this run must not overwrite."""
    if existing is None:
        try:
            existing = os.stat(path)
        except OSError:
            return  # nothing there yet (or unreachable: writing it will say why)
    if not stat.S_ISREG(existing.st_mode):
        return
    if not existing.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise OutputError(f"{label} {path} is read-only: refusing to overwrite it")


def _target(path: Path, label: str) -> _Target:
    absolute = os.path.abspath(path)
    if _DESCRIPTOR_PATH.match(absolute):
        return _Target(path, Path(absolute), direct=True, existing=None)
    resolved = Path(os.path.realpath(path))
    try:
        existing = os.stat(resolved)
    except FileNotFoundError:
        return _Target(path, resolved, direct=False, existing=None)
    except OSError as error:
        raise OutputError(f"cannot write {label} {path}: {_reason(error)}") from error
    mode = existing.st_mode
    if stat.S_ISREG(mode):
        refuse_read_only(resolved, label, existing)
        return _Target(path, resolved, direct=False, existing=existing)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return _Target(path, resolved, direct=True, existing=None)
    kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file, a device or a pipe"
    raise OutputError(f"cannot write {label} {path}: it is {kind}")


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _same_file_key(path: Path) -> tuple[str, tuple[int, int] | None] | None:
    """(real path, (device, inode) if it exists); None for a character device, which any
    number of roles may share (``/dev/null`` holds nothing to lose)."""
    try:
        existing = os.stat(path)
    except OSError:
        return os.path.realpath(path), None
    if stat.S_ISCHR(existing.st_mode):
        return None
    return os.path.realpath(path), (existing.st_dev, existing.st_ino)


def refuse_shared_paths(roles: Sequence[tuple[str, Path | None, bool]]) -> None:
    """:class:`OutputError` when two roles ``(label, path, writes)`` name one file and one writes it.

    Checked before anything is read or written: ``--store h.db --save h.db`` would replace a
    run history with a report, ``report R.json --output R.json`` the input with its own report.
    """
    seen: list[tuple[str, tuple[str, tuple[int, int] | None], bool]] = []
    for label, path, writes in roles:
        if path is None:
            continue
        key = _same_file_key(path)
        if key is None:
            continue
        for other_label, other_key, other_writes in seen:
            same = key[0] == other_key[0] or (key[1] is not None and key[1] == other_key[1])
            if same and (writes or other_writes):
                raise OutputError(
                    f"{other_label} and {label} name the same file ({path}): give each its own path"
                )
        seen.append((label, key, writes))


class RunOutputs:
    """The outputs of one run, committed together: all of them or none.

    Use as a context manager: :meth:`add` stages each output (temporary files written and
    flushed), :meth:`add_transaction` the store's pending run, :meth:`commit` makes them real.
    Leaving the block without a commit (an error, an interrupt) removes what was staged.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, _Target, Path]] = []  # (label, target, temporary file)
        self._direct: list[tuple[str, _Target, str]] = []  # (label, target, text)
        self._temporaries: list[Path] = []
        self._transaction: tuple[str, Callable[[], None], Callable[[], None]] | None = None

    def __enter__(self) -> RunOutputs:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._discard()

    def add(self, label: str, path: Path, text: str) -> None:
        """Stage ``text`` for ``path``; ``label`` names the output in messages (``"--save"``)."""
        target = _target(path, label)
        if target.direct:
            self._direct.append((label, target, text))
            return
        self._staged.append((label, target, self._stage(label, target, text)))

    def add_transaction(
        self, description: str, commit: Callable[[], None], rollback: Callable[[], None]
    ) -> None:
        """A pending store transaction, committed with the files (first, as the likeliest to fail)."""
        self._transaction = (description, commit, rollback)

    def commit(self) -> None:
        with interrupts.deferred():
            if self._transaction is not None:
                description, commit, _ = self._transaction
                self._transaction = None
                commit()
                WRITTEN.add(description)
            for label, target, temporary in self._staged:
                try:
                    os.replace(temporary, target.resolved)
                except OSError as error:
                    raise OutputError(f"cannot write {label} {target.named}: {_reason(error)}") from error
                self._temporaries.remove(temporary)
                WRITTEN.add(f"{label} {target.named}")
            self._staged = []
        for label, target, text in self._direct:
            _write_in_place(label, target, text)
            WRITTEN.add(f"{label} {target.named}")
        self._direct = []

    def _stage(self, label: str, target: _Target, text: str) -> Path:
        parent = target.resolved.parent
        try:
            if target.existing is None:
                parent.mkdir(parents=True, exist_ok=True)
            with interrupts.deferred():  # a temporary file is never left unaccounted for
                handle, name = tempfile.mkstemp(
                    prefix=_TEMPORARY_PREFIX, suffix=_TEMPORARY_SUFFIX, dir=parent
                )
                temporary = Path(name)
                self._temporaries.append(temporary)
            with os.fdopen(handle, "wb") as stream:
                existing = target.existing
                # mkstemp creates 0600: a report is as readable as any file the user writes,
                # and a replaced file keeps the mode (and owner) it had.
                os.fchmod(
                    stream.fileno(), stat.S_IMODE(existing.st_mode) if existing else _default_file_mode()
                )
                if existing is not None:
                    with contextlib.suppress(OSError):
                        os.fchown(stream.fileno(), existing.st_uid, existing.st_gid)
                stream.write(text.encode("utf-8"))
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as error:
            raise OutputError(f"cannot write {label} {target.named}: {_reason(error)}") from error
        return temporary

    def _discard(self) -> None:
        with interrupts.deferred():
            for temporary in self._temporaries:
                with contextlib.suppress(OSError):
                    temporary.unlink()
            self._temporaries = []
            self._staged = []
            if self._transaction is not None:
                _, _, rollback = self._transaction
                self._transaction = None
                rollback()


def _write_in_place(label: str, target: _Target, text: str) -> None:
    try:
        # Appending: a device or a pipe has nothing to truncate, and a descriptor may be a
        # file the shell opened for appending.
        with open(target.named, "a", encoding="utf-8") as stream:
            if stream.isatty():
                # --output /dev/tty: a person reads it as on stdout, and a hostile name in a CSV
                # or HTML report must not drive the terminal there either.
                text = terminal_safe(text)
            stream.write(text)
    except OSError as error:
        raise OutputError(f"cannot write {label} {target.named}: {_reason(error)}") from error


def write_output(label: str, path: Path, text: str) -> None:
    """Write one output on its own (``auditor report``, ``auditor diff``)."""
    with RunOutputs() as outputs:
        outputs.add(label, path, text)
        outputs.commit()
