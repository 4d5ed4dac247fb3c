"""Public documents that verifiers dereference: issuers' did:web DID documents and achievement definitions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.achievements.service import public_achievement
from app.api.deps import SessionDep
from app.issuers.service import get_issuer
from app.proofs.dids import did_document

router = APIRouter(tags=["public"])


@router.get("/issuers/{issuer_id}/did.json", summary="DID document of an issuer (did:web resolution)")
def issuer_did_document(issuer_id: str, session: SessionDep) -> JSONResponse:
    issuer = get_issuer(session, issuer_id)
    current, *earlier = reversed(issuer.keys)
    document = did_document(
        issuer.did, current.key_id, current.public_key_multibase, *((k.key_id, k.public_key_multibase) for k in earlier)
    )
    return JSONResponse(document, media_type="application/did+json", headers={"Cache-Control": "public, max-age=300"})


@router.get("/achievements/{achievement_id}", summary="An achievement definition, at its public id")
def achievement_definition(achievement_id: str, session: SessionDep) -> dict[str, Any]:
    return public_achievement(session, achievement_id).definition


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
