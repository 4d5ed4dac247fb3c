"""Hand a claim link to the learner: by e-mail (the PIN in a second message; a job when issuing), or else back to
the issuing caller; re-send and re-issue a link for the college (the API and the console alike)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.credentials.facts import facts_of
from app.db.models import Credential
from app.errors import Conflict
from app.i18n.languages import choose
from app.i18n.localizer import localizer
from app.issuers.branding import CollegeBranding, branding_by_id
from app.issuers.service import college_language
from app.wallet.claims import IssuedLink, claim_url, create_claim_link, reissue, resend
from app.wallet.mail import Mailer, claim_link_message, from_college, tx_code_message

log = logging.getLogger("vetcred.wallet")


@dataclass(frozen=True)
class Delivery:
    """How the link went out. ``claim_url`` and ``tx_code`` are set only when it was not e-mailed: the API
    caller then has to pass them on to the learner (the PIN by another channel than the link)."""

    emailed: bool
    claim_url: str | None = None
    tx_code: str | None = None


def new_claim_link(
    session: Session,
    credential: Credential,
    email: str | None,
    *,
    settings: Settings,
    now: datetime,
    send_later: Callable[[str], None],
) -> dict[str, Any]:
    """Makes the claim link of a just-issued credential; the fields the issue response adds.

    With SMTP and the learner's address, ``send_later(link_id)`` schedules the e-mail (a job, retried with backoff:
    a slow mail server never slows issuing) and both fields are None; else the link is handed to the caller.
    """
    issued = create_claim_link(
        session,
        credential.id,
        email=email,
        now=now,
        ttl=timedelta(days=settings.claim_link_ttl_days),
        with_tx_code=settings.tx_code_required,
    )
    if settings.smtp_configured and email:
        send_later(issued.link.id)
        return {"claimUrl": None, "claimTxCode": None}
    delivery = deliver(issued, credential.document, mailer=None, public_url=settings.public_url, now=now)
    return {"claimUrl": delivery.claim_url, "claimTxCode": delivery.tx_code}


def send_claim_mail(
    issued: IssuedLink,
    document: dict[str, Any],
    *,
    mailer: Mailer,
    public_url: str,
    college_language: str | None = None,
    branding: CollegeBranding | None = None,
) -> None:
    """The link, and the PIN in a message of its own, in the learner's language and the college's look;
    ``smtplib.SMTPException`` or ``OSError`` when it fails."""
    link = issued.link
    assert link.email is not None
    language = learner_language(document, college_language)
    t = localizer(language)
    facts = facts_of(document, language)
    achievement = facts.achievement_name or t.gettext("a credential")
    claim = claim_link_message(
        to=link.email,
        learner=facts.learner_name or t.gettext("you"),
        achievement=achievement,
        issuer=facts.issuer_name,
        url=claim_url(public_url, issued.token),
        expires_at=link.expires_at,
        pin_follows=issued.tx_code is not None,
        language=language,
        branding=branding,
    )
    mailer.send(from_college(claim, branding, mailer.sender))
    if issued.tx_code is not None:
        pin = tx_code_message(
            to=link.email,
            achievement=achievement,
            issuer=facts.issuer_name,
            tx_code=issued.tx_code,
            language=language,
            branding=branding,
        )
        mailer.send(from_college(pin, branding, mailer.sender))


def learner_language(document: dict[str, Any], college_language: str | None) -> str:
    """The language a learner's e-mails are written in: the language the credential was issued in (the
    micro-credential's or achievement's own language), when vetcred speaks it, else the college's default, else
    English."""
    return choose(
        query=facts_of(document).content_language, cookie=None, accept_language=None, college_default=college_language
    )


def deliver(
    issued: IssuedLink,
    document: dict[str, Any],
    *,
    mailer: Mailer | None,
    public_url: str,
    now: datetime,
    college_language: str | None = None,
    branding: CollegeBranding | None = None,
) -> Delivery:
    """E-mails the link (and, separately, the PIN) when SMTP is configured and the learner's address is known.

    Without SMTP the link is returned to the caller (never logged: a log must not open a learner's claim page);
    so it is when there is no address, or when the SMTP server fails (the credential is issued all the same; the
    issuer can re-send later).
    """
    url = claim_url(public_url, issued.token)
    link = issued.link
    if mailer is None or not link.email:
        reason = "no SMTP server is configured" if mailer is None else "the learner's e-mail address is not known"
        # The link itself is a bearer secret, never logged (docs/security.md): the log says where to find it.
        log.info(
            "claim link for credential %s not e-mailed (%s): it is in the API response's claimUrl, or in the job's "
            "result for a cohort; POST /api/v1/credentials/%s/claim/reissue makes a new one",
            link.credential_id,
            reason,
            link.credential_id,
        )
        return Delivery(emailed=False, claim_url=url, tx_code=issued.tx_code)
    try:
        send_claim_mail(
            issued,
            document,
            mailer=mailer,
            public_url=public_url,
            college_language=college_language,
            branding=branding,
        )
    except (smtplib.SMTPException, OSError) as error:
        log.warning("could not e-mail the claim link of credential %s: %s", link.credential_id, error)
        return Delivery(emailed=False, claim_url=url, tx_code=issued.tx_code)
    link.sent_at = now
    return Delivery(emailed=True)


def redeliver(
    session: Session, issued: IssuedLink, credential: Credential, *, settings: Settings, now: datetime
) -> Delivery:
    """Delivers a re-sent or re-issued link at once (the college is waiting for the answer): e-mailed in the
    learner's language with the college's look, or handed back when it cannot be."""
    return deliver(
        issued,
        credential.document,
        mailer=Mailer.from_settings(settings),
        public_url=settings.public_url,
        now=now,
        college_language=college_language(session, credential.issuer_id),
        branding=branding_by_id(session, credential.issuer_id, settings.public_url),
    )


def resend_link(
    session: Session, credential: Credential, *, settings: Settings, now: datetime
) -> tuple[IssuedLink, Delivery]:
    """The credential's live link again, with fresh secrets (``claims.resend``), delivered."""
    issued = resend(session, credential.id, now=now)
    return issued, redeliver(session, issued, credential, settings=settings, now=now)


def reissue_link(
    session: Session, credential: Credential, *, email: str | None, settings: Settings, now: datetime
) -> tuple[IssuedLink, Delivery]:
    """A new link replacing the credential's links (``claims.reissue``), for the full claim period, delivered;
    ``email`` None keeps the learner's previous address. Only Open Badges 3.0 credentials go into wallets."""
    if credential.format != "ob3":
        raise Conflict("claim links are made for Open Badges 3.0 credentials")
    issued = reissue(
        session,
        credential.id,
        email=email,
        now=now,
        ttl=timedelta(days=settings.claim_link_ttl_days),
        with_tx_code=settings.tx_code_required,
    )
    return issued, redeliver(session, issued, credential, settings=settings, now=now)
