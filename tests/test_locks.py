"""The exact versions `make setup` and CI install: requirements-dev.lock, within pyproject's bounds.

It must satisfy every bound of pyproject (runtime and dev), agree with the image's
requirements.lock on every runtime package, and be what this venv holds (the Makefile installs
with ``-c requirements-dev.lock``); the version of the auditor itself is written once.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import auditor
from tests.support.paths import REPO

DEV_LOCK = REPO / "requirements-dev.lock"
IMAGE_LOCK = REPO / "requirements.lock"


def _exact_pins(path: Path) -> dict[str, str]:
    """name -> version of every ``name==version`` line (hash options and comments ignored)."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)", line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _project() -> dict[str, Any]:
    loaded: dict[str, Any] = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return loaded


def test_the_dev_lock_pins_every_dependency_within_pyprojects_bounds() -> None:
    project = _project()
    pins = _exact_pins(DEV_LOCK)
    for text in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is a dependency but requirements-dev.lock does not pin it (make lock)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (text, pins[name])


def test_the_image_and_dev_locks_agree_on_every_runtime_version() -> None:
    dev = _exact_pins(DEV_LOCK)
    disagree = {name: (version, dev.get(name)) for name, version in _exact_pins(IMAGE_LOCK).items()}
    assert {name: pair for name, pair in disagree.items() if pair[0] != pair[1]} == {}


def test_this_venv_holds_exactly_the_locked_versions() -> None:
    wrong = {}
    for name, version in _exact_pins(DEV_LOCK).items():
        try:
            installed = distribution(name).version
        except PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert wrong == {}, "the venv is not the lock's: run make setup (or make lock to move the lock)"


def test_the_version_is_written_once() -> None:
    project = _project()
    assert "version" not in project and "version" in project["dynamic"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", auditor.__version__)
    assert distribution("auditor").version == auditor.__version__
