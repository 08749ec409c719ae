"""Recording turns a dirty ARM exchange into one that passes the cassette scrub check."""

from __future__ import annotations

import gzip
import json

from vcr.request import Request

from auditor.collect.recording_scrub import GuidMap, sanitize_request, sanitize_response, sanitize_text
from tests.test_cassette_scrub import find_leaks

SUBSCRIPTION = "3f2b9c1e-7a44-4d0b-9c61-2e8f5a7d1b90"
OTHER_SUBSCRIPTION = "9a8b7c6d-1111-4e2f-8a3b-0c1d2e3f4a5b"
TENANT = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"
PRINCIPAL = "c0ffee00-1234-4abc-9def-0123456789ab"
JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIn0.c2lnbmF0dXJl"
SITE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-prod/providers/Microsoft.Web/sites/func-prod"


def dirty_request() -> Request:
    return Request(
        "GET",
        f"https://management.azure.com{SITE}/hybridConnectionRelays?api-version=2025-05-01",
        None,
        {
            "Authorization": [f"Bearer {JWT}"],
            "Cookie": ["x-ms-gateway-slice=estsfd"],
            "User-Agent": ["azsdk-python-mgmt-web/11.0.1 Python/3.11.7"],
            "x-ms-client-request-id": ["5d2c1a7e-8b9f-11ef-9c3d-0242ac120002"],
        },
    )


def dirty_response() -> dict[str, object]:
    body = {
        "value": [
            {
                "id": f"{SITE}/hybridConnectionNamespaces/sb-relay/relays/sql",
                "properties": {
                    "relayArmUri": f"/subscriptions/{OTHER_SUBSCRIPTION}/resourceGroups/rg-relay/providers/"
                    "Microsoft.Relay/namespaces/sb-relay/hybridConnections/sql",
                    "hostname": "sql01.corp.example",
                    "port": 1433,
                    "sendKeyName": "defaultSender",
                    "sendKeyValue": "q1w2e3r4t5y6u7i8o9p0aSdFgHjKl+ZxCvBnM=",
                },
            }
        ],
        "identity": {"tenantId": TENANT, "principalId": PRINCIPAL, "type": "SystemAssigned"},
        "subscription": SUBSCRIPTION,
        "storage": f"DefaultEndpointsProtocol=https;AccountName=stprod;AccountKey=c2VjcmV0a2V5{'A' * 60}==;"
        "EndpointSuffix=core.windows.net",
        "package": "https://stprod.blob.core.windows.net/pkg/app.zip?sv=2024-11-04&se=2026-12-01&sr=b&sp=r"
        "&sig=Zm9vYmFy%2Bc2lnbmF0dXJl%3D",
        "siteAuthSettings": {
            "clientSecret": "hunter2",
            "tokenStoreEnabled": True,
            "publishingPassword": None,
        },
        "keyVaultReferenceIdentity": "SystemAssigned",
        "nextLink": None,
    }
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {
            "Content-Encoding": ["gzip"],
            "Content-Length": ["0"],
            "Set-Cookie": ["ARRAffinity=abc; path=/"],
            "x-ms-request-id": ["b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"],
            "x-ms-routing-request-id": ["WESTEUROPE:20261020T091503Z:b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"],
        },
        "body": {"string": gzip.compress(json.dumps(body).encode())},
    }


def test_a_dirty_exchange_comes_out_clean_and_readable() -> None:
    guid_map = GuidMap()
    request = sanitize_request(dirty_request(), guid_map)
    response = sanitize_response(dirty_response(), guid_map)

    assert request.uri == (
        "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
        "rg-prod/providers/Microsoft.Web/sites/func-prod/hybridConnectionRelays?api-version=2025-05-01"
    )
    assert {name.lower() for name in request.headers} == {"user-agent", "x-ms-client-request-id"}
    headers = {name.lower(): value for name, value in response["headers"].items()}
    assert "set-cookie" not in headers and "content-encoding" not in headers
    text = response["body"]["string"].decode()
    assert headers["content-length"] == [str(len(response["body"]["string"]))]
    body = json.loads(text)

    relay = body["value"][0]["properties"]
    assert relay["sendKeyValue"] == "" and relay["sendKeyName"] == ""
    assert relay["hostname"] == "sql01.corp.example" and relay["port"] == 1433
    assert "AccountKey=REDACTED;" in body["storage"] and "AccountName=stprod" in body["storage"]
    assert body["package"].endswith("&sig=REDACTED") and "sp=r" in body["package"]
    assert body["siteAuthSettings"] == {
        "clientSecret": "",
        "tokenStoreEnabled": True,
        "publishingPassword": None,
    }
    assert body["keyVaultReferenceIdentity"] == "SystemAssigned"
    assert find_leaks({"request": request._to_dict(), "response": {**response, "body": text}}) == []


def test_guids_map_consistently_across_uri_body_and_headers() -> None:
    guid_map = GuidMap()
    request = sanitize_request(dirty_request(), guid_map)
    body = json.loads(sanitize_response(dirty_response(), guid_map)["body"]["string"])

    sub = "00000000-0000-0000-0000-000000000000"
    assert body["subscription"] == sub  # the bare GUID joins the one seen in the URI
    assert body["value"][0]["id"].startswith(f"/subscriptions/{sub}/")
    assert body["value"][0]["properties"]["relayArmUri"].startswith(
        "/subscriptions/00000000-0000-0000-0000-000000000001/"
    )
    assert guid_map.subscriptions == (sub, "00000000-0000-0000-0000-000000000001")
    tenant = body["identity"]["tenantId"]
    assert tenant == guid_map.fake(TENANT.lower()) != body["identity"]["principalId"]
    assert request.headers["x-ms-client-request-id"].startswith("00000000-0000-0000-0000-")
    # Same real GUID, same fake, whatever its case or where it appears.
    assert sanitize_text(f"tenant {TENANT.lower()}", guid_map) == f"tenant {tenant}"


def test_audited_subscriptions_get_the_first_fakes_in_order() -> None:
    guid_map = GuidMap([OTHER_SUBSCRIPTION, SUBSCRIPTION])
    assert sanitize_text(f"/subscriptions/{SUBSCRIPTION}/x", guid_map) == (
        "/subscriptions/00000000-0000-0000-0000-000000000001/x"
    )
    assert guid_map.fake(PRINCIPAL) not in guid_map.subscriptions


def test_sanitizing_is_idempotent_and_leaves_fakes_alone() -> None:
    guid_map = GuidMap()
    once = sanitize_text(f"Bearer {JWT} /subscriptions/{SUBSCRIPTION} {TENANT}", guid_map)
    assert sanitize_text(once, guid_map) == once
    assert once == (
        "Bearer REDACTED /subscriptions/00000000-0000-0000-0000-000000000000 "
        "00000000-0000-0000-0000-000100000000"
    )
