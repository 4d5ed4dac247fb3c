"""The EDC application profiles: the profile concepts an EDC declares, their SHACL schemas, and the shape files.

An EDC says which profiles it meets twice: ``credentialProfiles`` (concepts of the Europass credential list) and
``credentialSchema`` (one ``ShaclValidator2017`` per profile, as EDCI's sealer writes them). Concept ids: EDCI
``ControlledListConcept.java`` (release 2.2.2); schema ids: EDCI ``shacl.properties`` and the shapes' own ontology
IRIs (shared/standards/edc/NOTES.md §1.2, §2.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.credentials.microcredential import Concept

SNB = "http://data.europa.eu/snb"
AP = f"{SNB}/model/ap"
CREDENTIAL_SCHEME = f"{SNB}/credential/25831c2"
EVIDENCE_TYPE_SCHEME = f"{SNB}/evidence-type/25831c2"

GENERIC_FULL = f"{AP}/edc-generic-full"
ACCREDITED = f"{AP}/edc-accredited"
CONVERTED = f"{AP}/edc-converted"
ISSUED_BY_MANDATE = f"{AP}/edc-issued-by-mandate"
DIPLOMA_SUPPLEMENT = f"{AP}/edc-diploma-supplement"

# Each schema's shape files, its owl:imports first (the imports are IRIs, so the files are loaded together).
SHAPE_FILES: dict[str, tuple[str, ...]] = {
    GENERIC_FULL: ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl"),
    ACCREDITED: ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl", "EDC-accredited.ttl"),
    CONVERTED: ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl", "EDC-converted.ttl"),
    ISSUED_BY_MANDATE: ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl", "EDC-issuedByMandate.ttl"),
    DIPLOMA_SUPPLEMENT: (
        "EDC-generic-no-cv.ttl",
        "EDC-generic-full.ttl",
        "EDC-accredited.ttl",
        "EDC-diplomaSupplement.ttl",
    ),
}


@dataclass(frozen=True)
class Profile:
    concept: Concept
    schema: str  # the credentialSchema id of its shapes


GENERIC = Profile(Concept(f"{SNB}/credential/e34929035b", CREDENTIAL_SCHEME, {"en": "Generic"}), GENERIC_FULL)
MANDATED = Profile(
    Concept(f"{SNB}/credential/c_9a31f32a", CREDENTIAL_SCHEME, {"en": "Issued by mandate"}), ISSUED_BY_MANDATE
)
ACCREDITATION = Profile(Concept(f"{SNB}/credential/c_ae121a00", CREDENTIAL_SCHEME, {"en": "Accreditation"}), ACCREDITED)
PROFILES = (
    GENERIC,
    MANDATED,
    ACCREDITATION,
    Profile(Concept(f"{SNB}/credential/c_7e400154", CREDENTIAL_SCHEME, {"en": "Converted"}), CONVERTED),
    Profile(
        Concept(f"{SNB}/credential/6dff8a0f87", CREDENTIAL_SCHEME, {"en": "Diploma Supplement"}), DIPLOMA_SUPPLEMENT
    ),
)
SCHEMA_OF_PROFILE = {profile.concept.uri: profile.schema for profile in PROFILES}

# Evidence types (``evidence.dcType``); "Mandate" is labelled as in the Commission's micro-credential sample.
MANDATE_EVIDENCE = Concept(f"{SNB}/evidence-type/c_18016257", EVIDENCE_TYPE_SCHEME, {"en": "Mandate"})
ACCREDITATION_EVIDENCE = Concept(f"{SNB}/evidence-type/c_991b06c6", EVIDENCE_TYPE_SCHEME, {"en": "Accreditation"})
