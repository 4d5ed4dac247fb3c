"""Database rows of the staff console: staff accounts, their sessions, invitations, sign-in throttling and SSO.

Secrets are never stored in clear: session and invitation tokens as their SHA-256, passwords as argon2 hashes,
TOTP secrets and OIDC client secrets AES-GCM encrypted under the master key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, utcnow


class StaffMember(Base):
    """A person who works in the console for one college, with one role (owner, issuer, viewer).

    An e-mail address is one account on this service (unique across colleges), so signing in names no college.
    """

    __tablename__ = "staff_members"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # normalised: lower case
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # None: signs in only by the college's single sign-on.
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    totp_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last TOTP time step accepted: a code is good once (RFC 6238 §5.2).
    totp_last_step: Mapped[int | None] = mapped_column(default=None)
    # SHA-256 of each unused recovery code.
    recovery_codes: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)


class StaffSession(Base):
    """A signed-in browser: the cookie holds the token, this row its SHA-256; it belongs to one college."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    # The password was right, the second factor is still to come: such a session opens only the code page.
    pending_second_factor: Mapped[bool] = mapped_column(default=False, server_default=false())
    # "password" or "sso": how the person proved who they are.
    method: Mapped[str] = mapped_column(String(16), default="password")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class StaffInvitation(Base):
    """An invitation to join a college's staff with a role; the link's token is stored as its SHA-256."""

    __tablename__ = "staff_invitations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Who invited: a staff actor string, or "admin" for a college's first owner.
    invited_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set when it was re-sent (a new token) or withdrawn: the old link then opens nothing.
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class SignInThrottle(Base):
    """Failed sign-ins per e-mail address (its SHA-256), known or not, so a lock-out says nothing about whether an
    account exists."""

    __tablename__ = "staff_sign_in_throttles"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None] = mapped_column(default=None, index=True)


class OidcSettings(Base):
    """A college's OpenID Connect provider for staff single sign-on (set by an owner)."""

    __tablename__ = "staff_oidc_settings"

    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), primary_key=True)
    provider_url: Mapped[str] = mapped_column(String(2048))  # the OIDC issuer identifier (discovery base)
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # Only e-mail addresses at this domain may sign in through the provider.
    email_domain: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OidcSignIn(Base):
    """A single sign-on on its way: the state (hashed) the provider sends back, with the PKCE verifier and the
    nonce the ID token must carry. Single-use, short-lived."""

    __tablename__ = "staff_oidc_sign_ins"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    code_verifier: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(2000), default="/console")
    expires_at: Mapped[datetime] = mapped_column(index=True)
