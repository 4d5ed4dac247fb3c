"""Who seals a college's EDCs, as the EDC states it: what the seal certificate names (organisation, country,
organizationIdentifier), and the college's mandate when the seal is a third party's."""

from __future__ import annotations

from functools import lru_cache

from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from app.achievements.vocabularies import vocabulary
from app.credentials.microcredential import Sealer
from app.db.models import Issuer, SealMaterial
from app.errors import InvalidInput
from app.proofs.eseal import SealMaterial as Material

# vetcred's self-issued test seal carries this organizationIdentifier (ETSI EN 319 412-1's "country:" form), so that
# its EDCs have an eIDAS identifier that no one can take for a real one.
TEST_ORGANIZATION_IDENTIFIER = "{country}:VETCRED-TEST-ONLY-{issuer}"


def sealer_of(session: Session, issuer: Issuer, material: Material, *, self_issued: bool) -> Sealer:
    """The sealer of ``issuer``'s EDCs, sealing with ``material`` (its stored seal, see ``seals.seal_for``)."""
    row = session.get(SealMaterial, issuer.id)  # already in the session: seal_for loaded it
    return certificate_sealer(material.certificate, self_issued, row.mandate_statement if row else None)


@lru_cache(maxsize=256)
def certificate_sealer(certificate: x509.Certificate, self_issued: bool, mandate: str | None) -> Sealer:
    """Read once per certificate: a cohort seals every EDC with the same one."""
    country = _attribute(certificate, NameOID.COUNTRY_NAME)
    return Sealer(
        legal_name=_attribute(certificate, NameOID.ORGANIZATION_NAME),
        organisation_identifier=_attribute(certificate, NameOID.ORGANIZATION_IDENTIFIER),
        country=vocabulary("country").find(country) if country else None,
        self_issued=self_issued,
        mandate=mandate,
    )


def check_uploaded_seal(issuer: Issuer, material: Material, mandate: str | None) -> None:
    """``InvalidInput`` for a seal whose EDCs could not name their issuer's eIDAS legal identifier: a mandated
    sealer's certificate must name the sealer (O, C, organizationIdentifier); the college's own certificate needs an
    organizationIdentifier unless the college registered its legal identifier."""
    sealer = certificate_sealer(material.certificate, False, mandate)
    if mandate:
        if not (sealer.legal_name and sealer.organisation_identifier and sealer.country):
            raise InvalidInput(
                "a mandated sealer's certificate must name its organisation (O), its country (C) and its "
                "organizationIdentifier: the EDCs it seals name it as their issuer",
                field="file",
            )
    elif not sealer.organisation_identifier and not issuer.legal_identifier:
        raise InvalidInput(
            "the certificate has no organizationIdentifier and the college registered no legalIdentifier: an EDC "
            "names its issuer by an eIDAS legal identifier (qualified e-seal certificates carry one)",
            field="file",
        )


def _attribute(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None
