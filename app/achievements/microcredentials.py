"""Micro-credential specifications: create within a college, read, define pathways, and the public catalogue."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.achievements.council import check_annex_i
from app.achievements.microcredential_input import MicroCredentialSpecInput
from app.db import models as db
from app.errors import InvalidInput, NotFound


def _primary_text(value: str | dict[str, str], language: str) -> str:
    return value if isinstance(value, str) else value.get(language) or next(iter(value.values()))


def create_spec(
    session: Session, issuer: db.Issuer, data: MicroCredentialSpecInput, *, public_url: str
) -> db.MicroCredentialSpec:
    spec_id = str(uuid.uuid4())
    spec = data.to_spec(spec_id, f"{public_url}/microcredentials/{spec_id}")
    check_annex_i(spec)
    languages = {data.primaryLanguage, *(data.title.keys() if isinstance(data.title, dict) else ())}
    row = db.MicroCredentialSpec(
        id=spec_id,
        issuer_id=issuer.id,
        title=_primary_text(data.title, data.primaryLanguage)[:500],
        eqf_level=int(spec.eqf_level.uri.rsplit("/", 1)[-1]) if spec.eqf_level else None,
        fields="," + ",".join(c.uri.rsplit("/", 1)[-1] for c in spec.thematic_areas) + ",",
        languages="," + ",".join(sorted(languages)) + ",",
        definition=data.model_dump(mode="json", exclude_none=True),
        require_all_outcomes=data.policy.requireAllOutcomes,
    )
    session.add(row)
    session.flush()
    return row


def get_spec(session: Session, issuer: db.Issuer, spec_id: str) -> db.MicroCredentialSpec:
    """The specification if it belongs to ``issuer``; another college's is reported as not found."""
    row = session.get(db.MicroCredentialSpec, spec_id)
    if row is None or row.issuer_id != issuer.id:
        raise NotFound(f"micro-credential {spec_id} not found")
    return row


def list_specs(session: Session, issuer: db.Issuer, *, limit: int, offset: int) -> list[db.MicroCredentialSpec]:
    return list(
        session.scalars(
            select(db.MicroCredentialSpec)
            .where(db.MicroCredentialSpec.issuer_id == issuer.id)
            .order_by(db.MicroCredentialSpec.created_at, db.MicroCredentialSpec.id)
            .limit(limit)
            .offset(offset)
        )
    )


def set_pathway(
    session: Session, issuer: db.Issuer, target: db.MicroCredentialSpec, parts: list[str], required: int | None
) -> db.MicroCredentialSpec:
    """Declares ``target`` the larger credential of ``parts`` ("all of" when ``required`` is None, else "N of")."""
    if target.id in parts:
        raise InvalidInput("a micro-credential cannot be a part of itself", field="parts")
    for index, part in enumerate(parts):
        try:
            get_spec(session, issuer, part)
        except NotFound as error:
            raise InvalidInput(error.detail, field=f"parts.{index}") from error
    if len(set(parts)) != len(parts):
        raise InvalidInput("each part may appear once", field="parts")
    if required is not None and not 1 <= required <= len(parts):
        raise InvalidInput(f"required must be between 1 and the number of parts ({len(parts)})", field="required")
    target.pathway_part_ids = parts
    target.pathway_required = required
    session.flush()
    return target


def public_spec(session: Session, spec_id: str) -> db.MicroCredentialSpec:
    row = session.get(db.MicroCredentialSpec, spec_id)
    if row is None or not row.published:
        raise NotFound(f"micro-credential {spec_id} not found")
    return row


def catalogue(
    session: Session,
    *,
    text: str | None,
    eqf_level: int | None,
    field: str | None,
    language: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[db.MicroCredentialSpec, db.Issuer]], int]:
    """Published specifications of every college on this service, newest first, filtered as asked."""
    where: list[Any] = [db.MicroCredentialSpec.published.is_(True)]
    if text:
        pattern = f"%{text.lower()}%"
        where.append(
            or_(func.lower(db.MicroCredentialSpec.title).like(pattern), func.lower(db.Issuer.name).like(pattern))
        )
    if eqf_level is not None:
        where.append(db.MicroCredentialSpec.eqf_level == eqf_level)
    if field:
        # ISCED-F is hierarchical: "07" finds 071, 0713...
        where.append(db.MicroCredentialSpec.fields.like(f"%,{field}%"))
    if language:
        where.append(db.MicroCredentialSpec.languages.like(f"%,{language},%"))
    base = select(db.MicroCredentialSpec, db.Issuer).join(db.Issuer, db.Issuer.id == db.MicroCredentialSpec.issuer_id)
    total = session.scalar(select(func.count()).select_from(base.where(*where).subquery())) or 0
    rows = session.execute(
        base.where(*where)
        .order_by(db.MicroCredentialSpec.created_at.desc(), db.MicroCredentialSpec.id)
        .limit(limit)
        .offset(offset)
    )
    return [(spec, issuer) for spec, issuer in rows], total


def catalogue_entry(spec: db.MicroCredentialSpec, issuer: db.Issuer, public_url: str) -> dict[str, Any]:
    return {
        "id": spec.id,
        "uri": f"{public_url}/microcredentials/{spec.id}",
        "title": spec.title,
        "eqfLevel": spec.eqf_level,
        "issuer": {"name": issuer.name, "did": issuer.did, "url": issuer.profile.get("url")},
        "pathway": {"parts": spec.pathway_part_ids, "required": spec.pathway_required or len(spec.pathway_part_ids)}
        if spec.pathway_part_ids
        else None,
        "specification": spec.definition,
    }
