"""Console: the college's settings, for its owners. Branding (name, colours, e-mail sender, logo), the e-seal for
EDCs (its certificate and when it runs out), the signing key and the API keys (both rotated after a confirmation).

Every rule is the API's: the same input models, the same domain functions, the same refusals. The API has no
webhooks, so there is nothing of them here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, ConsoleOwner, StaffContext
from app.console.forms import form_errors, parse_form
from app.console.render import console_page
from app.db.models import IssuerBranding
from app.errors import InvalidInput, KeyMaterialError, NotFound
from app.issuers.api_keys import api_keys, revoke_api_key, rotate_api_keys
from app.issuers.branding import college_branding, remove_logo, set_branding, set_logo
from app.issuers.inputs import BrandingIn, NewApiKeyIn
from app.issuers.logos import MAX_LOGO_BYTES, safe_logo
from app.issuers.seals import EXPIRY_WARNING, seal_certificate, upload_pkcs12
from app.issuers.service import rotate_signing_key, verification_method
from app.runtime import Runtime
from app.staff.audit import record

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)

BRANDING_FIELDS = ("displayName", "primaryColour", "accentColour", "senderName", "replyTo")
# A PKCS#12 file holds a key and a short chain: a few kilobytes. The API reads at most this much of one.
MAX_SEAL_BYTES = 1_000_000
DONE = {"branding", "logo", "logo-removed", "seal", "signing-key", "api-key-revoked"}


def _subject(staff: StaffContext) -> str:
    return f"issuer:{staff.issuer.id}"


def _settings_page(
    request: Request,
    staff: StaffContext,
    session: Session,
    runtime: Runtime,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    branding_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The settings page; ``errors`` by section (branding, logo, seal), ``branding_values`` as just submitted."""
    issuer = staff.issuer
    chosen = session.get(IssuerBranding, issuer.id)
    values = branding_values or {
        name: (getattr(chosen, column) or "") if chosen else ""
        for name, column in zip(
            BRANDING_FIELDS, ("display_name", "primary_colour", "accent_colour", "sender_name", "reply_to"), strict=True
        )
    }
    done = request.query_params.get("done")
    context: dict[str, Any] = {
        "branding": college_branding(session, issuer, runtime.settings.public_url),
        "values": values,
        "errors": errors or {},
        "seal": seal_certificate(session, issuer),
        "warning_days": EXPIRY_WARNING.days,
        "now": runtime.clock(),
        "signing_keys": [verification_method(issuer, key) for key in reversed(issuer.keys)],
        "api_keys": list(reversed(api_keys(session, issuer))),
        "max_logo_kb": MAX_LOGO_BYTES // 1024,
        "done": done if done in DONE else None,
    }
    return console_page(request, "settings.html", context, staff, status_code)


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"/console/settings?done={what}", status_code=303)


@router.get("/settings")
def settings_page(request: Request, staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep) -> Response:
    return _settings_page(request, staff, session, runtime)


@router.post("/settings/branding")
def save_branding(
    request: Request,
    staff: ConsoleOwner,
    session: SessionDep,
    runtime: RuntimeDep,
    displayName: Annotated[str, Form()] = "",
    primaryColour: Annotated[str, Form()] = "",
    accentColour: Annotated[str, Form()] = "",
    senderName: Annotated[str, Form()] = "",
    replyTo: Annotated[str, Form()] = "",
) -> Response:
    given = dict(zip(BRANDING_FIELDS, (displayName, primaryColour, accentColour, senderName, replyTo), strict=True))
    submitted = {name: value.strip() for name, value in given.items()}
    try:
        body = parse_form(BrandingIn, submitted)
        set_branding(session, staff.issuer, body.to_choice())
    except (ValidationError, InvalidInput) as error:
        return _settings_page(
            request,
            staff,
            session,
            runtime,
            errors={"branding": form_errors(error)},
            branding_values=submitted,
            status_code=422,
        )
    record(
        session,
        staff.actor,
        staff.issuer.id,
        "settings.branding",
        _subject(staff),
        body.model_dump(),
        at=runtime.clock(),
    )
    return _done("branding")


