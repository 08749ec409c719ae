"""Baseline policy: validation that names the line, and policy/<name> drift findings from the demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.policy import PolicyError, load_policy
from tests.schedule_support import DAY1, EXAMPLES, ORDERS, audit, load


def _policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("requirements:\n  - name: a\n    require:\n      inbund: private\n", 4, "unknown key 'inbund'"),
        ("requirements:\n  - name: a\n    require:\n      inbound: open\n", 4, "'open' is not one of"),
        ("requirements:\n  - name: a\n    require:\n      min_tls: 2\n", 4, "TLS version"),
        ("requirements:\n  - name: a\n    require:\n      route_all: false\n", 4, "can only require true"),
        (
            "requirements:\n  - name: a\n    require:\n      hybrid_connections: true\n",
            4,
            "can only be false",
        ),
        (
            "requirements:\n  - name: a\n    severity: urgent\n    require: {outbound: controlled}\n",
            3,
            "severity",
        ),
        ("requirements:\n  - name: Bad Name\n    require: {outbound: controlled}\n", 2, "must be lowercase"),
        ("requirements:\n  - require: {outbound: controlled}\n", 2, "missing required key 'name'"),
        (
            "requirements:\n  - name: a\n    require: {outbound: controlled}\n"
            "  - name: a\n    require: {outbound: controlled}\n",
            4,
            "defined twice (first on line 2)",
        ),
        (
            "requirements:\n  - name: a\n    scope: {resource_group: x}\n"
            "    require: {outbound: controlled}\n",
            3,
            "unknown key 'resource_group'",
        ),
        ("requirements:\n  - name: a\n    require: [inbound]\n", 3, "must be a mapping"),
        ("version: 2\nrequirements: []\n", 1, "version must be 1"),
        ("requirements:\n  - name: a\n    require: {inbound: private\n", 4, "not valid YAML"),
    ],
)
def test_a_bad_policy_names_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = _policy(tmp_path, text)
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert f"{path}:{line}:" in str(error.value)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_the_example_policy_is_valid() -> None:
    policy = load_policy(EXAMPLES / "policy.yaml")
    assert {requirement.name for requirement in policy.requirements} >= {"scm-not-public", "tls-1-2"}


def test_bad_policy_is_exit_2_before_any_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _policy(tmp_path, "requirements:\n  - name: a\n    require:\n      inbund: private\n")
    saved = tmp_path / "result.json"
    assert audit(DAY1, "--policy", str(path), "--save", str(saved)) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(err) == 1 and f"{path}:4:" in err[0]
    assert not saved.exists()


def test_policy_findings_carry_requirement_and_live_value(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        "version: 1\nrequirements:\n"
        "  - name: premium-private\n    severity: high\n"
        "    scope: {resource_groups: [rg-contoso-premium], names: ['func-*']}\n"
        "    require: {inbound: [private, internal], min_tls: '1.2'}\n"
        "  - name: no-consumption\n    scope: {subscriptions: ['00000000-0000-0000-0000-000000000000']}\n"
        "    require: {hosting: [premium, dedicated, ase, flex_consumption]}\n"
        "  - name: tagged-only\n    scope: {tags: {env: prod}}\n    require: {outbound: controlled}\n",
    )
    saved = tmp_path / "result.json"
    assert audit(DAY1, "--policy", str(policy), "--save", str(saved), "--fail-on", "never") == 0
    result = load(saved)
    policy_findings = [f for f in result["findings"] if f["rule_id"].startswith("policy/")]
    by_rule: dict[str, list[dict[str, object]]] = {}
    for finding in policy_findings:
        by_rule.setdefault(str(finding["rule_id"]), []).append(finding)
    # func-reporting is public on a Premium plan; func-orders is private and passes.
    reporting = next(
        f for f in by_rule["policy/premium-private"] if str(f["resource_name"]) == "func-reporting"
    )
    assert (
        reporting["category"] == "drift" and reporting["severity"] == "high" and reporting["status"] == "fail"
    )
    assert reporting["evidence"] == {
        "requirement": {"inbound": ["internal", "private"], "min_tls": "1.2"},
        "live": {"inbound": "public", "min_tls": {"minTlsVersion": "1.2", "scmMinTlsVersion": "1.2"}},
    }
    assert all(f["resource_id"] != ORDERS for f in by_rule["policy/premium-private"])
    # Scope by resource group: nothing outside rg-contoso-premium is judged by that requirement.
    assert all(
        "/resourceGroups/rg-contoso-premium/" in str(f["resource_id"])
        for f in by_rule["policy/premium-private"]
    )
    consumption = {str(f["resource_name"]) for f in by_rule["policy/no-consumption"]}
    assert "func-webhooks-cons" in consumption and "func-orders" not in consumption
    assert "policy/tagged-only" not in by_rule  # no demo app carries the tag
    assert result["policy"]["requirements"] == ["premium-private", "no-consumption", "tagged-only"]
    assert result["summary"]["by_category"]["drift"] >= len(
        [f for f in policy_findings if f["status"] == "fail"]
    )


def test_the_severity_of_a_policy_finding_comes_from_the_policy(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path, "requirements:\n  - name: tls\n    severity: info\n    require: {min_tls: '1.3'}\n"
    )
    saved = tmp_path / "r.json"
    audit(DAY1, "--policy", str(policy), "--save", str(saved), "--fail-on", "never")
    findings = [f for f in load(saved)["findings"] if f["rule_id"] == "policy/tls"]
    assert len(findings) == 35  # every app and slot: none requires TLS 1.3
    assert {f["severity"] for f in findings} == {"info"}
