"""Register colleges, keep their keys encrypted, authenticate their API keys and resolve their did:web keys."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Issuer, IssuerKey
from app.errors import AuthenticationError, NotFound
from app.issuers.inputs import IssuerInput
from app.proofs.dids import ResolvedKey, did_web
from app.proofs.keys import MasterKey, generate_signing_key, public_key_bytes
from app.proofs.multikey import decode_multikey, encode_public_key
from app.proofs.signer import Ed25519Signer

API_KEY_PREFIX = "vck_"


@dataclass(frozen=True)
class RegisteredIssuer:
    """A new issuer and its API key, which is shown once and stored only as a hash."""

    issuer: Issuer
    api_key: str


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _key_aad(issuer_id: str, key_id: str) -> bytes:
    """Binds an encrypted private key to its row, so a ciphertext copied onto another issuer will not decrypt."""
    return f"vetcred:issuer-key:{issuer_id}:{key_id}".encode()


def register_issuer(session: Session, data: IssuerInput, *, public_url: str, master_key: MasterKey) -> RegisteredIssuer:
    issuer_id = str(uuid.uuid4())
    did = did_web(public_url, issuer_id)
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    issuer = Issuer(
        id=issuer_id,
        did=did,
        name=data.name,
        profile=data.to_profile(did),
        api_key_hash=hash_api_key(api_key),
        allow_suspension=data.allowSuspension,
    )
    session.add(issuer)
    session.add(_new_key(issuer_id, master_key))
    session.flush()
    return RegisteredIssuer(issuer=issuer, api_key=api_key)


def _new_key(issuer_id: str, master_key: MasterKey) -> IssuerKey:
    private_key = generate_signing_key()
    public_multibase = encode_public_key(public_key_bytes(private_key))
    raw_private = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return IssuerKey(
        issuer_id=issuer_id,
        key_id=public_multibase,
        public_key_multibase=public_multibase,
        encrypted_private_key=master_key.encrypt(raw_private, aad=_key_aad(issuer_id, public_multibase)),
    )


def authenticate(session: Session, api_key: str) -> Issuer:
    """The issuer that owns ``api_key``; the key is looked up by its SHA-256, never stored in clear."""
    if not api_key.startswith(API_KEY_PREFIX):
        raise AuthenticationError("invalid API key")
    issuer = session.scalar(select(Issuer).where(Issuer.api_key_hash == hash_api_key(api_key)))
    if issuer is None:
        raise AuthenticationError("invalid API key")
    return issuer


def get_issuer(session: Session, issuer_id: str) -> Issuer:
    issuer = session.get(Issuer, issuer_id)
    if issuer is None:
        raise NotFound(f"issuer {issuer_id} not found")
    return issuer


def current_key(issuer: Issuer) -> IssuerKey:
    return issuer.keys[-1]


def verification_method(issuer: Issuer, key: IssuerKey) -> str:
    return f"{issuer.did}#{key.key_id}"


def signer_for(issuer: Issuer, master_key: MasterKey) -> Ed25519Signer:
    """Decrypts the issuer's current private key into a signer; the key never leaves this process."""
    key = current_key(issuer)
    raw = master_key.decrypt(key.encrypted_private_key, aad=_key_aad(issuer.id, key.key_id))
    return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(raw), verification_method(issuer, key))


def resolve_local_key(session: Session, verification_method_id: str) -> ResolvedKey | None:
    """Resolves ``did:web:...#key`` for an issuer hosted by this service, or None when it is not ours."""
    did, _, fragment = verification_method_id.partition("#")
    issuer = session.scalar(select(Issuer).where(Issuer.did == did))
    if issuer is None:
        return None
    for key in issuer.keys:
        if key.key_id == fragment:
            return ResolvedKey(
                id=verification_method_id,
                controller=issuer.did,
                public_key=decode_multikey(key.public_key_multibase),
            )
    return None
