"""OpenID4VCI 1.0 issuer endpoints (pre-authorized code flow): metadata, offers, token, nonce, credential.

Each college is a credential issuer of its own, ``{public_url}/issuers/{id}``, with its metadata, token, nonce and
credential endpoints under that identifier; the instance-wide identifier (the public URL) keeps working for offers
handed out before.

Errors here follow OAuth 2.0 (RFC 6749 section 5.2, RFC 6750 section 3) and OpenID4VCI rather than vetcred's own
envelope: ``{"error": code, "error_description": text}``, 400, or 401 for ``invalid_token``.

Each route commits its own transaction before it answers: a wallet sends its next request (nonce, then
credential) the moment it has the answer, and must find the previous step's writes there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.deps import RuntimeDep
from app.api.responses import OAUTH_ERRORS, json_errors, oauth_error
from app.errors import NotFound
from app.issuers.branding import CollegeBranding, branding_by_id
from app.issuers.service import signer_for
from app.runtime import Runtime
from app.wallet.authorization_details import granted, read_authorization_details
from app.wallet.credential_request import IssuingContext, issue_to_wallet
from app.wallet.metadata import authorization_server_metadata, credential_issuer_metadata
from app.wallet.oid4vci import (
    PRE_AUTHORIZED_GRANT,
    ProtocolError,
    exchange_pre_authorized_code,
    issuer_identifier,
    new_nonce,
    offer_college_id,
    offer_document,
    open_offer,
)

router = APIRouter(tags=["OpenID4VCI"])

T = TypeVar("T")
NO_STORE = {"Cache-Control": "no-store"}
METADATA_CACHE = {"Cache-Control": "public, max-age=300"}


def protocol_error(error: ProtocolError) -> JSONResponse:
    """The wire form of a protocol error: 400, or 401 for ``invalid_token``."""
    if error.code == "invalid_token":
        return oauth_error(error.code, error.detail, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return oauth_error(error.code, error.detail)


def committed(runtime: Runtime, work: Callable[[Session], T]) -> T | ProtocolError:
    """``work`` in one transaction, committed also when it refuses with a ``ProtocolError`` (so a wrong PIN is
    counted and a spent nonce stays spent); any other error rolls it back."""
    with runtime.transaction() as session:
        try:
            return work(session)
        except ProtocolError as error:
            return error


def _college(runtime: Runtime, college_id: str) -> CollegeBranding:
    """The college behind a college's own identifier (404 for one this service does not have)."""
    with runtime.transaction(writes=False) as session:
        branding = branding_by_id(session, college_id, runtime.settings.public_url)
    if branding is None:
        raise NotFound(f"no credential issuer {college_id} here")
    return branding


@router.get("/.well-known/openid-credential-issuer", summary="This instance's credential issuer metadata")
def issuer_metadata(runtime: RuntimeDep) -> JSONResponse:
    """For offers handed out before each college had its own identifier (they name the instance's)."""
    return JSONResponse(credential_issuer_metadata(runtime.settings.public_url, None), headers=METADATA_CACHE)


@router.get(
    "/.well-known/openid-credential-issuer/issuers/{college_id}",
    responses=json_errors(404),
    summary="A college's credential issuer metadata (its name, logo and colours for wallets)",
    description="The metadata of the Credential Issuer Identifier `{public_url}/issuers/{college_id}` (OpenID4VCI "
    "1.0 section 12.2.2: the well-known suffix goes between the host and the identifier's path).",
)
def college_issuer_metadata(college_id: str, runtime: RuntimeDep) -> JSONResponse:
    college = _college(runtime, college_id)
    identifier = issuer_identifier(runtime.settings.public_url, college_id)
    return JSONResponse(credential_issuer_metadata(identifier, college), headers=METADATA_CACHE)


@router.get("/.well-known/oauth-authorization-server", summary="This instance's authorization server metadata")
def authorization_server(runtime: RuntimeDep) -> JSONResponse:
    return JSONResponse(authorization_server_metadata(runtime.settings.public_url), headers=METADATA_CACHE)


