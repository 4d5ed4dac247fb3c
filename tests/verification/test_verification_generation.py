"""The verification generation (migration 0018's triggers) moves on every change that can alter a stored credential's
verification, by whatever path it is written, and not on what issuing adds: a cohort being issued must not make
every kept verification page be made again (nor, on PostgreSQL, have its transactions queue for the counter)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from app.db.models import Credential, IssuerBranding, IssuerKey, StatusList
from app.db.verification_generation import read_generation
from tests.factories import (
    assessment_row,
    issue,
    issuer_payload,
    make_achievement,
    make_issuer,
    make_microcredential,
    wait_for_job,
)
from tests.web.test_branding_pages import _brand


def _generation(engine: Engine) -> int:
    with engine.connect() as connection:
        return read_generation(connection)


@pytest.fixture
def issued(client: TestClient) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    issuer, headers = make_issuer(client, allowSuspension=True)
    return issuer, headers, issue(client, headers, make_achievement(client, headers)["id"])


def test_issuing_credentials_and_a_cohort_leaves_it_where_it_was(client: TestClient, engine: Engine) -> None:
    _, headers = make_issuer(client)
    achievement_id = make_achievement(client, headers)["id"]
    spec = make_microcredential(client, headers)
    # The college's first EDC makes its e-seal (a change that counts: it names who seals): before the measure.
    first = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(1), headers=headers)
    assert first.status_code == 201, first.text
    before = _generation(engine)
    for _ in range(3):
        issue(client, headers, achievement_id)
    single = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(2), headers=headers)
    assert single.status_code == 201, single.text
    rows = [assessment_row(n) for n in range(3, 7)]
    job = client.post(f"/api/v1/microcredentials/{spec['id']}/cohort", json={"rows": rows}, headers=headers)
    assert wait_for_job(client, headers, job.json()["id"])["state"] == "completed"
    assert _generation(engine) == before


def test_a_status_change_through_the_api_moves_it(client: TestClient, engine: Engine, issued) -> None:
    _, headers, body = issued
    for action in ("suspend", "unsuspend", "revoke"):
        before = _generation(engine)
        response = client.post(f"/api/v1/credentials/{body['id']}/{action}", json={"reason": "x"}, headers=headers)
        assert response.is_success, response.text
        assert _generation(engine) > before, action


def test_a_key_rotation_branding_and_a_college_change_move_it(
    client: TestClient, engine: Engine, issued, admin_headers: dict[str, str]
) -> None:
    issuer, headers, _ = issued
    renamed = issuer_payload(name="Renamed")
    changes = (
        lambda: client.post("/api/v1/issuers/me/keys/rotate", headers=headers),
        lambda: _brand(client, headers),
        lambda: client.put(f"/api/v1/issuers/{issuer['id']}", json=renamed, headers=admin_headers),
    )
    for change in changes:
        before = _generation(engine)
        change()
        assert _generation(engine) > before


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Credential, {"recipient_name": "Someone Else"}),
        (Credential, {"status": "revoked"}),
        (StatusList, {"bits": b"\x01"}),
        (IssuerKey, {"public_key_multibase": "z6Mkother"}),
        (IssuerBranding, {"display_name": "Other"}),
    ],
)
def test_a_change_written_past_the_service_moves_it(engine: Engine, issued, client: TestClient, model, values) -> None:
    """An operator's SQL, a restore, another program: the triggers count what the service's code never saw."""
    issuer, headers, _ = issued
    if model is IssuerBranding:
        _brand(client, headers)
    before = _generation(engine)
    with engine.begin() as connection:
        changed = connection.execute(update(model).where(model.issuer_id == issuer["id"]).values(**values))
    assert changed.rowcount >= 1
    assert _generation(engine) > before


def test_deleting_a_credential_moves_it(engine: Engine, issued) -> None:
    _, _, body = issued
    before = _generation(engine)
    with engine.begin() as connection:
        assert connection.execute(Credential.__table__.delete().where(Credential.id == body["id"])).rowcount == 1
    assert _generation(engine) > before
