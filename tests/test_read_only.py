"""A replayed audit sends only GETs, and only to the read paths docs/collection.md documents."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from auditor.collect.cassettes import replaying
from auditor.collect.clients import CallCounter, FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.rules.reads_needed import READS_NEEDED
from tests.support.paths import REPO

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

_SUB = r"/subscriptions/[0-9a-f-]{36}"
_RG = _SUB + r"/resourceGroups/[^/]+"
_SITE = _RG + r"/providers/Microsoft\.Web/sites/[^/]+(?:/slots/[^/]+)?"
WEB_API = "2025-05-01"
NETWORK_API = "2026-03-01"

# Every read path of docs/collection.md, with the api-version its SDK sends.
DOCUMENTED_READS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern + "$", re.IGNORECASE), api)
    for pattern, api in (
        (_SUB + r"/providers/Microsoft\.Web/sites", WEB_API),
        (_SUB + r"/providers/Microsoft\.Web/serverfarms", WEB_API),
        (_SUB + r"/providers/Microsoft\.Web/hostingEnvironments", WEB_API),
        (_RG + r"/providers/Microsoft\.Web/sites", WEB_API),
        (_SITE + r"/config/web", WEB_API),
        (_SITE + r"/functions", WEB_API),
        (_SITE + r"/virtualNetworkConnections", WEB_API),
        (_SITE + r"/hybridConnectionRelays", WEB_API),
        (_RG + r"/providers/Microsoft\.Web/serverfarms/[^/]+/hybridConnectionRelays", WEB_API),
        (_SUB + r"/providers/Microsoft\.Network/virtualNetworks", NETWORK_API),
        (_SUB + r"/providers/Microsoft\.Network/networkSecurityGroups", NETWORK_API),
        (_SUB + r"/providers/Microsoft\.Network/routeTables", NETWORK_API),
        (_SUB + r"/providers/Microsoft\.Network/natGateways", NETWORK_API),
        (_SUB + r"/providers/Microsoft\.Network/privateEndpoints", NETWORK_API),
        (_RG + r"/providers/Microsoft\.Network/virtualNetworks/[^/]+/subnets/[^/]+", NETWORK_API),
    )
)

CASSETTES = sorted(REPO.glob("cassettes/*/arm.yaml"))


def _interactions(path: Path) -> list[dict[str, object]]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    interactions = loaded["interactions"]
    assert isinstance(interactions, list)
    return interactions


def test_there_are_cassettes_to_check() -> None:
    assert REPO / "cassettes" / "demo" / "arm.yaml" in CASSETTES


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda path: path.parent.name)
def test_cassettes_hold_only_gets_to_documented_read_paths(cassette: Path) -> None:
    for interaction in _interactions(cassette):
        request = interaction["request"]
        assert isinstance(request, dict)
        assert request["method"] == "GET", request["uri"]
        url = urlsplit(str(request["uri"]))
        assert url.scheme == "https" and url.netloc == "management.azure.com", request["uri"]
        matches = [api for pattern, api in DOCUMENTED_READS if pattern.match(url.path)]
        assert matches, f"undocumented read path {url.path}"
        assert parse_qs(url.query).get("api-version") == [matches[0]], request["uri"]
        assert not re.search(r"/list[A-Za-z]*$|/listkeys|/register", url.path, re.IGNORECASE)


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda path: path.parent.name)
def test_replayed_audit_plays_every_recorded_read_and_nothing_else(cassette: Path) -> None:
    counter = CallCounter()
    with replaying(cassette.parent) as played:
        inventory = collect_inventory(
            [SUBSCRIPTION], FakeCredential(), reads_needed=READS_NEEDED, counter=counter
        )
    # Every request the audit sent was answered from the cassette (a miss raises),
    # and every recorded read was asked for: the collector makes exactly these calls.
    assert played.all_played, "the cassette holds reads the collector no longer makes"
    assert inventory.arm_calls == len(_interactions(cassette))
