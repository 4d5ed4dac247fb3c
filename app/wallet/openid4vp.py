"""OpenID4VP 1.0 for employers: ask a learner's wallet for micro-credentials instead of scanning them one by one.

The employer's page (``app/web/presentation_request.py``) makes a request and shows it as a QR code and a link:
``openid4vp://?client_id=...&response_type=vp_token&response_mode=direct_post&response_uri=...&nonce=...&state=...
&dcql_query=...&client_metadata=...``, passed by value (OpenID4VP 1.0 §5), with

- the ``redirect_uri`` Client Identifier Prefix (§5.9.3): ``client_id`` is ``redirect_uri:<response_uri>``; such a
  request cannot be signed, so the wallet learns who asks from the response URI's host and the ``client_name``
  the employer gave, which the wallet shows as said (it is never checked);
- a DCQL query (§6) for Open Badges 3.0 credentials as W3C VCs secured with Data Integrity (``ldp_vc``,
  Appendix B.1.3.2: ``meta.type_values`` holds the fully expanded type IRIs), any number of them;
- ``direct_post`` (§8.2): the wallet POSTs ``vp_token`` (a JSON object: the query's id -> a list of
  presentations) and ``state`` as a form to the response URI, or ``error`` when the learner declines.

Each presentation must be signed by the holder with ``challenge`` = the request's ``nonce`` and ``domain`` =
the ``client_id`` (a VP-JWT: ``nonce`` and ``aud``); the page checks that, the holder's proof and every credential
with ``Runtime.verify_presentation``, each time it is shown (a credential revoked meanwhile shows as revoked). A
request takes one answer. The answer is encrypted under the master key and deleted ``ANSWER_KEPT`` after it came.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import PresentationRequest
from app.errors import NotFound, VetcredError
from app.proofs.keys import MasterKey
from app.wallet.claims import hash_secret, new_secret, updated_rows

REQUEST_SCHEME = "openid4vp://"
CLIENT_ID_PREFIX = "redirect_uri:"
RESPONSE_PATH = "/openid4vp/responses/"
# How long a wallet may take to answer, and how long the answer is kept for the employer's page.
ANSWER_WITHIN = timedelta(minutes=10)
ANSWER_KEPT = timedelta(hours=1)
QUERY_ID = "microcredentials"
VC_TYPE = "https://www.w3.org/2018/credentials#VerifiableCredential"
OPEN_BADGE_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
# A learner's whole set, yet bounded: each presentation costs a canonicalization per credential on every view.
MAX_PRESENTATIONS = 20
MAX_REQUESTER_LENGTH = 120
FORMATS_SUPPORTED = {
    "ldp_vc": {
        "proof_type_values": ["DataIntegrityProof", "Ed25519Signature2020"],
        "cryptosuite_values": ["eddsa-rdfc-2022"],
    },
}


class ResponseRefused(VetcredError):
    """A wallet's response the endpoint does not take: ``code`` is the OAuth 2.0 error code it answers with
    (``invalid_request``...), ``status`` the HTTP status; ``detail`` says why in words. Nothing is stored."""

    def __init__(self, detail: str, *, code: str = "invalid_request", status: int = 400) -> None:
        super().__init__(detail)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class NewRequest:
    """A request just made: the row, and the secret in the employer's page address ``/request/{viewer}``."""

    request: PresentationRequest
    viewer: str


@dataclass(frozen=True)
class Answer:
    """What the wallet sent: the presentations (in the order given), or the error it reported instead."""

    presentations: list[Any]
    error: str | None = None
    error_description: str | None = None


