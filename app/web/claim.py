"""The learner's claim page ``/claim/{token}``: the credential in plain words, a wallet offer, downloads, sharing."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep
from app.api.responses import html_errors
from app.credentials.facts import facts_of
from app.db.models import ClaimLink, Credential, Issuer
from app.errors import NotFound
from app.i18n.localizer import Localizer, localizer
from app.issuers.branding import CollegeBranding, college_branding
from app.issuers.service import college_language
from app.runtime import Runtime
from app.wallet.claims import ClaimState, claim_state, find_by_token, mark_opened
from app.wallet.oid4vci import (
    create_offer,
    issuer_identifier,
    offer_link_by_reference,
    offer_link_by_value,
    offer_uri,
)
from app.wallet.vc_api import create_exchange, lcw_deep_link
from app.web.language import LanguageChoice, LanguageDep, localized
from app.web.qr import qr_png
from app.web.render import PageLanguage, render_not_found, render_page

router = APIRouter(tags=["claim page"])

# The page holds a fresh pre-authorized code: never cache it, never leak its address.
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class WalletOfferView:
    link: str
    link_by_value: str
    qr_png_data_uri: str
    minutes: int
    tx_code_required: bool
    # The Learner Credential Wallet's deep link (a VC-API exchange), for links without a PIN (app/wallet/vc_api.py).
    lcw_link: str | None = None
    lcw_qr_png_data_uri: str | None = None


@dataclass(frozen=True)
class ClaimView:
    """Everything the claim page shows, already as text."""

    state: str
    credential_status: str
    learner: str
    achievement: str
    description: str
    issuer: str
    issuer_url: str | None
    awarded_on: str
    expires_on: str
    used_on: str | None
    offer: WalletOfferView | None
    verify_url: str
    verify_qr_svg_url: str
    json_url: str
    pdf_url: str
    linkedin_url: str
    # The page belongs to a credential of this service: its college is known, not claimed.
    college: CollegeBranding
    content_language: str | None = None  # the language of the achievement's name and description, if not the page's


def day_text(moment: datetime | None, t: Localizer) -> str:
    """The day in the reader's words, or "unknown"."""
    return t.date(moment) or t.gettext("unknown")


def linkedin_add_url(*, name: str, organization: str, issued: datetime | None, cert_url: str, cert_id: str) -> str:
    """LinkedIn's "Add licence or certification" form, filled in (every value URL-encoded)."""
    params = {"startTask": "CERTIFICATION_NAME", "name": name, "organizationName": organization}
    if issued:
        params |= {"issueYear": str(issued.year), "issueMonth": str(issued.month)}
    params |= {"certUrl": cert_url, "certId": cert_id}
    return f"{LINKEDIN_ADD}?{urlencode(params, quote_via=quote)}"


