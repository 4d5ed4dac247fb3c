"""A college's API keys: several may be live at once (rotation without downtime), each revocable; only hashes kept."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import ApiKey, Issuer
from app.errors import AuthenticationError, Conflict, NotFound

API_KEY_PREFIX = "vck_"


@dataclass(frozen=True)
class NewApiKey:
    """A key just made: the row, and the key itself, which is shown once and never stored."""

    row: ApiKey
    secret: str


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_api_key(session: Session, issuer_id: str, *, label: str, now: datetime) -> NewApiKey:
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(id=str(uuid.uuid4()), issuer_id=issuer_id, key_hash=hash_api_key(secret), label=label, created_at=now)
    session.add(row)
    session.flush()
    return NewApiKey(row, secret)


def rotate_api_keys(
    session: Session, issuer: Issuer, *, label: str, now: datetime, revoke_live: bool
) -> tuple[NewApiKey, list[ApiKey]]:
    """A new key for ``issuer``, and with ``revoke_live`` every key live until now revoked at once (a key that
    leaked); without it they stay live, to be revoked once the systems using them have the new key."""
    live = [key for key in api_keys(session, issuer) if key.revoked_at is None]
    made = new_api_key(session, issuer.id, label=label, now=now)
    revoked = live if revoke_live else []
    for key in revoked:
        key.revoked_at = now
    session.flush()
    return made, revoked


def authenticate(session: Session, api_key: str) -> Issuer:
    """The active college that owns the live key ``api_key`` (looked up by its SHA-256)."""
    if not api_key.startswith(API_KEY_PREFIX):
        raise AuthenticationError("invalid API key")
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_api_key(api_key), ApiKey.revoked_at.is_(None)))
    issuer = session.get(Issuer, row.issuer_id) if row else None
    if issuer is None:
        raise AuthenticationError("invalid API key")
    if issuer.deactivated_at is not None:
        raise AuthenticationError("this college is deactivated: ask the operator of this service")
    return issuer


def api_keys(session: Session, issuer: Issuer) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.issuer_id == issuer.id).order_by(ApiKey.created_at)))


def revoke_api_key(session: Session, issuer: Issuer, key_id: str, *, now: datetime) -> ApiKey:
    """Revokes one of ``issuer``'s keys (at once, for every request that follows); the last live one is kept."""
    row = session.get(ApiKey, key_id)
    if row is None or row.issuer_id != issuer.id:
        raise NotFound(f"API key {key_id} not found")
    if row.revoked_at is not None:
        return row
    live = [key for key in api_keys(session, issuer) if key.revoked_at is None]
    if len(live) == 1:
        raise Conflict("this is the college's last live API key: make a new one first, then revoke this one")
    row.revoked_at = now
    session.flush()
    return row
