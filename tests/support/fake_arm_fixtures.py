"""Fixtures for audits against a fake ARM (bench/fake_arm.py).

``point_cli_at_fake_arm``: :func:`bench.audit_fake.point_at` swaps the collector's entry point
and the live credential for ones aimed at the fake and trusts its CA through REQUESTS_CA_BUNDLE;
all three are recorded here first, so a later test signs in and collects for real again.

``fast_retries``: the SDK's RetryPolicy retries at once instead of backing off (0.8 s, doubling):
the fault tests count the retries, they need not wait them out.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from azure.core.pipeline.policies import RetryPolicy

from auditor import cli
from auditor.collect import inventory as inventory_module
from bench.audit_fake import READ_TIMEOUT, point_at

PointCli = Callable[..., None]


@pytest.fixture
def point_cli_at_fake_arm(monkeypatch: pytest.MonkeyPatch) -> PointCli:
    """``point(base_url, ca_file, read_timeout=READ_TIMEOUT)`` aims the CLI at a fake ARM for this test."""
    monkeypatch.setattr(inventory_module, "collect_inventory", inventory_module.collect_inventory)
    monkeypatch.setattr(cli, "_live_credential", cli._live_credential)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)

    def point(base_url: str, ca_file: str, read_timeout: float | None = READ_TIMEOUT) -> None:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
        point_at(base_url, ca_file, read_timeout)

    return point


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "get_backoff_time", lambda self, settings: 0.0)
