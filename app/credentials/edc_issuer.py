"""Who issues an EDC and on what grounds: the issuer's eIDAS identifier, the mandated sealer, the evidence, the
profiles it declares.

The issuer's ``eIDASIdentifier`` is the seal certificate's organizationIdentifier (what EDCI's sealer writes, and
what a verifier can compare with the seal); else the college's registered legal identifier; else the clearly
marked test identifier of vetcred's self-issued test seal. A DID is never presented as an eIDAS identifier.

Evidence is stated only where it is true: a Mandate when a third party seals on the college's behalf (that sealer
is then the issuer, the college stays the awarding body), an Accreditation for each quality assurance listed in
the Europass register (QDR). An EDC the college seals itself carries no Mandate evidence.
"""

from __future__ import annotations

from collections.abc import Callable

from app.credentials.edc_nodes import Node, concept, node
from app.credentials.edc_profiles import (
    ACCREDITATION,
    ACCREDITATION_EVIDENCE,
    GENERIC,
    MANDATE_EVIDENCE,
    MANDATED,
    Profile,
)
from app.credentials.microcredential import Concept, IssuedMicroCredential, QualityAssurance, Sealer
from app.errors import Conflict

Ids = Callable[[str, str], str]  # the builder's node ids: (kind, key) -> urn:epass:<kind>:<uuid>


def eidas_identifier(record: IssuedMicroCredential) -> tuple[str, Concept]:
    """The notation and country of the issuing college's eIDAS legal identifier (not for a mandated sealer)."""
    sealer, college = record.sealer, record.issuer
    if sealer is not None and sealer.organisation_identifier and not sealer.self_issued:
        return sealer.organisation_identifier, sealer.country or college.country
    if college.legal_identifier:
        return college.legal_identifier, college.country
    if sealer is not None and sealer.organisation_identifier:  # the self-issued test seal's marked test identifier
        return sealer.organisation_identifier, sealer.country or college.country
    raise Conflict(
        "an EDC's issuer needs an eIDAS legal identifier: the college's e-seal certificate has no "
        "organizationIdentifier and the college has no registered legalIdentifier"
    )


def mandated(record: IssuedMicroCredential) -> Sealer | None:
    """The third party sealing on the college's behalf, if the college declared a mandate."""
    sealer = record.sealer
    return sealer if sealer is not None and sealer.mandate else None


def mandated_sealer(ids: Ids, sealer: Sealer, language: str) -> Node:
    """The issuer of a mandated EDC: the sealer as its certificate names it (what EDCI's sealer writes)."""
    if not (sealer.legal_name and sealer.organisation_identifier and sealer.country):
        raise Conflict("a mandated sealer's certificate must name its organisation, country and organizationIdentifier")
    address = node(ids("address", "sealer"), "Address", countryCode=concept(sealer.country))
    eidas = node(
        ids("legalIdentifier", "eidas/sealer"),
        "LegalIdentifier",
        notation=sealer.organisation_identifier,
        spatial=concept(sealer.country),
    )
    return node(
        ids("org", "sealer"),
        "Organisation",
        legalName={language: sealer.legal_name},
        location=[node(ids("location", "sealer"), "Location", address=address)],
        eIDASIdentifier=eidas,
    )


def listed_accreditations(record: IssuedMicroCredential) -> list[QualityAssurance]:
    return [qa for qa in record.spec.quality_assurance if qa.qdr_id]


def evidence(ids: Ids, record: IssuedMicroCredential, accreditations: list[tuple[str, Node]]) -> list[Node]:
    """The credential's evidence: the mandate, and each QDR-listed accreditation (``(qdr id, its node)``).

    Every evidence has a statement: the issued-by-mandate shapes ask one of each evidence an EDC carries.
    """
    nodes = []
    sealer = mandated(record)
    if sealer is not None:
        nodes.append(
            node(
                ids("evidence", "mandate"),
                "Evidence",
                dcType=concept(MANDATE_EVIDENCE),
                evidenceStatement=sealer.mandate,
            )
        )
    for qdr_id, accreditation in accreditations:
        statement = f"Awarded under the accreditation {qdr_id} of the Europass Qualification Dataset Register."
        nodes.append(
            node(
                ids("evidence", f"accreditation/{qdr_id}"),
                "Evidence",
                dcType=concept(ACCREDITATION_EVIDENCE),
                accreditation=accreditation,
                evidenceStatement=statement,
            )
        )
    return nodes


def profiles(record: IssuedMicroCredential) -> list[Profile]:
    """The profiles the EDC meets. "Accredited" asks every evidence to name an accreditation, which a Mandate
    evidence cannot: a mandated EDC carries its accreditations as evidence without declaring that profile."""
    declared = [GENERIC]
    if mandated(record) is not None:
        declared.append(MANDATED)
    elif listed_accreditations(record):
        declared.append(ACCREDITATION)
    return declared
