"""The public catalogue (JSON): every published micro-credential with all its Annex I elements, searchable."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.achievements.microcredentials import catalogue, catalogue_entry, public_spec
from app.api.deps import MAX_OFFSET, RuntimeDep, SessionDep
from app.db.models import Issuer

router = APIRouter(tags=["catalogue"])

TextQuery = Annotated[str | None, Query(max_length=200, description="words in the title or the college's name")]
EqfQuery = Annotated[int | None, Query(alias="eqfLevel", ge=1, le=8)]
FieldQuery = Annotated[str | None, Query(pattern=r"^\d{2,4}$", description="ISCED-F code; 07 finds 071, 0713...")]
LanguageQuery = Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", description="a language of the title, e.g. nl")]


@router.get("/api/v1/catalogue", summary="Search the published micro-credentials of every college")
def search(
    session: SessionDep,
    runtime: RuntimeDep,
    q: TextQuery = None,
    eqf_level: EqfQuery = None,
    field: FieldQuery = None,
    language: LanguageQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    rows, total = catalogue(
        session, text=q, eqf_level=eqf_level, field=field, language=language, limit=limit, offset=offset
    )
    public_url = runtime.settings.public_url
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [catalogue_entry(spec, issuer, public_url) for spec, issuer in rows],
    }


@router.get("/microcredentials/{spec_id}.json", summary="A published micro-credential (JSON)")
def read_json(spec_id: str, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    spec = public_spec(session, spec_id)
    issuer = session.get(Issuer, spec.issuer_id)
    assert issuer is not None
    return catalogue_entry(spec, issuer, runtime.settings.public_url)
