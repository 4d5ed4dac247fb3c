"""Claim links: create one (random token, stored as its SHA-256), look it up, re-send, re-issue, tell its state;
the credentials a link's learner holds from its college."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from app.db.models import Assessment, ClaimLink, Credential
from app.errors import Conflict, NotFound

TX_CODE_LENGTH = 6
# Wrong PINs a link tolerates before it stops making wallet offers (the issuer can re-send or re-issue it).
MAX_TX_CODE_FAILURES = 5
_LOOKUP_BATCH = 500  # credential ids per IN (...) query


class ClaimState(StrEnum):
    OPEN = "open"  # a wallet may take the credential
    USED = "used"  # a wallet took it: the page still offers downloads and sharing, never a second wallet offer
    LOCKED = "locked"  # too many wrong PINs: downloads and sharing only, until the issuer re-sends the link
    EXPIRED = "expired"
    REPLACED = "replaced"  # the issuer re-issued the link


@dataclass(frozen=True)
class IssuedLink:
    """A claim link with its secrets in clear: shown or sent once, only their hashes are kept."""

    link: ClaimLink
    token: str
    tx_code: str | None


def hash_secret(value: str) -> str:
    """Hex SHA-256: how tokens, codes and nonces are stored and looked up."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def claim_url(public_url: str, token: str) -> str:
    return f"{public_url}/claim/{token}"


def _tx_code_hash(link_id: str, tx_code: str) -> str:
    # A six-digit PIN is guessable offline from its hash: the protection is the online attempt limit.
    return hash_secret(f"{link_id}:{tx_code}")


def _new_tx_code() -> str:
    return f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}"


def create_claim_link(
    session: Session,
    credential_id: str,
    *,
    email: str | None,
    now: datetime,
    ttl: timedelta,
    with_tx_code: bool,
) -> IssuedLink:
    """A new open link for the credential, valid for ``ttl``; with a PIN when ``with_tx_code``."""
    link = ClaimLink(
        id=str(uuid.uuid4()), credential_id=credential_id, email=email, expires_at=now + ttl, created_at=now
    )
    issued = _new_secrets(link, with_tx_code=with_tx_code)
    session.add(link)  # flushed with the caller's other rows (a cohort chunk's, at once)
    return issued


def _new_secrets(link: ClaimLink, *, with_tx_code: bool) -> IssuedLink:
    token = new_secret()
    tx_code = _new_tx_code() if with_tx_code else None
    link.token_hash = hash_secret(token)
    link.tx_code_hash = _tx_code_hash(link.id, tx_code) if tx_code else None
    link.tx_code_failures = 0
    return IssuedLink(link=link, token=token, tx_code=tx_code)


def find_by_token(session: Session, token: str) -> ClaimLink:
    link = session.scalar(select(ClaimLink).where(ClaimLink.token_hash == hash_secret(token)))
    if link is None:
        raise NotFound("no claim link at this address")
    return link


def claim_state(link: ClaimLink, now: datetime) -> ClaimState:
    if link.replaced_at is not None:
        return ClaimState.REPLACED
    if now >= link.expires_at:
        return ClaimState.EXPIRED
    if link.used_at is not None:
        return ClaimState.USED
    if link.tx_code_failures >= MAX_TX_CODE_FAILURES:
        return ClaimState.LOCKED
    return ClaimState.OPEN


def current_link(session: Session, credential_id: str) -> ClaimLink | None:
    """The credential's live link (the newest one not replaced), if it has one."""
    return current_links(session, [credential_id]).get(credential_id)


def current_links(session: Session, credential_ids: list[str]) -> dict[str, ClaimLink]:
    """The live link of each of the credentials that have one (a cohort's hundreds in a few queries)."""
    found: dict[str, ClaimLink] = {}
    for start in range(0, len(credential_ids), _LOOKUP_BATCH):
        for link in session.scalars(
            select(ClaimLink)
            .where(ClaimLink.credential_id.in_(credential_ids[start : start + _LOOKUP_BATCH]))
            .where(ClaimLink.replaced_at.is_(None))
            .order_by(ClaimLink.created_at, ClaimLink.id)
        ):
            found[link.credential_id] = link  # the newest last
    return found


