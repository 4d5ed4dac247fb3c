"""``/console/microcredentials``: a college's micro-credentials: the list, the Annex I form (with a preview before
creating), each one's page with its pathway, and a preview of what a learner would get. The form is validated by
the API's own models and created by the API's domain functions, so the console and the API accept the same."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.achievements.microcredential_input import MicroCredentialSpecInput, PathwayInput
from app.achievements.microcredentials import create_spec, get_spec, list_specs, set_pathway
from app.achievements.vocabularies import vocabulary
from app.api.deps import RuntimeDep, SessionDep
from app.assessments.preview import SAMPLE_LEARNER, Preview, preview
from app.assessments.records import domain_spec, spec_uri
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, ConsoleIssuer, ConsoleViewer, StaffContext
from app.console.render import console_page
from app.console.spec_form import Row, SpecForm
from app.console.spec_words import choices, eu_languages, language_options, words
from app.credentials.microcredential import MicroCredentialSpec
from app.db import models as db
from app.errors import Conflict, InvalidInput
from app.staff.audit import record
from app.staff.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)
PAGE_SIZE = 50
MAX_PARTS_SHOWN = 200  # specifications offered as pathway parts (the API takes at most 50 parts)
# The form's buttons that change its rows or languages; anything else previews, and "create" creates.
ROW_GROUPS = {"outcome": "outcomes", "body": "bodies", "quality": "quality"}


async def posted(request: Request) -> list[tuple[str, str]]:
    """The form's fields in order, repeated names kept (the CSRF check has parsed the form already)."""
    form = await request.form()
    return [(name, value) for name, value in form.multi_items() if isinstance(value, str)]


Posted = Annotated[list[tuple[str, str]], Depends(posted)]


