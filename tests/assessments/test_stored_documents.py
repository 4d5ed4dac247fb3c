"""An EDC is serialized once: its row stores the very JSON text its seal signs, and reads back as the same document."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db.base import json_serializer
from tests.factories import assessment_row, make_issuer, make_microcredential


def test_the_edc_row_stores_the_sealed_payload_text_as_its_document(client: TestClient, app: FastAPI) -> None:
    _, headers = make_issuer(client)
    spec = make_microcredential(client, headers)
    issued = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers)
    assert issued.status_code == 201, issued.text
    with app.state.runtime.transaction(writes=False) as session:
        document, sealed = session.execute(
            text("SELECT CAST(document AS TEXT), sealed FROM credentials WHERE format = 'edc'")
        ).one()
    payload = json.loads(sealed)["payload"]
    assert json.loads(document) == json.loads(payload)
    if session.get_bind().dialect.name == "sqlite":  # JSON text as written (PostgreSQL's JSONB keeps no text)
        assert document == payload
    # What the API and the verification page read: the document, as a JSON object.
    credential_id = next(c["id"] for c in issued.json()["credentials"] if c["format"] == "edc")
    read = client.get(f"/api/v1/credentials/{credential_id}", headers=headers).json()
    assert read["credential"] == json.loads(payload)


def test_json_columns_take_what_json_takes() -> None:
    """orjson writes the columns' JSON; what it refuses (a lone surrogate, as a wallet's document may hold) is
    written as ``json.dumps`` writes it, and keys that are not strings become strings, as with ``json``."""
    odd = {"name": "A\ud800b", 7: ["x"], "n": 1.5}
    assert json.loads(json_serializer(odd)) == json.loads(json.dumps(odd))
    assert json.loads(json_serializer({"name": "Zoë", "credits": 3.0})) == {"name": "Zoë", "credits": 3.0}
