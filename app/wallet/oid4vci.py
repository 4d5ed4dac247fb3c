"""OpenID4VCI 1.0 pre-authorized code flow state: offers, codes, access tokens and c_nonces, all stored hashed."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.db.models import ClaimLink, Credential, WalletNonce, WalletOffer
from app.errors import NotFound, VetcredError
from app.proofs.keys import MasterKey
from app.wallet.claims import (
    MAX_TX_CODE_FAILURES,
    TX_CODE_LENGTH,
    ClaimState,
    check_tx_code,
    claim_state,
    hash_secret,
    new_secret,
    updated_rows,
)

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
OFFER_SCHEME = "openid-credential-offer://"
# Offers long past their expiry are deleted whenever a new one is made.
PURGE_AFTER = timedelta(days=1)


class ProtocolError(VetcredError):
    """An OAuth 2.0 / OpenID4VCI error; ``code`` is the error code on the wire (invalid_grant, invalid_proof...)."""

    code = "invalid_request"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class NewOffer:
    """An offer, its pre-authorized code in clear (in the by-value link on the claim page) and the reference its
    offer URI carries."""

    offer: WalletOffer
    code: str
    reference: str
    document: dict[str, Any]


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_in: int
    offer_id: str  # the offer it was issued for (its credential identifier: app/wallet/authorization_details.py)


def issuer_identifier(public_url: str, college_id: str | None) -> str:
    """The Credential Issuer Identifier: a college's own, ``{public_url}/issuers/{id}`` (its metadata at
    ``/.well-known/openid-credential-issuer/issuers/{id}``, OpenID4VCI 1.0 section 12.2.2), or, for ``None``, this
    instance's (the public URL itself: offers handed out before colleges had their own identifier still name it)."""
    return public_url if college_id is None else f"{public_url}/issuers/{college_id}"


def offer_uri(public_url: str, reference: str) -> str:
    """Where a wallet fetches the offer (``credential_offer_uri``): an unguessable reference, not the code itself,
    so that a logged or leaked URL is not a redeemable code (access logs also redact it)."""
    return f"{public_url}/oid4vci/offers/{reference}"


def offer_code_aad(offer_id: str) -> bytes:
    return f"vetcred:offer-code:{offer_id}".encode()


def offer_link_by_reference(uri: str) -> str:
    return OFFER_SCHEME + "?" + urlencode({"credential_offer_uri": uri})


def offer_link_by_value(document: dict[str, Any]) -> str:
    return OFFER_SCHEME + "?" + urlencode({"credential_offer": json.dumps(document, separators=(",", ":"))})


