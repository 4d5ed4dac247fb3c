"""The VC-API exchange endpoint the Learner Credential Wallet talks to (``app/wallet/vc_api.py`` has the protocol).

Errors are RFC 9457 problem details, as VC-API answers them: ``{"type": "about:blank", "title", "status",
"detail"}``, with vetcred's stable ``error`` code beside them.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.deps import RuntimeDep
from app.issuers.service import signer_for
from app.runtime import Runtime
from app.wallet.vc_api import ExchangeError, IssuingContext, issue_to_holder, request_presentation

router = APIRouter(tags=["VC-API exchanges"])

NO_STORE = {"Cache-Control": "no-store"}
_STATUS = {"unknown_exchange": 404, "exchange_gone": 410}
_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
# Refusals are RFC 9457 problem details (what VC-API clients read), not the API's usual error object.
PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A refused request or presentation", "content": _PROBLEM},
    404: {"description": "No exchange at this address", "content": _PROBLEM},
    410: {"description": "The exchange was used or has expired", "content": _PROBLEM},
}


def exchange_error(error: ExchangeError) -> JSONResponse:
    status = _STATUS.get(error.code, 400)
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": error.detail,
        "error": error.code,
    }
    return JSONResponse(body, status_code=status, headers=NO_STORE, media_type="application/problem+json")


def _step(runtime: Runtime, reference: str, body: dict[str, Any]) -> dict[str, Any] | ExchangeError:
    """One exchange step in one transaction (rolled back when refused: a refusal spends nothing)."""
    public_url = runtime.settings.public_url
    try:
        with runtime.transaction() as session:
            if "verifiablePresentation" not in body:
                return request_presentation(session, reference, public_url=public_url, now=runtime.clock())
            context = IssuingContext(
                public_url=public_url,
                now=runtime.clock(),
                check=lambda vp, challenge, domain: runtime.verify_presentation(
                    vp, session, challenge=challenge, domain=domain
                ),
                signer_for=lambda issuer: signer_for(issuer, runtime.master_key),
                loader=runtime.loader,
            )
            return issue_to_holder(session, reference, body["verifiablePresentation"], context)
    except ExchangeError as error:
        return error


@router.post(
    "/exchanges/{reference}",
    summary="A VC-API exchange of a claim link (Learner Credential Wallet): DIDAuthentication, then the credential",
    description=(
        "POST `{}`: a Verifiable Presentation Request (a DIDAuthentication query, a fresh `challenge`, this "
        "service's `domain`, `interact.service`). POST `{\"verifiablePresentation\": <VP>}` signed by the wallet's "
        "DID (proofPurpose authentication, that challenge and domain): "
        '`{"verifiablePresentation": {"verifiableCredential": [<the credential bound to that DID>]}}`. '
        "Single use; 404 for an unknown exchange, 410 for a spent or expired one, 400 for a refused presentation."
    ),
    responses=PROBLEMS,
)
async def exchange(reference: str, request: Request, runtime: RuntimeDep) -> JSONResponse:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return exchange_error(ExchangeError("invalid_request", "the body must be a JSON object ({} to start)"))
    # Verifying and signing canonicalize (CPU work): keep them off the event loop.
    answer = await run_in_threadpool(_step, runtime, reference, body)
    if isinstance(answer, ExchangeError):
        return exchange_error(answer)
    return JSONResponse(answer, headers=NO_STORE)
