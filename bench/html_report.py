"""Benchmark of the HTML report at scale: a synthetic 5,000-resource result.

``python -m bench.html_report [COUNT]`` prints the HTML size in bytes and the
time to render it (first render, which compiles the template, and the best of
the next three).
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
HOSTING_PLANS = (
    ("consumption", "Y1", "Dynamic"),
    ("flex_consumption", "FC1", "FlexConsumption"),
    ("premium", "EP1", "ElasticPremium"),
    ("dedicated", "P1v3", "PremiumV3"),
    ("ase", "I1v2", "IsolatedV2"),
    ("container_apps", None, None),
)
INBOUND = ("public", "restricted", "private", "internal", "unknown")
OUTBOUND = ("controlled", "uncontrolled", "unknown")
RULES = (
    ("risk/public-unrestricted", "risk", "high"),
    ("risk/scm-unrestricted", "risk", "high"),
    ("risk/shadowed-access-rule", "risk", "medium"),
    ("risk/frontdoor-without-fdid", "risk", "medium"),
    ("risk/route-all-disabled", "risk", "medium"),
    ("risk/outbound-uncontrolled", "risk", "low"),
    ("risk/hybrid-connection-endpoint", "risk", "info"),
    ("drift/vnet-integration-unsupported", "drift", "high"),
    ("drift/private-endpoint-unsupported", "drift", "high"),
    ("drift/integration-subnet-invalid", "drift", "medium"),
    ("drift/gateway-integration-retiring", "drift", "low"),
)


def _access_rules(rng: random.Random, count: int) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for position in range(count):
        allow_all = position == count - 1 and rng.random() < 0.3
        rules.append(
            {
                "position": position,
                "name": f"rule-{position}",
                "action": "Allow" if rng.random() < 0.8 else "Deny",
                "priority": 100 + 10 * rng.randrange(20),
                "ip_address": "Any" if allow_all else f"10.{rng.randrange(256)}.{rng.randrange(256)}.0/24",
                "tag": "Default",
                "vnet_subnet_resource_id": None,
                "headers": {},
                "description": f"synthetic rule {position}",
                **({"deciding": True} if allow_all else {}),
            }
        )
    return rules


def synthetic_result(resource_count: int = 5000, seed: int = 2026, subscriptions: int = 1) -> dict[str, Any]:
    """A canonical result (output.md shape) with ``resource_count`` apps and ~3 findings each.

    The apps are dealt round-robin over ``subscriptions`` subscriptions (the first is SUBSCRIPTION).
    """
    rng = random.Random(seed)
    subscription_ids = [SUBSCRIPTION[:-4] + f"{number:04d}" for number in range(subscriptions)]
    resources: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for index in range(resource_count):
        hosting, sku, tier = HOSTING_PLANS[index % len(HOSTING_PLANS)]
        group = f"rg-team-{index % 40:02d}"
        name = f"fa-synthetic-{index:05d}"
        subscription = subscription_ids[index % subscriptions]
        site_id = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Web/sites/{name}"
        inbound = rng.choice(INBOUND)
        resources.append(
            {
                "id": site_id,
                "name": name,
                "slot": None,
                "resource_group": group,
                "location": rng.choice(("westeurope", "northeurope", "eastus")),
                "kind": "functionapp,linux" if index % 2 else "functionapp",
                "os": "linux" if index % 2 else "windows",
                "hosting": hosting,
                "plan": None if sku is None else {"id": f"{site_id}-plan", "sku": sku, "tier": tier},
                "inbound": {"main": inbound, "scm": rng.choice(INBOUND)},
                "outbound": rng.choice(OUTBOUND),
                "vnet_integration": {
                    "kind": "regional",
                    "subnet_id": f"{site_id}-subnet",
                    "route_all": False,
                },
                "private_endpoints": [{"id": f"{site_id}-pe", "status": "Approved"}]
                if index % 7 == 0
                else [],
                "hybrid_connections": [],
                "access_rules": {"main": _access_rules(rng, rng.randrange(6)), "scm": []},
                "inbound_detail": {
                    "main": {"verdict": inbound, "reason": "synthetic", "deciding_rule": None}
                },
                "functions": [
                    {"name": f"fn{number}", "triggers": [{"type": "httpTrigger", "auth_level": "function"}]}
                    for number in range(1 + index % 3)
                ],
                "tags": {"team": group, "env": rng.choice(("prod", "test"))},
            }
        )
        for rule_id, category, severity in rng.sample(RULES, rng.randrange(6)):
            findings.append(
                {
                    "rule_id": rule_id,
                    "category": category,
                    "severity": severity,
                    "status": "unknown" if rng.random() < 0.05 else "fail",
                    "resource_id": site_id,
                    "title": rule_id,
                    "message": f"{rule_id} on {name}",
                    "evidence": {"hosting": hosting, "inbound": inbound},
                    "reference": {
                        "edition": "2026-09",
                        "doc": "functions-networking-options.md",
                        "section": "x",
                    },
                    "remediation": "synthetic",
                    "fingerprint": f"{index:08x}{len(findings):08x}",
                }
            )
    return {
        "schema_version": 1,
        "tool": {"name": "auditor", "version": "bench"},
        "edition": "2026-09",
        "started_at": "2026-10-01T00:00:00Z",
        "finished_at": "2026-10-01T00:10:00Z",
        "subscriptions": [
            {"id": subscription, "status": "ok", "error": None} for subscription in subscription_ids
        ],
        "resources": resources,
        "findings": findings,
        "gaps": [],
        "summary": {"resources": resource_count, "by_severity": {}, "by_hosting": {}},
    }


def measure(resource_count: int = 5000) -> dict[str, float]:
    from auditor.report import html

    result = synthetic_result(resource_count)
    started = time.perf_counter()
    document = html.render(result)
    first = time.perf_counter() - started
    warm = []
    for _ in range(3):
        started = time.perf_counter()
        html.render(result)
        warm.append(time.perf_counter() - started)
    return {
        "resources": resource_count,
        "findings": len(result["findings"]),
        "bytes": len(document.encode("utf-8")),
        "first_render_s": first,
        "render_s": min(warm),
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    figures = measure(int(args[0]) if args else 5000)
    print(
        f"html report: {figures['resources']:.0f} resources, {figures['findings']:.0f} findings, "
        f"{figures['bytes']:.0f} bytes ({figures['bytes'] / 1_048_576:.1f} MiB), "
        f"first render {figures['first_render_s']:.2f} s, render {figures['render_s']:.2f} s (best of 3)"
    )


if __name__ == "__main__":
    main()
