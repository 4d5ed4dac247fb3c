"""The employer's "request credentials" pages: ask a learner's wallet over OpenID4VP (``app/wallet/openid4vp.py``)
and see the answer verified on the same screen.

``GET /request`` explains and offers the button; ``POST /request`` makes a request and sends the browser to its
page ``/request/{viewer}``: the request as a QR code and a link while it waits (a small script asks
``/request/{viewer}/state`` and reloads once an answer came; without JavaScript the page refreshes itself), then the
answer, verified on every view. ``/request/sent`` is where the wallet sends the learner afterwards.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import html_errors, json_errors
from app.db.models import PresentationRequest
from app.errors import NotFound
from app.i18n.localizer import localizer
from app.runtime import Runtime
from app.wallet.openid4vp import (
    ANSWER_KEPT,
    MAX_REQUESTER_LENGTH,
    authorization_request,
    client_id,
    create_request,
    find_by_viewer,
    is_expired,
    read_answer,
    request_link,
    response_reference,
)
from app.web.language import LanguageChoice, LanguageDep, localized
from app.web.presentation_presenter import presentation_view
from app.web.qr import qr_png
from app.web.render import UNLISTED_PAGE_HEADERS, PageLanguage, render_not_found, render_page

router = APIRouter(tags=["employer pages"])

# The waiting page may run its one script (same origin, no inline code) and ask for its state.
WAITING_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
REFRESH_SECONDS = 5
SERVICE_NAME = "vetcred"


def _answer_page(
    session: Session, runtime: Runtime, request: PresentationRequest, viewer: str, page: PageLanguage
) -> str:
    """The answer, each presentation verified now (a credential revoked since shows as revoked), the holder's proof
    judged at the moment it came; or the error the wallet reported."""
    t = localizer(page.code)
    answer = read_answer(request, runtime.master_key)
    assert answer is not None and request.answered_at is not None
    domain = client_id(runtime.settings.public_url, response_reference(viewer))
    reports = [
        runtime.verify_presentation(
            presented, session, challenge=request.nonce, domain=domain, presented_at=request.answered_at
        )
        for presented in answer.presentations
    ]
    views = [presentation_view(report, page.code) for report in reports]
    total = sum(len(report.credentials) for report in reports)
    verified = sum(report.verified_credentials for report in reports)
    return render_page(
        "request_answer.html",
        page,
        views=views,
        total=total,
        verified=verified,
        all_verified=bool(reports) and all(report.verified for report in reports),
        error=answer.error,
        error_description=answer.error_description,
        requester=request.requester,
        answered=t.moment(request.answered_at),
        deleted=t.moment(request.answered_at + ANSWER_KEPT),
    )


def _waiting_page(runtime: Runtime, request: PresentationRequest, viewer: str, page: PageLanguage) -> str:
    t = localizer(page.code)
    parameters = authorization_request(
        request, response_reference(viewer), public_url=runtime.settings.public_url, service_name=SERVICE_NAME
    )
    link = request_link(parameters)
    png = base64.b64encode(qr_png(link, box_size=4, on_screen=True)).decode("ascii")
    return render_page(
        "request_waiting.html",
        page,
        link=link,
        qr_png_data_uri=f"data:image/png;base64,{png}",
        requester=request.requester,
        until=t.moment(request.expires_at),
        refresh_seconds=REFRESH_SECONDS,
        state_url=f"/request/{viewer}/state",
    )


def _page(
    html: str, choice: LanguageChoice, page: PageLanguage, *, status: int = 200, policy: str | None = None
) -> Response:
    headers = UNLISTED_PAGE_HEADERS | ({"Content-Security-Policy": policy} if policy else {})
    return localized(HTMLResponse(html, status_code=status, headers=headers), choice, page)


@router.get("/request", response_class=HTMLResponse, summary="Ask a learner's wallet for their credentials (OpenID4VP)")
def start_page(choice: LanguageDep) -> Response:
    page = choice.page()
    html = render_page("request_start.html", page, max_length=MAX_REQUESTER_LENGTH, error=None, requester="")
    return _page(html, choice, page)


@router.post("/request", include_in_schema=False)  # the start page's own form, like POST /verify: not an API
def make_request(
    session: SessionDep,
    runtime: RuntimeDep,
    choice: LanguageDep,
    requester: Annotated[str, Form()] = "",
) -> Response:
    page = choice.page()
    name = " ".join(requester.split())
    if len(name) > MAX_REQUESTER_LENGTH:
        t = localizer(page.code)
        error = t.gettext("The name is too long: at most %(count)d characters.") % {"count": MAX_REQUESTER_LENGTH}
        html = render_page("request_start.html", page, max_length=MAX_REQUESTER_LENGTH, error=error, requester=name)
        return _page(html, choice, page, status=422)
    new = create_request(session, requester=name or None, now=runtime.clock())
    return RedirectResponse(f"/request/{new.viewer}?lang={page.code}", status_code=303, headers=UNLISTED_PAGE_HEADERS)


@router.get("/request/sent", response_class=HTMLResponse, summary="Where the wallet sends the learner after answering")
def sent_page(choice: LanguageDep) -> Response:
    page = choice.page()
    return _page(render_page("request_sent.html", page), choice, page)


@router.get(
    "/request/{viewer}",
    response_class=HTMLResponse,
    responses=html_errors(404),
    summary="An employer's request: its QR code and link while it waits, then the answer, verified on every view",
)
def request_page(viewer: str, session: SessionDep, runtime: RuntimeDep, choice: LanguageDep) -> Response:
    # Plain def: verifying the answer canonicalizes (CPU work), so it runs in the thread pool.
    page = choice.page()
    now = runtime.clock()
    try:
        request = find_by_viewer(session, viewer, now)
    except NotFound:
        return _page(render_not_found(page=page), choice, page, status=404)
    if request.answered_at is not None:
        return _page(_answer_page(session, runtime, request, viewer, page), choice, page)
    if is_expired(request, now):
        return _page(render_page("request_expired.html", page), choice, page)
    return _page(_waiting_page(runtime, request, viewer, page), choice, page, policy=WAITING_POLICY)


@router.get(
    "/request/{viewer}/state",
    responses=json_errors(404),
    summary="Whether an employer's request was answered (what its page asks while it waits)",
)
def request_state(viewer: str, session: SessionDep, runtime: RuntimeDep) -> JSONResponse:
    now = runtime.clock()
    request = find_by_viewer(session, viewer, now)  # NotFound: 404
    state = "answered" if request.answered_at is not None else "expired" if is_expired(request, now) else "waiting"
    return JSONResponse({"state": state}, headers=UNLISTED_PAGE_HEADERS)
