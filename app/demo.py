"""A demo college, an achievement, a micro-credential and a learner: ``vetcred demo`` and the benchmarks use them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
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
from app.staff.invitations import invitation_url, invite_first_owner

COLLEGE = "Rijnmond Vakcollege"
COLLEGE_URL = "https://www.rijnmond-vakcollege.example"
DEMO_OWNER = "coordinator@rijnmond-vakcollege.example"

# The demo achievement's learning outcomes: what an installer who holds it can do, each assessed on its own.
OUTCOMES = (
    "Calculates the heat loss of a dwelling room by room and sizes an air-to-water heat pump to it",
    "Places the outdoor unit within the municipal noise limit and mounts it on a vibration-isolated base",
    "Connects, flushes and fills the hydraulic circuit with buffer tank, expansion vessel and circulation pump",
    "Wires the heat pump, backup heater and room controls to the distribution board and tests the protection",
    "Evacuates, pressure-tests and leak-checks a split refrigerant circuit as F-gas category I requires",
    "Commissions the system: sets the heating curve, flow temperature limits and domestic hot water schedule",
    "Measures flow rate, temperature difference and electrical input and records the COP in the commissioning report",
    "Explains operation, maintenance intervals and energy-saving settings to the householder in plain language",
)
# The college's competency framework for installers, to which each outcome is aligned.
FRAMEWORK = f"{COLLEGE_URL}/curriculum/installation-technology-level-4"


def sample_issuer() -> IssuerInput:
    return IssuerInput.model_validate(
        {
            "name": COLLEGE,
            "url": COLLEGE_URL,
            "email": "examenbureau@rijnmond-vakcollege.example",
            "description": (
                "Vocational college for installation and energy technology in Rotterdam: heat pumps, solar "
                "thermal and electrical installation, for apprentices and for installers retraining at work."
            ),
            "address": {
                "streetAddress": "Vierhavensstraat 46",
                "postalCode": "3029 BG",
                "addressLocality": "Rotterdam",
                "addressRegion": "Zuid-Holland",
                "addressCountry": "Netherlands",
                "addressCountryCode": "NL",
            },
        }
    )


def sample_achievement(results: int = 8, alignments: int = 8) -> AchievementInput:
    """A vocational micro-credential with graded learning outcomes, each aligned to the college's framework
    (``results`` and ``alignments``: how many of the eight, for benchmarks that vary them)."""
    outcomes = OUTCOMES[:results]
    return AchievementInput.model_validate(
        {
            "name": "Heat Pump Installation and Commissioning",
            "description": (
                "Sizes, installs, commissions and hands over domestic air-to-water heat pumps, including the "
                "refrigerant circuit of split systems, to the installer's level 4 qualification standard."
            ),
            "criteria": {
                "narrative": (
                    "A supervised practical assessment on a training rig and in an occupied dwelling, with a "
                    "commissioning report; every learning outcome must be graded D or better."
                )
            },
            "achievementType": "MicroCredential",
            "creditsAvailable": 5,
            "fieldOfStudy": "Building and civil engineering (ISCED-F 0732)",
            "inLanguage": "en",
            "tags": ["heat pumps", "renewable energy", "installation"],
            "alignments": [
                {
                    "targetName": outcome,
                    "targetUrl": f"{FRAMEWORK}#HP{i + 1}",
                    "targetFramework": f"{COLLEGE}: installation technology, level 4",
                    "targetType": "ceasn:Competency",
                    "targetCode": f"HP{i + 1}",
                }
                for i, outcome in enumerate(OUTCOMES[:alignments])
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
    grades = "ABABAABA"
    return CredentialRequest.model_validate(
        {
            "achievementId": achievement_id,
            "recipient": {
                "name": "Alex Jansen",
                "email": "alex.jansen@learner.example",
                "identifiers": [{"identifierType": "sisSourcedId", "identifier": "2026-00417"}],
            },
            "results": [
                {"resultDescription": f"urn:vetcred:demo:outcome:{i + 1}", "value": grades[i % len(grades)]}
                for i in range(results)
            ],
            "evidence": [
                {
                    "id": f"{COLLEGE_URL}/evidence/2026-00417/practical",
                    "name": "Practical assessment record",
                    "narrative": (
                        "Installed and commissioned a 6 kW split air-to-water heat pump in a 1930s terraced house "
                        "in Delfshaven under supervision; measured COP 3.4 at 35 °C flow."
                    ),
                    "genre": "Assessment",
                }
            ],
            "creditsEarned": 5,
        }
    )


def sample_microcredential() -> MicroCredentialSpecInput:
    """A micro-credential with every Annex I mandatory element (and a few optional ones), in two languages."""
    college = {"name": COLLEGE, "country": "NLD"}
    return MicroCredentialSpecInput.model_validate(
        {
            "title": {"en": "Heat Pump Installation", "nl": "Installatie van warmtepompen"},
            "description": {
                "en": "Sizes, installs and commissions domestic air-to-water heat pumps, for qualified installers.",
                "nl": "Dimensioneren, installeren en in bedrijf stellen van lucht-waterwarmtepompen in woningen.",
            },
            "issuerCountry": "NLD",
            "awardingBodies": [college],
            "learningOutcomes": [
                {
                    "id": "LO1",
                    "title": {
                        "en": "Calculates a dwelling's heat loss and sizes a heat pump to it",
                        "nl": "Berekent het warmteverlies van een woning en dimensioneert de warmtepomp",
                    },
                    "reusabilityLevel": "occupation-specific",
                },
                {
                    "id": "LO2",
                    "title": {
                        "en": "Installs the outdoor unit and the hydraulic circuit",
                        "nl": "Installeert de buitenunit en het hydraulische circuit",
                    },
                    "reusabilityLevel": "occupation-specific",
                },
                {
                    "id": "LO3",
                    "title": {
                        "en": "Handles refrigerants safely and leak-checks the circuit",
                        "nl": "Werkt veilig met koudemiddelen en controleert het circuit op lekkage",
                    },
                    "reusabilityLevel": "sector-specific",
                },
                {
                    "id": "LO4",
                    "title": {
                        "en": "Commissions the system and records its performance",
                        "nl": "Neemt de installatie in bedrijf en legt de prestaties vast",
                    },
                    "reusabilityLevel": "occupation-specific",
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
            "prerequisites": {
                "en": "A level 2 installation qualification, or two years' work as an installer.",
                "nl": "Een installatiediploma op niveau 2, of twee jaar werkervaring als monteur.",
            },
            "gradingScheme": {
                "en": "Each learning outcome is graded A to F; D or better passes.",
                "nl": "Elk leerresultaat krijgt een cijfer van A tot F; D of hoger is voldoende.",
            },
            "duration": "P8W",
            "costs": [{"amount": "1450.00", "currency": "EUR"}],
            "iscedF": ["0713"],
            "languages": ["ENG", "NLD"],
            "learningActivityType": "workshop",
            "learningActivity": {
                "description": {
                    "en": "Theory online on Monday evenings, then six practical days in the college's heat pump lab.",
                    "nl": "Theorie online op maandagavond, daarna zes praktijkdagen in het warmtepomplab.",
                },
                "organiser": college,
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
            "achievedOutcomes": ["LO1", "LO2", "LO3", "LO4"],
            "grade": "Pass",
            "assessor": "J. Bakker",
            "certificateNumber": f"RVC-HP-{n:05d}",
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
            # The demo college's first console owner: the link lets whoever ran the demo into the staff console.
            owner = invite_first_owner(
                session,
                issuer.id,
                DEMO_OWNER,
                now=runtime.clock(),
                ttl=timedelta(days=settings.console_invitation_days),
            )
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
                "consoleOwner": DEMO_OWNER,
                "consoleInvitationUrl": invitation_url(settings.public_url, owner.token),
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
