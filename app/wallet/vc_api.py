"""VC-API exchanges for the Learner Credential Wallet (LCW): a claim link's credential, bound to the DID the wallet
proves with a DIDAuthentication presentation.

The protocol, as LCW (app/lib/exchanges.ts, handleVcApiExchangeComplete) runs it:

1. The deep link ``dccrequest://request?request={"credentialRequestOrigin": ..., "protocols": {"vcapi": <exchange
   URL>}}`` opens the wallet; it POSTs ``{}`` to the exchange URL.
2. The answer is a Verifiable Presentation Request: a DIDAuthentication query, a fresh ``challenge``, our
   ``domain``, and ``interact.service[0].serviceEndpoint`` (where to POST next: the same URL).
3. The wallet POSTs ``{"verifiablePresentation": <VP signed by its DID, proofPurpose authentication>}``; once it is
   verified (``app/verification/presentations.py``), the answer is ``{"verifiablePresentation": {...,
   "verifiableCredential": [<the credential bound to that DID>]}}``: LCW takes ``verifiableCredential[0]``.

An exchange puts the credential into one wallet once: it is spent with the claim link, as an OpenID4VCI offer is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.db.models import ClaimLink, Credential, Issuer, VcApiExchange
from app.errors import VetcredError
from app.proofs.loader import DocumentLoader
from app.proofs.signer import Signer
from app.verification.checks import VC_V2_CONTEXT
from app.verification.presentations import PresentationReport
from app.verification.report import Outcome
from app.wallet.binding import bind_to_holder, check_bindable
from app.wallet.claims import hash_secret, mark_used, new_secret, updated_rows
from app.wallet.oid4vci import PURGE_AFTER, ProtocolError, usable_link

DEEP_LINK = "dccrequest://request"
# The DID methods whose keys this service resolves without asking another host (app/proofs/dids.py).
ACCEPTED_METHODS = [{"method": "key"}, {"method": "jwk"}]
ACCEPTED_CRYPTOSUITES = [{"cryptosuite": "Ed25519Signature2020"}, {"cryptosuite": "eddsa-rdfc-2022"}]
SERVICE_TYPE = "UnmediatedHttpPresentationService2021"

# Verifies a presentation against the challenge and domain given: ``Runtime.verify_presentation`` with a session.
PresentationCheck = Callable[[Any, str, str], PresentationReport]


class ExchangeError(VetcredError):
    """A refused exchange step; ``code`` says which rule (``unknown_exchange``, ``exchange_gone``,
    ``invalid_presentation``...), ``detail`` says why in words."""

    code = "invalid_request"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class NewExchange:
    exchange: VcApiExchange
    url: str


def exchange_url(public_url: str, reference: str) -> str:
    """The exchange's address: an unguessable reference (only its hash is stored), a bearer capability like the claim
    link it comes from."""
    return f"{public_url}/exchanges/{reference}"


def lcw_deep_link(public_url: str, url: str) -> str:
    """The deep link LCW opens (app/lib/deepLink.ts: a ``request`` parameter holding a CHAPI-style credential request
    whose ``protocols.vcapi`` is the exchange URL)."""
    request = {"credentialRequestOrigin": public_url, "protocols": {"vcapi": url}}
    return DEEP_LINK + "?" + urlencode({"request": json.dumps(request, separators=(",", ":"))})


def exchange_domain(public_url: str) -> str:
    """The ``domain`` the presentation must be made for: this service's host (and port, if any)."""
    return urlsplit(public_url).netloc


def create_exchange(
    session: Session, link: ClaimLink, *, public_url: str, now: datetime, ttl: timedelta
) -> NewExchange:
    """A fresh exchange for an open claim link, living ``ttl`` (never past the link's own expiry). Links with a PIN
    get none: the exchange protocol has no step for it, and skipping the PIN would undo what it protects."""
    if link.tx_code_hash is not None:
        raise ExchangeError("exchange_unavailable", "this claim link needs a PIN, which VC-API exchanges cannot ask")
    session.execute(delete(VcApiExchange).where(VcApiExchange.expires_at < now - PURGE_AFTER))
    reference = new_secret()
    exchange = VcApiExchange(
        id=str(uuid.uuid4()),
        claim_link_id=link.id,
        reference_hash=hash_secret(reference),
        expires_at=min(now + ttl, link.expires_at),
        created_at=now,
    )
    session.add(exchange)
    session.flush()
    return NewExchange(exchange, exchange_url(public_url, reference))


