"""A demo college, an achievement, a micro-credential and a learner: ``vetcred demo`` and the benchmarks use them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.achievements.inputs import AchievementInput
from app.achievements.microcredential_input import MicroCredentialSpecInput
from app.achievements.microcredentials import create_spec
from app.achievements.service import create_achievement
from app.assessments.inputs import AssessmentInput
from app.assessments.service import record_assessment
from app.config import Settings
from app.credentials.inputs import CredentialRequest
from app.credentials.issuance import issue_ob3
from app.db.models import Issuer
from app.issuers.inputs import IssuerInput
from app.issuers.seals import store_seal
from app.issuers.service import register_issuer, signer_for
from app.proofs.eseal import self_issued_seal_material
from app.proofs.keys import MasterKey
from app.runtime import Runtime

ESCO = "http://data.europa.eu/esco/skill/"


def sample_issuer() -> IssuerInput:
    return IssuerInput.model_validate(
        {
            "name": "Demo Vocational College",
            "url": "https://college.example",
            "email": "registry@college.example",
            "description": "A vocational college issuing micro-credentials (demo data).",
            "address": {"addressCountry": "Netherlands", "addressCountryCode": "NL", "addressLocality": "Utrecht"},
        }
    )


def sample_achievement(results: int = 8, alignments: int = 8) -> AchievementInput:
    """A vocational micro-credential with graded learning outcomes aligned to ESCO skills."""
    outcomes = [f"Outcome {i + 1}: install and test a heat pump circuit, part {i + 1}" for i in range(results)]
    return AchievementInput.model_validate(
        {
            "name": "Heat Pump Installation and Commissioning",
            "description": "Installs, commissions and maintains domestic air-to-water heat pumps safely.",
            "criteria": {"narrative": "Passed a supervised practical assessment of each learning outcome."},
            "achievementType": "MicroCredential",
            "creditsAvailable": 5,
            "fieldOfStudy": "Building and civil engineering (ISCED-F 0732)",
            "inLanguage": "en",
            "tags": ["heat pumps", "renewable energy", "installation"],
            "alignments": [
                {
                    "targetName": f"ESCO skill {i + 1}",
                    "targetUrl": f"{ESCO}demo-skill-{i + 1}",
                    "targetFramework": "ESCO",
                    "targetType": "ceasn:Competency",
                    "targetCode": f"S{i + 1}",
                }
                for i in range(alignments)
            ],
            "resultDescriptions": [
                {
                    "id": f"urn:vetcred:demo:outcome:{i + 1}",
                    "name": outcome,
                    "resultType": "LetterGrade",
                    "allowedValue": ["A", "B", "C", "D", "F"],
                    "requiredValue": "D",
                }
                for i, outcome in enumerate(outcomes)
            ],
        }
    )


def sample_request(achievement_id: str, results: int = 8) -> CredentialRequest:
    return CredentialRequest.model_validate(
        {
            "achievementId": achievement_id,
            "recipient": {
                "name": "Alex Jansen",
                "email": "alex.jansen@learner.example",
                "identifiers": [{"identifierType": "sisSourcedId", "identifier": "2026-00417"}],
            },
            "results": [
                {"resultDescription": f"urn:vetcred:demo:outcome:{i + 1}", "value": "A"} for i in range(results)
            ],
            "evidence": [
                {
                    "id": "https://college.example/evidence/2026-00417/practical",
                    "name": "Practical assessment record",
                    "narrative": "Commissioned a 6 kW air-to-water heat pump under supervision.",
                    "genre": "Assessment",
                }
            ],
            "creditsEarned": 5,
        }
    )


def sample_microcredential() -> MicroCredentialSpecInput:
    """A micro-credential with every Annex I mandatory element (and a few optional ones), in two languages."""
    return MicroCredentialSpecInput.model_validate(
        {
            "title": {"en": "Heat Pump Installation", "nl": "Installatie van warmtepompen"},
            "description": {"en": "Installs and commissions domestic air-to-water heat pumps."},
            "issuerCountry": "NLD",
            "awardingBodies": [{"name": "Demo Vocational College", "country": "NLD"}],
            "learningOutcomes": [
                {
                    "id": "LO1",
                    "title": {"en": "Sizes a heat pump for a dwelling", "nl": "Dimensioneert een warmtepomp"},
                    "reusabilityLevel": "occupation-specific",
                },
                {
                    "id": "LO2",
                    "title": {"en": "Commissions and tests the installation", "nl": "Neemt de installatie in bedrijf"},
                    "reusabilityLevel": "occupation-specific",
                },
                {
                    "id": "LO3",
                    "title": {"en": "Handles refrigerants safely", "nl": "Werkt veilig met koudemiddelen"},
                    "reusabilityLevel": "sector-specific",
                },
            ],
            "ectsCredits": 3,
            "workloadHours": 84,
            "eqfLevel": 4,
            "assessmentType": "practical assessment",
            "participationForm": "blended",
            "qualityAssurance": [
                {"type": "820101cba6", "agent": {"name": "Inspectorate of Education", "country": "NLD"}}
            ],
            "supervision": "Supervised with ID Verification",
            "iscedF": ["0713"],
            "languages": ["ENG", "NLD"],
            "learningActivityType": "workshop",
            "learningActivity": {
                "description": {"en": "Theory online, then practical workshop days in the college's installation lab."},
                "organiser": {"name": "Demo Vocational College", "country": "NLD"},
                "startDate": "2026-09-07",
                "endDate": "2026-10-30",
            },
            "isPartialQualification": False,
            "maximumDuration": "P6M",
        }
    )


def sample_assessment(n: int = 1) -> AssessmentInput:
    return AssessmentInput.model_validate(
        {
            "givenName": "Alex",
            "familyName": f"Jansen {n}" if n > 1 else "Jansen",
            "email": f"alex.jansen{n}@learner.example",
            "reference": f"2026-HP-{n:04d}",
            "assessedOn": "2026-11-02",
            "achievedOutcomes": ["LO1", "LO2", "LO3"],
            "grade": "Pass",
            "assessor": "J. Bakker",
            "certificateNumber": f"DVC-HP-{n:05d}",
        }
    )


# The Commission's own mandate wording (its micro-credential sample, Sample-MC-Annex1).
DEMO_MANDATE = (
    "Every claim inside this credential is to be construed as having been made by the indicated awarding body, who "
    "maintains sole responsibility for said claim. By applying its electronic seal, the signing organisation "
    "certifies the correctness of origin of each claim, as having been made by the indicated awarding body."
)


def store_demo_sealer(session: Session, issuer: Issuer, master_key: MasterKey, now: datetime) -> None:
    """The demo college's EDCs are sealed on its behalf by a (test) sealing service: a mandated issue, so the demo
    EDC shows the Mandate evidence and the issued-by-mandate profile. Its certificate is a self-issued test one."""
    material = self_issued_seal_material(
        organisation="Demo Sealing Service",
        country="NL",
        organization_identifier="NL:VETCRED-TEST-ONLY-DEMO-SEALER",
        now=now,
    )
    store_seal(session, issuer, material, master_key, self_issued=True, mandate_statement=DEMO_MANDATE)


def run_demo(settings: Settings, out_dir: Path) -> dict[str, Any]:
    """Creates the demo records in the configured database, writes their credentials to ``out_dir``; returns what
    ``demo-issuer.json`` holds (the college's id, DID and API key, the verification links).

    ob3.json: an OB 3.0 achievement credential; microcredential-ob3.json and microcredential-edc-sealed.json: one
    micro-credential in both formats (the EDC sealed by a mandated test sealing service).
    """
    runtime = Runtime.start(settings)
    try:
        with runtime.transaction() as session:
            registered = register_issuer(
                session,
                sample_issuer(),
                public_url=settings.public_url,
                master_key=runtime.master_key,
                now=runtime.clock(),
            )
            issuer = registered.issuer
            achievement = create_achievement(session, issuer, sample_achievement(), public_url=settings.public_url)
            credential, _ = issue_ob3(
                session,
                issuer,
                sample_request(achievement.id),
                signer=signer_for(issuer, runtime.master_key),
                loader=runtime.loader,
                clock=runtime.clock,
                public_url=settings.public_url,
            )
            document: dict[str, Any] = credential.document
            spec = create_spec(session, issuer, sample_microcredential(), public_url=settings.public_url)
            store_demo_sealer(session, issuer, runtime.master_key, runtime.clock())
            result = record_assessment(session, issuer, spec, sample_assessment(), runtime.issuance_context())
            micro_ob3, micro_edc = result.credentials
            micro_documents = {
                "microcredential-ob3.json": micro_ob3.document,
                "microcredential-edc-sealed.json": json.loads(micro_edc.sealed or "{}"),
            }
            summary = {
                "issuer": issuer.did,
                "issuerId": issuer.id,
                "apiKey": registered.api_key,
                "achievementId": achievement.id,
                "credentialId": credential.id,
                "microcredentialId": spec.id,
                "verifyUrls": [f"{settings.public_url}/v/{c.public_token}" for c in (credential, micro_ob3, micro_edc)],
            }
    finally:
        runtime.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "ob3.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, micro in micro_documents.items():
        (out_dir / name).write_text(json.dumps(micro, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / "demo-issuer.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
