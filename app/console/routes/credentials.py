"""Console: the college's credentials. Search them, open one (its links, QR code, claim link and history), re-send or
re-issue its claim link, revoke, suspend or reinstate it, and revoke a selection at once. Status changes go through
``app/status/service.py`` as the API's do, each in the audit trail under the staff member's name."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.console.credential_views import StatusAction, credential_page, rows_of
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, ConsoleIssuer, ConsoleViewer, StaffContext
from app.console.forms import FORM, form_errors, parse_form
from app.console.render import console_page
from app.credentials.issuance import get_credential
from app.credentials.search import CredentialQuery, ShownStatus, search_credentials, selected_credentials, spec_choices
from app.db.models import Credential
from app.errors import Conflict
from app.runtime import Runtime
from app.staff.audit import record
from app.staff.roles import Role
from app.status.inputs import StatusChange
from app.status.service import change_status
from app.wallet.delivery import Delivery, reissue_link, resend_link
from app.wallet.inputs import ReissueRequest

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)

PAGE_SIZE = 25
# A selection is at most what fits on a few pages of results; each revocation re-signs the status list.
MAX_SELECTION = 200


class SearchForm(BaseModel):
    """The search form's fields (a GET form: the language switcher's ``lang`` may come along, so extra is fine)."""

    model_config = ConfigDict(extra="ignore")

    learner: str | None = Field(default=None, max_length=320)
    spec: str | None = Field(default=None, max_length=36)
    issued_from: date | None = None
    issued_to: date | None = None
    status: ShownStatus | None = None
    page: int = Field(default=1, ge=1, le=100_000)

    @field_validator("issued_to")
    @classmethod
    def _after_the_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("issued_from")
        if value and start and value < start:
            raise ValueError("the end of the range is before its start")
        return value


def _search_form(request: Request) -> tuple[SearchForm, dict[str, str]]:
    try:
        return parse_form(SearchForm, dict(request.query_params)), {}
    except ValidationError as error:
        return SearchForm(), form_errors(error)


@router.get("/credentials")
def search(request: Request, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep) -> Response:
    form, errors = _search_form(request)
    now = runtime.clock()
    query = CredentialQuery(form.learner, form.spec, form.issued_from, form.issued_to, form.status)
    found, total = search_credentials(
        session, staff.issuer, query, now=now, limit=PAGE_SIZE, offset=(form.page - 1) * PAGE_SIZE
    )
    kept = {key: value for key, value in request.query_params.items() if key != "page" and value}
    context = {
        "form": form,
        "values": dict(request.query_params),
        "errors": errors,
        "specs": spec_choices(session, staff.issuer),
        "statuses": list(ShownStatus),
        "rows": rows_of(session, found, now),
        "total": total,
        "page_number": form.page,
        "page_count": max(1, -(-total // PAGE_SIZE)),
        "kept": kept,
        "can_revoke": staff.role.admits(Role.ISSUER),
    }
    return console_page(request, "credentials.html", context, staff, status_code=422 if errors else 200)


@router.get("/credentials/revoke-selected")
def confirm_bulk_revoke(
    request: Request,
    staff: ConsoleIssuer,
    session: SessionDep,
    ids: Annotated[list[str], Query(max_length=MAX_SELECTION)] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    return _bulk_page(request, staff, session, ids, reason="", errors={})


@router.post("/credentials/revoke-selected")
def bulk_revoke(
    request: Request,
    staff: ConsoleIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    ids: Annotated[list[str], Form(max_length=MAX_SELECTION)] = [],  # noqa: B006
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        change = parse_form(StatusChange, {"reason": reason})
    except ValidationError as error:
        return _bulk_page(request, staff, session, ids, reason=reason, errors=form_errors(error))
    if not ids:
        return _bulk_page(request, staff, session, ids, reason=reason, errors={})
    credentials = selected_credentials(session, staff.issuer, ids)
    publisher = runtime.publisher(staff.issuer)
    outcomes = [
        (
            credential,
            change_status(
                session,
                staff.issuer,
                credential,
                "revoke",
                reason=change.reason,
                actor=staff.actor,
                publisher=publisher,
            ),
        )
        for credential in credentials
    ]
    return console_page(request, "credentials_revoked.html", {"outcomes": outcomes, "reason": change.reason}, staff)


def _bulk_page(
    request: Request, staff: StaffContext, session: Session, ids: list[str], *, reason: str, errors: dict[str, str]
) -> Response:
    """The confirmation: what will be revoked, and the one reason for all of it."""
    if not ids:
        errors = errors | {"ids": "select at least one credential in the search results"}
    credentials = selected_credentials(session, staff.issuer, ids)
    context = {"credentials": credentials, "reason": reason, "errors": errors}
    return console_page(request, "credentials_revoke_selected.html", context, staff, 422 if errors else 200)


@router.get("/credentials/{credential_id}")
def credential(
    credential_id: str, request: Request, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep
) -> Response:
    found = get_credential(session, staff.issuer, credential_id)
    return _credential_page(request, staff, session, runtime, found, notice=request.query_params.get("done"))


def _credential_page(
    request: Request,
    staff: StaffContext,
    session: Session,
    runtime: Runtime,
    found: Credential,
    *,
    notice: str | None = None,
    delivery: Delivery | None = None,
) -> Response:
    view = credential_page(session, found, staff, public_url=runtime.settings.public_url, now=runtime.clock())
    return console_page(request, "credential.html", {"view": view, "notice": notice, "delivery": delivery}, staff)


@router.post("/credentials/{credential_id}/claim/resend")
def resend_claim(
    credential_id: str, request: Request, staff: ConsoleIssuer, session: SessionDep, runtime: RuntimeDep
) -> Response:
    found = get_credential(session, staff.issuer, credential_id)
    _, delivery = resend_link(session, found, settings=runtime.settings, now=runtime.clock())
    record(
        session,
        staff.actor,
        staff.issuer.id,
        "claim.resend",
        f"credential:{found.id}",
        _sent(delivery),
        at=runtime.clock(),
    )
    return _credential_page(request, staff, session, runtime, found, notice="claim.resend", delivery=delivery)


@router.get("/credentials/{credential_id}/claim/reissue")
def confirm_reissue(credential_id: str, request: Request, staff: ConsoleIssuer, session: SessionDep) -> Response:
    found = get_credential(session, staff.issuer, credential_id)
    return _reissue_page(request, staff, found, email="", errors={})


@router.post("/credentials/{credential_id}/claim/reissue")
def reissue_claim(
    credential_id: str,
    request: Request,
    staff: ConsoleIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    email: Annotated[str, Form()] = "",
) -> Response:
    found = get_credential(session, staff.issuer, credential_id)
    try:
        given = parse_form(ReissueRequest, {"email": email.strip()})
    except ValidationError as error:
        return _reissue_page(request, staff, found, email=email, errors=form_errors(error))
    _, delivery = reissue_link(session, found, email=given.email, settings=runtime.settings, now=runtime.clock())
    detail = _sent(delivery) | {"newAddress": given.email is not None}
    record(session, staff.actor, staff.issuer.id, "claim.reissue", f"credential:{found.id}", detail, at=runtime.clock())
    return _credential_page(request, staff, session, runtime, found, notice="claim.reissue", delivery=delivery)


def _sent(delivery: Delivery) -> dict[str, Any]:
    """What the audit trail keeps of a delivery: whether it was e-mailed (never the link, which opens the claim)."""
    return {"emailed": delivery.emailed}


def _reissue_page(
    request: Request, staff: StaffContext, found: Credential, *, email: str, errors: dict[str, str]
) -> Response:
    context = {"credential": found, "email": email, "errors": errors}
    return console_page(request, "claim_reissue.html", context, staff, 422 if errors else 200)


@router.get("/credentials/{credential_id}/{action}")
def confirm_status_change(
    credential_id: str, action: StatusAction, request: Request, staff: ConsoleIssuer, session: SessionDep
) -> Response:
    found = get_credential(session, staff.issuer, credential_id)
    return _status_page(request, staff, found, action, reason="", errors={})


@router.post("/credentials/{credential_id}/{action}")
def status_change(
    credential_id: str,
    action: StatusAction,
    request: Request,
    staff: ConsoleIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    reason: Annotated[str, Form()] = "",
) -> Response:
    found = get_credential(session, staff.issuer, credential_id)
    try:
        change = parse_form(StatusChange, {"reason": reason})
    except ValidationError as error:
        return _status_page(request, staff, found, action, reason=reason, errors=form_errors(error))
    try:
        change_status(
            session,
            staff.issuer,
            found,
            action,
            reason=change.reason,
            actor=staff.actor,
            publisher=runtime.publisher(staff.issuer),
        )
    except Conflict as error:
        return _status_page(request, staff, found, action, reason=reason, errors={FORM: error.detail}, status=409)
    return RedirectResponse(f"/console/credentials/{found.id}?done={action}", status_code=303)


def _status_page(
    request: Request,
    staff: StaffContext,
    found: Credential,
    action: StatusAction,
    *,
    reason: str,
    errors: dict[str, str],
    status: int = 422,
) -> Response:
    """The confirmation of a status change: what it does (revocation is final), and the reason to record."""
    context = {"credential": found, "action": action, "reason": reason, "errors": errors}
    return console_page(request, "credential_status.html", context, staff, status if errors else 200)
