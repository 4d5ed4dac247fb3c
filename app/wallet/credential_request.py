"""The OpenID4VCI credential request: read it, check the key proof and nonce, spend the token, bind and sign."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.db.models import Credential, Issuer
from app.proofs.loader import DocumentLoader
from app.proofs.signer import Signer
from app.wallet.authorization_details import credential_identifier
from app.wallet.binding import bind_to_holder, check_bindable
from app.wallet.claims import mark_used
from app.wallet.oid4vci import CONFIGURATION_ID, ProtocolError, authorized_offer, offer_link, spend_nonce, spend_token
from app.wallet.proof_of_possession import check_jwt_proof


@dataclass(frozen=True)
class IssuingContext:
    """What issuing to a wallet needs from the running service."""

    credential_issuer: str
    # The college whose identifier the wallet uses; None at the instance-wide endpoints.
    college_id: str | None
    now: datetime
    proof_max_age: timedelta
    signer_for: Callable[[Issuer], Signer]
    loader: DocumentLoader


def _bad_request(detail: str) -> ProtocolError:
    return ProtocolError("invalid_credential_request", detail)


def read_jwt_proof(body: Any, identifier: str) -> str:
    """The one ``jwt`` key proof of a request: ``proofs: {"jwt": [...]}`` (1.0) or the older ``proof`` object.

    The request names what it wants by exactly one of ``credential_identifier`` (which must be ``identifier``, the
    one the token response granted), ``credential_configuration_id``, or (drafts before 1.0) ``format``. A wallet
    that was granted an identifier but names the configuration gets the same credential: the offer is for one.
    """
    if not isinstance(body, dict):
        raise _bad_request("the credential request is a JSON object")
    named = [name for name in ("credential_identifier", "credential_configuration_id", "format") if name in body]
    if "credential_identifier" in named and len(named) > 1:
        raise _bad_request(f"name the credential by credential_identifier alone, not with {named[1]}")
    configuration = body.get("credential_configuration_id")
    if "credential_identifier" in body:
        if body["credential_identifier"] != identifier:
            raise ProtocolError(
                "unknown_credential_identifier", "the credential_identifier is not the one the token response granted"
            )
    # Wallets of drafts before 1.0 name the format instead of a configuration.
    elif configuration is None and body.get("format") != "ldp_vc":
        raise _bad_request("credential_configuration_id is missing")
    if configuration is not None and configuration != CONFIGURATION_ID:
        raise ProtocolError("unknown_credential_configuration", f"this issuer offers only {CONFIGURATION_ID}")
    if "credential_response_encryption" in body:
        raise ProtocolError("invalid_encryption_parameters", "encrypted credential responses are not supported")
    proofs, proof = body.get("proofs"), body.get("proof")
    if proofs is not None and proof is not None:
        raise _bad_request("send either proofs or proof, not both")
    if proofs is not None:
        if not isinstance(proofs, dict) or len(proofs) != 1:
            raise ProtocolError("invalid_proof", "proofs must hold exactly one proof type")
        ((proof_type, values),) = proofs.items()
        if proof_type != "jwt":
            raise ProtocolError("invalid_proof", f"unsupported proof type {proof_type!r}: send a jwt proof")
        if not isinstance(values, list) or not values:
            raise ProtocolError("invalid_proof", "proofs.jwt must be a non-empty array")
        if len(values) > 1:
            raise _bad_request("batch issuance is not supported: send one proof")
        return str(values[0]) if isinstance(values[0], str) else ""
    if isinstance(proof, dict):
        if proof.get("proof_type") != "jwt":
            raise ProtocolError("invalid_proof", f"unsupported proof type {proof.get('proof_type')!r}")
        jwt = proof.get("jwt")
        return jwt if isinstance(jwt, str) else ""
    raise ProtocolError("invalid_proof", "the request needs a key proof (proofs.jwt)")


def issue_to_wallet(session: Session, access_token: str | None, body: Any, context: IssuingContext) -> dict[str, Any]:
    """The credential response ``{"credentials": [{"credential": <holder-bound VC>}]}``, or a ``ProtocolError``.

    Nothing is spent until the request, the proof and the binding are known to be good: a wallet can fix its
    proof and retry with the same access token. Then the nonce, the token and the claim link are each spent
    once, so one link puts the credential into one wallet.
    """
    now = context.now
    offer = authorized_offer(session, access_token, now, context.college_id)
    proof = check_jwt_proof(
        read_jwt_proof(body, credential_identifier(offer.id)),
        audience=context.credential_issuer,
        now=now,
        max_age=context.proof_max_age,
    )
    link = offer_link(session, offer, now)
    credential = session.get(Credential, link.credential_id)
    issuer = session.get(Issuer, credential.issuer_id) if credential else None
    if credential is None or issuer is None:
        raise ProtocolError("credential_request_denied", "the credential no longer exists")
    check_bindable(credential, proof.holder_did)
    spend_nonce(session, proof.nonce, now)
    spend_token(session, offer, now)
    if not mark_used(session, link, now):
        raise ProtocolError("credential_request_denied", "the credential was already taken into another wallet")
    bound = bind_to_holder(
        session,
        credential,
        issuer,
        proof.holder_did,
        signer=context.signer_for(issuer),
        loader=context.loader,
        now=now,
        claim_link_id=link.id,
    )
    return {"credentials": [{"credential": bound.document}]}
