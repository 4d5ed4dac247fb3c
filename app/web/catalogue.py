"""``GET /catalogue``: the public catalogue as a page, so learners and employers see what a credential means."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from app.achievements.microcredentials import catalogue
from app.achievements.vocabularies import vocabulary
from app.api.deps import RuntimeDep, SessionDep
from app.db.models import Issuer, MicroCredentialSpec
from app.web.render import templates

router = APIRouter(tags=["catalogue"])


def _text(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _label(vocabulary_name: str, value: Any) -> str:
    """The English label of a stored code (codes were validated on input; unknown ones show as given)."""
    if value in (None, ""):
        return ""
    found = vocabulary(vocabulary_name).find(str(value))
    return found.label.get("en", str(value)) if found else str(value)


def _code(vocabulary_name: str, value: str) -> str:
    found = vocabulary(vocabulary_name).find(value)
    return vocabulary(vocabulary_name).codes[found.uri] if found else value


def _entry(spec: MicroCredentialSpec, issuer: Issuer, public_url: str) -> dict[str, Any]:
    """The Annex I elements in words, from the stored specification."""
    d = spec.definition
    lang = d.get("primaryLanguage", "en")
    workload = " and ".join(
        filter(
            None,
            [
                f"{d['ectsCredits']:g} ECTS" if d.get("ectsCredits") else "",
                f"{d['workloadHours']:g} hours" if d.get("workloadHours") else "",
            ],
        )
    )
    facts = [
        ("Awarded by", ", ".join(_text(body.get("name"), lang) for body in d.get("awardingBodies", []))),
        ("Country of the issuer", _label("country", d.get("issuerCountry"))),
        ("Notional workload", workload),
        ("Level", f"EQF {d['eqfLevel']}" if d.get("eqfLevel") else ""),
        ("Type of assessment", _label("assessment", d.get("assessmentType"))),
        ("Form of participation", _label("learning-assessment", d.get("participationForm"))),
        (
            "Quality assurance",
            ", ".join(_label("accreditation", qa.get("type")) for qa in d.get("qualityAssurance", [])),
        ),
        ("Prerequisites", _text(d.get("prerequisites"), lang)),
        ("Supervision and identity check", _label("supervision-verification", d.get("supervision"))),
        ("Stackability", _text(d.get("stackability"), lang)),
        ("Duration", str(d.get("duration") or "")),
        ("Languages", ", ".join(_label("language", code) for code in d.get("languages", []))),
        ("Costs", ", ".join(f"{c['amount']} {_code('currency', c['currency'])}" for c in d.get("costs", []))),
    ]
    return {
        "id": spec.id,
        "uri": f"{public_url}/microcredentials/{spec.id}",
        "title": spec.title,
        "issuer": issuer.name,
        "eqf": spec.eqf_level,
        "description": _text(d.get("description"), lang),
        "outcomes": [_text(o.get("title"), lang) for o in d.get("learningOutcomes", [])],
        "facts": [(label, value) for label, value in facts if value],
    }


@router.get("/catalogue", response_class=HTMLResponse, summary="The public catalogue (HTML)")
def catalogue_page(
    session: SessionDep,
    runtime: RuntimeDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    eqf_level: Annotated[str | None, Query(alias="eqfLevel", pattern=r"^[1-8]?$")] = None,
    field: Annotated[str | None, Query(pattern=r"^(\d{2,4})?$")] = None,
    language: Annotated[str | None, Query(pattern=r"^([a-z]{2,3})?$")] = None,
) -> HTMLResponse:
    level = int(eqf_level) if eqf_level else None
    rows, total = catalogue(
        session, text=q or None, eqf_level=level, field=field or None, language=language or None, limit=100, offset=0
    )
    entries = [_entry(spec, issuer, runtime.settings.public_url) for spec, issuer in rows]
    query = {"q": q, "eqf_level": level, "field": field, "language": language}
    html = templates().get_template("catalogue.html").render(entries=entries, total=total, query=query)
    return HTMLResponse(html)
