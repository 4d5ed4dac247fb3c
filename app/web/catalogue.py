"""``GET /catalogue``: the public catalogue as a page, so learners and employers see what a credential means."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.achievements.microcredentials import catalogue, public_spec
from app.achievements.vocabularies import vocabulary
from app.api.deps import RuntimeDep, SessionDep
from app.api.v1.catalogue import catalogue_entry
from app.db.models import Issuer, MicroCredentialSpec
from app.issuers.branding import CollegeBranding, college_branding
from app.web.render import templates

router = APIRouter(tags=["catalogue"])


def _text(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _title(spec: MicroCredentialSpec, language: str | None) -> str:
    title = spec.definition.get("title")
    return _text(title, language) if language and isinstance(title, dict) else spec.title


def _label(vocabulary_name: str, value: Any) -> str:
    """The English label of a stored code (codes were validated on input; unknown ones show as given)."""
    if value in (None, ""):
        return ""
    found = vocabulary(vocabulary_name).find(str(value))
    return found.label.get("en", str(value)) if found else str(value)


def _level(definition: dict[str, Any], language: str) -> str:
    """EQF and/or national level, in words (the stored values are concept URIs)."""
    nqf = definition.get("nqfLevel") or {}
    levels = [
        f"EQF {_label('eqf', definition.get('eqfLevel'))}" if definition.get("eqfLevel") else "",
        _text(nqf.get("label"), language) if nqf else "",
    ]
    return ", ".join(level for level in levels if level)


def _code(vocabulary_name: str, value: str) -> str:
    found = vocabulary(vocabulary_name).find(value)
    return vocabulary(vocabulary_name).codes[found.uri] if found else value


def _entry(
    spec: MicroCredentialSpec, issuer: Issuer, college: CollegeBranding, public_url: str, language: str | None = None
) -> dict[str, Any]:
    """The Annex I elements in words, from the stored specification; each section has the anchor credentials cite.

    Text is shown in ``language`` where the college gave it, else in the specification's primary language.
    """
    d = spec.definition
    lang = language or d.get("primaryLanguage", "en")
    workload = " and ".join(
        filter(
            None,
            [
                f"{d['ectsCredits']:g} ECTS" if d.get("ectsCredits") else "",
                f"{d['workloadHours']:g} hours" if d.get("workloadHours") else "",
            ],
        )
    )
    bodies = [
        (f"awarding-body-{n}", "Awarded by" if n == 1 else "Also awarded by", _text(body.get("name"), lang))
        for n, body in enumerate(d.get("awardingBodies", []), start=1)
    ]
    sections = [
        *bodies,
        ("issuer-country", "Country of the issuer", _label("country", d.get("issuerCountry"))),
        ("workload", "Notional workload", workload),
        ("level", "Level", _level(d, lang)),
        ("assessment", "Type of assessment", _label("assessment", d.get("assessmentType"))),
        ("participation", "Form of participation", _label("learning-assessment", d.get("participationForm"))),
        (
            "quality-assurance",
            "Quality assurance",
            ", ".join(_label("accreditation", qa.get("type")) for qa in d.get("qualityAssurance", [])),
        ),
        ("prerequisites", "Prerequisites", _text(d.get("prerequisites"), lang)),
        ("supervision", "Supervision and identity check", _label("supervision-verification", d.get("supervision"))),
        ("grading-scheme", "Grading scheme", _text(d.get("gradingScheme"), lang)),
        ("stackability", "Integration and stackability", _text(d.get("stackability"), lang)),
        ("duration", "Duration", str(d.get("duration") or "")),
        ("pace", "Pace", _text(d.get("pace"), lang)),
        ("mode-of-delivery", "Mode of delivery", _text(d.get("modeOfDelivery"), lang)),
        ("target-group", "Target group", _text(d.get("targetGroup"), lang)),
        ("languages", "Languages", ", ".join(_label("language", code) for code in d.get("languages", []))),
        ("costs", "Costs", ", ".join(f"{c['amount']} {_code('currency', c['currency'])}" for c in d.get("costs", []))),
        (
            "further-information",
            "Further information",
            " ".join(filter(None, [_text(d.get("furtherInformation"), lang), d.get("furtherInformationUrl") or ""])),
        ),
        ("grade", "Grade", "as stated in each learner's credential"),
    ]
    outcomes = [
        {"id": o.get("id") or f"LO{n}", "title": _text(o.get("title"), lang)}
        for n, o in enumerate(d.get("learningOutcomes", []), start=1)
    ]
    return {
        "id": spec.id,
        "uri": f"{public_url}/microcredentials/{spec.id}",
        "title": _title(spec, language),
        "issuer": issuer.name,
        "college": college,
        "eqf": spec.eqf_level,
        "description": _text(d.get("description"), lang),
        "outcomes": [o["title"] for o in outcomes],
        "outcome_items": outcomes,
        "facts": [(label, value) for _anchor, label, value in sections if value and _anchor != "grade"],
        "sections": [(anchor, label, value) for anchor, label, value in sections if value],
    }


def microcredential_page(
    spec: MicroCredentialSpec, issuer: Issuer, college: CollegeBranding, public_url: str, language: str | None
) -> str:
    """The human page at a specification's id (``/microcredentials/{id}``, ``?lang=nl`` for another language)."""
    entry = _entry(spec, issuer, college, public_url, language)
    return templates().get_template("microcredential.html").render(entry=entry, language=language, branding=college)


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
    public_url = runtime.settings.public_url
    colleges: dict[str, CollegeBranding] = {}
    for _spec, issuer in rows:
        colleges.setdefault(issuer.id, college_branding(session, issuer, public_url))
    entries = [_entry(spec, issuer, colleges[issuer.id], public_url) for spec, issuer in rows]
    query = {"q": q, "eqf_level": level, "field": field, "language": language}
    page = templates().get_template("catalogue.html")
    html = page.render(entries=entries, total=total, query=query, colleges=list(colleges.values()))
    return HTMLResponse(html)


@router.get(
    "/microcredentials/{spec_id}",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}, "application/json": {"schema": {"type": "object"}}}}},
    summary="A published micro-credential at its public id (HTML; JSON on Accept)",
)
def microcredential(
    spec_id: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")] = None,
) -> Response:
    spec = public_spec(session, spec_id)
    issuer = session.get(Issuer, spec.issuer_id)
    assert issuer is not None
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return JSONResponse(catalogue_entry(spec, issuer, runtime.settings.public_url))
    college = college_branding(session, issuer, runtime.settings.public_url)
    page = microcredential_page(spec, issuer, college, runtime.settings.public_url, lang)
    return HTMLResponse(page, headers={"Vary": "Accept"})
