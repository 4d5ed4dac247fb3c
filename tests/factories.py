"""Plain functions that create records through the real HTTP API, with overridable fields."""

from __future__ import annotations

import time
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


def microcredential_payload(**over: Any) -> dict[str, Any]:
    """Every Annex I mandatory element, and several optional ones."""
    return {
        "primaryLanguage": "en",
        "title": {"en": "Heat Pump Installation", "nl": "Installatie van warmtepompen"},
        "description": "Installs and commissions domestic air-to-water heat pumps.",
        "issuerCountry": "NLD",
        "awardingBodies": [{"name": "Noorderpoort College", "country": "NLD", "url": "https://noorderpoort.example"}],
        "learningOutcomes": [
            {
                "id": "LO1",
                "title": {"en": "Sizes a heat pump for a dwelling", "nl": "Dimensioneert een warmtepomp"},
                "escoSkills": ["http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"],
            },
            {"id": "LO2", "title": {"en": "Commissions and tests the installation", "nl": "Neemt in bedrijf"}},
        ],
        "ectsCredits": 3,
        "workloadHours": 84,
        "eqfLevel": 4,
        "assessmentType": "practical assessment",
        "participationForm": "blended",
        "qualityAssurance": [{"type": "820101cba6", "agent": {"name": "Inspectorate of Education", "country": "NLD"}}],
        "supervision": "70be69aaf9",
        "prerequisites": "A level-3 installation qualification.",
        "iscedF": ["0713"],
        "languages": ["ENG"],
        "costs": [{"amount": "450.00", "currency": "EUR"}],
        "duration": "P10W",
    } | over


def make_microcredential(client: TestClient, headers: dict[str, str], **over: Any) -> dict[str, Any]:
    response = client.post("/api/v1/microcredentials", json=microcredential_payload(**over), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def assessment_row(n: int = 1, **over: Any) -> dict[str, Any]:
    return {
        "givenName": "Zoë",
        "familyName": f"Learner {n}",
        "email": f"learner{n}@learner.example",
        "reference": f"2026-HP-{n:04d}",
        "assessedOn": "2026-11-02",
        "achievedOutcomes": ["LO1", "LO2"],
        "grade": "Pass",
        "assessor": "J. Bakker",
    } | over


def wait_for_job(client: TestClient, headers: dict[str, str], job_id: str, timeout: float = 120) -> dict[str, Any]:
    """The job once it has ended (completed, cancelled or failed), polled through the API."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("completed", "cancelled", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)
