"""Database rows: issuers (colleges), their keys, achievements and issued credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    keys: Mapped[list[IssuerKey]] = relationship(back_populates="issuer", order_by="IssuerKey.id")


class IssuerKey(Base):
    """An Ed25519 key pair of an issuer; the private key is AES-GCM encrypted under the master key."""

    __tablename__ = "issuer_keys"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(64))
    public_key_multibase: Mapped[str] = mapped_column(String(64))
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    issuer: Mapped[Issuer] = relationship(back_populates="keys")

    __table_args__ = (UniqueConstraint("issuer_id", "key_id"),)


class Achievement(Base):
    """An OB 3.0 Achievement definition owned by one issuer."""

    __tablename__ = "achievements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("issuer_id", "idempotency_key"),)
