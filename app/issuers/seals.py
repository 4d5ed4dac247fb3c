"""A college's e-seal for EDCs: upload (PKCS#12), or a self-issued test seal; the key stays encrypted at rest."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements.vocabularies import vocabulary
from app.credentials.microcredential import Sealer
from app.db.models import Issuer, SealMaterial
from app.issuers.sealer import TEST_ORGANIZATION_IDENTIFIER, certificate_sealer, check_uploaded_seal
from app.issuers.service import entry_for, lock_issuer
from app.proofs.eseal import SealMaterial as Material
from app.proofs.eseal import load_pkcs12, self_issued_seal_material
from app.proofs.keys import MasterKey
from app.trust.registries import RegistryEntry

SELF_ISSUED_WARNING = (
    "This EDC is sealed with a self-issued test certificate: the seal proves the document is unchanged, but it is "
    "not a qualified e-seal and will not pass the Europass viewer's trust check."
)


# A seal this close to its certificate's end is flagged to the college: renewing a qualified certificate takes weeks.
EXPIRY_WARNING = timedelta(days=60)


@dataclass(frozen=True)
class SealCertificate:
    """What a college is shown of its e-seal's certificate (the leaf of the stored chain)."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    self_issued: bool
    mandate_statement: str | None

    def expired(self, now: datetime) -> bool:
        return now >= self.not_after

    def expires_soon(self, now: datetime) -> bool:
        """Still valid, but for less than ``EXPIRY_WARNING``."""
        return not self.expired(now) and self.not_after - now < EXPIRY_WARNING

    def days_left(self, now: datetime) -> int:
        return max(0, (self.not_after - now).days)


def seal_certificate(session: Session, issuer: Issuer) -> SealCertificate | None:
    """``issuer``'s e-seal certificate, or None while it has no seal (uploaded or self-issued)."""
    row = session.get(SealMaterial, issuer.id)
    if row is None or not row.chain:
        return None
    leaf = x509.load_der_x509_certificate(base64.b64decode(row.chain[0]))
    return SealCertificate(
        subject=leaf.subject.rfc4514_string(),
        issuer=leaf.issuer.rfc4514_string(),
        not_before=leaf.not_valid_before_utc,
        not_after=leaf.not_valid_after_utc,
        self_issued=row.self_issued,
        mandate_statement=row.mandate_statement,
    )


def seal_aad(issuer_id: str) -> bytes:
    return f"vetcred:seal-key:{issuer_id}".encode()


def store_seal(
    session: Session,
    issuer: Issuer,
    material: Material,
    master_key: MasterKey,
    *,
    self_issued: bool,
    mandate_statement: str | None = None,
) -> SealMaterial:
    """Keep ``material`` as the college's seal; ``mandate_statement`` when it is a third party's sealing on the
    college's behalf (its EDCs then carry that statement as Mandate evidence)."""
    lock_issuer(session, issuer)  # an upload racing the first self-issued seal: one row, the last writer's
    row = session.get(SealMaterial, issuer.id)
    if row is None:
        row = SealMaterial(issuer_id=issuer.id)
        session.add(row)
    row.encrypted_private_key = master_key.encrypt(material.private_key_der(), aad=seal_aad(issuer.id))
    row.chain = [base64.b64encode(cert.public_bytes(Encoding.DER)).decode() for cert in material.chain]
    row.subject = material.chain[0].subject.rfc4514_string()
    row.self_issued = self_issued
    row.mandate_statement = mandate_statement
    session.flush()
    return row


def college_by_seal_certificate(session: Session, certificate_der: bytes, subject: str) -> RegistryEntry | None:
    """The college of this service that seals with this very certificate (compared byte for byte, not by name)."""
    encoded = base64.b64encode(certificate_der).decode()
    for row in session.scalars(select(SealMaterial).where(SealMaterial.subject == subject)):
        if row.chain and row.chain[0] == encoded:
            issuer = session.get(Issuer, row.issuer_id)
            return entry_for(issuer.did, issuer.name, issuer.profile) if issuer else None
    return None


def upload_pkcs12(
    session: Session,
    issuer: Issuer,
    data: bytes,
    password: bytes | None,
    master_key: MasterKey,
    *,
    mandate_statement: str | None = None,
) -> SealMaterial:
    material = load_pkcs12(data, password)
    check_uploaded_seal(issuer, material, mandate_statement)
    return store_seal(session, issuer, material, master_key, self_issued=False, mandate_statement=mandate_statement)


def seal_for(
    session: Session, issuer: Issuer, master_key: MasterKey, *, country: str, now: datetime
) -> tuple[Material, bool]:
    """The college's seal, creating a self-issued test seal on first use when none was uploaded.

    The test seal's certificate carries a marked test organizationIdentifier (``TEST_ORGANIZATION_IDENTIFIER``); one
    made before it did is replaced, so that its EDCs still have an eIDAS identifier to state.
    """
    row = session.get(SealMaterial, issuer.id)
    if row is not None:
        material = _material(issuer.id, row.encrypted_private_key, tuple(row.chain), master_key)
        if not row.self_issued or certificate_sealer(material.certificate, True, None).organisation_identifier:
            return material, row.self_issued
    identifier = TEST_ORGANIZATION_IDENTIFIER.format(country=country, issuer=issuer.id[:8])
    material = self_issued_seal_material(
        organisation=issuer.name, country=country, organization_identifier=identifier, now=now
    )
    store_seal(session, issuer, material, master_key, self_issued=True)
    return material, True


def expected_sealer(session: Session, issuer: Issuer, *, country: str) -> Sealer:
    """The sealer the college's next EDC will name, as ``seal_for`` would choose it, without making or decrypting
    a seal: a preview before anything is issued."""
    row = session.get(SealMaterial, issuer.id)
    if row is not None:
        certificate = x509.load_der_x509_certificate(base64.b64decode(row.chain[0]))
        sealer = certificate_sealer(certificate, row.self_issued, row.mandate_statement)
        if not row.self_issued or sealer.organisation_identifier:
            return sealer
    return Sealer(
        legal_name=issuer.name,
        organisation_identifier=TEST_ORGANIZATION_IDENTIFIER.format(country=country, issuer=issuer.id[:8]),
        country=vocabulary("country").find(country),
        self_issued=True,
    )


@lru_cache(maxsize=64)
def _material(issuer_id: str, encrypted_key: bytes, chain: tuple[str, ...], master_key: MasterKey) -> Material:
    """Decrypting and loading an RSA key costs ~0.1 s (key checks); a cohort seals hundreds of EDCs with one key.

    Keyed by the encrypted bytes, so a new upload is a new entry; the decrypted key stays in this process only.
    """
    key_der = master_key.decrypt(encrypted_key, aad=seal_aad(issuer_id))
    return Material.from_parts(key_der, [base64.b64decode(cert) for cert in chain])
