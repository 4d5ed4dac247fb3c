"""Registering colleges: admin only, one-time API key, did:web DID document, private key never exposed."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import IssuerKey
from app.proofs.keys import MasterKey
from app.proofs.multikey import decode_public_key
from tests.factories import ADMIN, issuer_payload, make_issuer


def test_register_issuer_returns_did_web_profile_and_api_key(client: TestClient) -> None:
    body, _ = make_issuer(client)
    assert body["did"] == f"did:web:vetcred.test:issuers:{body['id']}"
    assert body["apiKey"].startswith("vck_")
    assert body["profile"] == {
        "id": body["did"],
        "type": ["Profile"],
        "name": "Noorderpoort College",
        "url": "https://noorderpoort.example",
        "email": "credentials@noorderpoort.example",
        "address": {
            "type": ["Address"],
            "addressCountry": "Netherlands",
            "addressCountryCode": "NL",
            "addressLocality": "Groningen",
        },
    }
    assert body["verificationMethod"].startswith(body["did"] + "#z6Mk")


def test_did_document_is_served_where_did_web_resolution_looks(client: TestClient) -> None:
    body, _ = make_issuer(client)
    response = client.get(f"/issuers/{body['id']}/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/did+json")
    document = response.json()
    assert document["id"] == body["did"]
    [method] = document["verificationMethod"]
    assert method["type"] == "Multikey"
    assert method["controller"] == body["did"]
    assert method["id"] == body["verificationMethod"]
    assert len(decode_public_key(method["publicKeyMultibase"])) == 32
    assert document["assertionMethod"] == [method["id"]]


def test_private_key_is_encrypted_at_rest_and_never_returned(client: TestClient, engine: Engine, settings) -> None:
    body, headers = make_issuer(client)
    responses = [
        json.dumps(body),
        client.get("/api/v1/issuers/me", headers=headers).text,
        client.get(f"/issuers/{body['id']}/did.json").text,
    ]
    with Session(engine) as session:
        key = session.scalars(select(IssuerKey).where(IssuerKey.issuer_id == body["id"])).one()
    master = MasterKey.load_or_create(settings.master_key_path)
    raw = master.decrypt(key.encrypted_private_key, aad=f"vetcred:issuer-key:{body['id']}:{key.key_id}".encode())
    assert len(raw) == 32 and raw not in key.encrypted_private_key
    for text in responses:
        assert raw.hex() not in text and "private" not in text.lower()


def test_registering_needs_the_admin_token(client: TestClient) -> None:
    assert client.post("/api/v1/issuers", json=issuer_payload()).status_code == 401
    wrong = {"Authorization": "Bearer not-the-admin-token"}
    response = client.post("/api/v1/issuers", json=issuer_payload(), headers=wrong)
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"
    _, issuer_headers = make_issuer(client)
    assert client.post("/api/v1/issuers", json=issuer_payload(), headers=issuer_headers).status_code == 401


def test_invalid_issuer_input_names_the_field(client: TestClient) -> None:
    response = client.post("/api/v1/issuers", json=issuer_payload(email="not-an-email"), headers=ADMIN)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["email"]
    response = client.post(
        "/api/v1/issuers", json=issuer_payload(address={"addressCountryCode": "Netherlands"}), headers=ADMIN
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "address.addressCountryCode"


def test_unknown_api_key_is_refused(client: TestClient) -> None:
    response = client.get("/api/v1/issuers/me", headers={"Authorization": "Bearer vck_nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
