"""A valid signature is not an identity: a forger's did:key with a college's name is "issuer not confirmed"."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.outbound import OutboundClient, OutboundPolicy
from app.proofs.keys import generate_signing_key
from tests.factories import issue, make_achievement, make_issuer
from tests.forgery import key_did, resign_as
from tests.servers import serving

LISTED_KEY = generate_signing_key()
LISTED_NAME = "Noorderpoort College (DCC registry)"


@pytest.fixture
def genuine(client: TestClient) -> dict[str, Any]:
    """A credential that Noorderpoort College, registered on this service, really issued."""
    _, headers = make_issuer(client)
    return issue(client, headers, make_achievement(client, headers)["id"])["credential"]


def _quoted_only(html: str, name: str) -> bool:
    """Every mention of ``name`` on the page is a quotation of the credential's claim, never a plain statement."""
    return all(html[match.start() - 1] == "“" for match in re.finditer(re.escape(name), html))


def test_a_forged_name_with_a_valid_signature_is_not_verified(client: TestClient, genuine: dict[str, Any]) -> None:
    forged = resign_as(genuine)
    report = client.post("/api/v1/verify", json=forged).json()
    assert report["verdict"] == "issuer_not_confirmed" and report["verified"] is False
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["proof"]["outcome"] == "passed" and checks["issuer"]["outcome"] == "not_confirmed"
    identity = report["issuerIdentity"]
    assert identity["confirmed"] is False and identity["name"] is None
    assert identity["signer"] == forged["issuer"]["id"] == report["signer"]["id"]
    assert [s["kind"] for s in identity["consulted"]] == ["this_service"]

    page = client.post("/verify", data={"credential": json.dumps(forged)}).text
    assert "Signature valid — issuer not confirmed" in page
    assert "✓ Verified" not in page and 'class="issuer-name"' not in page
    assert "Noorderpoort College" in page and _quoted_only(page, "Noorderpoort College")


def test_the_genuine_credential_names_its_college_as_confirmed(client: TestClient, genuine: dict[str, Any]) -> None:
    report = client.post("/api/v1/verify", json=genuine).json()
    assert report["verdict"] == "verified"
    identity = report["issuerIdentity"]
    assert identity["confirmed"] is True and identity["name"] == "Noorderpoort College"
    assert identity["listedIn"][0] == {
        "name": "colleges registered on this service (vetcred.test)",
        "kind": "this_service",
        "updated": None,
        "loadedAt": None,
    }
    page = client.post("/verify", data={"credential": json.dumps(genuine)}).text
    assert '<p class="issuer-name">Noorderpoort College</p>' in page and "Confirmed by" in page


def test_an_unsigned_credential_does_not_make_the_service_fetch_its_status_list(client: TestClient, genuine) -> None:
    unsigned = dict(genuine)
    unsigned.pop("proof")
    unsigned["credentialStatus"] = dict(genuine["credentialStatus"], statusListCredential="https://127.0.0.1:1/x")
    report = client.post("/api/v1/verify", json=unsigned).json()
    status = next(c for c in report["checks"] if c["name"] == "status")
    assert report["verdict"] == "not_valid" and "only read once the proof passes" in status["reason"]


DCC_REGISTRY = {
    "meta": {"created": "2026-01-01T00:00:00+0000", "updated": "2026-11-20T09:30:00+0000"},
    "registry": {
        key_did(LISTED_KEY): {"name": LISTED_NAME, "location": "Groningen, NL", "url": "https://noorderpoort.example"}
    },
}


@pytest.fixture
def registry_url() -> Iterator[tuple[str, OutboundClient]]:
    def make(_base: str) -> FastAPI:
        app = FastAPI()
        app.get("/registry.json")(lambda: Response(json.dumps(DCC_REGISTRY), media_type="application/json"))
        return app

    with serving(make) as (base, _):
        yield f"{base}/registry.json", OutboundClient(OutboundPolicy(timeout=5, allow_origins=frozenset({base})))


@pytest.fixture
def plain_registry_file(tmp_path: Path) -> str:
    path = tmp_path / "operator-registry.json"
    path.write_text(
        json.dumps({"name": "Ministry list", "issuers": [{"id": key_did(LISTED_KEY), "name": "From the file"}]})
    )
    return str(path)


def test_a_signer_listed_in_a_registry_served_over_https_is_verified_with_the_registry_name(
    settings: Settings, empty_database: None, registry_url, plain_registry_file: str
) -> None:
    url, outbound = registry_url
    registries = [{"name": "DCC Community", "url": url}, {"name": "Ministry list", "url": plain_registry_file}]
    app = create_app(settings.model_copy(update={"trust_registries": json.dumps(registries)}), outbound=outbound)
    with TestClient(app) as client:
        _, headers = make_issuer(client)
        genuine = issue(client, headers, make_achievement(client, headers)["id"])["credential"]
        report = client.post("/api/v1/verify", json=resign_as(genuine, LISTED_KEY)).json()
        assert report["verdict"] == "verified", report
        identity = report["issuerIdentity"]
        assert identity["name"] == LISTED_NAME and identity["location"] == "Groningen, NL"
        assert [(s["name"], s["updated"]) for s in identity["listedIn"]] == [
            ("DCC Community", "2026-11-20T09:30:00+00:00"),
            ("Ministry list", None),
        ]
        page = client.post("/verify", data={"credential": json.dumps(resign_as(genuine, LISTED_KEY))}).text
        assert f'<p class="issuer-name">{LISTED_NAME}</p>' in page
        assert "DCC Community (updated 20 November 2026); Ministry list" in page

        stranger = client.post("/api/v1/verify", json=resign_as(genuine)).json()
        assert stranger["verdict"] == "issuer_not_confirmed"
        assert [s["name"] for s in stranger["issuerIdentity"]["consulted"]] == [
            "colleges registered on this service (vetcred.test)",
            "DCC Community",
            "Ministry list",
        ]