@router.get(
    "/.well-known/oauth-authorization-server/issuers/{college_id}",
    responses=json_errors(404),
    summary="A college's OAuth 2.0 authorization server metadata (RFC 8414, path-inserted)",
)
def college_authorization_server(college_id: str, runtime: RuntimeDep) -> JSONResponse:
    _college(runtime, college_id)
    identifier = issuer_identifier(runtime.settings.public_url, college_id)
    return JSONResponse(authorization_server_metadata(identifier), headers=METADATA_CACHE)


@router.get(
    "/oid4vci/offers/{reference}",
    summary="A credential offer by reference (credential_offer_uri)",
    description="Served while its pre-authorized code is unused and unexpired; the claim page makes offers. The "
    "path carries a reference of its own, not the pre-authorized code. The offer names the college's own "
    "Credential Issuer Identifier.",
)
def credential_offer(reference: str, runtime: RuntimeDep) -> JSONResponse:
    with runtime.transaction(writes=False) as session:
        offer, code = open_offer(session, reference, runtime.clock(), runtime.master_key)
        college_id = offer_college_id(session, offer)
    identifier = issuer_identifier(runtime.settings.public_url, college_id)
    document = offer_document(identifier, code, tx_code_required=offer.tx_code_required)
    return JSONResponse(document, headers=NO_STORE)


def _token(
    runtime: Runtime,
    college_id: str | None,
    grant_type: str | None,
    code: str | None,
    tx_code: str | None,
    authorization_details: str | None,
) -> JSONResponse:
    if not grant_type:
        return protocol_error(ProtocolError("invalid_request", "grant_type is missing (send it form-encoded)"))
    if grant_type != PRE_AUTHORIZED_GRANT:
        return protocol_error(ProtocolError("unsupported_grant_type", f"only {PRE_AUTHORIZED_GRANT} is supported"))
    if not code:
        return protocol_error(ProtocolError("invalid_request", "pre-authorized_code is missing"))
    try:
        requested = read_authorization_details(authorization_details)
    except ProtocolError as error:
        return protocol_error(error)
    ttl = timedelta(seconds=runtime.settings.oid4vci_token_ttl_seconds)
    issued = committed(
        runtime,
        lambda session: exchange_pre_authorized_code(
            session, code=code, tx_code=tx_code, now=runtime.clock(), ttl=ttl, college_id=college_id
        ),
    )
    if isinstance(issued, ProtocolError):
        return protocol_error(issued)
    body: dict[str, Any] = {"access_token": issued.value, "token_type": "Bearer", "expires_in": issued.expires_in}
    if requested is not None:
        body["authorization_details"] = granted(requested, issued.offer_id)
    return JSONResponse(body, headers=NO_STORE)


_TOKEN_DESCRIPTION = (
    "Form-encoded. No client authentication (anonymous pre-authorized access). Returns a short-lived, single-use "
    "bearer access token for the credential endpoint. With `authorization_details` (a JSON array of "
    '`{"type": "openid_credential", "credential_configuration_id": "OpenBadgeCredential_ldp_vc"}`), the response '
    "carries them back, each with the `credential_identifiers` a credential request may then name (OpenID4VCI 1.0 "
    "section 6.2)."
)
GrantType = Annotated[str | None, Form()]
PreAuthorizedCode = Annotated[str | None, Form(alias="pre-authorized_code")]
TxCode = Annotated[str | None, Form()]
AuthorizationDetails = Annotated[
    str | None, Form(description="RFC 9396 authorization details: a JSON array of openid_credential entries")
]


@router.post(
    "/oid4vci/token",
    responses=OAUTH_ERRORS,
    summary="Token endpoint of this instance's identifier (grant urn:ietf:params:oauth:grant-type:pre-authorized_code)",
    description=_TOKEN_DESCRIPTION,
)
def token(
    runtime: RuntimeDep,
    grant_type: GrantType = None,
    pre_authorized_code: PreAuthorizedCode = None,
    tx_code: TxCode = None,
    authorization_details: AuthorizationDetails = None,
) -> JSONResponse:
    return _token(runtime, None, grant_type, pre_authorized_code, tx_code, authorization_details)


