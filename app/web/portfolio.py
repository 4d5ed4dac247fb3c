"""The public portfolio page ``/p/{token}``: the credentials a learner picked, each verified afresh on every view,
grouped by EQF level with their skills, stacked ones with their parts; 410 Gone once the learner withdrew it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import SvgResponse, html_errors
from app.db.models import Portfolio
from app.errors import NotFound
from app.i18n.localizer import localizer
from app.issuers.branding import confirmed_branding
from app.issuers.service import college_language
from app.runtime import Runtime
from app.wallet.portfolio import Shared, find_portfolio, portfolio_url, shared_credentials
from app.wallet.portfolio_layout import arrange
from app.web.language import LanguageChoice, LanguageDep, localized
from app.web.presenter import HEADLINES, credential_view
from app.web.qr import qr_svg
from app.web.render import UNLISTED_PAGE_HEADERS, PageLanguage, render_not_found, render_page
from app.web.view import CredentialView

router = APIRouter(tags=["portfolio pages"])

_LINKS = ("verify_url", "json_url", "report_url", "qr_svg_url", "pdf_url")


def _view(session: Session, runtime: Runtime, shared: Shared, language: str) -> tuple[CredentialView, dict[str, Any]]:
    """One credential verified now, as the verification page shows it (with its links when this service issued it),
    and the credential it shows (a VC-JWT's credential, not its envelope)."""
    report = runtime.verify(shared.document, session, text=shared.text)
    shown = report.credential if isinstance(report.credential, dict) else shared.document
    links = dict.fromkeys(_LINKS, "")
    if shared.public_token:
        url = f"{runtime.settings.public_url}/v/{shared.public_token}"
        links = {
            "verify_url": url,
            "json_url": f"{url}.json",
            "report_url": f"{url}/report.json",
            "qr_svg_url": f"{url}/qr.svg",
            "pdf_url": f"{url}/certificate.pdf",
        }
    college = confirmed_branding(session, report.identity, runtime.settings.public_url)
    document = shown if isinstance(shown, dict) else {}
    return credential_view(document, report, links=links, language=language, college=college), document


def _html(session: Session, runtime: Runtime, portfolio: Portfolio, page: PageLanguage) -> str:
    t = localizer(page.code)
    shared = shared_credentials(session, portfolio)
    checked = [_view(session, runtime, item, page.code) for item in shared]
    views = [view for view, _ in checked]
    # Who shared it: the name in the credentials this service issued to them, else in the ones they uploaded.
    names = [v.learner_name for s, v in zip(shared, views, strict=True) if s.public_token and v.learner_name]
    sharer = next(iter(names), None) or next((v.learner_name for v in views if v.learner_name), t.gettext("a learner"))
    verdicts = Counter(view.verdict for view in views)
    summary = [(t.gettext(HEADLINES[verdict]), count) for verdict, count in verdicts.items()]
    return render_page(
        "portfolio.html",
        page,
        views=views,
        groups=arrange([document for _, document in checked], page.code),
        sharer=sharer,
        shared_on=t.date(portfolio.created_at),
        summary=summary,
    )


def _gone(status: int, choice: LanguageChoice, page: PageLanguage) -> Response:
    html = render_page("portfolio_withdrawn.html", page) if status == 410 else render_not_found(page=page)
    return localized(HTMLResponse(html, status_code=status, headers=UNLISTED_PAGE_HEADERS), choice, page)


@router.get(
    "/p/{token}",
    response_class=HTMLResponse,
    responses=html_errors(404, 410),
    summary="A learner's portfolio: the credentials they shared, each verified on every view",
)
def portfolio_page(token: str, session: SessionDep, runtime: RuntimeDep, choice: LanguageDep) -> Response:
    # Plain def: verifying several credentials canonicalizes (CPU work), so it runs in the thread pool.
    try:
        portfolio = find_portfolio(session, token)
    except NotFound:
        return _gone(404, choice, choice.page())
    page = choice.page(college_language(session, portfolio.issuer_id))
    if portfolio.withdrawn_at is not None:
        return _gone(410, choice, page)
    html = _html(session, runtime, portfolio, page)
    return localized(HTMLResponse(html, headers=UNLISTED_PAGE_HEADERS), choice, page)


@router.get("/p/{token}/qr.svg", response_class=SvgResponse, summary="QR code of a portfolio link (SVG)")
def portfolio_qr(token: str, session: SessionDep, runtime: RuntimeDep) -> Response:
    portfolio = find_portfolio(session, token)  # NotFound: 404
    if portfolio.withdrawn_at is not None:
        return Response(status_code=410, headers=UNLISTED_PAGE_HEADERS)
    return SvgResponse(qr_svg(portfolio_url(runtime.settings.public_url, token)), headers=UNLISTED_PAGE_HEADERS)
