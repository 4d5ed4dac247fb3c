"""A preview is what issuing would give a sample learner, made by the issuance builders, and it changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.assessments.preview import SAMPLE_LEARNER, preview
from app.assessments.records import domain_spec
from app.credentials.edc_shacl import validate_edc
from app.db import models as db
from tests.conftest import PUBLIC_URL
from tests.factories import assessment_row, make_issuer, make_microcredential

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_a_preview_is_unsigned_unsealed_complete_and_stores_nothing(client: TestClient, app: FastAPI) -> None:
    college, headers = make_issuer(client)
    spec_id = make_microcredential(client, headers)["id"]
    with app.state.runtime.transaction() as session:
        issuer = session.get(db.Issuer, college["id"])
        row = session.get(db.MicroCredentialSpec, spec_id)
        assert issuer is not None and row is not None
        shown = preview(session, issuer, domain_spec(row, PUBLIC_URL), now=NOW)
        stored = session.scalar(select(func.count()).select_from(db.SealMaterial))
    assert stored == 0  # no test seal made for a preview: the first real EDC makes it
    assert "proof" not in shown.ob3 and "credentialStatus" not in shown.ob3
    subject = shown.ob3["credentialSubject"]
    assert subject["name"] == SAMPLE_LEARNER.full_name
    assert [r["resultDescription"] for r in subject["result"]] == [
        f"{PUBLIC_URL}/microcredentials/{spec_id}#outcome-LO1",
        f"{PUBLIC_URL}/microcredentials/{spec_id}#outcome-LO2",
    ]
    assert list(shown.pages) == ["en", "nl"] and all(png.startswith(b"\x89PNG") for png in shown.pages.values())
    assert shown.self_issued_seal
    assert validate_edc(shown.edc) == []


def test_a_preview_names_the_seal_the_college_already_has(client: TestClient, app: FastAPI) -> None:
    college, headers = make_issuer(client)
    spec_id = make_microcredential(client, headers)["id"]
    issued = client.post(f"/api/v1/microcredentials/{spec_id}/assessments", json=assessment_row(), headers=headers)
    assert issued.status_code == 201, issued.text
    edc_id = next(c["id"] for c in issued.json()["credentials"] if c["format"] == "edc")
    issued_edc = client.get(f"/api/v1/credentials/{edc_id}", headers=headers).json()["credential"]
    with app.state.runtime.transaction() as session:
        issuer = session.get(db.Issuer, college["id"])
        row = session.get(db.MicroCredentialSpec, spec_id)
        assert issuer is not None and row is not None
        shown = preview(session, issuer, domain_spec(row, PUBLIC_URL), now=NOW)
    assert shown.edc["issuer"]["eIDASIdentifier"]["notation"] == issued_edc["issuer"]["eIDASIdentifier"]["notation"]
