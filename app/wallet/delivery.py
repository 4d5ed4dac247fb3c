"""Hand a claim link to the learner: by e-mail (the PIN in a second message), or else back to the issuing caller."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.credentials.facts import facts_of
from app.issuers.branding import CollegeBranding
from app.wallet.claims import IssuedLink, claim_url
from app.wallet.mail import Mailer, claim_link_message, from_college, tx_code_message

log = logging.getLogger("vetcred.wallet")


@dataclass(frozen=True)
class Delivery:
    """How the link went out. ``claim_url`` and ``tx_code`` are set only when it was not e-mailed: the API
    caller then has to pass them on to the learner (the PIN by another channel than the link)."""

    emailed: bool
    claim_url: str | None = None
    tx_code: str | None = None


def deliver(
    issued: IssuedLink,
    document: dict[str, Any],
    *,
    mailer: Mailer | None,
    public_url: str,
    now: datetime,
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
        log.info("claim link for credential %s returned to the caller, not e-mailed: %s", link.credential_id, reason)
        return Delivery(emailed=False, claim_url=url, tx_code=issued.tx_code)
    facts = facts_of(document)
    learner = facts.learner_name or "you"
    achievement = facts.achievement_name or "a credential"
    try:
        claim = claim_link_message(
            to=link.email,
            learner=learner,
            achievement=achievement,
            issuer=facts.issuer_name,
            url=url,
            expires_on=f"{link.expires_at:%-d %B %Y}",
            pin_follows=issued.tx_code is not None,
        )
        mailer.send(from_college(claim, branding, mailer.sender))
        if issued.tx_code is not None:
            pin = tx_code_message(
                to=link.email, achievement=achievement, issuer=facts.issuer_name, tx_code=issued.tx_code
            )
            mailer.send(from_college(pin, branding, mailer.sender))
    except (smtplib.SMTPException, OSError) as error:
        log.warning("could not e-mail the claim link of credential %s: %s", link.credential_id, error)
        return Delivery(emailed=False, claim_url=url, tx_code=issued.tx_code)
    link.sent_at = now
    return Delivery(emailed=True)
