"""A complete micro-credential record (every Annex I element, several optional ones) for builder tests."""

from __future__ import annotations

import base64
import io
from datetime import UTC, date, datetime

from PIL import Image

from app.credentials.microcredential import (
    Assessment,
    Concept,
    Cost,
    IssuedMicroCredential,
    Learner,
    LearningActivity,
    LearningOutcome,
    MicroCredentialSpec,
    Organisation,
    QualityAssurance,
)


def png_data_uri(size: tuple[int, int] = (8, 8)) -> str:
    """A real (tiny) PNG as a data URI: what a college sends as a logo."""
    buffer = io.BytesIO()
    Image.new("L", size, 128).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


AUTHORITY = "http://publications.europa.eu/resource/authority"
SNB = "http://data.europa.eu/snb"
NLD = Concept(f"{AUTHORITY}/country/NLD", f"{AUTHORITY}/country", {"en": "Netherlands"})
COLLEGE = Organisation(
    name={"en": "Noorderpoort College", "nl": "Noorderpoort"},
    country=NLD,
    url="https://noorderpoort.example",
    legal_identifier="KVK-01234567",
    vat_identifier="NL001234567B01",
    logo=png_data_uri(),
)


def sample_spec(**over: object) -> MicroCredentialSpec:
    values: dict[str, object] = dict(
        id="3b0f3f8e-6a57-4a43-9d6b-2f3f1c1f9a01",
        uri="https://vetcred.test/microcredentials/3b0f3f8e-6a57-4a43-9d6b-2f3f1c1f9a01",
        primary_language="en",
        title={"en": "Heat Pump Installation", "nl": "Installatie van warmtepompen"},
        description={"en": "Installs and commissions domestic air-to-water heat pumps."},
        issuer_country=NLD,
        awarding_bodies=(COLLEGE,),
        learning_outcomes=(
            LearningOutcome(
                "LO1",
                {"en": "Sizes a heat pump for a dwelling", "nl": "Dimensioneert een warmtepomp"},
                esco_skills=("http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a",),
                reusability_level=Concept(
                    f"{SNB}/skill-reuse-level/occupation-specific",
                    f"{SNB}/skill-reuse-level/25831c2",
                    {"en": "occupation specific skills and competences"},
                ),
            ),
            LearningOutcome(
                "LO2", {"en": "Commissions and tests the installation", "nl": "Neemt de installatie in bedrijf"}
            ),
            LearningOutcome(
                "LO3",
                {"en": "Explains safe handling of refrigerants", "nl": "Legt veilig werken met koudemiddelen uit"},
            ),
        ),
        ects_credits=3.0,
        workload_hours=84.0,
        eqf_level=Concept(f"{SNB}/eqf/4", f"{SNB}/eqf/25831c2", {"en": "Level 4"}),
        nqf_level=None,
        assessment_type=Concept(
            f"{SNB}/assessment/6a4db9f11d", f"{SNB}/assessment/25831c2", {"en": "practical assessment"}
        ),
        participation_form=Concept(
            f"{SNB}/learning-assessment/e92d221e4d", f"{SNB}/learning-assessment/25831c2", {"en": "Blended"}
        ),
        quality_assurance=(
            QualityAssurance(
                type=Concept(
                    f"{SNB}/accreditation/820101cba6",
                    f"{SNB}/accreditation/25831c2",
                    {"en": "Program Quality Assurance"},
                ),
                agent=Organisation(
                    name={"en": "Inspectorate of Education"}, country=NLD, url="https://inspectorate.example"
                ),
                decision={"en": "Programme accredited 2025-2031"},
            ),
        ),
        learning_setting=Concept(
            f"{SNB}/learning-setting/e207a81fc7", f"{SNB}/learning-setting/25831c2", {"en": "non-formal learning"}
        ),
        supervision=Concept(
            f"{SNB}/supervision-verification/70be69aaf9",
            f"{SNB}/supervision-verification/25831c2",
            {"en": "Supervised with ID Verification"},
        ),
        prerequisites={"en": "A level-3 installation qualification."},
        grading_scheme={"en": "Pass / fail per learning outcome"},
        stackability={"en": "Stackable towards the Renewable Heating Technician certificate"},
        further_information_url="https://noorderpoort.example/heat-pumps",
        duration="P10W",
        maximum_duration="P6M",
        learning_opportunity_type=Concept(
            f"{SNB}/learning-opportunity/74a4a268e8",
            f"{SNB}/learning-opportunity/25831c2",
            {"en": "Short learning programme"},
        ),
        is_partial_qualification=False,
        learning_activity=LearningActivity(
            description={"en": "Ten evenings of theory online and four workshop days on campus."},
            organiser=Organisation(name={"en": "Noorderpoort Installation Academy"}, country=NLD),
            start=date(2026, 9, 1),
            end=date(2026, 10, 30),
        ),
        languages=(Concept(f"{AUTHORITY}/language/ENG", f"{AUTHORITY}/language", {"en": "English"}),),
        costs=(Cost("450.00", Concept(f"{AUTHORITY}/currency/EUR", f"{AUTHORITY}/currency", {"en": "Euro"})),),
        thematic_areas=(Concept(f"{SNB}/isced-f/0713", f"{SNB}/isced-f/25831c2", {"en": "Electricity and energy"}),),
    )
    values.update(over)
    return MicroCredentialSpec(**values)  # type: ignore[arg-type]


def sample_record(achieved: tuple[str, ...] = ("LO1", "LO2", "LO3"), **spec_over: object) -> IssuedMicroCredential:
    return IssuedMicroCredential(
        credential_id="urn:uuid:6f1c2b7e-9a0d-4e3b-8c5f-1d2e3f4a5b6c",
        spec=sample_spec(**spec_over),
        learner=Learner(
            id="a1",
            given_name="Zoë",
            family_name="de Vries",
            email="zoe@learner.example",
            date_of_birth=date(2001, 4, 17),
        ),
        assessment=Assessment(
            id="as1",
            reference="2026-HP-017",
            assessed_on=date(2026, 11, 2),
            achieved_outcomes=achieved,
            grade="Pass",
            assessor="J. Bakker",
            evidence_url="https://noorderpoort.example/evidence/017",
            certificate_number="NP-2026-0017",
        ),
        issuer=COLLEGE,
        issuer_did="did:web:vetcred.test:issuers:0b1d",
        issuer_profile={
            "id": "did:web:vetcred.test:issuers:0b1d",
            "type": ["Profile"],
            "name": "Noorderpoort College",
            "url": "https://noorderpoort.example",
        },
        issued_at=datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
    )
