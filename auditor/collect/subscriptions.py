"""Every subscription the credential can read, listed through the SDK (``GET /subscriptions``).

Used by ``--all-subscriptions``. The client gets the same read-only, counted pipeline as the
collector's clients. A subscription ARM lists as Disabled or Deleted is not audited: it becomes
a failed scan (a gap for that subscription) so the run goes on and says it could not vouch.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from azure.core.credentials import TokenCredential
from azure.mgmt.resource.subscriptions import SubscriptionClient
from azure.mgmt.resource.subscriptions import __version__ as SUBSCRIPTIONS_SDK_VERSION
from vcr.errors import CannotOverwriteExistingCassetteException

from auditor.collect.clients import (
    ARM_ENDPOINT,
    TRANSPORT_TIMEOUTS,
    ArmPacer,
    CallCounter,
    build_pipeline_policies,
)
from auditor.collect.errors import ReadOnlyViolation, ReplayMiss
from auditor.model import Inventory, SubscriptionScan

__all__ = ["ListedSubscription", "list_subscriptions", "with_unaudited"]

# States in which ARM still serves reads of the subscription's resources.
AUDITABLE_STATES = frozenset({"enabled", "warned", "pastdue"})


@dataclass(frozen=True)
class ListedSubscription:
    id: str
    display_name: str | None
    state: str | None

    @property
    def auditable(self) -> bool:
        return (self.state or "").lower() in AUDITABLE_STATES


def list_subscriptions(
    credential: TokenCredential,
    counter: CallCounter,
    *,
    base_url: str = ARM_ENDPOINT,
    transport: Any = None,
    pacer: ArmPacer | None = None,
) -> list[ListedSubscription]:
    """The subscriptions ARM lists for this credential, sorted by id (pages followed).

    Errors propagate: without the list there is no scope to audit.
    """
    kwargs: dict[str, Any] = {"transport": transport} if transport is not None else dict(TRANSPORT_TIMEOUTS)
    client = SubscriptionClient(
        credential,
        base_url=base_url,
        policies=build_pipeline_policies(
            credential,
            counter,
            sdk_moniker=f"mgmt-resource-subscriptions/{SUBSCRIPTIONS_SDK_VERSION}",
            base_url=base_url,
            pacer=pacer,
        ),
        **kwargs,
    )
    try:
        listed = {
            str(item.subscription_id).lower(): ListedSubscription(
                id=str(item.subscription_id).lower(),
                display_name=item.display_name,
                state=_state(item.state),
            )
            for item in client.subscriptions.list()
            if item.subscription_id
        }
    except Exception as error:
        _raise_wrapped(error)
        raise
    finally:
        client.close()
    return [listed[key] for key in sorted(listed)]


def _state(value: Any) -> str | None:
    # The SDK's enums subclass str, but str() of one is "SubscriptionState.ENABLED".
    if value is None:
        return None
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


def _raise_wrapped(error: BaseException) -> None:
    """azure-core wraps transport errors; a refused write or a replay miss must surface as itself."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ReadOnlyViolation):
            raise current
        if isinstance(current, CannotOverwriteExistingCassetteException):
            failed = current.failed_request
            raise ReplayMiss(f"{failed.method} {failed.uri}: no recording in the cassette") from error
        inner = getattr(current, "inner_exception", None)
        pending += [
            link
            for link in (current.__cause__, current.__context__, inner)
            if isinstance(link, BaseException)
        ]


def with_unaudited(inventory: Inventory, skipped: Sequence[ListedSubscription]) -> Inventory:
    """The inventory plus a failed scan for each listed subscription that was not audited."""
    scans = tuple(
        SubscriptionScan(
            id=subscription.id,
            status="error",
            error=f"subscription is {subscription.state or 'in no known state'}: its resources were not read",
        )
        for subscription in skipped
    )
    return replace(inventory, subscriptions=inventory.subscriptions + scans)
