"""Public pages behind each credential's QR code: ``/v/{token}`` (HTML or JSON), QR images, PDF, verify-anything."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import PdfResponse, PngResponse, SvgResponse, VcJsonResponse, html_errors
from app.credentials.issuance import PublicCredential, get_by_public_token
from app.db.verification_generation import read_generation
from app.errors import InvalidInput, NotFound
from app.i18n.localizer import localizer
from app.issuers.branding import confirmed_branding, logo_png
from app.runtime import Runtime
from app.verification.cache import MustCompute
from app.verification.inputs import read_presented
from app.verification.presentations import is_presentation
from app.verification.report import Report
from app.web.language import LanguageChoice, LanguageDep, localized
from app.web.pdf import certificate_pdf
from app.web.presentation_presenter import presentation_view
from app.web.presenter import credential_view
from app.web.qr import qr_png, qr_svg
from app.web.render import (
    PageLanguage,
    render_not_found,
    render_presentation_page,
    render_verification_page,
    render_verify_form,
)
from app.web.verified_pages import BASIS, PageBasis, fresh_until
from app.web.view import CredentialView

router = APIRouter(tags=["verification pages"], include_in_schema=True)

# The page verifies on every view, so it must not be cached; QR codes and PDFs of a token never change
# meaning, but the PDF shows the verdict at printing time, so it is not cached either.
NO_STORE = {"Cache-Control": "no-store"}
IMMUTABLE = {"Cache-Control": "public, max-age=86400, immutable"}
VC_JSON = "application/vc+ld+json"


def _links(runtime: Runtime, credential: PublicCredential) -> dict[str, str]:
    verify_url = f"{runtime.settings.public_url}/v/{credential.public_token}"
    return {
        "verify_url": verify_url,
        "json_url": f"{verify_url}.json",
        "report_url": f"{verify_url}/report.json",
        "qr_svg_url": f"{verify_url}/qr.svg",
        "pdf_url": f"{verify_url}/certificate.pdf",
    }


def _credential(session: Session, token: str) -> PublicCredential:
    return get_by_public_token(session, token)


def _page(credential: PublicCredential, choice: LanguageChoice) -> PageLanguage:
    """The reader's language, falling back to the issuing college's default language."""
    return choice.page(credential.college_language)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return ("application/json" in accept or "ld+json" in accept) and "text/html" not in accept


@router.get(
    "/v/{token}.json", response_class=VcJsonResponse, summary="The signed credential behind a verification link"
)
def credential_json(token: str, session: SessionDep) -> JSONResponse:
    return VcJsonResponse(_credential(session, token).verifiable, headers=NO_STORE)


@router.get("/v/{token}/report.json", summary="A fresh verification report of the credential")
def report_json(token: str, session: SessionDep, runtime: RuntimeDep) -> JSONResponse:
    credential = _credential(session, token)
    report = runtime.verify(credential.verifiable, session, text=credential.text)
    return JSONResponse(report.to_dict(), headers=NO_STORE)


@router.get("/v/{token}/qr.png", response_class=PngResponse, summary="QR code of the verification link (PNG)")
def qr_code_png(token: str, session: SessionDep, runtime: RuntimeDep) -> Response:
    url = _links(runtime, _credential(session, token))["verify_url"]
    return PngResponse(qr_png(url), headers=IMMUTABLE)


@router.get("/v/{token}/qr.svg", response_class=SvgResponse, summary="QR code of the verification link (SVG)")
def qr_code_svg(token: str, session: SessionDep, runtime: RuntimeDep) -> Response:
    url = _links(runtime, _credential(session, token))["verify_url"]
    return SvgResponse(qr_svg(url), headers=IMMUTABLE)


def _view(
    session: Session,
    runtime: Runtime,
    credential: PublicCredential,
    page: PageLanguage,
    report: Report | None = None,
) -> CredentialView:
    """The credential in the page's language, verified afresh unless ``report`` is that verification; the college's
    branding only when this service confirms that college signed."""
    document = credential.verifiable
    report = runtime.verify(document, session, text=credential.text) if report is None else report
    college = confirmed_branding(session, report.identity, runtime.settings.public_url)
    links = _links(runtime, credential)
    return credential_view(document, report, links=links, language=page.code, college=college)


@router.get(
    "/v/{token}/certificate.pdf", response_class=PdfResponse, summary="Printable A4 certificate with the QR code"
)
def certificate(token: str, session: SessionDep, runtime: RuntimeDep, choice: LanguageDep) -> Response:
    credential = _credential(session, token)
    page = _page(credential, choice)
    view = _view(session, runtime, credential, page)
    logo = logo_png(session, view.college.college_id) if view.college else None
    pdf = certificate_pdf(view, qr_png(view.verify_url), logo=logo[0] if logo else None)
    headers = NO_STORE | {"Content-Disposition": f'inline; filename="certificate-{credential.id[:8]}.pdf"'}
    return localized(PdfResponse(pdf, headers=headers), choice, page)


@router.get(
    "/v/{token}",
    response_class=HTMLResponse,
    summary="Verification page (HTML; the signed credential with Accept: application/json)",
    responses=html_errors(404) | {200: {"content": {"text/html": {}, VC_JSON: {"schema": {"type": "object"}}}}},
)
async def verification_page(token: str, request: Request, runtime: RuntimeDep, choice: LanguageDep) -> Response:
    """Verified on every view, not read from a stored flag. When every slow part of the verification can be reused
    (``Runtime.verify`` without ``compute``: a few indexed reads, no canonicalization, no network) the page is made
    on the event loop, on its own database connection; otherwise in the thread pool. Either way it says what it
    rests on when that is only the database and reused outcomes, so that it can be served again while that holds
    (app/web/verified_pages.py)."""
    try:
        return _verification_page(token, request, runtime, choice, compute=False)
    except MustCompute:
        return await run_in_threadpool(_verification_page, token, request, runtime, choice, compute=True)


def _verification_page(
    token: str, request: Request, runtime: Runtime, choice: LanguageChoice, *, compute: bool
) -> Response:
    with runtime.loop_reads() if not compute else runtime.transaction(writes=False) as session:
        # First, before anything it vouches for is read.
        generation = read_generation(session.connection())
        now = runtime.clock()
        trust = runtime.trust_state(now)
        try:
            credential = _credential(session, token)
        except NotFound:
            page = choice.page()
            response = HTMLResponse(render_not_found(page=page), status_code=404, headers=NO_STORE)
            return localized(response, choice, page)
        if _wants_json(request):
            return VcJsonResponse(credential.verifiable, headers=NO_STORE | {"Vary": "Accept"})
        page = _page(credential, choice)
        document = credential.verifiable

        def reusing(moment: datetime) -> Report:
            return runtime.verify(document, session, compute=False, text=credential.text, now=moment)

        report = runtime.verify(document, session, compute=compute, text=credential.text, now=now)
        view = _view(session, runtime, credential, page, report)
        until = fresh_until(report, document, reusing, reused_only=not compute) if trust is not None else None
    if until is not None:
        setattr(request.state, BASIS, PageBasis(generation, trust, now, until))
    html = render_verification_page(view, page)
    return localized(HTMLResponse(html, headers=NO_STORE), choice, page, vary="Accept")


@router.get("/verify", response_class=HTMLResponse, summary="Verify any credential: paste or upload its JSON")
def verify_form(choice: LanguageDep) -> Response:
    page = choice.page()
    return localized(HTMLResponse(render_verify_form(page=page)), choice, page)


def _in_english(reason: str) -> Markup:
    """A parser's or a check's reason is technical English inside the reader's sentence: marked so, for screen
    readers (WCAG 3.1.2), and escaped."""
    return Markup('<span lang="en">%s</span>') % reason


@router.post("/verify", response_class=HTMLResponse, include_in_schema=False)
async def verify_submitted(
    session: SessionDep,
    runtime: RuntimeDep,
    choice: LanguageDep,
    credential: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    challenge: Annotated[str, Form(max_length=1024)] = "",
    domain: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    page = choice.page()
    t = localizer(page.code)
    text = (await file.read()).decode("utf-8", errors="replace") if file and file.filename else credential
    asked = {"challenge": challenge.strip() or None, "domain": domain.strip() or None}

    def refused(error: str | Markup) -> Response:
        form = render_verify_form(error=error, text=text, page=page, **asked)
        return localized(HTMLResponse(form, 422), choice, page)

    try:
        document = read_presented(text)
    except InvalidInput as error:
        return refused(Markup(t.gettext("It is not a credential: %(reason)s.")) % {"reason": _in_english(error.detail)})
    if not isinstance(document, dict | str):
        return refused(t.gettext("A credential is a JSON object or a VC-JWT."))
    # Verification canonicalizes (CPU work): keep it off the event loop.
    if is_presentation(document):
        checked = await run_in_threadpool(
            lambda: runtime.verify_presentation(document, session, challenge=asked["challenge"], domain=asked["domain"])
        )
        html = render_presentation_page(presentation_view(checked, page.code), page)
        return localized(HTMLResponse(html), choice, page)
    report = await run_in_threadpool(runtime.verify, document, session)
    if not report.issuer:
        reason = _in_english(report.checks[0].reason)
        return refused(Markup(t.gettext("It is not a credential: %(reason)s.")) % {"reason": reason})
    empty = dict.fromkeys(("verify_url", "json_url", "report_url", "qr_svg_url", "pdf_url"), "")
    shown = report.credential or document  # a VC-JWT is shown as the credential it carries
    assert isinstance(shown, dict)  # a bare string that is no JWT has no issuer, and was refused above
    college = confirmed_branding(session, report.identity, runtime.settings.public_url)
    view = credential_view(shown, report, links=empty, language=page.code, college=college)
    return localized(HTMLResponse(render_verification_page(view, page)), choice, page)
