"""Private character-device nodes for output tests, so no test writes the machine's own devices.

Tests may run as root, to whom a mistake could replace ``/dev/null`` itself with a regular
file (breaking every process on the machine). Root may create a node of the same device in a
temporary directory instead; where that is not allowed, the system's node is used (and a
process that is not root cannot replace it).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest


def private_device(directory: Path, name: str, major: int, minor: int, fallback: str) -> Path:
    node = directory / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(major, minor))
        with open(node, "a"):
            pass
    except OSError:
        node.unlink(missing_ok=True)
        return Path(fallback)
    return node


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    return private_device(tmp_path, "null", 1, 3, "/dev/null")


@pytest.fixture
def full_device(tmp_path: Path) -> Path:
    return private_device(tmp_path, "full", 1, 7, "/dev/full")
