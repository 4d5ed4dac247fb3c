"""Database rows: issuers (colleges), their keys, achievements, issued credentials, status lists, audit trail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


class Issuer(Base):
    """A college. Its public profile is what credentials carry as ``issuer``."""

    __tablename__ = "issuers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    did: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    profile: Mapped[dict[str, Any]]
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Opt-in: credentials then carry a suspension entry too, as an array the strict OB 3.0 schema rejects.
    allow_suspension: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    keys: Mapped[list[IssuerKey]] = relationship(back_populates="issuer", order_by="IssuerKey.id")


class IssuerKey(Base):
    """An Ed25519 key pair of an issuer; the private key is AES-GCM encrypted under the master key."""

    __tablename__ = "issuer_keys"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(64))
    public_key_multibase: Mapped[str] = mapped_column(String(64))
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    issuer: Mapped[Issuer] = relationship(back_populates="keys")

    __table_args__ = (UniqueConstraint("issuer_id", "key_id"),)


class Achievement(Base):
    """An OB 3.0 Achievement definition owned by one issuer."""

    __tablename__ = "achievements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Credential(Base):
    """A signed credential as it was issued (the document is never changed after signing)."""

    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievements.id"), index=True)
    format: Mapped[str] = mapped_column(String(16), default="ob3")
    recipient_name: Mapped[str] = mapped_column(String(255))
    document: Mapped[dict[str, Any]]
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    # The unguessable token of the public verification link /v/{token}; it says nothing about the learner.
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    revocation_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_lists.id"), default=None)
    revocation_index: Mapped[int | None] = mapped_column(default=None)
    suspension_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_lists.id"), default=None)
    suspension_index: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("issuer_id", "idempotency_key"),)


class StatusList(Base):
    """One Bitstring Status List of an issuer, with its current signed BitstringStatusListCredential."""

    __tablename__ = "status_lists"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    length: Mapped[int]
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    # Which indexes are taken (never reused), kept apart from the published status bits.
    allocated: Mapped[bytes] = mapped_column(LargeBinary)
    allocated_count: Mapped[int] = mapped_column(default=0)
    document: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who changed a credential's status, when, and why (the reason is private to the issuer)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(2000))
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(default=utcnow)
