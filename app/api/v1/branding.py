"""A college's branding over HTTP: the college sets it (``/api/v1/issuers/me/branding``); anyone fetches its logo
and its stylesheet (``/issuers/{id}/logo``, ``/issuers/{id}/theme.css``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.deps import CurrentIssuer, RuntimeDep, SessionDep
from app.api.responses import CssResponse, PngResponse, json_errors
from app.db.models import Issuer
from app.errors import NotFound
from app.issuers.branding import (
    MIN_CONTRAST,
    CollegeBranding,
    branding_by_id,
    college_branding,
    logo_png,
    remove_logo,
    set_branding,
    set_logo,
    theme_css,
)
from app.issuers.inputs import BrandingIn
from app.issuers.logos import BOX, MAX_LOGO_BYTES, MEDIA_TYPES, safe_logo
from app.wallet.oid4vci import issuer_identifier

router = APIRouter(prefix="/api/v1/issuers/me/branding", tags=["branding"])
public_router = APIRouter(tags=["branding"])

# The logo and stylesheet keep their address when the college changes them: caches revalidate with the ETag.
REVALIDATE = "public, max-age=300"


class BrandingOut(BaseModel):
    displayName: str
    logoUrl: str | None = Field(description="The logo as a PNG, at a stable address; null while there is none")
    primaryColour: str
    accentColour: str
    senderName: str
    replyTo: str | None
    themeUrl: str = Field(description="The colours as CSS custom properties, for the college's pages")
    credentialIssuer: str = Field(description="The college's OpenID4VCI Credential Issuer Identifier")


def branding_out(branding: CollegeBranding, public_url: str) -> dict[str, Any]:
    return {
        "displayName": branding.display_name,
        "logoUrl": branding.logo_url,
        "primaryColour": branding.primary_colour,
        "accentColour": branding.accent_colour,
        "senderName": branding.sender_name,
        "replyTo": branding.reply_to,
        "themeUrl": branding.theme_url,
        "credentialIssuer": issuer_identifier(public_url, branding.college_id),
    }


def _out(session: Session, issuer: Issuer, public_url: str) -> dict[str, Any]:
    return branding_out(college_branding(session, issuer, public_url), public_url)


@router.get("", response_model=BrandingOut, summary="The college's branding (with the defaults it has not changed)")
def read_branding(issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    return _out(session, issuer, runtime.settings.public_url)


@router.put(
    "",
    response_model=BrandingOut,
    summary="Set the college's display name, colours and e-mail sender",
    description="Replaces every choice at once (the logo has its own endpoint). Each colour must reach the WCAG 2.1 "
    f"AA contrast ratio of {MIN_CONTRAST}:1 with white: otherwise 422 naming the field and the measured ratio.",
)
def replace_branding(
    body: BrandingIn, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    set_branding(session, issuer, body.to_choice())
    return _out(session, issuer, runtime.settings.public_url)


_LOGO_BODY = {
    "requestBody": {
        "required": True,
        "description": f"The PNG or SVG file itself, at most {MAX_LOGO_BYTES} bytes",
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in MEDIA_TYPES},
    }
}


@router.put(
    "/logo",
    response_model=BrandingOut,
    openapi_extra=_LOGO_BODY,
    summary="Upload the college's logo (PNG or SVG)",
    description=f"The body is the file (Content-Type image/png or image/svg+xml, at most {MAX_LOGO_BYTES} bytes: "
    f"413 beyond). It is stored as a PNG of at most {BOX} x {BOX} pixels: an SVG is rasterised (its scripts, "
    "event handlers, external references and foreignObject content are never run, fetched or served). 422 for "
    "a body that is not the image its Content-Type says.",
)
async def upload_logo(
    request: Request, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    data = await request.body()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # Rasterising is CPU work: keep it off the event loop.
    png = await run_in_threadpool(safe_logo, data, media_type)
    await run_in_threadpool(set_logo, session, issuer, png)
    return await run_in_threadpool(_out, session, issuer, runtime.settings.public_url)


@router.delete("/logo", response_model=BrandingOut, summary="Remove the college's logo")
def delete_logo(issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    remove_logo(session, issuer)
    return _out(session, issuer, runtime.settings.public_url)


def _cached(request: Request, etag: str, body: bytes | str, media_type: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": REVALIDATE}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@public_router.get(
    "/issuers/{issuer_id}/logo",
    response_class=PngResponse,
    responses=json_errors(404) | {304: {"description": "Not modified (If-None-Match matched the ETag)"}},
    summary="A college's logo (always a PNG; ETag for revalidation)",
)
def college_logo(issuer_id: str, request: Request, session: SessionDep) -> Response:
    found = logo_png(session, issuer_id)
    if found is None:
        raise NotFound("this college has no logo")
    png, sha256 = found
    return _cached(request, f'"{sha256}"', png, "image/png")


@public_router.get(
    "/issuers/{issuer_id}/theme.css",
    response_class=CssResponse,
    responses=json_errors(404) | {304: {"description": "Not modified (If-None-Match matched the ETag)"}},
    summary="A college's colours as CSS custom properties (--college-primary, --college-accent)",
)
def college_theme(issuer_id: str, request: Request, session: SessionDep, runtime: RuntimeDep) -> Response:
    branding = branding_by_id(session, issuer_id, runtime.settings.public_url)
    if branding is None:
        raise NotFound(f"issuer {issuer_id} not found")
    css = theme_css(branding)
    etag = f'"{branding.primary_colour[1:]}{branding.accent_colour[1:]}"'
    return _cached(request, etag, css, CssResponse.media_type)
