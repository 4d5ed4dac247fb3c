"""``POST /api/v1/verify``: verify any credential into a report of checks, each with an outcome and a reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app.api.deps import RuntimeDep, SessionDep
from app.errors import InvalidInput
from app.verification.inputs import read_presented

router = APIRouter(prefix="/api/v1", tags=["verification"])

_OBJECT = {"schema": {"type": "object", "description": "a credential, or an EnvelopedVerifiableCredential"}}
_JWT = {"schema": {"type": "string", "description": "a VC-JWT: a compact JWS"}}


@router.post(
    "/verify",
    summary="Verify a credential",
    description="Public. Takes a credential as JSON (`application/json`, `application/vc+ld+json`; a Data "
    "Integrity proof - eddsa-rdfc-2022, or the legacy eddsa-2022 and Ed25519Signature2020 - an "
    "EnvelopedVerifiableCredential, or a sealed Europass EDC) or a VC-JWT as text (`application/vc+jwt`, "
    "`application/jwt`, `text/plain`). Checks structure, the proofs (keys from did:key, did:jwk, this service's "
    "did:web issuers, and other did:web and https key documents when VETCRED_FETCH_REMOTE is on), status "
    "(Bitstring Status List), validity period, whether a trusted source knows the signer (a college of this "
    "service or an operator trust registry) and, advisory, the OB 3.0 JSON Schema. `signer` says who signed; "
    "`issuerIdentity` whether that signer is known (its name comes from the trusted source, never from the "
    "credential). `verdict` is one of verified, issuer_not_confirmed, revoked, suspended, expired, not_yet_valid, "
    "not_valid, could_not_check (docs/verification.md); `verified` is true only for verified.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": _OBJECT,
                "application/vc+ld+json": _OBJECT,
                "application/vc+jwt": _JWT,
                "application/jwt": _JWT,
                "text/plain": _JWT,
            },
        }
    },
)
async def verify(request: Request, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("the body is not UTF-8 text", field="body") from error
    presented = read_presented(text, field="body")
    # Verification canonicalizes (CPU work): keep it off the event loop.
    report = await run_in_threadpool(runtime.verify, presented, session)
    return report.to_dict()