def offer_document(credential_issuer: str, code: str, *, tx_code_required: bool) -> dict[str, Any]:
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if tx_code_required:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": TX_CODE_LENGTH,
            "description": "Enter the PIN from the separate message your college sent you.",
        }
    return {
        "credential_issuer": credential_issuer,
        "credential_configuration_ids": [CONFIGURATION_ID],
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def create_offer(
    session: Session,
    link: ClaimLink,
    *,
    credential_issuer: str,
    now: datetime,
    ttl: timedelta,
    master_key: MasterKey,
) -> NewOffer:
    """A fresh offer for an open claim link, naming ``credential_issuer`` (the college's identifier); its
    pre-authorized code lives ``ttl`` and is single-use."""
    session.execute(delete(WalletOffer).where(WalletOffer.code_expires_at < now - PURGE_AFTER))
    code, reference = new_secret(), new_secret()
    tx_code_required = link.tx_code_hash is not None
    offer_id = str(uuid.uuid4())
    offer = WalletOffer(
        id=offer_id,
        claim_link_id=link.id,
        code_hash=hash_secret(code),
        reference_hash=hash_secret(reference),
        code_encrypted=master_key.encrypt(code.encode(), aad=offer_code_aad(offer_id)),
        tx_code_required=tx_code_required,
        code_expires_at=now + ttl,
        created_at=now,
    )
    session.add(offer)
    session.flush()
    document = offer_document(credential_issuer, code, tx_code_required=tx_code_required)
    return NewOffer(offer, code, reference, document)


def open_offer(session: Session, reference: str, now: datetime, master_key: MasterKey) -> tuple[WalletOffer, str]:
    """The offer behind an offer URI's reference and its pre-authorized code, while the code is unused and unexpired
    (what ``GET credential_offer_uri`` serves)."""
    offer = session.scalar(select(WalletOffer).where(WalletOffer.reference_hash == hash_secret(reference)))
    if offer is None or offer.code_encrypted is None or offer.code_used_at is not None or now >= offer.code_expires_at:
        raise NotFound("no open credential offer at this address: reload the claim page for a new one")
    return offer, master_key.decrypt(offer.code_encrypted, aad=offer_code_aad(offer.id)).decode()


def offer_college_id(session: Session, offer: WalletOffer) -> str | None:
    """The college whose credential the offer is for."""
    return session.scalar(
        select(Credential.issuer_id)
        .join(ClaimLink, ClaimLink.credential_id == Credential.id)
        .where(ClaimLink.id == offer.claim_link_id)
    )


def _check_college(session: Session, offer: WalletOffer, college_id: str | None, error: str, what: str) -> None:
    """At a college's own endpoints, only that college's offers count (the instance-wide ones take any)."""
    if college_id is not None and offer_college_id(session, offer) != college_id:
        raise ProtocolError(error, f"this {what} was not issued by this credential issuer")


def usable_link(session: Session, link_id: str, now: datetime) -> ClaimLink:
    """The offer's claim link, if it may still put the credential into a wallet; else ``invalid_grant``."""
    link = session.get(ClaimLink, link_id)
    if link is None:
        raise ProtocolError("invalid_grant", "the claim link of this offer no longer exists")
    state = claim_state(link, now)
    reasons = {
        ClaimState.USED: "the credential of this claim link was already taken into a wallet",
        ClaimState.LOCKED: "too many wrong PINs: ask the college to send the claim link again",
        ClaimState.EXPIRED: "the claim link has expired",
        ClaimState.REPLACED: "the college replaced this claim link by a newer one",
    }
    if state != ClaimState.OPEN:
        raise ProtocolError("invalid_grant", reasons[state])
    credential = session.get(Credential, link.credential_id)
    if credential is None or credential.status != "active":
        status = credential.status if credential else "deleted"
        raise ProtocolError("invalid_grant", f"the credential is {status}")
    return link


def exchange_pre_authorized_code(
    session: Session, *, code: str, tx_code: str | None, now: datetime, ttl: timedelta, college_id: str | None
) -> AccessToken:
    """The token request of the pre-authorized code flow: checks the code (made for ``college_id``'s credential,
    unless at the instance-wide endpoint) and PIN, spends the code once."""
    offer = session.scalar(select(WalletOffer).where(WalletOffer.code_hash == hash_secret(code)))
    if offer is None:
        raise ProtocolError("invalid_grant", "unknown pre-authorized code")
    _check_college(session, offer, college_id, "invalid_grant", "pre-authorized code")
    if offer.code_used_at is not None:
        raise ProtocolError("invalid_grant", "the pre-authorized code was already used")
    if now >= offer.code_expires_at:
        raise ProtocolError("invalid_grant", "the pre-authorized code has expired: reload the claim page")
    link = usable_link(session, offer.claim_link_id, now)
    if offer.tx_code_required:
        if tx_code is None:
            raise ProtocolError("invalid_request", "this offer needs the tx_code (the PIN sent to the learner)")
        if not check_tx_code(session, link, tx_code):
            left = max(MAX_TX_CODE_FAILURES - link.tx_code_failures, 0)
            raise ProtocolError("invalid_grant", f"wrong tx_code (PIN); {left} attempts left")
    elif tx_code is not None:
        raise ProtocolError("invalid_request", "this offer needs no tx_code")
    token = new_secret()
    result = session.execute(
        update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.code_used_at.is_(None))
        .values(code_used_at=now, token_hash=hash_secret(token), token_expires_at=now + ttl)
    )
    if updated_rows(result) != 1:
        raise ProtocolError("invalid_grant", "the pre-authorized code was already used")
    return AccessToken(token, int(ttl.total_seconds()), offer.id)


def authorized_offer(
    session: Session, access_token: str | None, now: datetime, college_id: str | None = None
) -> WalletOffer:
    """The offer an access token was issued for (by ``college_id``'s token endpoint, unless None), while the token
    is unused and unexpired; else ``invalid_token``."""
    if not access_token:
        raise ProtocolError("invalid_token", "the credential endpoint needs the access token (Authorization: Bearer)")
    offer = session.scalar(select(WalletOffer).where(WalletOffer.token_hash == hash_secret(access_token)))
    if offer is None:
        raise ProtocolError("invalid_token", "unknown access token")
    _check_college(session, offer, college_id, "invalid_token", "access token")
    if offer.token_used_at is not None:
        raise ProtocolError("invalid_token", "the access token was already used")
    if offer.token_expires_at is None or now >= offer.token_expires_at:
        raise ProtocolError("invalid_token", "the access token has expired")
    return offer


def offer_link(session: Session, offer: WalletOffer, now: datetime) -> ClaimLink:
    """The claim link behind an authorized offer, if it may still put the credential into a wallet."""
    try:
        return usable_link(session, offer.claim_link_id, now)
    except ProtocolError as error:
        raise ProtocolError("credential_request_denied", error.detail) from None


def spend_token(session: Session, offer: WalletOffer, now: datetime) -> None:
    result = session.execute(
        update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.token_used_at.is_(None))
        .values(token_used_at=now)
    )
    if updated_rows(result) != 1:
        raise ProtocolError("invalid_token", "the access token was already used")


def new_nonce(session: Session, *, now: datetime, ttl: timedelta) -> str:
    """A fresh ``c_nonce`` (single-use, lives ``ttl``); spent and expired ones are deleted on the way."""
    session.execute(delete(WalletNonce).where(WalletNonce.expires_at < now))
    nonce = new_secret()
    session.add(WalletNonce(nonce_hash=hash_secret(nonce), expires_at=now + ttl))
    session.flush()
    return nonce


def spend_nonce(session: Session, nonce: str, now: datetime) -> None:
    """Spends a ``c_nonce`` this service issued; ``invalid_nonce`` when unknown, used or expired."""
    result = session.execute(
        update(WalletNonce)
        .where(
            WalletNonce.nonce_hash == hash_secret(nonce),
            WalletNonce.used_at.is_(None),
            WalletNonce.expires_at > now,
        )
        .values(used_at=now)
    )
    if updated_rows(result) != 1:
        raise ProtocolError("invalid_nonce", "the proof's nonce is not a fresh c_nonce from the nonce endpoint")