def _open_exchange(session: Session, reference: str, now: datetime) -> VcApiExchange:
    exchange = session.scalar(select(VcApiExchange).where(VcApiExchange.reference_hash == hash_secret(reference)))
    if exchange is None:
        raise ExchangeError("unknown_exchange", "no exchange at this address")
    if exchange.used_at is not None:
        raise ExchangeError("exchange_gone", "this exchange was already completed: it issues one credential once")
    if now >= exchange.expires_at:
        raise ExchangeError("exchange_gone", "this exchange has expired: reload the claim page for a new one")
    return exchange


def _open_link(session: Session, exchange: VcApiExchange, now: datetime) -> ClaimLink:
    try:
        return usable_link(session, exchange.claim_link_id, now)
    except ProtocolError as error:
        raise ExchangeError("exchange_gone", error.detail) from None


def request_presentation(session: Session, reference: str, *, public_url: str, now: datetime) -> dict[str, Any]:
    """The answer to the wallet's first POST: a DIDAuthentication request with a fresh challenge (a new one each
    time: only the latest is accepted)."""
    exchange = _open_exchange(session, reference, now)
    _open_link(session, exchange, now)
    exchange.challenge = new_secret()
    session.flush()
    return {
        "verifiablePresentationRequest": {
            "query": [
                {
                    "type": "DIDAuthentication",
                    "acceptedMethods": ACCEPTED_METHODS,
                    "acceptedCryptosuites": ACCEPTED_CRYPTOSUITES,
                }
            ],
            "challenge": exchange.challenge,
            "domain": exchange_domain(public_url),
            "interact": {"service": [{"type": SERVICE_TYPE, "serviceEndpoint": exchange_url(public_url, reference)}]},
        }
    }


@dataclass(frozen=True)
class IssuingContext:
    public_url: str
    now: datetime
    check: PresentationCheck
    signer_for: Callable[[Issuer], Signer]
    loader: DocumentLoader


def _holder(report: PresentationReport) -> str:
    """The DID the presentation proves, or a refusal naming every failed check of the holder's proof."""
    if report.holder.verified and report.holder_id:
        return report.holder_id
    reasons = [c.reason for c in report.holder.checks if c.outcome in (Outcome.FAILED, Outcome.COULD_NOT_CHECK)]
    raise ExchangeError("invalid_presentation", "; ".join(reasons) or "the presentation's proof did not verify")


def issue_to_holder(session: Session, reference: str, presentation: Any, context: IssuingContext) -> dict[str, Any]:
    """The answer to the wallet's signed presentation: the credential bound to the holder's DID, in a presentation.

    Nothing is spent while the presentation is refused (the wallet may ask for a fresh challenge and retry); once
    it verifies, the exchange and the claim link are each spent once."""
    now = context.now
    exchange = _open_exchange(session, reference, now)
    link = _open_link(session, exchange, now)
    if exchange.challenge is None:
        raise ExchangeError("invalid_request", "POST {} to this exchange first: its answer holds the challenge")
    if not isinstance(presentation, dict):
        raise ExchangeError("invalid_presentation", "verifiablePresentation must be a JSON object")
    if presentation.get("verifiableCredential"):
        raise ExchangeError("invalid_presentation", "a DIDAuthentication presentation carries no credentials")
    holder_did = _holder(context.check(presentation, exchange.challenge, exchange_domain(context.public_url)))
    credential = session.get(Credential, link.credential_id)
    issuer = session.get(Issuer, credential.issuer_id) if credential else None
    if credential is None or issuer is None:
        raise ExchangeError("exchange_gone", "the credential no longer exists")
    try:
        check_bindable(credential, holder_did)
    except ProtocolError as error:
        raise ExchangeError("invalid_presentation", error.detail) from None
    spent = session.execute(
        update(VcApiExchange)
        .where(
            VcApiExchange.id == exchange.id,
            VcApiExchange.used_at.is_(None),
            VcApiExchange.challenge == exchange.challenge,
        )
        .values(used_at=now)
    )
    if updated_rows(spent) != 1:
        raise ExchangeError("exchange_gone", "this exchange completed, or gave a new challenge, meanwhile: start again")
    if not mark_used(session, link, now):
        raise ExchangeError("exchange_gone", "the credential was already taken into another wallet")
    bound = bind_to_holder(
        session,
        credential,
        issuer,
        holder_did,
        signer=context.signer_for(issuer),
        loader=context.loader,
        now=now,
        claim_link_id=link.id,
    )
    return {
        "verifiablePresentation": {
            "@context": [VC_V2_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [bound.document],
        }
    }
