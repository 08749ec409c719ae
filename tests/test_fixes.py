"""Fixes: every generated az command uses documented flags, and hostile names stay one inert argument."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.fix_script import argv_for_shell, command_line, render_script
from auditor.fixes import FIXABLE_RULES, fix_for
from auditor.rules.catalogue import RULES
from tests.support.paths import REPO

HELP_TABLE = json.loads((REPO / "tests" / "data" / "az-cli-parameters.json").read_text(encoding="utf-8"))
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
SITE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-app/providers/Microsoft.Web/sites/func-a"
SLOT = f"{SITE}/slots/staging"
CONNECTION = f"{SITE}/privateEndpointConnections/pe-conn"

# Evidence that makes each fixable rule produce its fix (the shapes the rules write).
EVIDENCE: dict[str, list[dict[str, Any]]] = {
    "risk/public-unrestricted": [
        {"reason": "no-rules", "deciding_rule": None},
        {"reason": "allow-all-rule", "deciding_rule": {"name": "Allow all", "ip_address": "Any"}},
    ],
    "risk/scm-unrestricted": [{"reason": "default-allow"}],
    "risk/private-endpoint-bypassed": [{"public_network_access": "Enabled"}],
    "risk/private-endpoint-not-approved": [
        {
            "connections": [
                {"id": CONNECTION, "status": "Pending"},
                {"id": f"{CONNECTION}-old", "status": "Disconnected"},
            ]
        }
    ],
    "risk/route-all-disabled": [{"vnet_integration": "regional"}],
    "risk/https-only-disabled": [{"httpsOnly": False}],
    "risk/tls-below-1.2": [{"minTlsVersion": "1.0", "scmMinTlsVersion": "1.1"}],
    "risk/ftp-allowed": [{"ftpsState": "AllAllowed"}],
    "risk/remote-debugging-enabled": [{"remoteDebuggingEnabled": True}],
    "risk/cors-wildcard": [{"cors.allowedOrigins": ["*"]}],
    "drift/vnet-trigger-unsupported": [{"functionsRuntimeScaleMonitoringEnabled": False}],
}

HOSTILE_NAMES = [
    "it's",
    'say "hi"',
    "$(touch PWNED-subshell)",
    "`touch PWNED-backtick`",
    "a b\tc",
    "line1\nline2",
    "x; touch PWNED-semicolon",
    "--debug",
    "-n",
    "$HOME ${PATH} $((1+1))",
    "a'; touch PWNED-quote; echo '",
    "&& | > < * ? [a] ~ ! # %",
    "\u2019smart\u2018 quotes",
    "\x1b[2J\x1b[31mred\x07",
    "nel\x85 ls\u2028 ps\u2029 zw\u200b",
    "back\\slash\\'",
]


def _az_command(argv: Sequence[str]) -> tuple[str, list[str]]:
    """The command name (tokens before the first flag) and the flags an argv uses."""
    assert argv[0] == "az"
    name_parts: list[str] = []
    flags: list[str] = []
    for item in argv:
        if item.startswith("--"):
            flags.append(item.split("=", 1)[0])
        elif not flags:
            name_parts.append(item)
    return " ".join(name_parts), flags


def _synthetic_fixes() -> Iterator[tuple[str, dict[str, Any]]]:
    for rule_id, evidences in EVIDENCE.items():
        for resource_id in (SITE, SLOT):
            for evidence in evidences:
                fix = fix_for(rule_id, "fail", resource_id, evidence)
                assert fix is not None, (rule_id, resource_id, evidence)
                yield rule_id, fix


def _audit(tmp_path: Path, cassette: str) -> dict[str, Any]:
    saved = tmp_path / f"{cassette}.json"
    replay = ["audit", "--subscription", SUBSCRIPTION, "--replay", str(REPO / "cassettes" / cassette)]
    code = main(
        [
            *replay,
            "--save",
            str(saved),
            "--format",
            "json",
            "--output",
            str(tmp_path / "out.json"),
            "--fail-on",
            "never",
        ]
    )
    assert code == 0
    result: dict[str, Any] = json.loads(saved.read_text(encoding="utf-8"))
    return result


def test_every_fixable_rule_is_a_catalogue_rule() -> None:
    assert {rule.id for rule in RULES} >= FIXABLE_RULES
    assert set(EVIDENCE) == FIXABLE_RULES


def test_every_generated_flag_is_documented_for_its_command(tmp_path: Path) -> None:
    commands = [command for _, fix in _synthetic_fixes() for command in fix["commands"]]
    for cassette in ("demo", "hostile"):
        result = _audit(tmp_path, cassette)
        commands += [
            command
            for finding in result["findings"]
            for command in finding.get("fix", {}).get("commands", [])
        ]
    used: set[str] = set()
    for command in commands:
        name, flags = _az_command(argv_for_shell(command))
        assert name in HELP_TABLE["commands"], f"{name} is not in tests/data/az-cli-parameters.json"
        documented = set(HELP_TABLE["commands"][name]["parameters"])
        assert set(flags) <= documented, (name, sorted(set(flags) - documented))
        used.add(name)
    # The table records exactly the commands the fixes use, each with a public reference URL.
    assert used == set(HELP_TABLE["commands"])
    for entry in HELP_TABLE["commands"].values():
        assert entry["url"].startswith("https://learn.microsoft.com/cli/azure/")


def test_slots_are_addressed_with_slot_and_every_command_names_its_subscription() -> None:
    for _, fix in _synthetic_fixes():
        for command in fix["commands"]:
            if "--resource-group" in command:
                assert command[command.index("--subscription") + 1] == SUBSCRIPTION
    slot_fix = fix_for("risk/ftp-allowed", "fail", SLOT, {"ftpsState": "AllAllowed"})
    assert slot_fix is not None
    command = slot_fix["commands"][0]
    assert command[command.index("--slot") + 1] == "staging"
    assert command[command.index("--name") + 1] == "func-a"
    assert slot_fix["properties"][0]["resource_type"] == "Microsoft.Web/sites/slots/config"


def test_only_failing_findings_of_fixable_rules_get_a_fix(tmp_path: Path) -> None:
    result = _audit(tmp_path, "demo")
    with_fix = [finding for finding in result["findings"] if "fix" in finding]
    assert with_fix
    assert all(finding["status"] == "fail" and finding["rule_id"] in FIXABLE_RULES for finding in with_fix)
    assert fix_for("risk/ftp-allowed", "unknown", SITE, {}) is None
    assert fix_for("risk/outbound-uncontrolled", "fail", SITE, {}) is None  # a design change
    assert fix_for("risk/ftp-allowed", "fail", "/subscriptions/x/not-a-site", {}) is None


def test_design_changes_get_no_command() -> None:
    # An allow-all rule without a name cannot be removed by name; a network-side endpoint id
    # cannot be approved; a Premium plan without the setting problem is about the plan.
    assert (
        fix_for("risk/public-unrestricted", "fail", SITE, {"reason": "allow-all-rule", "deciding_rule": {}})
        is None
    )
    network_side = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe"
    assert (
        fix_for("risk/private-endpoint-not-approved", "fail", SITE, {"connections": [{"id": network_side}]})
        is None
    )
    assert fix_for("drift/vnet-trigger-unsupported", "fail", SITE, {"vnet_integration": "regional"}) is None


def _hostile_result() -> dict[str, Any]:
    findings = []
    for index, name in enumerate(HOSTILE_NAMES):
        site = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg {name}/providers/Microsoft.Web/sites/{name}"
        resource_id = f"{site}/slots/{name}" if index % 2 else site
        evidence = {"reason": "allow-all-rule", "deciding_rule": {"name": name}}
        findings.append(
            {
                "rule_id": "risk/public-unrestricted",
                "status": "fail",
                "severity": "high",
                "resource_id": resource_id,
                "message": f"hostile {name}",
                "evidence": evidence,
                "fix": fix_for("risk/public-unrestricted", "fail", resource_id, evidence),
            }
        )
    return {"findings": findings}


def _fake_az(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A PATH whose `az` records its argv as one JSON line and does nothing else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "az-argv.jsonl"
    fake = bin_dir / "az"
    fake.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        "with open(os.environ['FAKE_AZ_LOG'], 'a', encoding='utf-8') as log:\n"
        "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_AZ_LOG": str(log),
        "HOME": str(tmp_path),
    }
    return env, log


def _expected_argvs(result: Mapping[str, Any]) -> list[list[str]]:
    return [
        argv_for_shell(command)[1:]
        for finding in result["findings"]
        for command in finding["fix"]["commands"]
    ]


def _run_bash_script(script: str, tmp_path: Path) -> list[list[str]]:
    assert all(ch.isprintable() or ch == "\n" for ch in script), "a control character reached the script raw"
    path = tmp_path / "fix.sh"
    path.write_text(script, encoding="utf-8")
    subprocess.run(["bash", "-n", str(path)], check=True, capture_output=True)
    env, log = _fake_az(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    subprocess.run(["bash", str(path)], check=True, capture_output=True, env=env, cwd=work, timeout=60)
    assert not list(work.iterdir()), "the script created files: something executed"
    assert not list(tmp_path.glob("PWNED*"))
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_hostile_names_reach_az_as_exactly_one_argument_and_nothing_executes(tmp_path: Path) -> None:
    result = _hostile_result()
    script = render_script(result, source="hostile.json")
    assert _run_bash_script(script, tmp_path) == _expected_argvs(result)


def test_hostile_cassette_script_is_inert(tmp_path: Path) -> None:
    result = _audit(tmp_path, "hostile")
    with_fix = {"findings": [finding for finding in result["findings"] if "fix" in finding]}
    assert with_fix["findings"]
    script = render_script(result, source="hostile.json")
    assert _run_bash_script(script, tmp_path) == _expected_argvs(with_fix)


def test_a_name_that_looks_like_a_flag_stays_the_value_of_its_flag() -> None:
    assert argv_for_shell(
        ["az", "functionapp", "update", "--name", "--debug", "--set", "httpsOnly=true"]
    ) == [
        "az",
        "functionapp",
        "update",
        "--name=--debug",
        "--set",
        "httpsOnly=true",
    ]


def test_powershell_quoting_doubles_single_quotes_and_expands_nothing() -> None:
    line = command_line(
        ["az", "resource", "update", "--ids", "a'b $(x) `y` \u2019z", "--set", "p=1"], "powershell"
    )
    assert line == "& 'az' 'resource' 'update' '--ids' 'a''b $(x) `y` \u2019\u2019z' '--set' 'p=1'"
    escaped = command_line(["az", "resource", "update", "--ids", "\x1b[2J'\n"], "powershell")
    assert escaped.endswith("([char]::ConvertFromUtf32(0x1b) + '[2J''' + [char]::ConvertFromUtf32(0xa))")


def test_comments_cannot_be_broken_by_a_newline_in_a_name(tmp_path: Path) -> None:
    result = _hostile_result()
    script = render_script(result, source="x\ntouch PWNED-source\n$(touch PWNED-source2)")
    assert "# Fixes proposed by auditor for the failing findings of x\\x0atouch PWNED-source" in script
    assert _run_bash_script(script, tmp_path) == _expected_argvs(result)


def test_fix_command_filters_by_rule_and_resource_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _audit(tmp_path, "demo")
    capsys.readouterr()
    saved = tmp_path / "demo.json"
    assert main(["fix", str(saved), "--rule", "risk/ftp-allowed"]) == 0
    script = capsys.readouterr().out
    assert script.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in script
    assert "REVIEW" in script
    ftp = [f for f in result["findings"] if f["rule_id"] == "risk/ftp-allowed" and f["status"] == "fail"]
    assert script.count("--ftps-state Disabled") == len(ftp) > 0
    assert "--min-tls-version" not in script
    group = ftp[0]["resource_id"].split("/")[4]
    assert main(["fix", str(saved), "--rule", "risk/ftp-allowed", "--resource-group", group.upper()]) == 0
    narrowed = capsys.readouterr().out
    assert 0 < narrowed.count("--ftps-state") <= len(ftp)
    assert all(
        f"--resource-group {group}" in line for line in narrowed.splitlines() if line.startswith("az ")
    )
    assert main(["fix", str(saved), "--shell", "powershell", "--rule", "risk/ftp-allowed"]) == 0
    assert "$ErrorActionPreference = 'Stop'" in capsys.readouterr().out


def test_findings_without_a_command_are_listed_not_invented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _audit(tmp_path, "demo")
    capsys.readouterr()
    assert main(["fix", str(tmp_path / "demo.json"), "--rule", "risk/outbound-uncontrolled"]) == 0
    script = capsys.readouterr().out
    assert "No selected failing finding has a runnable fix." in script
    assert "risk/outbound-uncontrolled on /subscriptions/" in script
    assert not [line for line in script.splitlines() if line.startswith("az ")]


def test_fix_of_an_unreadable_result_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["fix", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_markdown_and_sarif_carry_the_fix_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    from auditor.report import render
    from auditor.report.fix_display import fix_text

    result = _audit(tmp_path, "demo")
    markdown = render(result, "markdown")
    assert "### Fixes" in markdown and "```bash" in markdown
    first = next(f for f in result["findings"] if fix_text(f))
    assert str(fix_text(first)).splitlines()[0] in markdown
    sarif = json.loads(render(result, "sarif"))
    schema = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    fixed = [r for r in sarif["runs"][0]["results"] if "fix" in r["properties"]]
    assert len(fixed) == sum(1 for f in result["findings"] if "fix" in f and not f.get("waived"))
    assert all(r["properties"]["fix"]["commands"][0].startswith("az ") for r in fixed)


def test_markdown_never_prints_a_hostile_command_raw() -> None:
    from auditor.report.markdown import render

    result = {"edition": "2026-09", "subscriptions": [], "resources": [], "gaps": [], **_hostile_result()}
    for finding in result["findings"]:
        finding["resource_id"] += "<script>x"
        finding["fix"] = fix_for("risk/ftp-allowed", "fail", finding["resource_id"], {})
    markdown = render(result)
    assert "<script" not in markdown and "\x1b" not in markdown
    assert "`auditor fix` prints it" in markdown
