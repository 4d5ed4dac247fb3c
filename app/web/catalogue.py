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
from app.i18n.languages import DEFAULT
from app.i18n.localizer import Localizer, localizer
from app.i18n.vocabulary_labels import concept_words
from app.issuers.branding import CollegeBranding, college_branding
from app.web.language import LanguageDep, localized
from app.web.render import PageLanguage, render_page

router = APIRouter(tags=["catalogue"])


def _text(value: Any, language: str) -> str:
    return _text_in(value, language)[0]


def _text_in(value: Any, language: str) -> tuple[str, str | None]:
    """Text in ``language`` where the college gave it, else in the first language given; and which language."""
    if isinstance(value, dict):
        if value.get(language):
            return str(value[language]), language
        for code, item in value.items():
            return str(item), str(code)
        return "", None
    return ("" if value is None else str(value)), None


def _level(definition: dict[str, Any], language: str, t: Localizer) -> str:
    """EQF and/or national level, in words (the stored values are concept URIs)."""
    nqf = definition.get("nqfLevel") or {}
    eqf = vocabulary("eqf").find(str(definition.get("eqfLevel") or ""))
    levels = [
        t.gettext("EQF level %(level)s") % {"level": vocabulary("eqf").codes[eqf.uri]} if eqf else "",
        _text(nqf.get("label"), language) if nqf else "",
    ]
    return ", ".join(level for level in levels if level)


def _code(vocabulary_name: str, value: str) -> str:
    found = vocabulary(vocabulary_name).find(value)
    return vocabulary(vocabulary_name).codes[found.uri] if found else value


def _workload(d: dict[str, Any], t: Localizer) -> str:
    parts = []
    if d.get("ectsCredits"):
        credits = float(d["ectsCredits"])
        count = int(credits) if credits == int(credits) else int(credits) + 1
        parts.append(
            t.ngettext("%(count)s ECTS credit", "%(count)s ECTS credits", count) % {"count": t.number(credits)}
        )
    if d.get("workloadHours"):
        hours = float(d["workloadHours"])
        count = int(hours) if hours == int(hours) else int(hours) + 1
        parts.append(t.ngettext("%(count)s hour", "%(count)s hours", count) % {"count": t.number(hours)})
    return ", ".join(parts)


def _entry(
    spec: MicroCredentialSpec, issuer: Issuer, college: CollegeBranding, public_url: str, language: str | None = None
) -> dict[str, Any]:
    """The Annex I elements in words, from the stored specification; each section has the anchor credentials cite.

    Labels are in ``language`` (the page's language); the college's text is shown in that language where the
    college gave it, else in the specification's primary language, and ``lang`` says which.
    """
    t = localizer(language or DEFAULT)
    d = spec.definition
    lang = t.language if language else d.get("primaryLanguage", "en")
    bodies = [
        (
            f"awarding-body-{n}",
            t.gettext("Awarded by") if n == 1 else t.gettext("Also awarded by"),
            _text(body.get("name"), lang),
        )
        for n, body in enumerate(d.get("awardingBodies", []), start=1)
    ]
    sections = [
        *bodies,
        ("issuer-country", t.gettext("Country of the issuer"), concept_words("country", d.get("issuerCountry"), t)),
        ("workload", t.gettext("Notional workload"), _workload(d, t)),
        ("level", t.gettext("Level"), _level(d, lang, t)),
        ("assessment", t.gettext("Type of assessment"), concept_words("assessment", d.get("assessmentType"), t)),
        (
            "participation",
            t.gettext("Form of participation"),
            concept_words("learning-assessment", d.get("participationForm"), t),
        ),
        (
            "quality-assurance",
            t.gettext("Quality assurance"),
            ", ".join(concept_words("accreditation", qa.get("type"), t) for qa in d.get("qualityAssurance", [])),
        ),
        ("prerequisites", t.gettext("Prerequisites"), _text(d.get("prerequisites"), lang)),
        (
            "supervision",
            t.gettext("Supervision and identity verification"),
            concept_words("supervision-verification", d.get("supervision"), t),
        ),
        ("grading-scheme", t.gettext("Grading scheme"), _text(d.get("gradingScheme"), lang)),
        ("stackability", t.gettext("Integration and stackability"), _text(d.get("stackability"), lang)),
        ("duration", t.gettext("Duration"), t.duration(d.get("duration")) or ""),
        ("pace", t.gettext("Pace"), _text(d.get("pace"), lang)),
        ("mode-of-delivery", t.gettext("Mode of delivery"), _text(d.get("modeOfDelivery"), lang)),
        ("target-group", t.gettext("Target group"), _text(d.get("targetGroup"), lang)),
        (
            "languages",
            t.gettext("Languages of instruction"),
            ", ".join(concept_words("language", code, t) for code in d.get("languages", [])),
        ),
        (
            "costs",
            t.gettext("Costs"),
            ", ".join(f"{c['amount']} {_code('currency', c['currency'])}" for c in d.get("costs", [])),
        ),
        (
            "further-information",
            t.gettext("Further information"),
            " ".join(filter(None, [_text(d.get("furtherInformation"), lang), d.get("furtherInformationUrl") or ""])),
        ),
        ("grade", t.gettext("Grade"), t.gettext("as stated in each learner's credential")),
    ]
    outcomes = []
    for n, o in enumerate(d.get("learningOutcomes", []), start=1):
        title, title_lang = _text_in(o.get("title"), lang)
        outcomes.append({"id": o.get("id") or f"LO{n}", "title": title, "lang": _marked(title_lang, t.language)})
    stated = spec.definition.get("title")
    shown_title, title_lang = _text_in(stated, lang) if isinstance(stated, dict) else (spec.title, None)
    return {
        "id": spec.id,
        "uri": f"{public_url}/microcredentials/{spec.id}",
        "title": shown_title,
        "lang": _marked(title_lang, t.language),
        "issuer": issuer.name,
        "college": college,
        "eqf": spec.eqf_level,
        "description": _text(d.get("description"), lang),
        "outcomes": [o["title"] for o in outcomes],
        "outcome_items": outcomes,
        "facts": [(label, value) for anchor, label, value in sections if value and anchor != "grade"],
        "sections": [(anchor, label, value) for anchor, label, value in sections if value],
    }