def _offer(session: Session, runtime: Runtime, link: ClaimLink, college_id: str) -> WalletOfferView:
    settings = runtime.settings
    ttl = timedelta(seconds=settings.oid4vci_code_ttl_seconds)
    new = create_offer(
        session,
        link,
        credential_issuer=issuer_identifier(settings.public_url, college_id),
        now=runtime.clock(),
        ttl=ttl,
        master_key=runtime.master_key,
    )
    by_reference = offer_link_by_reference(offer_uri(settings.public_url, new.reference))
    lcw_link = None
    if not new.offer.tx_code_required:
        exchange = create_exchange(session, link, public_url=settings.public_url, now=runtime.clock(), ttl=ttl)
        lcw_link = lcw_deep_link(settings.public_url, exchange.url)
    return WalletOfferView(
        link=by_reference,
        link_by_value=offer_link_by_value(new.document),
        qr_png_data_uri=_png_data_uri(by_reference),
        minutes=max(1, settings.oid4vci_code_ttl_seconds // 60),
        tx_code_required=new.offer.tx_code_required,
        lcw_link=lcw_link,
        lcw_qr_png_data_uri=_png_data_uri(lcw_link) if lcw_link else None,
    )


def _png_data_uri(text: str) -> str:
    png = base64.b64encode(qr_png(text, box_size=6)).decode("ascii")
    return f"data:image/png;base64,{png}"


def _issuer(session: Session, credential: Credential) -> Issuer:
    issuer = session.get(Issuer, credential.issuer_id)
    assert issuer is not None  # a credential's college is never deleted while the credential exists (cascade)
    return issuer


def claim_view(
    session: Session, runtime: Runtime, link: ClaimLink, credential: Credential, language: str = "en"
) -> ClaimView:
    """The page's view in ``language``; makes a new wallet offer only while the link is open and the credential
    active."""
    t = localizer(language)
    state = claim_state(link, runtime.clock())
    facts = facts_of(credential.document, t.language)
    achievement = facts.achievement_name or t.gettext("a credential")
    verify_url = f"{runtime.settings.public_url}/v/{credential.public_token}"
    # Wallets get Open Badges 3.0 credentials (the ldp_vc configuration); others are only downloaded and shared.
    open_and_active = state == ClaimState.OPEN and credential.status == "active" and credential.format == "ob3"
    return ClaimView(
        state=state.value,
        credential_status=credential.status,
        learner=facts.learner_name or t.gettext("you"),
        achievement=achievement,
        description=facts.achievement_description,
        issuer=facts.issuer_name,
        issuer_url=facts.issuer_url,
        awarded_on=day_text(facts.awarded, t),
        expires_on=day_text(link.expires_at, t),
        used_on=day_text(link.used_at, t) if link.used_at else None,
        offer=_offer(session, runtime, link, credential.issuer_id) if open_and_active else None,
        verify_url=verify_url,
        verify_qr_svg_url=f"{verify_url}/qr.svg",
        json_url=f"{verify_url}.json",
        pdf_url=f"{verify_url}/certificate.pdf",
        linkedin_url=linkedin_add_url(
            name=achievement,
            organization=facts.issuer_name,
            issued=facts.awarded,
            cert_url=verify_url,
            cert_id=credential.id,
        ),
        college=college_branding(session, _issuer(session, credential), runtime.settings.public_url),
        content_language=marked_language(facts.content_language, t.language),
    )


def marked_language(content: str | None, page: str) -> str | None:
    """The content's language when a page in ``page`` must mark it (``lang``): None when they are the same."""
    return None if content is None or content.split("-")[0].casefold() == page.split("-")[0].casefold() else content


def render_claim_page(view: ClaimView, all_url: str = "", page: PageLanguage | None = None) -> str:
    return render_page("claim.html", page or PageLanguage(), view=view, all_url=all_url, branding=view.college)


def _view(
    session: Session, runtime: Runtime, token: str, choice: LanguageChoice
) -> tuple[ClaimView, PageLanguage] | None:
    try:
        link = find_by_token(session, token)
    except NotFound:
        return None
    credential = session.get(Credential, link.credential_id)
    if credential is None:
        return None
    mark_opened(session, link, runtime.clock())
    page = choice.page(college_language(session, credential.issuer_id))
    return claim_view(session, runtime, link, credential, page.code), page


@router.get(
    "/claim/{token}",
    response_class=HTMLResponse,
    responses=html_errors(404, 410),
    summary="A learner's claim page (from the claim e-mail)",
)
def claim_page(token: str, runtime: RuntimeDep, choice: LanguageDep) -> Response:
    # Committed before the page is sent: a phone may fetch the offer on the page the moment it is shown.
    with runtime.transaction() as session:
        found = _view(session, runtime, token, choice)
    if found is None:
        page = choice.page()
        return localized(HTMLResponse(render_not_found(page=page), status_code=404, headers=HEADERS), choice, page)
    view, page = found
    gone = view.state in (ClaimState.EXPIRED, ClaimState.REPLACED)
    html = render_claim_page(view, all_url="" if gone else f"/claim/{token}/all", page=page)
    return localized(HTMLResponse(html, status_code=410 if gone else 200, headers=HEADERS), choice, page)
