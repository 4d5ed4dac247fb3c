"""Database rows: colleges (their keys and branding), achievements, issued credentials, status lists, audit trail."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, JsonDocument, utcnow

# The console's, the portfolios', the employers' requests' and the verification generation's rows live in modules
# of their own; importing them here registers them.
from app.db.portfolio import Portfolio, PortfolioItem  # noqa: F401
from app.db.presentation_requests import PresentationRequest  # noqa: F401
from app.db.staff import (  # noqa: F401
    OidcSettings,
    OidcSignIn,
    SignInThrottle,
    StaffInvitation,
    StaffMember,
    StaffSession,
)
from app.db.verification_generation import VerificationGeneration  # noqa: F401


class Issuer(Base):
    """A college. Its public profile is what credentials carry as ``issuer``."""

    __tablename__ = "issuers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    did: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    profile: Mapped[dict[str, Any]]
    # The college's registered legal identifier and VAT number: what an EDC names it by (not in the OB 3.0 profile).
    legal_identifier: Mapped[str | None] = mapped_column(String(255), default=None)
    vat_identifier: Mapped[str | None] = mapped_column(String(255), default=None)
    # Opt-in: credentials then carry a suspension entry too, as an array the strict OB 3.0 schema rejects.
    allow_suspension: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The language its credentials' pages, PDFs and e-mails fall back to (a code of app.i18n.languages); None: English.
    default_language: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A deactivated college can no longer use the API; what it issued before stays verifiable.
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)

    keys: Mapped[list[IssuerKey]] = relationship(back_populates="issuer", order_by="IssuerKey.id")


class IssuerBranding(Base):
    """What a college chose for its pages, certificates, e-mails and wallet metadata (None: vetcred's default).

    The logo is kept only as the PNG made from the upload (an SVG is rasterised), with its SHA-256 as ETag.
    """

    __tablename__ = "issuer_brandings"

    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(255), default=None)
    primary_colour: Mapped[str | None] = mapped_column(String(7), default=None)
    accent_colour: Mapped[str | None] = mapped_column(String(7), default=None)
    sender_name: Mapped[str | None] = mapped_column(String(255), default=None)
    reply_to: Mapped[str | None] = mapped_column(String(320), default=None)
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    logo_etag: Mapped[str | None] = mapped_column(String(64), default=None)


class ApiKey(Base):
    """One API key of a college, stored only as its SHA-256; several may be live at once, so keys can be rotated
    without downtime and each revoked on its own."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


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
    # An OB 3.0 achievement credential has an achievement; a micro-credential (OB 3.0 or EDC) has a specification
    # and the assessment that justifies it.
    achievement_id: Mapped[str | None] = mapped_column(ForeignKey("achievements.id"), index=True, default=None)
    microcredential_id: Mapped[str | None] = mapped_column(
        ForeignKey("microcredential_specs.id"), index=True, default=None
    )
    assessment_id: Mapped[str | None] = mapped_column(ForeignKey("assessments.id"), index=True, default=None)
    format: Mapped[str] = mapped_column(String(16), default="ob3")  # ob3 | edc
    # EDC only: the sealed JAdES document exactly as signed (the payload string must be kept byte for byte).
    sealed: Mapped[str | None] = mapped_column(Text, default=None)
    # A larger (stacked) credential: the credentials of its parts.
    part_ids: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    recipient_name: Mapped[str] = mapped_column(String(255))
    # The credential's JSON; JSON null for an EDC (earlier versions kept a copy), whose JSON is its seal's payload and
    # is stored there only (read ``document``, which knows where to look).
    stored_document: Mapped[dict[str, Any] | None] = mapped_column("document", JsonDocument, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    # SHA-256 of the request that used the key: the same key with a different request is refused, not answered.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    # The unguessable token of the public verification link /v/{token}; it says nothing about the learner.
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    # The document's validUntil, kept beside it so "expired" can be searched for (None: it never expires).
    valid_until: Mapped[datetime | None] = mapped_column(default=None, index=True)
    revocation_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_lists.id"), default=None)
    revocation_index: Mapped[int | None] = mapped_column(default=None)
    suspension_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_lists.id"), default=None)
    suspension_index: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("issuer_id", "idempotency_key"),)

    @classmethod
    def sealed_edc(cls, document: dict[str, Any], sealed: str, **columns: Any) -> Credential:
        """An EDC row whose JSON (``document``) is stored once, as the payload of ``sealed``: some 60 kB less to
        write, parse into JSONB and compress for each EDC (a cohort's PostgreSQL spent a third of its time there)."""
        row = cls(format="edc", stored_document=None, sealed=sealed, **columns)
        row.__dict__[_PAYLOAD] = document
        return row

    @property
    def document(self) -> dict[str, Any]:
        """The credential as issued: the stored JSON, or an EDC's seal payload (parsed once per row object)."""
        if self.stored_document is not None:
            return self.stored_document
        payload: dict[str, Any] | None = self.__dict__.get(_PAYLOAD)
        if payload is None:
            if self.sealed is None:
                raise ValueError(f"credential {self.id} has neither a document nor a seal")
            payload = self.__dict__[_PAYLOAD] = json.loads(json.loads(self.sealed)["payload"])
        return payload

    @document.setter
    def document(self, value: dict[str, Any]) -> None:
        self.stored_document = value


_PAYLOAD = "_sealed_payload"  # where a row object keeps its parsed seal payload (not a column)


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
    """Who did what in a college, when: a credential's status change (with its reason, private to the issuer), or a
    staff action in the console (``subject`` names what it was about, ``detail`` holds its particulars)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    # Set for a credential's status change; None for an event about something else.
    credential_id: Mapped[str | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True, default=None
    )
    action: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(2000), default="")
    # "issuer:<college id>" (its API key) or "staff:<member id>:<e-mail>".
    actor: Mapped[str] = mapped_column(String(400))
    subject: Mapped[str | None] = mapped_column(String(255), default=None)
    detail: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ClaimLink(Base):
    """A learner's single-use, expiring claim link ``/claim/{token}``; only the token's SHA-256 is stored.

    ``email`` is personal data kept only to deliver and re-send the link (the credential carries it hashed).
    """

    __tablename__ = "claim_links"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    # The PIN (OpenID4VCI tx_code) wallets must present, hashed; wrong PINs are counted and lock the link.
    tx_code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    tx_code_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    expires_at: Mapped[datetime]
    # Set when a wallet took the credential: from then on the link makes no new wallet offers.
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set when the issuer re-issued the link: the old link then opens nothing.
    replaced_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # When the learner first opened the claim page (any token of this link): the college sees the e-mail arrived.
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WalletOffer(Base):
    """One OpenID4VCI credential offer: its pre-authorized code and the access token it was exchanged for (hashed)."""

    __tablename__ = "oid4vci_offers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    claim_link_id: Mapped[str] = mapped_column(ForeignKey("claim_links.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The offer URI carries this reference, never the code: the code is kept encrypted to be served to its holder.
    reference_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    code_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    tx_code_required: Mapped[bool] = mapped_column(default=False)
    code_expires_at: Mapped[datetime] = mapped_column(index=True)
    code_used_at: Mapped[datetime | None] = mapped_column(default=None)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    token_used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WalletNonce(Base):
    """A ``c_nonce`` from the nonce endpoint (hashed): short-lived and single-use."""

    __tablename__ = "oid4vci_nonces"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class VcApiExchange(Base):
    """A VC-API exchange of a claim link (how the Learner Credential Wallet takes a credential): its URL's reference
    (hashed), the DIDAuthentication challenge it last gave, single use."""

    __tablename__ = "vc_api_exchanges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    claim_link_id: Mapped[str] = mapped_column(ForeignKey("claim_links.id", ondelete="CASCADE"), index=True)
    reference_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Not a secret (the wallet signs it into its presentation): what makes a presentation fresh for this exchange.
    challenge: Mapped[str | None] = mapped_column(String(64), default=None)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HolderCredential(Base):
    """A copy of a credential re-signed with ``credentialSubject.id`` = the wallet's DID; it shares the
    original's status entry, so revoking the original revokes it too."""

    __tablename__ = "holder_credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"), index=True)
    claim_link_id: Mapped[str | None] = mapped_column(
        ForeignKey("claim_links.id", ondelete="SET NULL"), index=True, default=None
    )
    holder_did: Mapped[str] = mapped_column(String(2048))
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MicroCredentialSpec(Base):
    """A micro-credential as a college defines it (every Annex I element), published in the catalogue."""

    __tablename__ = "microcredential_specs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    eqf_level: Mapped[int | None] = mapped_column(default=None, index=True)
    # For catalogue search: ",0713,0714," (ISCED-F codes) and ",en,nl," (languages), so LIKE finds one.
    fields: Mapped[str] = mapped_column(String(500), default=",")
    languages: Mapped[str] = mapped_column(String(200), default=",")
    # The validated request as given (MicroCredentialSpecInput): the single source both formats are built from.
    definition: Mapped[dict[str, Any]]
    require_all_outcomes: Mapped[bool] = mapped_column(default=True)
    published: Mapped[bool] = mapped_column(default=True)
    # A larger credential built from parts: issued automatically when a learner holds `pathway_required` of them.
    pathway_part_ids: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    pathway_required: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Learner(Base):
    """A learner of one college (personal data: kept for issuing and delivering credentials)."""

    __tablename__ = "learners"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    given_name: Mapped[str] = mapped_column(String(255))
    family_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320))
    date_of_birth: Mapped[date | None] = mapped_column(Date, default=None)
    national_id: Mapped[str | None] = mapped_column(String(100), default=None)
    identifiers: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("issuer_id", "email"),)


