"""Status changes of one credential are serialised: revocation stays final under concurrent requests.

Real threads against a real server (uvicorn) and the database under test (PostgreSQL in CI): suspend, then send
``/revoke`` and ``/unsuspend`` at the same moment, 25 times.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.factories import ADMIN, achievement_payload, credential_payload, issuer_payload
from tests.servers import serving

TRIALS = 25


@pytest.fixture
def live(settings: Settings, empty_database: None) -> Iterator[tuple[str, dict[str, str], str]]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        issuer = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(allowSuspension=True), headers=ADMIN).json()
        headers = {"Authorization": f"Bearer {issuer['apiKey']}"}
        achievement = httpx.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
        yield base, headers, achievement["id"]


def _race(base: str, headers: dict[str, str], credential_id: str) -> dict[str, int]:
    barrier = threading.Barrier(2)
    codes: dict[str, int] = {}

    def send(action: str) -> None:
        with httpx.Client(timeout=30) as client:
            barrier.wait()
            response = client.post(
                f"{base}/api/v1/credentials/{credential_id}/{action}", json={"reason": "race"}, headers=headers
            )
            codes[action] = response.status_code

    threads = [threading.Thread(target=send, args=(action,)) for action in ("revoke", "unsuspend")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_revoke_racing_unsuspend_always_ends_revoked(live) -> None:
    base, headers, achievement_id = live
    outcomes = []
    for _ in range(TRIALS):
        issued = httpx.post(f"{base}/api/v1/credentials", json=credential_payload(achievement_id), headers=headers)
        credential_id = issued.json()["id"]
        suspended = httpx.post(
            f"{base}/api/v1/credentials/{credential_id}/suspend", json={"reason": "inquiry"}, headers=headers
        )
        assert suspended.status_code == 200, suspended.text
        codes = _race(base, headers, credential_id)
        outcomes.append(codes)
        assert codes["revoke"] == 200, codes  # revocation is always possible from suspended or active
        assert codes["unsuspend"] in (200, 409), codes  # 409 when the revocation came first
        stored = httpx.get(f"{base}/api/v1/credentials/{credential_id}", headers=headers).json()
        assert stored["status"] == "revoked", (codes, stored["status"])
        report = httpx.get(f"{issued.json()['verifyUrl']}/report.json").json()
        assert report["verdict"] == "revoked", report
        for action in ("suspend", "unsuspend"):
            again = httpx.post(
                f"{base}/api/v1/credentials/{credential_id}/{action}", json={"reason": "x"}, headers=headers
            )
            assert again.status_code == 409, again.text
    assert len(outcomes) == TRIALS
