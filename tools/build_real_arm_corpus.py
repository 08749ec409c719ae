"""Copy the public ARM recordings of function apps in ../shared into tests/corpus/, scrubbed.

    .venv/bin/python tools/build_real_arm_corpus.py      # rewrites tests/corpus/*.yaml

Sources (all recorded by Microsoft's own test suites against live Azure; provenance in
tests/corpus/README.md and in each file's ``source`` block):

* ``shared/reference/recordings/realwire/raw/*.yaml.gz``: Azure CLI appservice test recordings;
* ``shared/reference/recordings/azure-cli.*.excerpt.yaml``: three more Azure CLI excerpts;
* ``shared/reference/recordings/azure-mgmt-web-2.0.0.*.yaml``: Azure SDK for Python recordings;
* ``shared/reference/recordings/realwire/ps-flex-dotnet-isolated.json``: Azure PowerShell Flex
  Consumption excerpt.

Kept: the interactions on resources the collector reads (sites, slots, ``config/web``, plans,
VNet and hybrid connections, functions, virtual networks, subnets, private endpoints, NSGs, route
tables, NAT gateways), their DELETEs, and the DELETEs of ``networkConfig/virtualNetwork`` (a
VNet integration removed). Left out: everything else (resource groups, storage,
operation polls, runtime stacks) and every POST and app settings write, whose bodies hold
secrets. Response bodies are kept byte for byte except for the scrub recording_scrub.py applies to a
recording (every GUID but the zero-form ones becomes a zero-form fake, consistently within a
file). No other scrub was needed: Microsoft's test tooling had already blanked keys and tokens,
and the POSTs and app settings writes that carry them are left out; tests/test_cassette_scrub.py
proves it for every file.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.collect.recording_scrub import GuidMap, sanitize_guids  # noqa: E402

SHARED = ROOT.parent / "shared" / "reference" / "recordings"
REALWIRE = SHARED / "realwire"
OUT = ROOT / "tests" / "corpus"

_READ_PATHS = re.compile(
    r"/providers/Microsoft\.Web/(?:"
    r"sites(?:/[^/]+(?:/slots/[^/]+)?(?:/config/web|/virtualNetworkConnections|/hybridConnectionRelays"
    r"|/functions|/privateEndpointConnections(?:/[^/]+)?|/networkConfig/virtualNetwork)?)?"
    r"|serverfarms(?:/[^/]+(?:/hybridConnectionRelays)?)?"
    r"|hostingEnvironments(?:/[^/]+)?"
    r")$"
    r"|/providers/Microsoft\.Network/(?:"
    r"virtualNetworks(?:/[^/]+(?:/subnets(?:/[^/]+)?)?)?"
    r"|privateEndpoints(?:/[^/]+)?|networkSecurityGroups(?:/[^/]+)?|routeTables(?:/[^/]+)?"
    r"|natGateways(?:/[^/]+)?"
    r")$",
    re.IGNORECASE,
)
_KEPT_METHODS = frozenset({"GET", "PUT", "PATCH", "DELETE"})
_KEPT_REQUEST_HEADERS = ("CommandName", "ParameterSetName")
_KEPT_RESPONSE_HEADERS = ("content-type", "date")
_SUBSCRIPTION_IN_PATH = re.compile(r"/subscriptions/([0-9a-fA-F-]{36})/", re.IGNORECASE)

CLI_RECORDINGS = "src/azure-cli/azure/cli/command_modules/appservice/tests/latest/recordings"

# The three Azure CLI excerpts in shared/reference/recordings (their README gives these commits).
CLI_EXCERPTS = {
    "azure-cli.test_functionapp_access_restriction_add_service_endpoint.excerpt.yaml": (
        "cli-fa-ar-add-service-endpoint-2022",
        f"{CLI_RECORDINGS}/test_functionapp_access_restriction_add_service_endpoint.yaml",
        "4cd470281ccf34d5bf08c83fcd77dba43fe27a04",
    ),
    "azure-cli.test_functionapp_access_restriction_show.excerpt.yaml": (
        "cli-fa-ar-show-2022",
        f"{CLI_RECORDINGS}/test_functionapp_access_restriction_show.yaml",
        "8173b6378df018a49aefaa37a923d3a24eae8ea2",
    ),
    "azure-cli.test_functionapp_vnetE2E.excerpt.yaml": (
        "cli-fa-vnet-e2e-2022",
        f"{CLI_RECORDINGS}/test_functionapp_vnetE2E.yaml",
        "a92447ee4bc4f59fd8eb50fb6cea4786af295d74",
    ),
}
SDK_RECORDINGS = {
    "azure-mgmt-web-2.0.0.test_cli_mgmt_web_app.test_web_app.yaml": (
        "sdk-web-app-2021",
        "tests/recordings/test_cli_mgmt_web_app.test_web_app.yaml",
    ),
}


def is_kept(method: str, uri: str, status: int) -> bool:
    path = uri.split("?", 1)[0]
    if method.upper() not in _KEPT_METHODS or not _READ_PATHS.search(path):
        return False
    # An accepted long-running write has no resource body; a DELETE says the resource is gone.
    return method.upper() == "DELETE" or status in (200, 201)


def scrubbed_interaction(
    method: str,
    uri: str,
    request_headers: dict[str, Any],
    status: int,
    message: str,
    response_headers: dict[str, Any],
    body: str,
    guid_map: GuidMap,
) -> dict[str, Any]:
    """One vcrpy interaction with its GUIDs re-mapped; the body text is otherwise unchanged."""
    clean_body = sanitize_guids(body, guid_map)
    kept_response = {
        name.lower(): [str(value) for value in values]
        for name, values in response_headers.items()
        if name.lower() in _KEPT_RESPONSE_HEADERS
    }
    kept_response["content-length"] = [str(len(clean_body.encode("utf-8")))]
    return {
        "request": {
            "body": None,
            "headers": {
                name: [str(value) for value in values]
                for name, values in request_headers.items()
                if name in _KEPT_REQUEST_HEADERS
            },
            "method": method.upper(),
            "uri": sanitize_guids(uri, guid_map),
        },
        "response": {
            "body": {"string": clean_body},
            "headers": kept_response,
            "status": {"code": status, "message": message},
        },
    }


def _vcr_interactions(document: dict[str, Any], guid_map: GuidMap) -> tuple[list[dict[str, Any]], str]:
    """The kept interactions, and how many of how many that is."""
    kept: list[dict[str, Any]] = []
    last_body: dict[str, str] = {}  # path -> the body of its last kept interaction
    repeats = 0
    for interaction in document["interactions"]:
        request, response = interaction["request"], interaction["response"]
        status = int(response["status"]["code"])
        if not is_kept(request["method"], request["uri"], status):
            continue
        body = response["body"]["string"] or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        item = scrubbed_interaction(
            request["method"],
            request["uri"],
            request.get("headers") or {},
            status,
            str(response["status"].get("message") or ""),
            response.get("headers") or {},
            body,
            guid_map,
        )
        path = item["request"]["uri"].split("?", 1)[0].lower()
        if request["method"].upper() == "GET" and last_body.get(path) == item["response"]["body"]["string"]:
            repeats += 1  # the same read again, same answer: it adds nothing
            continue
        last_body[path] = item["response"]["body"]["string"]
        kept.append(item)
    total = len(document["interactions"])
    summary = f"{len(kept)} of {total} interactions"
    if repeats:
        summary += f" ({repeats} repeated GETs with the same answer as the previous one left out)"
    return kept, summary


def _write(name: str, source: dict[str, Any], interactions: list[dict[str, Any]]) -> Path:
    path = OUT / f"{name}.yaml"
    document = {"source": source, "interactions": interactions, "version": 1}
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
    path.write_text(text, encoding="utf-8")
    return path


CHANGED = (
    "GUIDs other than the zero-form ones replaced by zero-form fakes (one mapping per file); "
    "response headers other than content-type and date dropped; request bodies dropped"
)


def build_cli_recordings() -> list[Path]:
    manifest = {entry["name"]: entry for entry in json.loads((REALWIRE / "MANIFEST.cli.json").read_text())}
    written = []
    for raw in sorted((REALWIRE / "raw").glob("*.yaml.gz")):
        name = raw.name.removesuffix(".yaml.gz")
        entry = manifest[name]
        document = yaml.load(gzip.decompress(raw.read_bytes()), Loader=yaml.CSafeLoader)
        interactions, summary = _vcr_interactions(document, GuidMap())
        source = {
            "repository": entry["repo"],
            "path": entry["path"],
            "commit": entry["commit"],
            "commit_date": entry.get("commit_date"),
            "blob": entry.get("blob"),
            "sha256": entry.get("sha256"),
            "excerpt": summary,
            "changed": CHANGED,
        }
        written.append(_write(name, source, interactions))
    return written


def build_shared_yaml() -> list[Path]:
    written = []
    for filename, (name, path, commit) in CLI_EXCERPTS.items():
        document = yaml.safe_load((SHARED / filename).read_text(encoding="utf-8"))
        interactions, summary = _vcr_interactions(document, GuidMap())
        source = {
            "repository": "Azure/azure-cli",
            "path": path,
            "commit": commit,
            "excerpt": f"{summary} of the excerpt in shared/reference/recordings",
            "changed": CHANGED,
        }
        written.append(_write(name, source, interactions))
    for filename, (name, path) in SDK_RECORDINGS.items():
        document = yaml.safe_load((SHARED / filename).read_text(encoding="utf-8"))
        interactions, summary = _vcr_interactions(document, GuidMap())
        source = {
            "repository": "Azure/azure-sdk-for-python",
            "path": f"sdk/appservice/azure-mgmt-web/{path}",
            "commit": "PyPI sdist azure-mgmt-web==2.0.0",
            "commit_date": "2021-02-26",
            "excerpt": summary,
            "changed": CHANGED,
        }
        written.append(_write(name, source, interactions))
    return written


def build_powershell_flex() -> Path:
    document = json.loads((REALWIRE / "ps-flex-dotnet-isolated.json").read_text(encoding="utf-8"))
    first_uri = document["interactions"][0]["uri"]
    match = _SUBSCRIPTION_IN_PATH.search(first_uri)
    guid_map = GuidMap([match.group(1)] if match else [])
    interactions = [
        scrubbed_interaction(
            item["method"],
            item["uri"],
            {},
            int(item["status"]),
            "OK",
            {"content-type": ["application/json; charset=utf-8"]},
            item["body"],
            guid_map,
        )
        for item in document["interactions"]
    ]
    source = {
        "repository": "Azure/azure-powershell",
        "path": document["source"]["path"],
        "commit": document["source"]["commit"],
        "excerpt": "3 response bodies of the first test case (site, config/web, plan), transcribed "
        "from the recording's JSON (see shared/reference/recordings/realwire/README.md)",
        "changed": "the real subscription id (unsanitized in this recording) and " + CHANGED,
    }
    return _write("ps-flex-dotnet-isolated", source, interactions)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    written = [*build_cli_recordings(), *build_shared_yaml(), build_powershell_flex()]
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
