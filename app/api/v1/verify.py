"""``POST /api/v1/verify``: verify any credential into a report of checks, each with an outcome and a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from app.api.deps import RuntimeDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["verification"])


@router.post(
    "/verify",
    summary="Verify a credential",
    description="Public. Checks structure, the eddsa-rdfc-2022 proof (did:key, this service's did:web issuers, "
    "other did:web when VETCRED_FETCH_REMOTE is on), status (Bitstring Status List), validity period, whether a "
    "trusted source knows the signer (a college of this service or an operator trust registry) and, advisory, the "
    "OB 3.0 JSON Schema. `signer` says who signed; `issuerIdentity` whether that signer is known (its name comes "
    "from the trusted source, never from the credential). `verdict` is one of verified, issuer_not_confirmed, "
    "revoked, suspended, expired, not_yet_valid, not_valid, could_not_check (docs/verification.md); `verified` "
    "is true only for verified.",
)
def verify(
    session: SessionDep, runtime: RuntimeDep, credential: Annotated[dict[str, Any], Body(media_type="application/json")]
) -> dict[str, Any]:
    report = runtime.verify(credential, session)
    return report.to_dict()
