"""The OpenID4VP response endpoint (``response_uri``) where a learner's wallet answers an employer's request with
``direct_post`` (``app/wallet/openid4vp.py`` has the protocol, ``app/web/presentation_request.py`` the employer's
page). Refusals are OAuth 2.0 errors, as wallets read them: ``{"error": code, "error_description": text}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.deps import RuntimeDep
from app.api.responses import OAuthErrorOut, oauth_error
from app.runtime import Runtime
from app.wallet.openid4vp import RESPONSE_PATH, ResponseRefused, receive_response

router = APIRouter(tags=["OpenID4VP"])

NO_STORE = {"Cache-Control": "no-store"}
SENT_PATH = "/request/sent"
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthErrorOut, "description": "A response this request does not take (invalid_request)"},
    404: {"model": OAuthErrorOut, "description": "No request at this response URI"},
}


def _take(runtime: Runtime, reference: str, form: dict[str, str]) -> ResponseRefused | None:
    try:
        with runtime.transaction() as session:
            receive_response(session, reference, form, master_key=runtime.master_key, now=runtime.clock())
    except ResponseRefused as error:
        return error
    return None


@router.post(
    RESPONSE_PATH + "{reference}",
    summary="Response endpoint of an employer's OpenID4VP request: the wallet's presentations (direct_post)",
    description=(
        'OpenID4VP 1.0 §8.2 `direct_post`: a form with `vp_token` (JSON: `{"microcredentials": [<presentation>, '
        "...]}`, each a Verifiable Presentation signed by the holder with `challenge` = the request's `nonce` and "
        "`domain` = its `client_id`, or a VP-JWT with `nonce` and `aud`) and `state`; or `error` (and "
        "`error_description`) when the learner declined. A request takes one answer; the employer's page verifies "
        'it. Answers `{"redirect_uri": ...}`: a page telling the learner their credentials were sent.'
    ),
    responses=REFUSALS,
)
async def wallet_response(
    reference: str,
    runtime: RuntimeDep,
    state: Annotated[str | None, Form(max_length=256)] = None,
    vp_token: Annotated[str | None, Form()] = None,
    error: Annotated[str | None, Form(max_length=256)] = None,
    error_description: Annotated[str | None, Form(max_length=2048)] = None,
) -> JSONResponse:
    given = {"state": state, "vp_token": vp_token, "error": error, "error_description": error_description}
    form = {name: value for name, value in given.items() if value is not None}
    refused = await run_in_threadpool(_take, runtime, reference, form)
    if refused is not None:
        return oauth_error(refused.code, refused.detail, refused.status)
    return JSONResponse({"redirect_uri": runtime.settings.public_url + SENT_PATH}, headers=NO_STORE)
