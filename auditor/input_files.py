"""Reading the files a user names (result files, policy, waivers, cassettes): bounded, UTF-8, one error.

Every input is read through :func:`read_input_text`, which never reads more than the file's limit:
a regular file larger than the limit is refused from its size alone, and anything else (a pipe,
``/dev/stdin``, a device such as ``/dev/zero``) is read in chunks and refused as soon as it passes
the limit or holds a NUL byte, which no JSON or YAML text contains. A UTF-8 byte order mark is
accepted and dropped, as editors on Windows write one.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

MIB = 1024 * 1024
# A saved result of 10,000 function apps is about 70 MiB; the caps leave room for several times
# that while keeping the memory a parse needs (several times the text) within a normal machine.
RESULT_FILE_LIMIT = 512 * MIB
CASSETTE_FILE_LIMIT = 512 * MIB
# Policy and waiver files are written by people: a few kilobytes.
YAML_FILE_LIMIT = 4 * MIB
_CHUNK = 4 * MIB


def describe_limit(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit} byte"


def read_input_text(path: Path, label: str, error_type: type[Exception], limit: int) -> str:
    """The text of ``path`` (at most ``limit`` bytes of UTF-8), or ``error_type`` with a one-line reason.

    ``label`` names the file in messages (``"result file x.json"``).
    """
    try:
        with path.open("rb") as stream:
            status = os.fstat(stream.fileno())
            if stat.S_ISREG(status.st_mode) and status.st_size > limit:
                raise error_type(f"{label} is larger than the {describe_limit(limit)} limit")
            data = _read_bounded(stream, label, error_type, limit)
    except OSError as error:
        raise error_type(f"cannot read {label}: {error.strerror or error}") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise error_type(f"{label} is not UTF-8 text (byte {error.start + 1})") from error


def _read_bounded(stream: IO[bytes], label: str, error_type: type[Exception], limit: int) -> bytearray:
    data = bytearray()
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - len(data)))
        if not chunk:
            return data
        if b"\0" in chunk:
            raise error_type(f"{label} is not a text file (it holds NUL bytes)")
        data += chunk
        if len(data) > limit:
            raise error_type(f"{label} is larger than the {describe_limit(limit)} limit")
