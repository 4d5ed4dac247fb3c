"""Bad input is a 4xx naming what is wrong, never a 500: NUL characters, huge offsets, deep nesting, big chunked
bodies, an unreachable database. Run on PostgreSQL in CI, where a NUL used to reach the database."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.config import Settings
from app.main import create_app
from tests.factories import (
    ADMIN,
    achievement_payload,
    assessment_row,
    credential_payload,
    issuer_payload,
    make_achievement,
    make_issuer,
    make_microcredential,
)
from tests.servers import TcpProxy

NUL = "\x00"


def test_a_nul_in_any_path_parameter_is_404_not_500(client: TestClient, app: FastAPI) -> None:
    _, headers = make_issuer(client)
    tried = 0
    for template, operations in app.openapi()["paths"].items():
        if "{" not in template:
            continue
        path = re.sub(r"\{[^}]+\}", "abc%00def", template)
        for method in operations:
            auth = ADMIN if template.startswith("/api/v1/issuers/{") else headers
            response = client.request(method.upper(), path, headers=auth, json={})
            assert response.status_code == 404, (method, path, response.status_code, response.text)
            tried += 1
    assert tried >= 30  # every documented route with a parameter, public or not


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/catalogue?q=heat%00pump", "q"),
        ("/catalogue?q=%00", "q"),
        ("/api/v1/credentials?achievementId=a%00b", "achievementId"),
        ("/api/v1/catalogue?q%00=1", "q\\0"),
    ],
)
def test_a_nul_in_a_query_parameter_is_422_naming_it(client: TestClient, path: str, field: str) -> None:
    _, headers = make_issuer(client)
    response = client.get(path, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": field, "message": "must not contain a NUL character (U+0000)"}]


def _nul_bodies(achievement_id: str) -> list[tuple[str, str, dict[str, Any], str]]:
    return [
        ("POST", "/api/v1/issuers", issuer_payload(name=f"Noorder{NUL}poort"), "name"),
        (
            "POST",
            "/api/v1/issuers",
            issuer_payload(address={"addressLocality": f"Gron{NUL}ingen"}),
            "address.addressLocality",
        ),
        ("POST", "/api/v1/achievements", achievement_payload(description=f"x{NUL}"), "description"),
        ("POST", "/api/v1/achievements", achievement_payload(tags=["ok", f"b{NUL}d"]), "tags"),
        (
            "POST",
            "/api/v1/credentials",
            credential_payload(achievement_id, recipient={"name": f"S{NUL}", "email": "s@learner.example"}),
            "recipient.name",
        ),
        ("POST", "/api/v1/issuers/me/api-keys", {"label": f"records{NUL}"}, "label"),
        ("POST", "/api/v1/microcredentials", {"title": {"en": f"Heat{NUL}"}}, "title"),
    ]


def test_a_nul_in_a_body_field_is_422_naming_it(client: TestClient) -> None:
    _, headers = make_issuer(client)
    achievement = make_achievement(client, headers)
    for method, path, body, field in _nul_bodies(achievement["id"]):
        auth = ADMIN if path == "/api/v1/issuers" else headers
        response = client.request(method, path, json=body, headers=auth)
        assert response.status_code == 422, (path, response.text)
        fields = {e["field"]: e["message"] for e in response.json()["errors"]}
        assert "NUL" in fields.get(field, ""), (path, fields)


def test_a_nul_in_one_cohort_row_fails_that_row_only(client: TestClient) -> None:
    _, headers = make_issuer(client)
    spec = make_microcredential(client, headers)
    rows = [assessment_row(1), assessment_row(2, givenName=f"Zo{NUL}ë"), assessment_row(3)]
    first = client.post(
        f"/api/v1/microcredentials/{spec['id']}/cohort?wait=true", json={"rows": rows}, headers=headers
    ).json()
    assert first["issued"] == 2 and first["errors"] == [
        {"row": 2, "field": "givenName", "message": "Value error, must not contain a NUL character (U+0000)"}
    ]
    again = client.post(
        f"/api/v1/microcredentials/{spec['id']}/cohort?wait=true", json={"rows": rows}, headers=headers
    ).json()
    assert again["issued"] == 0 and again["alreadyRecorded"] == 2 and len(again["errors"]) == 1
    csv = "givenName,familyName,email,reference,assessedOn,achievedOutcomes,grade\n"
    csv += "Ada,L,ada@learner.example,R-9,2026-11-02,LO1;LO2,Pass\n"
    csv += f"Bo{NUL}b,L,bob@learner.example,R-10,2026-11-02,LO1;LO2,Pass\n"
    by_csv = client.post(
        f"/api/v1/microcredentials/{spec['id']}/cohort?wait=true",
        content=csv.encode(),
        headers=headers | {"Content-Type": "text/csv"},
    ).json()
    assert by_csv["issued"] == 1 and [e["row"] for e in by_csv["errors"]] == [2], by_csv


@pytest.mark.parametrize("path", ["/api/v1/credentials", "/api/v1/achievements", "/api/v1/microcredentials"])
def test_an_offset_past_any_database_integer_is_422(client: TestClient, path: str) -> None:
    _, headers = make_issuer(client)
    response = client.get(f"{path}?offset={2**63}", headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "offset"
    assert client.get(f"/api/v1/catalogue?offset={2**63 + 5}").status_code == 422


def test_a_deeply_nested_credential_is_not_valid_not_a_crash(client: TestClient) -> None:
    _, headers = make_issuer(client)
    genuine = client.post(
        "/api/v1/credentials", json=credential_payload(make_achievement(client, headers)["id"]), headers=headers
    ).json()["credential"]
    forged = copy.deepcopy(genuine)
    nested: dict[str, Any] = {"name": "x"}
    for _ in range(600):
        nested = {"nested": nested}
    forged["credentialSubject"]["achievement"]["alignment"] = [nested]
    forged["proof"][0]["proofValue"] = "z1"
    report = client.post("/api/v1/verify", json=forged)
    assert report.status_code == 200 and report.json()["verdict"] == "not_valid"
    assert "more than 64 levels deep" in report.json()["checks"][0]["reason"]
    page = client.post("/verify", files={"file": ("c.json", __import__("json").dumps(forged), "application/json")})
    assert page.status_code == 422 and "64 levels" in page.text


def test_a_chunked_body_over_the_limit_is_413(client: TestClient, settings: Settings) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(settings.max_body_bytes // 10_000 + 5):
            yield b" " * 10_000

    response = client.post("/api/v1/verify", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"


def test_an_unreachable_database_is_a_json_503_and_health_says_so(settings: Settings, empty_database: None) -> None:
    url = make_url(settings.database_url)
    if not url.drivername.startswith("postgresql"):
        pytest.skip("a database server that becomes unreachable: PostgreSQL (set VETCRED_TEST_DATABASE_URL)")
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    with TestClient(create_app(settings.model_copy(update={"database_url": through_proxy}))) as client:
        _, headers = make_issuer(client)
        assert client.get("/health").status_code == 200
        proxy.cut()
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "database unavailable"
        response = client.get("/api/v1/issuers/me", headers=headers)
        assert response.status_code == 503 and response.json()["error"] == "database_unavailable", response.text
        assert response.headers["retry-after"] == "5"
        assert client.get("/v/some-token").status_code == 503
