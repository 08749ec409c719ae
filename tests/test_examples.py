"""examples/: the files parse, and every auditor command in them uses flags that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.cli_parser import build_parser
from tests.schedule_support import EXAMPLES
from tests.support.paths import REPO


def _auditor_commands(shell: str) -> list[list[str]]:
    """Every `auditor …` command in a shell snippet, continuation lines joined, variables kept."""
    joined = re.sub(r"\\\n\s*", " ", shell)
    commands = []
    for line in joined.splitlines():
        for part in re.split(r"&&|\|\||;", line):
            words = shlex.split(part.split(">>")[0].strip(), comments=True)
            for index, word in enumerate(words):
                if word == "auditor" or word.endswith("bin/auditor"):
                    commands.append(words[index + 1 :])
                    break
    return commands


def _parses(arguments: list[str]) -> None:
    try:
        build_parser().parse_args(arguments)
    except SystemExit as error:  # argparse exits on an unknown flag or bad value
        pytest.fail(f"`auditor {' '.join(arguments)}` does not parse (exit {error.code})")


def test_cron_line() -> None:
    lines = [line for line in (EXAMPLES / "cron").read_text(encoding="utf-8").splitlines() if line.strip()]
    entries = [line for line in lines if not line.startswith("#") and "=" not in line.split()[0]]
    assert len(entries) == 1
    fields = entries[0].split(maxsplit=5)
    assert len(fields) == 6 and fields[:5] == ["30", "2", "*", "*", "*"]
    (command,) = _auditor_commands(fields[5])
    _parses(command)
    assert command[0] == "audit" and "--fail-on-new" in command and "--log-format" in command


def _workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load((EXAMPLES / "github-actions" / "nightly-audit.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_github_actions_workflow() -> None:
    workflow = _workflow()
    # PyYAML reads the bare key `on` as True (YAML 1.1); GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    assert triggers is not None
    assert triggers["schedule"][0]["cron"] == "30 2 * * *"
    assert workflow["permissions"]["id-token"] == "write"  # OIDC federated credential
    steps = workflow["jobs"]["audit"]["steps"]
    login = next(step for step in steps if str(step.get("uses", "")).startswith("azure/login@"))
    assert set(login["with"]) >= {"client-id", "tenant-id"} and "client-secret" not in login["with"]
    commands = [command for step in steps if "run" in step for command in _auditor_commands(step["run"])]
    assert {command[0] for command in commands} == {"audit", "report", "diff"}
    for command in commands:
        _parses(command)
    uploaded = next(
        step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact@")
    )
    paths = uploaded["with"]["path"]
    assert "reports/auditor.sarif" in paths and "reports/auditor.html" in paths
    assert uploaded["if"] == "always()"
    audit = next(command for command in commands if command[0] == "audit")
    assert audit[audit.index("--format") + 1] == "sarif" and "--all-subscriptions" in audit
    for name in ("examples/policy.yaml", "examples/waivers.yaml"):
        assert name in audit and (REPO / name).is_file()


def test_kubernetes_cronjob_with_workload_identity() -> None:
    documents = list(
        yaml.safe_load_all((EXAMPLES / "kubernetes" / "cronjob.yaml").read_text(encoding="utf-8"))
    )
    kinds = {document["kind"]: document for document in documents}
    assert set(kinds) == {"ServiceAccount", "PersistentVolumeClaim", "CronJob"}
    account = kinds["ServiceAccount"]
    assert "azure.workload.identity/client-id" in account["metadata"]["annotations"]
    job = kinds["CronJob"]["spec"]
    pod = job["jobTemplate"]["spec"]["template"]
    assert pod["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    assert pod["spec"]["serviceAccountName"] == account["metadata"]["name"]
    (container,) = pod["spec"]["containers"]
    command = container["command"]
    assert command[0] == "auditor"
    _parses(command[1:])
    store = command[command.index("--store") + 1]
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert str(Path(store).parent) in mounts


def test_examples_are_the_files_the_readme_names() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path in (
        "examples/cron",
        "examples/github-actions/nightly-audit.yml",
        "examples/kubernetes/cronjob.yaml",
    ):
        assert path in readme and (REPO / path).is_file()