def _marked(text_language: str | None, page_language: str) -> str | None:
    """The ``lang`` attribute a piece of college text needs: its language when that is not the page's."""
    return text_language if text_language and text_language != page_language else None


def microcredential_page(
    spec: MicroCredentialSpec, issuer: Issuer, college: CollegeBranding, public_url: str, page: PageLanguage
) -> str:
    """The human page at a specification's id (``/microcredentials/{id}``, ``?lang=nl`` for another language)."""
    entry = _entry(spec, issuer, college, public_url, page.code)
    return render_page("microcredential.html", page, entry=entry, branding=college)


@router.get("/catalogue", response_class=HTMLResponse, summary="The public catalogue (HTML)")
def catalogue_page(
    session: SessionDep,
    runtime: RuntimeDep,
    choice: LanguageDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    eqf_level: Annotated[str | None, Query(alias="eqfLevel", pattern=r"^[1-8]?$")] = None,
    field: Annotated[str | None, Query(pattern=r"^(\d{2,4})?$")] = None,
    language: Annotated[str | None, Query(pattern=r"^([a-z]{2,3})?$")] = None,
) -> Response:
    level = int(eqf_level) if eqf_level else None
    rows, total = catalogue(
        session, text=q or None, eqf_level=level, field=field or None, language=language or None, limit=100, offset=0
    )
    page = choice.page()
    public_url = runtime.settings.public_url
    colleges: dict[str, CollegeBranding] = {}
    for _spec, issuer in rows:
        colleges.setdefault(issuer.id, college_branding(session, issuer, public_url))
    entries = [_entry(spec, issuer, colleges[issuer.id], public_url, page.code) for spec, issuer in rows]
    query = {"q": q, "eqf_level": level, "field": field, "language": language}
    html = render_page(
        "catalogue.html", page, entries=entries, total=total, query=query, colleges=list(colleges.values())
    )
    return localized(HTMLResponse(html), choice, page)


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
    choice: LanguageDep,
) -> Response:
    spec = public_spec(session, spec_id)
    issuer = session.get(Issuer, spec.issuer_id)
    assert issuer is not None
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return JSONResponse(catalogue_entry(spec, issuer, runtime.settings.public_url))
    page = choice.page(issuer.default_language)
    college = college_branding(session, issuer, runtime.settings.public_url)
    html = microcredential_page(spec, issuer, college, runtime.settings.public_url, page)
    return localized(HTMLResponse(html), choice, page, vary="Accept")