@router.get("/microcredentials")
def index(
    request: Request,
    staff: ConsoleViewer,
    session: SessionDep,
    runtime: RuntimeDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    rows = list_specs(session, staff.issuer, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    context = {
        "specs": rows[:PAGE_SIZE],
        "page_number": page,
        "more": len(rows) > PAGE_SIZE,
        "public_url": runtime.settings.public_url,
        "can_edit": staff.role.admits(Role.ISSUER),
    }
    return console_page(request, "microcredentials/list.html", context, staff)


@router.get("/microcredentials/new")
def new(
    request: Request,
    staff: ConsoleIssuer,
    session: SessionDep,
    start: Annotated[str | None, Query(alias="from", max_length=36)] = None,
) -> Response:
    """An empty form, or one filled from another specification of the college (``?from=<id>``)."""
    form = SpecForm.of_definition(get_spec(session, staff.issuer, start).definition) if start else _blank(staff)
    return _form_page(request, staff, session, form, start_from=start)


@router.post("/microcredentials/new")
def submit(request: Request, staff: ConsoleIssuer, session: SessionDep, runtime: RuntimeDep, items: Posted) -> Response:
    form = SpecForm.read(items)
    action, _, argument = dict(items).get("action", "preview").partition(":")
    if action.startswith(("add-", "remove-")):
        focus = _change(form, action, argument, dict(items).get("add_language", ""))
        return _form_page(request, staff, session, form, focus=focus)
    form.drop_blank_rows()
    data, pathway, errors = _validate(form)
    if data is None or errors:
        return _form_page(request, staff, session, form, errors=errors, status_code=422)
    if action == "create":
        return _create(request, staff, session, runtime.settings.public_url, form, data, pathway)
    public_url = runtime.settings.public_url
    spec = data.to_spec("preview", spec_uri(public_url, "preview"))
    try:
        shown = preview(session, staff.issuer, spec, now=runtime.clock())
    except (InvalidInput, Conflict) as error:
        return _form_page(request, staff, session, form, errors=_builder_errors(form, error), status_code=422)
    return _form_page(request, staff, session, form, shown=_shown(shown, spec))


@router.get("/microcredentials/{spec_id}")
def view(
    request: Request,
    spec_id: str,
    staff: ConsoleViewer,
    session: SessionDep,
    runtime: RuntimeDep,
    created: bool = False,
    changed: bool = False,
) -> Response:
    row = get_spec(session, staff.issuer, spec_id)
    return _view_page(request, staff, session, runtime.settings.public_url, row, created=created, changed=changed)


@router.post("/microcredentials/{spec_id}/pathway")
def change_pathway(
    request: Request, spec_id: str, staff: ConsoleIssuer, session: SessionDep, runtime: RuntimeDep, items: Posted
) -> Response:
    """Makes this the larger credential of the parts ticked (what ``PUT /api/v1/microcredentials/{id}/pathway``
    does); the API cannot take a pathway away, so neither can the console."""
    row = get_spec(session, staff.issuer, spec_id)
    form = SpecForm.read(items)
    try:
        body = PathwayInput.model_validate(form.pathway() or {"parts": []})
        with session.begin_nested():
            set_pathway(session, staff.issuer, row, body.parts, body.required)
            record(
                session,
                staff.actor,
                staff.issuer.id,
                "microcredential.pathway",
                f"microcredential:{row.id}",
                {"parts": body.parts, "required": body.required},
            )
    except (ValidationError, InvalidInput) as error:
        public_url = runtime.settings.public_url
        errors = form.errors(error)
        return _view_page(request, staff, session, public_url, row, pathway=form, errors=errors, status_code=422)
    return RedirectResponse(f"/console/microcredentials/{row.id}?changed=true#pathway", status_code=303)


@router.get("/microcredentials/{spec_id}/preview")
def preview_page(
    request: Request, spec_id: str, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """What the sample learner would get for this specification, built as issuing would build it."""
    row = get_spec(session, staff.issuer, spec_id)
    context: dict[str, Any] = {"spec": row, "shown": None, "problem": None}
    try:
        spec = domain_spec(row, runtime.settings.public_url)
        context["shown"] = _shown(preview(session, staff.issuer, spec, now=runtime.clock()), spec)
    except ValidationError as error:  # stored before a rule it now breaks: issuing it would fail the same way
        context["problem"] = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    except (InvalidInput, Conflict) as error:
        context["problem"] = error.detail
    return console_page(request, "microcredentials/preview.html", context, staff)


def _create(
    request: Request,
    staff: StaffContext,
    session: Session,
    public_url: str,
    form: SpecForm,
    data: MicroCredentialSpecInput,
    pathway: PathwayInput | None,
) -> Response:
    """Creates (and so publishes, as the API does) the specification, with its pathway, in one savepoint: a
    pathway the domain refuses leaves nothing behind."""
    try:
        with session.begin_nested():
            row = create_spec(session, staff.issuer, data, public_url=public_url)
            if pathway is not None:
                set_pathway(session, staff.issuer, row, pathway.parts, pathway.required)
            detail = {"title": row.title, "languages": form.languages, "pathway": pathway.parts if pathway else None}
            record(session, staff.actor, staff.issuer.id, "microcredential.create", f"microcredential:{row.id}", detail)
    except InvalidInput as error:
        return _form_page(request, staff, session, form, errors=form.errors(error), status_code=422)
    return RedirectResponse(f"/console/microcredentials/{row.id}?created=true", status_code=303)


def _validate(form: SpecForm) -> tuple[MicroCredentialSpecInput | None, PathwayInput | None, dict[str, list[str]]]:
    """The specification and the pathway as the API's models read them, and every error of both."""
    errors: dict[str, list[str]] = {}
    data = pathway = None
    try:
        data = MicroCredentialSpecInput.model_validate(form.to_input())
    except ValidationError as error:
        errors = form.errors(error)
    wanted = form.pathway()
    if wanted is not None:
        try:
            pathway = PathwayInput.model_validate(wanted)
        except ValidationError as error:
            for name, messages in form.errors(error).items():
                errors.setdefault(name, []).extend(messages)
    return data, pathway, errors


def _builder_errors(form: SpecForm, error: InvalidInput | Conflict) -> dict[str, list[str]]:
    """A builder's error names the record's field (``spec.title``): the form's is the same path without it."""
    if isinstance(error, InvalidInput) and error.field:
        return form.errors(InvalidInput(error.detail, field=error.field.removeprefix("spec.")))
    return {"": [error.detail]}


def _change(form: SpecForm, action: str, argument: str, language: str) -> str:
    """Adds or removes a language version or a row; the name of the input to focus afterwards."""
    if action == "add-language":
        added = language in eu_languages() and form.add_language(language)
        return f"title.{language}" if added else "add_language"
    if action == "remove-language":
        form.remove_language(argument)
        return "add_language"
    group = ROW_GROUPS.get(action.removeprefix("add-").removeprefix("remove-"))
    if group is None:
        return ""
    rows: list[Row] = getattr(form, group)
    prefix = {"outcomes": "learningOutcomes", "bodies": "awardingBodies", "quality": "qualityAssurance"}[group]
    if action.startswith("add-"):
        rows.append(Row())
        first = {"outcomes": f"title.{form.primary}", "bodies": "name", "quality": "type"}[group]
        return f"{prefix}.{len(rows) - 1}.{first}"
    if argument.isdigit() and int(argument) < len(rows):
        del rows[int(argument)]
    return f"add-{action.removeprefix('remove-')}"


def _blank(staff: StaffContext) -> SpecForm:
    """A new form: in the college's language when it is an EU language, the college as its awarding body."""
    issuer = staff.issuer
    primary = issuer.default_language if issuer.default_language in eu_languages() else "en"
    alpha2 = (issuer.profile.get("address") or {}).get("addressCountryCode")
    country = vocabulary("country").find(str(alpha2)) if alpha2 else None
    form = SpecForm(primary=primary)
    if country is not None:
        form.values["issuerCountry"] = country.uri
    form.bodies = [
        Row({"name": issuer.name, "country": country.uri if country else "", "url": issuer.profile.get("url") or ""})
    ]
    form.outcomes = [Row()]
    form.quality = [Row()]
    return form


def _form_page(
    request: Request,
    staff: StaffContext,
    session: Session,
    form: SpecForm,
    *,
    errors: dict[str, list[str]] | None = None,
    shown: dict[str, Any] | None = None,
    focus: str = "",
    start_from: str | None = None,
    status_code: int = 200,
) -> Response:
    for group in ("outcomes", "bodies", "quality"):  # every group shows at least one row to fill in
        if not getattr(form, group):
            getattr(form, group).append(Row())
    context = {
        "form": form,
        "errors": errors or {},
        "shown": shown,
        "focus": focus,
        "start_from": start_from,
        "candidates": list_specs(session, staff.issuer, limit=MAX_PARTS_SHOWN, offset=0),
        "choices": choices,
        "language_options": language_options,
        "eu_languages": eu_languages(),
    }
    return console_page(request, "microcredentials/form.html", context, staff, status_code=status_code)


def _view_page(
    request: Request,
    staff: StaffContext,
    session: Session,
    public_url: str,
    row: db.MicroCredentialSpec,
    *,
    pathway: SpecForm | None = None,
    errors: dict[str, list[str]] | None = None,
    created: bool = False,
    changed: bool = False,
    status_code: int = 200,
) -> Response:
    """A specification as stored, language versions side by side, with its pathway (a form for issuers)."""
    others = [spec for spec in list_specs(session, staff.issuer, limit=MAX_PARTS_SHOWN, offset=0) if spec.id != row.id]
    chosen = pathway or SpecForm(parts=list(row.pathway_part_ids or []))
    if pathway is None and row.pathway_required:
        chosen.values["required"] = str(row.pathway_required)
    context = {
        "spec": row,
        "form": SpecForm.of_definition(row.definition),
        "pathway": chosen,
        "candidates": others,
        "names": {spec.id: spec.title for spec in others},
        "errors": errors or {},
        "public_page": f"{public_url}/microcredentials/{row.id}",
        "created": created,
        "changed": changed,
        "can_edit": staff.role.admits(Role.ISSUER),
        "words": words,
        "focus": "",
    }
    return console_page(request, "microcredentials/view.html", context, staff, status_code=status_code)


def _shown(shown: Preview, spec: MicroCredentialSpec) -> dict[str, Any]:
    """The preview as the page shows it: the documents as indented JSON, each page image as a data: URI."""
    return {
        "learner": SAMPLE_LEARNER.full_name,
        "ob3": json.dumps(shown.ob3, indent=2, ensure_ascii=False),
        "edc": json.dumps(shown.edc, indent=2, ensure_ascii=False),
        "pages": [
            (language, "data:image/png;base64," + base64.b64encode(png).decode("ascii"))
            for language, png in shown.pages.items()
        ],
        "self_issued_seal": shown.self_issued_seal,
        "outcomes": len(spec.learning_outcomes),
    }
