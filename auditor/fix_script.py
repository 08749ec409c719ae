"""`auditor fix`: a reviewable script of the fixes in a saved result. The auditor never runs it.

Each argument of a fix's argv is quoted for the target shell so that it reaches ``az`` as exactly
one argument and nothing in it executes: POSIX single quotes (:func:`shlex.quote`) for bash,
PowerShell single quotes with embedded quotes doubled; control characters as escapes, never raw.
Comments carry resource names through :func:`printable`, so a newline in a name cannot end the
comment and start a command.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.counts import counts_as_failing
from auditor.fixes import finding_fix
from auditor.report.common import printable

SHELLS = ("bash", "powershell")


def _escaped(ch: str) -> str:
    # UTF-8 bytes as \xHH: bash decodes \u escapes only in a UTF-8 locale, bytes in any.
    return "".join(f"\\x{byte:02x}" for byte in ch.encode("utf-8"))


def bash_quote(argument: str) -> str:
    """One bash word that is exactly ``argument``.

    Printable text gets POSIX single quotes (:func:`shlex.quote`); text with control or other
    non-printable characters gets ANSI-C quoting (``$'…\\x1b…'``), so an escape sequence or a
    newline in a hostile name is shown as an escape, never sent raw to the reader's terminal.
    """
    if argument.isprintable():
        return shlex.quote(argument)
    body = "".join(
        "\\\\" if ch == "\\" else "\\'" if ch == "'" else ch if ch.isprintable() else _escaped(ch)
        for ch in argument
    )
    return f"$'{body}'"


def powershell_quote(argument: str) -> str:
    """One PowerShell argument that is exactly ``argument``: single quotes, embedded quotes doubled.

    PowerShell also takes the typographic single quotes as quote characters, so they are doubled
    too. Non-printable characters are joined in as ``[char]0x…`` so none reaches the terminal raw.
    """
    pieces: list[str] = []
    literal: str | None = None
    for ch in argument:
        if ch.isprintable():
            literal = (literal or "") + (ch * 2 if ch in "'\u2018\u2019\u201a\u201b" else ch)
            continue
        if literal is not None:
            pieces.append(f"'{literal}'")
            literal = None
        # ConvertFromUtf32 returns a string (a [char] sum would be a number) and covers every code point.
        pieces.append(f"[char]::ConvertFromUtf32(0x{ord(ch):x})")
    if literal is not None or not pieces:
        pieces.append(f"'{literal or ''}'")
    return pieces[0] if len(pieces) == 1 and pieces[0].startswith("'") else "(" + " + ".join(pieces) + ")"


# The one flag of the generated commands that takes no value.
_SWITCHES = frozenset({"--force-string"})


def argv_for_shell(command: Sequence[str]) -> list[str]:
    """The argv as it should reach az: a value starting with ``-`` joins its flag (``--name=-x``).

    Otherwise az would read a hostile name such as ``--debug`` as a flag of its own. Every
    generated flag but :data:`_SWITCHES` takes a value, so the item after it is its value.
    """
    out: list[str] = []
    arguments = iter(command)
    for item in arguments:
        if not item.startswith("--") or item in _SWITCHES:
            out.append(item)
            continue
        value = next(arguments, None)
        if value is None:
            out.append(item)
        elif value.startswith("-"):
            out.append(f"{item}={value}")
        else:
            out += [item, value]
    return out


def command_line(command: Sequence[str], shell: str = "bash") -> str:
    """One command, quoted for ``shell`` (bash or powershell)."""
    arguments = argv_for_shell(command)
    if shell == "powershell":
        return "& " + " ".join(powershell_quote(argument) for argument in arguments)
    return " ".join(bash_quote(argument) for argument in arguments)


def display_commands(fix: Mapping[str, Any], shell: str = "bash") -> str:
    """The fix's commands, one per line, as a user copies them."""
    return "\n".join(command_line(command, shell) for command in fix.get("commands") or [])


def _comment(text: str) -> str:
    return "# " + printable(text)


_HEADERS = {
    "bash": [
        "#!/usr/bin/env bash",
        "# Fixes proposed by auditor for the failing findings of {source}.",
        "# REVIEW EVERY BLOCK BEFORE RUNNING: each one changes a live Azure resource, and some cut off",
        "# callers (see the caution lines). The auditor never runs this script.",
        "set -euo pipefail",
    ],
    "powershell": [
        "# Fixes proposed by auditor for the failing findings of {source}.",
        "# REVIEW EVERY BLOCK BEFORE RUNNING: each one changes a live Azure resource, and some cut off",
        "# callers (see the caution lines). The auditor never runs this script.",
        "Set-StrictMode -Version Latest",
        "$ErrorActionPreference = 'Stop'",
        "$PSNativeCommandUseErrorActionPreference = $true",
    ],
}


def selected_findings(
    result: Mapping[str, Any], rules: Sequence[str] | None, resource_group: str | None
) -> list[Mapping[str, Any]]:
    """Failing, unwaived findings of the chosen rules and resource group, in the result's order."""
    wanted_rules = {rule.lower() for rule in rules} if rules else None
    chosen = []
    for finding in result.get("findings") or []:
        if not counts_as_failing(finding):
            continue
        if wanted_rules is not None and str(finding.get("rule_id", "")).lower() not in wanted_rules:
            continue
        if resource_group is not None and _resource_group(finding).lower() != resource_group.lower():
            continue
        chosen.append(finding)
    return chosen


def _resource_group(finding: Mapping[str, Any]) -> str:
    parts = str(finding.get("resource_id") or "").split("/")
    lowered = [part.lower() for part in parts]
    if "resourcegroups" in lowered:
        index = lowered.index("resourcegroups")
        if index + 1 < len(parts):
            return parts[index + 1]
    return ""


def render_script(
    result: Mapping[str, Any],
    *,
    source: str,
    shell: str = "bash",
    rules: Sequence[str] | None = None,
    resource_group: str | None = None,
) -> str:
    """The script text: header, one block per finding with a fix, then the findings without one."""
    lines = [line.format(source=printable(source)) for line in _HEADERS[shell]]
    without: list[Mapping[str, Any]] = []
    blocks = 0
    for finding in selected_findings(result, rules, resource_group):
        fix = finding_fix(finding)
        if not fix or not fix.get("commands"):
            without.append(finding)
            continue
        blocks += 1
        lines += [
            "",
            _comment(f"[{blocks}] {finding.get('rule_id')} ({finding.get('severity')})"),
            _comment(f"resource: {finding.get('resource_id')}"),
            _comment(f"why: {finding.get('message') or finding.get('title')}"),
            _comment(f"fix: {fix.get('summary')}"),
        ]
        if fix.get("caution"):
            lines.append(_comment(f"caution: {fix['caution']}"))
        lines += [command_line(command, shell) for command in fix["commands"]]
    if blocks == 0:
        lines += ["", _comment("No selected failing finding has a runnable fix.")]
    if without:
        lines += [
            "",
            _comment("Failing findings without a single-command fix (their remedy is a design change):"),
        ]
        for finding in without:
            lines.append(_comment(f"  {finding.get('rule_id')} on {finding.get('resource_id')}"))
            lines.append(_comment(f"    {finding.get('remediation') or finding.get('title')}"))
    return "\n".join(lines) + "\n"
