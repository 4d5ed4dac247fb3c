"""The learner's own page ``/claim/{token}/all``: every credential of that college, and their portfolio links
(made from picked and uploaded credentials, shown once with a QR code, withdrawn at will)."""

from __future__ import annotations

import base64
import json
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import html_errors
from app.credentials.facts import facts_of
from app.db.models import ClaimLink, Credential
from app.errors import InvalidInput, NotFound
from app.i18n.localizer import localizer
from app.issuers.service import college_language
from app.wallet.claims import ClaimState, claim_state, find_by_token, learner_credentials
from app.wallet.portfolio import create_portfolio, item_counts, portfolio_url, portfolios_of, withdraw
from app.web.claim import HEADERS, day_text, marked_language
from app.web.language import LanguageChoice, LanguageDep, localized
from app.web.qr import qr_png
from app.web.render import PageLanguage, render_not_found, render_page

router = APIRouter(tags=["claim page"])


class _Gone(Exception):
    """The claim token opens nothing (unknown: 404; expired or replaced: 410)."""

    def __init__(self, status: int, page: PageLanguage) -> None:
        self.status, self.page = status, page


def _open(session: Session, runtime: RuntimeDep, token: str, choice: LanguageChoice) -> tuple[ClaimLink, PageLanguage]:
    try:
        link = find_by_token(session, token)
    except NotFound:
        raise _Gone(404, choice.page()) from None
    own = session.get(Credential, link.credential_id)
    page = choice.page(college_language(session, own.issuer_id) if own else None)
    if claim_state(link, runtime.clock()) in (ClaimState.EXPIRED, ClaimState.REPLACED):
        raise _Gone(410, page)
    return link, page


def _gone(gone: _Gone, choice: LanguageChoice) -> Response:
    html = render_not_found(page=gone.page)
    return localized(HTMLResponse(html, status_code=gone.status, headers=HEADERS), choice, gone.page)


def _learner_html(
    session: Session,
    runtime: RuntimeDep,
    link: ClaimLink,
    token: str,
    page: PageLanguage,
    *,
    error: str | None = None,
    picked: tuple[str, ...] = (),
    pasted: str = "",
    withdrawn: bool = False,
) -> str:
    t = localizer(page.code)
    statuses = {"revoked": t.gettext("revoked"), "suspended": t.gettext("suspended")}
    items = []
    for credential in learner_credentials(session, link):
        facts = facts_of(json.loads(credential.sealed) if credential.sealed else credential.document, t.language)
        items.append(
            {
                "id": credential.id,
                "achievement": facts.achievement_name or t.gettext("a credential"),
                "lang": marked_language(facts.content_language, t.language),
                "issuer": facts.issuer_name,
                "issued_on": day_text(facts.awarded, t),
                "status": statuses.get(credential.status, credential.status),
                "edc": credential.format == "edc",
                "kind": "Europass EDC" if credential.format == "edc" else "Open Badges 3.0",
                "verify_url": f"{runtime.settings.public_url}/v/{credential.public_token}",
            }
        )
    portfolios = portfolios_of(session, link)
    counts = item_counts(session, [p.id for p in portfolios])
    shared = [{"id": p.id, "made_on": day_text(p.created_at, t), "count": counts.get(p.id, 0)} for p in portfolios]
    college = items[0]["issuer"] if items else t.gettext("this college")
    return render_page(
        "learner.html",
        page,
        items=items,
        email=link.email or t.gettext("you"),
        token=token,
        college=college,
        portfolios=shared,
        error=error,
        picked=picked,
        pasted=pasted,
        withdrawn=withdrawn,
    )


@router.get(
    "/claim/{token}/all",
    response_class=HTMLResponse,
    responses=html_errors(404, 410),
    summary="All the credentials the claim link's college issued to the learner, and their portfolio links",
)
def learner_page(
    token: str, session: SessionDep, runtime: RuntimeDep, choice: LanguageDep, withdrawn: bool = False
) -> Response:
    try:
        link, page = _open(session, runtime, token, choice)
    except _Gone as gone:
        return _gone(gone, choice)
    html = _learner_html(session, runtime, link, token, page, withdrawn=withdrawn)
    return localized(HTMLResponse(html, headers=HEADERS), choice, page)


@router.post(
    "/claim/{token}/portfolio",
    response_class=HTMLResponse,
    include_in_schema=False,  # the learner page's own form, like POST /verify: not an API
    responses=html_errors(404, 410, 422),
    summary="Make a portfolio link of picked credentials and uploaded ones from other colleges (claim token)",
)
def make_portfolio(
    token: str,
    session: SessionDep,
    runtime: RuntimeDep,
    choice: LanguageDep,
    credential: Annotated[list[str] | None, Form()] = None,
    pasted: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    try:
        link, page = _open(session, runtime, token, choice)
    except _Gone as gone:
        return _gone(gone, choice)
    t = localizer(page.code)
    picked = credential or []
    uploads = [upload.file.read().decode("utf-8", errors="replace") for upload in files or [] if upload.filename]
    if pasted.strip():
        uploads.append(pasted)
    try:
        new = create_portfolio(
            session,
            link,
            picked=picked,
            uploads=uploads,
            verify=lambda document: runtime.verify(document, session),
            now=runtime.clock(),
        )
    except InvalidInput as error:
        # The reason is technical (English); the sentence around it is the learner's.
        message = t.gettext("No portfolio link was made: %(reason)s.") % {"reason": error.detail}
        if error.field:
            message += " " + t.gettext("(In: %(field)s.)") % {"field": error.field}
        html = _learner_html(session, runtime, link, token, page, error=message, picked=tuple(picked), pasted=pasted)
        return localized(HTMLResponse(html, status_code=422, headers=HEADERS), choice, page)
    url = portfolio_url(runtime.settings.public_url, new.token)
    png = base64.b64encode(qr_png(url, box_size=6)).decode("ascii")
    html = render_page(
        "portfolio_made.html",
        page,
        url=url,
        qr_png_data_uri=f"data:image/png;base64,{png}",
        back_url=f"/claim/{token}/all",
    )
    return localized(HTMLResponse(html, status_code=201, headers=HEADERS), choice, page)


@router.post(
    "/claim/{token}/portfolio/{portfolio_id}/withdraw",
    response_class=HTMLResponse,
    include_in_schema=False,  # the learner page's own form, like POST /verify: not an API
    responses=html_errors(404, 410),
    summary="Withdraw one of the learner's portfolio links: it then answers 410 Gone (claim token)",
)
def withdraw_portfolio(
    token: str, portfolio_id: str, session: SessionDep, runtime: RuntimeDep, choice: LanguageDep
) -> Response:
    try:
        link, page = _open(session, runtime, token, choice)
    except _Gone as gone:
        return _gone(gone, choice)
    try:
        withdraw(session, link, portfolio_id, now=runtime.clock())
    except NotFound:
        return _gone(_Gone(404, page), choice)
    return RedirectResponse(f"/claim/{token}/all?withdrawn=true", status_code=303, headers=HEADERS)