def response_reference(viewer: str) -> str:
    """The response URI's secret, derived from the viewer's one-way: the employer's page can show the request again
    (only hashes are stored), while the QR code's reader learns nothing that opens the employer's page."""
    digest = hashlib.sha256(b"openid4vp response URI|" + viewer.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def response_uri(public_url: str, reference: str) -> str:
    return f"{public_url}{RESPONSE_PATH}{reference}"


def client_id(public_url: str, reference: str) -> str:
    """The Client Identifier the wallet sees, and the ``domain`` (``aud``) the holder must sign for."""
    return CLIENT_ID_PREFIX + response_uri(public_url, reference)


def dcql_query() -> dict[str, Any]:
    """Any number of Open Badges 3.0 credentials (micro-credentials among them), as W3C VCs with Data Integrity."""
    return {
        "credentials": [
            {
                "id": QUERY_ID,
                "format": "ldp_vc",
                "multiple": True,
                "meta": {"type_values": [[VC_TYPE, OPEN_BADGE_TYPE]]},
            }
        ]
    }


def client_metadata(requester: str | None, service_name: str) -> dict[str, Any]:
    name = f"{requester} ({service_name})" if requester else service_name
    return {"client_name": name, "vp_formats_supported": FORMATS_SUPPORTED}


def authorization_request(
    request: PresentationRequest, reference: str, *, public_url: str, service_name: str
) -> dict[str, Any]:
    """The Authorization Request's parameters (§5.1), as the wallet reads them."""
    return {
        "client_id": client_id(public_url, reference),
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": response_uri(public_url, reference),
        "nonce": request.nonce,
        "state": request.state,
        "dcql_query": dcql_query(),
        "client_metadata": client_metadata(request.requester, service_name),
    }


def request_link(parameters: Mapping[str, Any]) -> str:
    """The request by value as an ``openid4vp://`` link (QR code and same-device link): objects as compact JSON."""
    encoded = {
        name: json.dumps(value, separators=(",", ":")) if isinstance(value, dict) else value
        for name, value in parameters.items()
    }
    return REQUEST_SCHEME + "?" + urlencode(encoded)


def create_request(session: Session, *, requester: str | None, now: datetime) -> NewRequest:
    """A fresh request, open for ``ANSWER_WITHIN``; requests (and answers) past their time are deleted."""
    purge(session, now)
    viewer = new_secret()
    request = PresentationRequest(
        id=str(uuid.uuid4()),
        viewer_hash=hash_secret(viewer),
        reference_hash=hash_secret(response_reference(viewer)),
        nonce=new_secret(),
        state=new_secret(),
        requester=requester or None,
        created_at=now,
        expires_at=now + ANSWER_WITHIN,
    )
    session.add(request)
    session.flush()
    return NewRequest(request, viewer)


def purge(session: Session, now: datetime) -> None:
    """Deletes requests nobody answered in time and answers kept ``ANSWER_KEPT``: nothing of a learner stays."""
    session.execute(
        delete(PresentationRequest).where(
            or_(
                (PresentationRequest.answered_at.is_(None)) & (PresentationRequest.expires_at < now),
                PresentationRequest.answered_at < now - ANSWER_KEPT,
            )
        )
    )


def find_by_viewer(session: Session, viewer: str, now: datetime) -> PresentationRequest:
    """The employer's request; ``NotFound`` for an unknown or purged one (an answer kept past its time too)."""
    request = session.scalar(select(PresentationRequest).where(PresentationRequest.viewer_hash == hash_secret(viewer)))
    if request is None or (request.answered_at is not None and request.answered_at < now - ANSWER_KEPT):
        raise NotFound("no request at this address: it expired, or its answer was deleted")
    return request


def is_expired(request: PresentationRequest, now: datetime) -> bool:
    return request.answered_at is None and now >= request.expires_at


def answer_aad(request_id: str) -> bytes:
    return f"presentation-request:{request_id}".encode()


def _vp_token(raw: str) -> list[Any]:
    """The presentations of a ``vp_token`` (§8.1): a JSON object whose only key is the query's id, its value a list
    of one or more presentations (a JSON object, or a VP-JWT string)."""
    try:
        token = json.loads(raw)
    except ValueError:
        raise ResponseRefused("vp_token is not JSON: it must be a JSON object keyed by the query's id") from None
    except RecursionError:
        raise ResponseRefused("vp_token is JSON nested too deeply to hold presentations") from None
    if not isinstance(token, dict) or not token:
        raise ResponseRefused(f'vp_token must be a JSON object such as {{"{QUERY_ID}": [<presentation>]}}')
    unknown = sorted(set(token) - {QUERY_ID})
    if unknown:
        raise ResponseRefused(f"vp_token answers queries this request did not make: {', '.join(unknown)}")
    presentations = token[QUERY_ID]
    if not isinstance(presentations, list) or not presentations:
        raise ResponseRefused(f"vp_token.{QUERY_ID} must be a non-empty array of presentations")
    if len(presentations) > MAX_PRESENTATIONS:
        given = len(presentations)
        raise ResponseRefused(f"vp_token.{QUERY_ID} holds {given} presentations; at most {MAX_PRESENTATIONS}")
    if not all(isinstance(item, dict | str) for item in presentations):
        raise ResponseRefused(f"each presentation in vp_token.{QUERY_ID} must be a JSON object or a JWT string")
    return presentations


def receive_response(
    session: Session, reference: str, form: Mapping[str, str], *, master_key: MasterKey, now: datetime
) -> None:
    """Takes the wallet's direct_post response (§8.2): the presentations, or the error the wallet reports (the
    learner declined: ``access_denied``). ``ResponseRefused`` for an unknown, expired or answered request, a wrong
    ``state`` or a malformed ``vp_token``; a well-formed answer is kept whatever its verification will say, for the
    employer to see why it failed."""
    request = session.scalar(
        select(PresentationRequest).where(PresentationRequest.reference_hash == hash_secret(reference))
    )
    if request is None:
        raise ResponseRefused("no request at this response URI", status=404)
    if request.answered_at is not None:
        raise ResponseRefused("this request was already answered: it takes one answer")
    if now >= request.expires_at:
        raise ResponseRefused("this request has expired: ask the employer for a new one")
    if form.get("state") != request.state:
        raise ResponseRefused("state is not this request's state")
    if "error" in form:
        description = form.get("error_description", "")
        answer: dict[str, Any] = {"error": form["error"][:200], "error_description": description[:500]}
    elif "vp_token" in form:
        answer = {"presentations": _vp_token(form["vp_token"])}
    else:
        raise ResponseRefused("the response carries neither vp_token nor error")
    encrypted = master_key.encrypt(json.dumps(answer).encode(), aad=answer_aad(request.id))
    taken = session.execute(
        update(PresentationRequest)
        .where(PresentationRequest.id == request.id, PresentationRequest.answered_at.is_(None))
        .values(answered_at=now, answer_encrypted=encrypted)
    )
    if updated_rows(taken) != 1:
        raise ResponseRefused("this request was already answered: it takes one answer")


def read_answer(request: PresentationRequest, master_key: MasterKey) -> Answer | None:
    """The wallet's answer, decrypted; ``None`` while there is none."""
    if request.answer_encrypted is None:
        return None
    answer = json.loads(master_key.decrypt(request.answer_encrypted, aad=answer_aad(request.id)))
    if "error" in answer:
        return Answer([], answer["error"], answer.get("error_description") or None)
    return Answer(answer["presentations"])
