"""Run the auditor's command line against a fake ARM (bench/fake_arm.py) instead of Azure.

    python -m bench.audit_fake [--auditor-timeouts] BASE_URL CA_FILE audit --subscription ID ...

Only two things differ from a real run: the credential is a static token (no identity
endpoint to reach) and the ARM base URL is the fake's. Everything else, the SDK clients,
TLS (trusting the fake's CA through REQUESTS_CA_BUNDLE), the pacing, the evaluation and the
writing of results, is the normal live path. The fault tests drive it in a subprocess to
interrupt it with real signals. Reads time out after :data:`READ_TIMEOUT` seconds, unless
``--auditor-timeouts`` keeps the auditor's own (clients.READ_TIMEOUT_SECONDS).
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

READ_TIMEOUT = 2.0  # seconds: the fault tests' "slow" responses outlast it


def point_at(base_url: str, ca_file: str, read_timeout: float | None = READ_TIMEOUT) -> None:
    """Make ``auditor.cli`` audit the fake ARM at ``base_url`` with a static token.

    ``read_timeout``: seconds to wait for an answer; None keeps the auditor's own.
    """
    import auditor.cli as cli
    import auditor.collect.inventory as inventory
    from auditor.collect.clients import FakeCredential

    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    original = getattr(inventory.collect_inventory, "__wrapped__", inventory.collect_inventory)

    @functools.wraps(original)
    def collect(*args: Any, **kwargs: Any) -> Any:
        kwargs["base_url"] = base_url
        if read_timeout is not None:
            kwargs["read_timeout"] = read_timeout
        return original(*args, **kwargs)

    inventory.collect_inventory = collect
    cli._live_credential = lambda *args, **kwargs: FakeCredential()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    own_timeouts = bool(args) and args[0] == "--auditor-timeouts"
    base_url, ca_file, *rest = args[1:] if own_timeouts else args
    point_at(base_url, ca_file, None if own_timeouts else READ_TIMEOUT)
    import auditor.cli as cli

    return cli.run(rest)


if __name__ == "__main__":
    raise SystemExit(main())
