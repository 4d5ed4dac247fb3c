"""The same request twice at once gives one result, twice: real threads against a real server and database.

Reproducers from the hardening issue: parallel assessments for one new learner, racing retries of one result, the
first seal of a college, the first status list of a college, racing Idempotency-Key retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Assessment, Credential, Learner, SealMaterial, StatusList
from app.main import create_app
from tests.factories import (
    ADMIN,
    achievement_payload,
    assessment_row,
    credential_payload,
    issuer_payload,
    microcredential_payload,
)
from tests.servers import serving


@pytest.fixture
def live(settings: Settings, empty_database: None) -> Iterator[str]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        yield base


def _college(base: str) -> dict[str, str]:
    issuer = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
    return {"Authorization": f"Bearer {issuer['apiKey']}"}


def _at_once(calls: list[Callable[[httpx.Client], httpx.Response]]) -> list[httpx.Response]:
    """Runs every call in its own thread, all released together."""
    barrier = threading.Barrier(len(calls))
    responses: list[httpx.Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            responses[index] = calls[index](client)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r is not None for r in responses)
    return [r for r in responses if r is not None]


def _count(engine: Engine, model: Any, *where: Any) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_parallel_assessments_for_one_new_learner_and_the_first_seal(live: str, engine: Engine) -> None:
    headers = _college(live)
    spec = httpx.post(f"{live}/api/v1/microcredentials", json=microcredential_payload(), headers=headers).json()
    url = f"{live}/api/v1/microcredentials/{spec['id']}/assessments"
    for trial in range(4):
        rows = [assessment_row(1, reference=f"T{trial}-{n}") for n in range(4)]  # one learner e-mail, 4 results
        responses = _at_once([lambda c, row=row: c.post(url, json=row, headers=headers) for row in rows])
        assert [r.status_code for r in responses] == [201] * 4, [r.text for r in responses if r.status_code != 201]
    assert _count(engine, Learner) == 1 and _count(engine, Assessment) == 16
    assert _count(engine, SealMaterial) == 1  # the first EDC of the college made one test seal, not four


def test_the_same_result_sent_four_times_at_once_is_recorded_once(live: str, engine: Engine) -> None:
    headers = _college(live)
    spec = httpx.post(f"{live}/api/v1/microcredentials", json=microcredential_payload(), headers=headers).json()
    url = f"{live}/api/v1/microcredentials/{spec['id']}/assessments"
    for n in range(5):
        row = assessment_row(n)
        responses = _at_once([lambda c, row=row: c.post(url, json=row, headers=headers)] * 4)
        assert sorted(r.status_code for r in responses) == [200, 200, 200, 201], [r.text for r in responses]
        ids = {tuple(c["id"] for c in r.json()["credentials"]) for r in responses}
        assert len(ids) == 1  # every answer names the same two credentials
    assert _count(engine, Assessment) == 5 and _count(engine, Credential) == 10


def test_parallel_first_issuances_share_one_status_list(live: str, engine: Engine) -> None:
    headers = _college(live)
    achievement = httpx.post(f"{live}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    url = f"{live}/api/v1/credentials"
    responses = _at_once([lambda c: c.post(url, json=credential_payload(achievement["id"]), headers=headers)] * 16)
    assert [r.status_code for r in responses] == [201] * 16
    assert _count(engine, StatusList) == 1
    indexes = {r.json()["credential"]["credentialStatus"]["statusListIndex"] for r in responses}
    assert len(indexes) == 16


def test_racing_idempotent_retries_burn_no_status_index(live: str, engine: Engine) -> None:
    headers = _college(live)
    achievement = httpx.post(f"{live}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    url = f"{live}/api/v1/credentials"
    body = credential_payload(achievement["id"])
    for n in range(10):
        keyed = headers | {"Idempotency-Key": f"cohort-7/{n}"}
        responses = _at_once([lambda c, keyed=keyed: c.post(url, json=body, headers=keyed)] * 3)
        assert sorted(r.status_code for r in responses) == [200, 200, 201]
        assert len({r.json()["id"] for r in responses}) == 1
    assert _count(engine, Credential) == 10
    with Session(engine) as session:
        assert session.scalars(select(StatusList.allocated_count)).all() == [10]


def test_an_idempotency_key_reused_for_another_request_is_refused(live: str) -> None:
    headers = _college(live) | {"Idempotency-Key": "2026-cohort-1/42"}
    achievement = httpx.post(f"{live}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    url = f"{live}/api/v1/credentials"
    first = httpx.post(url, json=credential_payload(achievement["id"]), headers=headers)
    again = httpx.post(url, json=credential_payload(achievement["id"]), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    other = credential_payload(achievement["id"], recipient={"name": "Someone Else", "email": "else@learner.example"})
    refused = httpx.post(url, json=other, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "idempotency_key_reused"
    assert refused.json()["errors"] == [{"field": "Idempotency-Key", "message": refused.json()["errors"][0]["message"]}]
