"""The container image definition: pinned base, non-root, `auditor` entrypoint, installed from the lock.

No container engine runs here, so the Dockerfile is checked as text, the lock against pyproject
and the installed metadata, and `make image` against stand-in engines.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from auditor import __version__
from tests.support.paths import REPO

DOCKERFILE = REPO / "Dockerfile"
LOCK = REPO / "requirements.lock"
BUILD_LOCK = REPO / "requirements-build.lock"
PINNED_BASE = re.compile(r"^python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}$")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(index for index, (name, _) in enumerate(instructions) if name == "FROM")
    return instructions[last_from:]


def _pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a hash-pinned requirements file."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    pins: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement, *options = line.split()
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)", requirement)
        assert match, f"not an exact pin: {line}"
        hashes = [option.removeprefix("--hash=sha256:") for option in options]
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", value) for value in hashes), line
        pins[canonicalize_name(match.group(1))] = (match.group(2), hashes)
    return pins


def test_base_image_is_pinned_by_tag_and_digest_in_every_stage() -> None:
    instructions = _instructions()
    (base,) = [args for name, args in instructions if name == "ARG" and args.startswith("PYTHON_IMAGE=")]
    assert PINNED_BASE.match(base.split("=", 1)[1])
    stages = [args.split()[0] for name, args in instructions if name == "FROM"]
    assert stages and all(stage == "${PYTHON_IMAGE}" for stage in stages)


def test_final_stage_runs_as_an_unprivileged_user_with_auditor_as_entrypoint() -> None:
    final = _final_stage()
    users = [args for name, args in final if name == "USER"]
    assert users, "the final stage sets no USER: it would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    if user.isdigit():
        assert int(user) >= 1000
    (entrypoint,) = [args for name, args in final if name == "ENTRYPOINT"]
    assert entrypoint == '["auditor"]'
    copied = [args for name, args in final if name == "COPY"]
    assert copied == ["--from=build /opt/auditor /opt/auditor"], "the final stage takes only the built venv"


def test_dependencies_are_installed_only_from_the_hash_pinned_lock() -> None:
    runs = [shlex.split(args) for name, args in _instructions() if name == "RUN"]
    installs = [
        command[command.index("install") :]
        for run in runs
        for command in _commands(run)
        if "pip" in " ".join(command) and "install" in command
    ]
    assert installs
    for install in installs:
        assert "--no-deps" in install, install
        if "-r" in install:
            assert "--require-hashes" in install and "--only-binary=:all:" in install
            assert install[install.index("-r") + 1] in {
                "/src/requirements.lock",
                "/src/requirements-build.lock",
            }
        else:
            assert install[-1] == "/wheels/auditor-*.whl", "only our own wheel installs without the lock"
    assert any("/src/requirements.lock" in install for install in installs)
    assert any(
        command[-2:] == ["pip", "check"] or command[-1] == "check"
        for run in runs
        for command in _commands(run)
    )


def _commands(run: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for token in run:
        if token == "&&":
            commands.append([])
        else:
            commands[-1].append(token)
    return commands


def test_lock_pins_every_runtime_dependency_of_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pins = _pins(LOCK)
    for text in project["project"]["dependencies"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is a runtime dependency but requirements.lock does not pin it"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (text, pins[name][0])
    build = _pins(BUILD_LOCK)
    for text in project["build-system"]["requires"]:
        requirement = Requirement(text)
        assert requirement.specifier.contains(build[canonicalize_name(requirement.name)][0])


def test_lock_is_closed_under_the_dependencies_of_what_it_pins() -> None:
    """Each pinned package's own requirements are pinned too (checked where that version is installed)."""
    pins = _pins(LOCK)
    checked = 0
    for name, (version, _) in pins.items():
        try:
            installed = distribution(name)
        except PackageNotFoundError:
            continue
        if installed.version != version:
            continue
        checked += 1
        for text in installed.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            needed = canonicalize_name(requirement.name)
            assert needed in pins, f"{name}=={version} needs {text}, which requirements.lock does not pin"
            assert requirement.specifier.contains(pins[needed][0], prereleases=True), (name, text)
    assert checked, "no pinned version is installed here: regenerate requirements.lock from the venv"


def _fake_engine(directory: Path, name: str, daemon: bool) -> Path:
    log = directory / f"{name}.log"
    script = directory / name
    script.write_text(
        f'#!/bin/sh\necho "$@" >> "{log}"\nif [ "$1" = info ]; then exit {0 if daemon else 1}; fi\nexit 0\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def _make_image(engines: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "image", f"CONTAINER_ENGINES={' '.join(map(str, engines))}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_make_image_without_a_daemon_says_so_and_succeeds(tmp_path: Path) -> None:
    docker = _fake_engine(tmp_path, "docker", daemon=False)
    done = _make_image([docker, tmp_path / "podman-not-installed"])
    assert done.returncode == 0, done.stderr
    assert "no container engine with a running daemon" in done.stdout
    assert (tmp_path / "docker.log").read_text(encoding="utf-8").split() == ["info"]


@pytest.mark.parametrize("daemon_on", ["docker", "podman"])
def test_make_image_builds_with_the_first_engine_whose_daemon_answers(tmp_path: Path, daemon_on: str) -> None:
    engines = [_fake_engine(tmp_path, name, daemon=name == daemon_on) for name in ("docker", "podman")]
    done = _make_image(engines)
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / f"{daemon_on}.log").read_text(encoding="utf-8").splitlines()
    assert calls == ["info", f"build --tag auditor:{__version__} --file Dockerfile ."]