def resend(session: Session, credential_id: str, *, now: datetime) -> IssuedLink:
    """The same link (same expiry; if a wallet already took the credential, it stays taken) with fresh secrets.

    Only hashes are stored, so the e-mail cannot repeat the old token: it carries a new one, and the old token
    stops working. A new PIN, if the link has one, also clears the count of wrong PINs.
    """
    link = current_link(session, credential_id)
    if link is None:
        raise Conflict("this credential has no claim link: re-issue one instead")
    if claim_state(link, now) == ClaimState.EXPIRED:
        raise Conflict("the claim link has expired: re-issue it instead")
    issued = _new_secrets(link, with_tx_code=link.tx_code_hash is not None)
    session.flush()
    return issued


def reissue(
    session: Session,
    credential_id: str,
    *,
    email: str | None,
    now: datetime,
    ttl: timedelta,
    with_tx_code: bool,
) -> IssuedLink:
    """Replaces the credential's links by a new open one (new token, new expiry, unused).

    ``email`` None keeps the address of the previous link.
    """
    previous = current_link(session, credential_id)
    if email is None and previous is not None:
        email = previous.email
    session.execute(
        update(ClaimLink)
        .where(ClaimLink.credential_id == credential_id, ClaimLink.replaced_at.is_(None))
        .values(replaced_at=now)
    )
    return create_claim_link(session, credential_id, email=email, now=now, ttl=ttl, with_tx_code=with_tx_code)


def check_tx_code(session: Session, link: ClaimLink, given: str) -> bool:
    """True when ``given`` is the link's PIN; a wrong one is counted (the count is kept even if the request fails)."""
    if link.tx_code_hash is not None and hmac.compare_digest(_tx_code_hash(link.id, given), link.tx_code_hash):
        return True
    session.execute(
        update(ClaimLink).where(ClaimLink.id == link.id).values(tx_code_failures=ClaimLink.tx_code_failures + 1)
    )
    session.refresh(link)
    return False


def mark_opened(session: Session, link: ClaimLink, now: datetime) -> None:
    """Notes the first time the learner opened the claim page (later views change nothing): the college then knows
    the e-mail reached the learner even before a wallet takes the credential."""
    if link.opened_at is None:
        session.execute(
            update(ClaimLink).where(ClaimLink.id == link.id, ClaimLink.opened_at.is_(None)).values(opened_at=now)
        )
        session.refresh(link)


def mark_used(session: Session, link: ClaimLink, now: datetime) -> bool:
    """Marks the link used unless another request did first (one wallet per link); False when it lost."""
    result = session.execute(
        update(ClaimLink)
        .where(ClaimLink.id == link.id, ClaimLink.used_at.is_(None), ClaimLink.replaced_at.is_(None))
        .values(used_at=now)
    )
    session.refresh(link)
    return updated_rows(result) == 1


def updated_rows(result: object) -> int:
    """How many rows an UPDATE changed (what makes a conditional UPDATE a safe single-use check)."""
    return cast(CursorResult[Any], result).rowcount


def learner_credentials(session: Session, link: ClaimLink) -> list[Credential]:
    """The credentials that the claim link's college issued to the link's e-mail address (with their EDC twins and the
    larger credentials their assessments' learner earned by stacking).

    Only that college's: another college can obtain a claim link for any address (without SMTP it gets the link
    itself), so a claim token must never open what a different college issued.
    """
    own = session.get(Credential, link.credential_id)
    if own is None:
        return []
    if not link.email:
        return [own]
    same_email = select(ClaimLink.credential_id).where(func.lower(ClaimLink.email) == link.email.lower())
    claimed = list(
        session.scalars(
            # IN, not DISTINCT: PostgreSQL cannot compare the JSON columns a DISTINCT over whole rows needs.
            select(Credential)
            .where(Credential.id.in_(same_email), Credential.issuer_id == own.issuer_id)
            .order_by(Credential.created_at.desc())
        )
    )
    assessments = [c.assessment_id for c in claimed if c.assessment_id]
    # The same learner's other credentials from their assessments: EDC twins, and larger (stacked) credentials,
    # which are issued without a claim link of their own.
    learners = select(Assessment.learner_id).where(Assessment.id.in_(assessments))
    their_assessments = select(Assessment.id).where(
        Assessment.learner_id.in_(learners), Assessment.issuer_id == own.issuer_id
    )
    twins = (
        list(
            session.scalars(
                select(Credential).where(
                    Credential.assessment_id.in_(their_assessments), Credential.issuer_id == own.issuer_id
                )
            )
        )
        if assessments
        else []
    )
    return sorted({c.id: c for c in claimed + twins}.values(), key=lambda c: (c.created_at, c.format), reverse=True)
