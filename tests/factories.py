"""Plain functions that create records through the real HTTP API, with overridable fields."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

ADMIN = {"Authorization": "Bearer test-admin-token-0123456789abcdefghijklmnop"}


def issuer_payload(**over: Any) -> dict[str, Any]:
    return {
        "name": "Noorderpoort College",
        "url": "https://noorderpoort.example",
        "email": "credentials@noorderpoort.example",
        "address": {"addressCountry": "Netherlands", "addressCountryCode": "NL", "addressLocality": "Groningen"},
    } | over


def make_issuer(client: TestClient, **over: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Registers a college; returns its JSON and the headers that authenticate as it."""
    response = client.post("/api/v1/issuers", json=issuer_payload(**over), headers=ADMIN)
    assert response.status_code == 201, response.text
    body = response.json()
    return body, {"Authorization": f"Bearer {body['apiKey']}"}


def achievement_payload(**over: Any) -> dict[str, Any]:
    return {
        "name": "Welding Safety Basics",
        "description": "Applies safe working practices for MIG/MAG welding.",
        "criteria": {"narrative": "Passed the practical safety assessment."},
        "achievementType": "MicroCredential",
        "creditsAvailable": 2,
        "inLanguage": "en",
        "tags": ["welding", "safety"],
        "alignments": [
            {
                "targetName": "Weld metal",
                "targetUrl": "http://data.europa.eu/esco/skill/demo-weld",
                "targetFramework": "ESCO",
                "targetType": "ceasn:Competency",
            }
        ],
        "resultDescriptions": [
            {
                "id": "urn:test:rd:grade",
                "name": "Final grade",
                "resultType": "LetterGrade",
                "allowedValue": ["A", "B", "C", "F"],
            }
        ],
    } | over


def make_achievement(client: TestClient, headers: dict[str, str], **over: Any) -> dict[str, Any]:
    response = client.post("/api/v1/achievements", json=achievement_payload(**over), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def credential_payload(achievement_id: str, **over: Any) -> dict[str, Any]:
    return {
        "achievementId": achievement_id,
        "recipient": {"name": "Sanne de Vries", "email": "Sanne.deVries@learner.example"},
        "results": [{"resultDescription": "urn:test:rd:grade", "value": "A"}],
        "evidence": [{"id": "https://noorderpoort.example/evidence/1", "name": "Practical record"}],
    } | over


def issue(client: TestClient, headers: dict[str, str], achievement_id: str, **over: Any) -> dict[str, Any]:
    response = client.post("/api/v1/credentials", json=credential_payload(achievement_id, **over), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()
