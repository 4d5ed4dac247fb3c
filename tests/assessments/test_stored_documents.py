"""An EDC is stored once: as the payload of its seal, the very JSON text the seal signs; it reads back as the
document everywhere."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db.base import json_serializer
from app.db.models import Credential
from tests.factories import assessment_row, make_issuer, make_microcredential


def test_the_edc_is_stored_once_as_its_seal_payload(client: TestClient, app: FastAPI) -> None:
    _, headers = make_issuer(client)
    spec = make_microcredential(client, headers)
    issued = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers)
    assert issued.status_code == 201, issued.text
    credential_id = next(c["id"] for c in issued.json()["credentials"] if c["format"] == "edc")
    with app.state.runtime.transaction(writes=False) as session:
        column, sealed = session.execute(
            text("SELECT CAST(document AS TEXT), sealed FROM credentials WHERE format = 'edc'")
        ).one()
        payload = json.loads(json.loads(sealed)["payload"])
        assert json.loads(column) is None  # JSON null: not a second copy
        row = session.get(Credential, credential_id)
        assert row is not None and row.document == payload
    # What the API, the learner's pages and the verification page read: the seal's payload, as a JSON object.
    read = client.get(f"/api/v1/credentials/{credential_id}", headers=headers).json()
    assert read["credential"] == payload
    page = client.get(read["verifyUrl"].removeprefix("https://vetcred.test"), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Verified" in page.text


def test_json_columns_take_what_json_takes() -> None:
    """orjson writes the columns' JSON; what it refuses (a lone surrogate, as a wallet's document may hold) is
    written as ``json.dumps`` writes it, and keys that are not strings become strings, as with ``json``."""
    odd = {"name": "A\ud800b", 7: ["x"], "n": 1.5}
    assert json.loads(json_serializer(odd)) == json.loads(json.dumps(odd))
    assert json.loads(json_serializer({"name": "Zoë", "credits": 3.0})) == {"name": "Zoë", "credits": 3.0}
