"""E-mail through the configured SMTP server (``smtplib``): the claim link, the PIN in a message of its own, and
invitations to a college's staff console.

Each message is composed from Jinja2 templates (``app/wallet/templates/mail``) in the learner's language, as a
plain-text part and an HTML part (multipart/alternative).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from app.config import Settings
from app.i18n.catalogues import translations
from app.i18n.localizer import localizer
from app.issuers.branding import DEFAULT_ACCENT, DEFAULT_PRIMARY, CollegeBranding

MAIL_TEMPLATES = Path(__file__).resolve().parent / "templates" / "mail"

SMTP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Mailer:
    """Where and how to send; the password is never part of a repr."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = SMTP_TIMEOUT_SECONDS

    def __repr__(self) -> str:
        return f"Mailer(host={self.host!r}, port={self.port}, sender={self.sender!r}, starttls={self.starttls})"

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """The mailer of ``VETCRED_SMTP_*``, or None when no SMTP host is configured."""
        if not settings.smtp_host:
            return None
        host = urlsplit(settings.public_url).hostname or "localhost"
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from or f"vetcred <no-reply@{host}>",
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        )

    def send(self, message: EmailMessage) -> None:
        """Sends one message; ``smtplib.SMTPException`` or ``OSError`` when the server refuses or cannot be reached."""
        if "From" not in message:
            message["From"] = self.sender
        if "Date" not in message:
            message["Date"] = formatdate(usegmt=True)
        if "Message-ID" not in message:
            domain = parseaddr(self.sender)[1].rpartition("@")[2] or None
            message["Message-ID"] = make_msgid(domain=domain)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls()
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def _one_line(text: str) -> str:
    """Header-safe text: names come from issuers' data, and a line break in a header would inject another."""
    return " ".join(text.split())


def from_college(message: EmailMessage, branding: CollegeBranding | None, instance_sender: str) -> EmailMessage:
    """From: the college's sender name with this service's own address (never an address at the college's domain:
    this server is not authorised to send for it, and SPF/DMARC would reject or flag the message); Reply-To: the
    college's address, so a learner's answer reaches the college."""
    if branding is None:
        return message
    address = parseaddr(instance_sender)[1]
    message["From"] = Address(display_name=_one_line(branding.sender_name), addr_spec=address)
    if branding.reply_to:
        message["Reply-To"] = Address(display_name=_one_line(branding.display_name), addr_spec=branding.reply_to)
    return message


def _look(branding: CollegeBranding | None, issuer: str) -> dict[str, Any]:
    """What the templates show of the college: its own look, or else the issuer's name in vetcred's colours."""
    if branding is None:
        return {
            "college_name": _one_line(issuer),
            "logo_url": None,
            "primary": DEFAULT_PRIMARY,
            "accent": DEFAULT_ACCENT,
        }
    return {
        "college_name": _one_line(branding.display_name),
        "logo_url": branding.logo_url,
        "primary": branding.primary_colour,
        "accent": branding.accent_colour,
    }


@cache
def _templates(language: str) -> jinja2.Environment:
    """The mail templates of one language; HTML parts autoescaped, text parts not."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(MAIL_TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return environment


def _compose(
    name: str, *, to: str, subject: str, language: str, look: dict[str, Any], context: dict[str, Any]
) -> EmailMessage:
    """A multipart/alternative message: ``<name>.txt`` then ``<name>.html``, in ``language``."""
    environment = _templates(language)
    values = context | look | {"language": language, "subject": subject}
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = _one_line(subject)
    message.set_content(environment.get_template(f"{name}.txt").render(values))
    message.add_alternative(environment.get_template(f"{name}.html").render(values), subtype="html")
    message["Content-Language"] = language  # after the parts: setting content clears Content-* headers
    return message


def claim_link_message(
    *,
    to: str,
    learner: str,
    achievement: str,
    issuer: str,
    url: str,
    expires_at: Any,
    pin_follows: bool,
    language: str = "en",
    branding: CollegeBranding | None = None,
) -> EmailMessage:
    """The claim link, in ``language``; ``expires_at`` (a date or datetime) is written the language's way."""
    t = localizer(language)
    subject = t.gettext("Your credential from %(issuer)s: %(achievement)s") % {
        "issuer": _one_line(issuer),
        "achievement": _one_line(achievement),
    }
    context = {
        "learner": _one_line(learner),
        "issuer": _one_line(issuer),
        "achievement": _one_line(achievement),
        "url": url,
        "expires_on": t.date(expires_at),
        "pin_follows": pin_follows,
    }
    look = _look(branding, issuer)
    return _compose("claim_link", to=to, subject=subject, language=t.language, look=look, context=context)


def tx_code_message(
    *,
    to: str,
    achievement: str,
    issuer: str,
    tx_code: str,
    language: str = "en",
    branding: CollegeBranding | None = None,
) -> EmailMessage:
    """The wallet PIN, alone in a message of its own, in ``language``."""
    t = localizer(language)
    subject = t.gettext("Your PIN for the credential %(achievement)s") % {"achievement": _one_line(achievement)}
    context = {"achievement": _one_line(achievement), "issuer": _one_line(issuer), "tx_code": tx_code}
    look = _look(branding, issuer)
    return _compose("tx_code", to=to, subject=subject, language=t.language, look=look, context=context)


def staff_invitation_message(
    *,
    to: str,
    college: str,
    role: str,
    url: str,
    expires_at: Any,
    language: str = "en",
    branding: CollegeBranding | None = None,
) -> EmailMessage:
    """An invitation to a college's staff console with ``role`` (owner, issuer or viewer), in ``language``."""
    t = localizer(language)
    subject = t.gettext("You are invited to the vetcred console of %(college)s") % {"college": _one_line(college)}
    role_names = {"owner": t.gettext("owner"), "issuer": t.gettext("issuer"), "viewer": t.gettext("viewer")}
    context = {
        "college": _one_line(college),
        "role": role_names.get(role, role),
        "url": url,
        "expires_on": t.date(expires_at),
    }
    look = _look(branding, college)
    return _compose("staff_invitation", to=to, subject=subject, language=t.language, look=look, context=context)
