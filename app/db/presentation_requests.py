"""Database rows of employers' OpenID4VP requests (app/wallet/openid4vp.py): who may see the answer, what the wallet
must sign, and the answer itself, encrypted and kept only briefly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, utcnow


class PresentationRequest(Base):
    """One request for credentials: the employer's page ``/request/{viewer}`` (only the viewer token's SHA-256 is
    stored) and the wallet's response endpoint ``/openid4vp/responses/{reference}`` (likewise hashed).

    ``nonce`` and ``state`` are not secrets (the wallet signs the nonce into its presentation). The answer is the
    wallet's ``vp_token`` (or its error), encrypted under the master key: it holds the learner's credentials."""

    __tablename__ = "presentation_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    viewer_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reference_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64))
    # The name the employer gave for themselves: shown to the learner's wallet as said, never checked.
    requester: Mapped[str | None] = mapped_column(String(120), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Until when a wallet may answer; the answer is deleted some time after it came (ANSWER_KEPT).
    expires_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    answer_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
