"""Public documents that verifiers dereference: issuers' did:web DID documents and achievement definitions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.achievements.service import public_achievement
from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import DidJsonResponse, json_errors
from app.issuers.service import get_issuer
from app.proofs.dids import did_document

router = APIRouter(tags=["public"])


@router.get(
    "/issuers/{issuer_id}/did.json",
    response_class=DidJsonResponse,
    responses=json_errors(404, 422, 429, 503),
    summary="DID document of an issuer (did:web resolution)",
)
def issuer_did_document(issuer_id: str, session: SessionDep) -> JSONResponse:
    issuer = get_issuer(session, issuer_id)
    current, *earlier = reversed(issuer.keys)
    document = did_document(
        issuer.did, current.key_id, current.public_key_multibase, *((k.key_id, k.public_key_multibase) for k in earlier)
    )
    return DidJsonResponse(document, headers={"Cache-Control": "public, max-age=300"})


@router.get("/achievements/{achievement_id}", summary="An achievement definition, at its public id")
def achievement_definition(achievement_id: str, session: SessionDep) -> dict[str, Any]:
    return public_achievement(session, achievement_id).definition


@router.get("/health", include_in_schema=False)
def health(runtime: RuntimeDep) -> JSONResponse:
    """200 when the service can reach its database, 503 otherwise (for load balancers and orchestrators)."""
    try:
        with runtime.transaction(writes=False) as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "database unavailable"}, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok"})