class Assessment(Base):
    """One assessed result: the facts a micro-credential is derived from. Unique per (spec, learner, reference),
    so sending the same cohort twice records and issues nothing twice."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    microcredential_id: Mapped[str] = mapped_column(ForeignKey("microcredential_specs.id"), index=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    reference: Mapped[str] = mapped_column(String(255))
    facts: Mapped[dict[str, Any]]
    outcome: Mapped[str] = mapped_column(String(32))  # issued | not_awarded
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("microcredential_id", "learner_id", "reference"),)


class SealMaterial(Base):
    """A college's e-seal for EDCs: the certificate chain and the RSA key, encrypted under the master key."""

    __tablename__ = "seal_materials"

    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), primary_key=True)
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    chain: Mapped[list[str]] = mapped_column(JSON)  # base64 DER, leaf first
    subject: Mapped[str] = mapped_column(String(1000))
    self_issued: Mapped[bool]
    # Set when the seal is a third party's that seals on the college's behalf: the EDC's Mandate evidence statement.
    mandate_statement: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """Long work a college asked for (a cohort, a Europass delivery): its state and what it was given.

    A cohort's rows and results live in its chunks; the counters shown are their sums. ``outcome`` holds what a
    single-item job ended with (a Europass wallet's answer), ``error`` why it failed for good.
    """

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # cohort | europass
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued running completed cancelled failed
    microcredential_id: Mapped[str | None] = mapped_column(ForeignKey("microcredential_specs.id"), default=None)
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"), default=None)
    rows_total: Mapped[int] = mapped_column(default=0)
    chunk_count: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class JobChunk(Base):
    """A slice of a cohort job's rows, the unit one worker takes: its input until done, then its results.

    ``secrets`` holds the rows' claim links (AES-GCM under the master key): they open learners' credentials, so
    they are kept only for the college to download, never in clear at rest.
    """

    __tablename__ = "job_chunks"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)
    first_row: Mapped[int]
    row_count: Mapped[int]
    rows: Mapped[list[Any] | None] = mapped_column(JSON, default=None)  # the input; cleared once done
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    results: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    errors: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    secrets: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    issued: Mapped[int] = mapped_column(default=0)
    not_awarded: Mapped[int] = mapped_column(default=0)
    already_recorded: Mapped[int] = mapped_column(default=0)
    larger_issued: Mapped[int] = mapped_column(default=0)
