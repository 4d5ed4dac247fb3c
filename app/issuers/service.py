"""Register and manage colleges, keep their signing keys encrypted (and rotate them), resolve their did:web keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.db.models import Issuer, IssuerKey
from app.errors import NotFound
from app.issuers.api_keys import new_api_key
from app.issuers.inputs import IssuerInput
from app.proofs.dids import did_web
from app.proofs.keys import MasterKey, generate_signing_key, public_key_bytes
from app.proofs.multikey import encode_public_key
from app.proofs.signer import Ed25519Signer
from app.trust.registries import RegistryEntry


@dataclass(frozen=True)
class RegisteredIssuer:
    """A new issuer and its API key, which is shown once and stored only as a hash."""

    issuer: Issuer
    api_key: str


def key_aad(issuer_id: str, key_id: str) -> bytes:
    """Binds an encrypted private key to its row, so a ciphertext copied onto another issuer will not decrypt."""
    return f"vetcred:issuer-key:{issuer_id}:{key_id}".encode()


def register_issuer(
    session: Session, data: IssuerInput, *, public_url: str, master_key: MasterKey, now: datetime
) -> RegisteredIssuer:
    issuer_id = str(uuid.uuid4())
    did = did_web(public_url, issuer_id)
    issuer = Issuer(
        id=issuer_id,
        did=did,
        name=data.name,
        profile=data.to_profile(did),
        allow_suspension=data.allowSuspension,
        default_language=data.defaultLanguage,
        created_at=now,
        legal_identifier=data.legalIdentifier,
        vat_identifier=data.vatIdentifier,
    )
    session.add(issuer)
    session.add(_new_key(issuer_id, master_key))
    session.flush()
    api_key = new_api_key(session, issuer_id, label="first key", now=now)
    return RegisteredIssuer(issuer=issuer, api_key=api_key.secret)


def rotate_signing_key(session: Session, issuer: Issuer, master_key: MasterKey) -> IssuerKey:
    """A new Ed25519 key for what the college signs from now on. The DID document keeps every earlier key as a
    verification method, so what was signed with them still verifies."""
    key = _new_key(issuer.id, master_key)
    issuer.keys.append(key)
    session.flush()
    return key


def update_profile(issuer: Issuer, data: IssuerInput) -> None:
    """A new public profile for credentials issued from now on (issued ones keep the profile they were signed with)."""
    issuer.name = data.name
    issuer.profile = data.to_profile(issuer.did)
    issuer.allow_suspension = data.allowSuspension
    issuer.default_language = data.defaultLanguage
    issuer.legal_identifier = data.legalIdentifier
    issuer.vat_identifier = data.vatIdentifier


def list_issuers(session: Session, *, limit: int, offset: int) -> tuple[list[Issuer], int]:
    total = session.scalar(select(func.count()).select_from(Issuer)) or 0
    rows = session.scalars(select(Issuer).order_by(Issuer.created_at, Issuer.id).limit(limit).offset(offset))
    return list(rows), total


def _new_key(issuer_id: str, master_key: MasterKey) -> IssuerKey:
    private_key = generate_signing_key()
    public_multibase = encode_public_key(public_key_bytes(private_key))
    raw_private = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return IssuerKey(
        issuer_id=issuer_id,
        key_id=public_multibase,
        public_key_multibase=public_multibase,
        encrypted_private_key=master_key.encrypt(raw_private, aad=key_aad(issuer_id, public_multibase)),
    )


def lock_issuer(session: Session, issuer: Issuer) -> None:
    """Serialises, per college, the writes that create per-college state: status list entries (one open list per
    purpose, no index burnt by a losing retry), learners, the first seal, idempotent issuance. PostgreSQL: a row
    lock held to the end of the transaction; SQLite: its write transactions are serialised already."""
    session.execute(select(Issuer.id).where(Issuer.id == issuer.id).with_for_update())


def get_issuer(session: Session, issuer_id: str) -> Issuer:
    issuer = session.get(Issuer, issuer_id)
    if issuer is None:
        raise NotFound(f"issuer {issuer_id} not found")
    return issuer


def college_language(session: Session, issuer_id: str) -> str | None:
    """The college's default language for its learners' pages and e-mails, if it set one."""
    college = session.get(Issuer, issuer_id)
    return college.default_language if college else None


def current_key(issuer: Issuer) -> IssuerKey:
    return issuer.keys[-1]


def verification_method(issuer: Issuer, key: IssuerKey) -> str:
    return f"{issuer.did}#{key.key_id}"


def signer_for(issuer: Issuer, master_key: MasterKey) -> Ed25519Signer:
    """Decrypts the issuer's current private key into a signer; the key never leaves this process."""
    key = current_key(issuer)
    raw = master_key.decrypt(key.encrypted_private_key, aad=key_aad(issuer.id, key.key_id))
    return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(raw), verification_method(issuer, key))


# Read on every verification: built once (building a statement costs more than running it on an indexed column),
# from the tables rather than the mapped classes (the ORM's execution path costs as much again).
_ISSUERS, _KEYS = Issuer.__table__.c, IssuerKey.__table__.c
_COLLEGE_BY_DID = select(_ISSUERS.did, _ISSUERS.name, _ISSUERS.profile).where(_ISSUERS.did == bindparam("did"))
_KEYS_BY_DID = (
    select(_KEYS.key_id, _KEYS.public_key_multibase)
    .join(Issuer.__table__, _ISSUERS.id == _KEYS.issuer_id)
    .where(_ISSUERS.did == bindparam("did"))
    .order_by(_KEYS.id)
)


def college_entry(session: Session, did: str) -> RegistryEntry | None:
    """How this service lists its college with ``did`` as a trust source (name, website, place, logo)."""
    row = session.execute(_COLLEGE_BY_DID, {"did": did}).first()
    return None if row is None else entry_for(row.did, row.name, row.profile)


def entry_for(did: str, name: str, profile: dict[str, Any]) -> RegistryEntry:
    address = profile.get("address") or {}
    place = ", ".join(str(address[key]) for key in ("addressLocality", "addressCountryCode") if address.get(key))
    image = profile.get("image")
    return RegistryEntry(
        id=did,
        name=name,
        url=profile.get("url"),
        location=place or None,
        logo=image.get("id") if isinstance(image, dict) else None,
    )


def published_keys(session: Session, did: str) -> tuple[tuple[str, str], ...] | None:
    """The keys the DID document of this service's college ``did`` lists, as ``(key id, publicKeyMultibase)``, oldest
    first (one query); None when no college here has that DID."""
    rows = session.execute(_KEYS_BY_DID, {"did": did}).all()
    return tuple((key_id, multibase) for key_id, multibase in rows) or None