@router.post(
    "/issuers/{college_id}/oid4vci/token",
    responses=OAUTH_ERRORS | json_errors(404),
    summary="A college's token endpoint (pre-authorized code of that college's offers only)",
    description=_TOKEN_DESCRIPTION,
)
def college_token(
    college_id: str,
    runtime: RuntimeDep,
    grant_type: GrantType = None,
    pre_authorized_code: PreAuthorizedCode = None,
    tx_code: TxCode = None,
    authorization_details: AuthorizationDetails = None,
) -> JSONResponse:
    _college(runtime, college_id)
    return _token(runtime, college_id, grant_type, pre_authorized_code, tx_code, authorization_details)


def _nonce(runtime: Runtime) -> JSONResponse:
    ttl = timedelta(seconds=runtime.settings.oid4vci_nonce_ttl_seconds)
    with runtime.transaction() as session:
        value = new_nonce(session, now=runtime.clock(), ttl=ttl)
    return JSONResponse({"c_nonce": value}, headers=NO_STORE)


@router.post("/oid4vci/nonce", summary="Nonce endpoint: a fresh single-use c_nonce for key proofs")
def nonce(runtime: RuntimeDep) -> JSONResponse:
    return _nonce(runtime)


@router.post("/issuers/{college_id}/oid4vci/nonce", responses=json_errors(404), summary="A college's nonce endpoint")
def college_nonce(college_id: str, runtime: RuntimeDep) -> JSONResponse:
    _college(runtime, college_id)
    return _nonce(runtime)


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def _issue(
    runtime: Runtime, college_id: str | None, access_token: str | None, body: Any
) -> dict[str, Any] | ProtocolError:
    context = IssuingContext(
        credential_issuer=issuer_identifier(runtime.settings.public_url, college_id),
        college_id=college_id,
        now=runtime.clock(),
        proof_max_age=timedelta(seconds=runtime.settings.oid4vci_nonce_ttl_seconds),
        signer_for=lambda issuer: signer_for(issuer, runtime.master_key),
        loader=runtime.loader,
    )
    return committed(runtime, lambda session: issue_to_wallet(session, access_token, body, context))


async def _credential(request: Request, runtime: Runtime, college_id: str | None) -> JSONResponse:
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None  # refused as invalid_credential_request, once the access token has been checked
    # Signing canonicalizes (CPU work): keep it off the event loop.
    response = await run_in_threadpool(_issue, runtime, college_id, _bearer(request), body)
    if isinstance(response, ProtocolError):
        return protocol_error(response)
    return JSONResponse(response, headers=NO_STORE)


_CREDENTIAL_DESCRIPTION = (
    "Bearer access token from the token endpoint. Body: `credential_configuration_id` (or the "
    "`credential_identifier` the token response granted, never both) and "
    '`proofs: {"jwt": [<openid4vci-proof+jwt>]}` (the older `proof` object is accepted too); the proof\'s `aud` is '
    'the Credential Issuer Identifier. Returns `{"credentials": [{"credential": <signed OB 3.0 credential>}]}` with '
    "`credentialSubject.id` = the holder DID."
)


@router.post(
    "/oid4vci/credential",
    responses=OAUTH_ERRORS,
    summary="Credential endpoint of this instance's identifier: the credential bound to the wallet's DID",
    description=_CREDENTIAL_DESCRIPTION,
)
async def credential(request: Request, runtime: RuntimeDep) -> JSONResponse:
    return await _credential(request, runtime, None)


@router.post(
    "/issuers/{college_id}/oid4vci/credential",
    responses=OAUTH_ERRORS | json_errors(404),
    summary="A college's credential endpoint: the credential bound to the wallet's DID",
    description=_CREDENTIAL_DESCRIPTION,
)
async def college_credential(college_id: str, request: Request, runtime: RuntimeDep) -> JSONResponse:
    await run_in_threadpool(_college, runtime, college_id)
    return await _credential(request, runtime, college_id)
