"""Achievement definitions: validated like OB 3.0 validates them, visible only to their issuer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import achievement_payload, make_achievement, make_issuer


def test_create_list_and_read_an_achievement(client: TestClient) -> None:
    issuer, headers = make_issuer(client)
    created = make_achievement(client, headers)
    achievement = created["achievement"]
    assert achievement["id"] == f"https://vetcred.test/achievements/{created['id']}"
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    assert achievement["resultDescription"][0]["id"] == "urn:test:rd:grade"
    assert achievement["creator"] == {"id": issuer["did"], "type": ["Profile"], "name": issuer["profile"]["name"]}
    assert client.get(f"/api/v1/achievements/{created['id']}", headers=headers).json() == created
    assert [a["id"] for a in client.get("/api/v1/achievements", headers=headers).json()] == [created["id"]]
    assert client.get(f"/achievements/{created['id']}").json() == achievement


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"name": ""}, "name"),
        ({"achievementType": "Program"}, "achievementType"),
        ({"inLanguage": "english"}, "inLanguage"),
        ({"criteria": {}}, "criteria"),
        ({"creditsAvailable": -1}, "creditsAvailable"),
        ({"image": "ftp://example.org/x.png"}, "image"),
        ({"alignments": [{"targetName": "x", "targetUrl": "not a uri"}]}, "alignments.0.targetUrl"),
        (
            {"alignments": [{"targetName": "x", "targetUrl": "https://x.example", "targetType": "Skill"}]},
            "alignments.0.targetType",
        ),
        ({"resultDescriptions": [{"name": "Grade", "resultType": "Stars"}]}, "resultDescriptions.0.resultType"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_what_ob3_rejects_is_a_422_naming_the_field(client: TestClient, override: dict, field: str) -> None:
    _, headers = make_issuer(client)
    response = client.post("/api/v1/achievements", json=achievement_payload(**override), headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_missing_required_field_is_named(client: TestClient) -> None:
    _, headers = make_issuer(client)
    payload = achievement_payload()
    del payload["description"]
    response = client.post("/api/v1/achievements", json=payload, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "description", "message": "Field required"}]


def test_extension_achievement_type_is_accepted(client: TestClient) -> None:
    _, headers = make_issuer(client)
    assert make_achievement(client, headers, achievementType="ext:VetModule")["achievement"]["achievementType"] == (
        "ext:VetModule"
    )


def test_another_college_cannot_see_the_achievement(client: TestClient) -> None:
    _, headers_a = make_issuer(client)
    _, headers_b = make_issuer(client, name="Other College")
    created = make_achievement(client, headers_a)
    assert client.get(f"/api/v1/achievements/{created['id']}", headers=headers_b).status_code == 404
    assert client.get("/api/v1/achievements", headers=headers_b).json() == []
    assert client.get("/api/v1/achievements").status_code == 401
