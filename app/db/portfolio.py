"""Database rows of learners' portfolio links: the link (its token hashed) and the credentials the learner picked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, utcnow


class Portfolio(Base):
    """A learner's public portfolio link ``/p/{token}``; only the token's SHA-256 is stored.

    ``owner_hash`` names the learner without personal data in clear: the SHA-256 of the e-mail address of their
    claim links (lower case), within ``issuer_id``, the college whose learner page made it.
    """

    __tablename__ = "portfolios"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    owner_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the learner withdrew the link: /p/{token} then answers 410 Gone.
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)


class PortfolioItem(Base):
    """One credential of a portfolio: a credential of the owner's college (by reference, so its current status
    shows), or one from elsewhere that the learner uploaded (its text kept exactly as given)."""

    __tablename__ = "portfolio_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    portfolio_id: Mapped[str] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    credential_id: Mapped[str | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True, default=None
    )
    uploaded: Mapped[str | None] = mapped_column(Text, default=None)