@router.post("/settings/logo")
def upload_logo(
    request: Request,
    staff: ConsoleOwner,
    session: SessionDep,
    runtime: RuntimeDep,
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    data = logo.file.read(MAX_LOGO_BYTES + 1) if logo else b""
    media_type = (logo.content_type or "") if logo else ""
    try:
        if not data:
            raise InvalidInput("choose the logo's file: a PNG or an SVG image", field="logo")
        png = safe_logo(data, media_type.split(";")[0].strip().lower())
    except InvalidInput as error:
        errors = {"logo": {"logo": error.detail}}
        return _settings_page(request, staff, session, runtime, errors=errors, status_code=422)
    set_logo(session, staff.issuer, png)
    record(
        session, staff.actor, staff.issuer.id, "settings.logo", _subject(staff), {"bytes": len(png)}, at=runtime.clock()
    )
    return _done("logo")


@router.post("/settings/logo/remove")
def delete_logo(staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep) -> Response:
    remove_logo(session, staff.issuer)
    record(session, staff.actor, staff.issuer.id, "settings.logo.remove", _subject(staff), at=runtime.clock())
    return _done("logo-removed")


@router.post("/settings/seal")
def upload_seal(
    request: Request,
    staff: ConsoleOwner,
    session: SessionDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile | None, File()] = None,
    password: Annotated[str, Form()] = "",
    mandateStatement: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    data = file.file.read(MAX_SEAL_BYTES) if file else b""
    statement = mandateStatement.strip() or None
    try:
        if not data:
            raise InvalidInput("choose the PKCS#12 file (.p12 or .pfx) of the e-seal", field="file")
        row = upload_pkcs12(
            session,
            staff.issuer,
            data,
            password.encode() if password else None,
            runtime.master_key,
            mandate_statement=statement,
        )
    except (InvalidInput, KeyMaterialError) as error:
        field = error.field if isinstance(error, InvalidInput) and error.field else "file"
        errors = {"seal": {field: error.detail}}
        return _settings_page(request, staff, session, runtime, errors=errors, status_code=422)
    detail = {"subject": row.subject, "mandated": statement is not None}
    record(session, staff.actor, staff.issuer.id, "settings.seal", _subject(staff), detail, at=runtime.clock())
    return _done("seal")


@router.get("/settings/signing-key/rotate")
def confirm_signing_key_rotation(request: Request, staff: ConsoleOwner) -> Response:
    current = verification_method(staff.issuer, staff.issuer.keys[-1])
    return console_page(request, "settings_signing_key.html", {"current": current}, staff)


@router.post("/settings/signing-key/rotate")
def rotate_signing(staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep) -> Response:
    key = rotate_signing_key(session, staff.issuer, runtime.master_key)
    detail = {"verificationMethod": verification_method(staff.issuer, key)}
    record(
        session,
        staff.actor,
        staff.issuer.id,
        "settings.signing_key.rotate",
        _subject(staff),
        detail,
        at=runtime.clock(),
    )
    return _done("signing-key")


@router.get("/settings/api-keys/rotate")
def confirm_api_key_rotation(request: Request, staff: ConsoleOwner, session: SessionDep) -> Response:
    return _api_key_page(request, staff, session, label="", revoke_live=True, errors={})


def _api_key_page(
    request: Request, staff: StaffContext, session: Session, *, label: str, revoke_live: bool, errors: dict[str, str]
) -> Response:
    live = [key for key in api_keys(session, staff.issuer) if key.revoked_at is None]
    context = {"live": live, "label": label, "revoke_live": revoke_live, "errors": errors}
    return console_page(request, "settings_api_key.html", context, staff, 422 if errors else 200)


@router.post("/settings/api-keys/rotate")
def rotate_api_key(
    request: Request,
    staff: ConsoleOwner,
    session: SessionDep,
    runtime: RuntimeDep,
    label: Annotated[str, Form()] = "",
    revoke_live: Annotated[str, Form()] = "",
) -> Response:
    revoke = revoke_live == "yes"
    try:
        given = parse_form(NewApiKeyIn, {"label": label.strip()})
    except ValidationError as error:
        return _api_key_page(request, staff, session, label=label, revoke_live=revoke, errors=form_errors(error))
    made, revoked = rotate_api_keys(
        session, staff.issuer, label=given.label or "made in the console", now=runtime.clock(), revoke_live=revoke
    )
    detail = {"apiKey": made.row.id, "revoked": [key.id for key in revoked]}
    record(
        session, staff.actor, staff.issuer.id, "settings.api_key.rotate", _subject(staff), detail, at=runtime.clock()
    )
    # Shown once, on this answer to the POST (pages are never cached): only its hash is kept.
    return console_page(request, "settings_api_key_made.html", {"made": made, "revoked": revoked}, staff)


@router.get("/settings/api-keys/{key_id}/revoke")
def confirm_api_key_revocation(key_id: str, request: Request, staff: ConsoleOwner, session: SessionDep) -> Response:
    key = next((row for row in api_keys(session, staff.issuer) if row.id == key_id), None)
    if key is None:
        raise NotFound(f"API key {key_id} not found")
    return console_page(request, "settings_api_key_revoke.html", {"key": key}, staff)


@router.post("/settings/api-keys/{key_id}/revoke")
def revoke_key(key_id: str, staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep) -> Response:
    row = revoke_api_key(session, staff.issuer, key_id, now=runtime.clock())
    record(
        session,
        staff.actor,
        staff.issuer.id,
        "settings.api_key.revoke",
        _subject(staff),
        {"apiKey": row.id},
        at=runtime.clock(),
    )
    return _done("api-key-revoked")
