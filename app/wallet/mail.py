"""E-mail through the configured SMTP server (``smtplib``): the claim link, and the PIN in a message of its own."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from app.config import Settings
from app.issuers.branding import CollegeBranding

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


def claim_link_message(
    *, to: str, learner: str, achievement: str, issuer: str, url: str, expires_on: str, pin_follows: bool
) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = _one_line(f"Your credential from {issuer}: {achievement}")
    pin = "Your wallet will ask for a PIN: we are sending it to you in a separate e-mail.\n\n" if pin_follows else ""
    message.set_content(
        f"Hello {_one_line(learner)},\n\n"
        f"{_one_line(issuer)} has issued you a digital credential: {_one_line(achievement)}.\n\n"
        f"Open this link to add it to your digital wallet, download it, or share it:\n\n{url}\n\n"
        f"{pin}"
        f"The link is personal and works until {expires_on}; it can add the credential to one wallet. "
        "Please do not forward it: to show the credential to someone, share the verification link from that page.\n"
    )
    return message


def tx_code_message(*, to: str, achievement: str, issuer: str, tx_code: str) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = _one_line(f"Your PIN for the credential {achievement}")
    message.set_content(
        f"Your PIN is: {tx_code}\n\n"
        f"Enter it in your wallet when it asks for a PIN while adding the credential {_one_line(achievement)} "
        f"from {_one_line(issuer)}. The claim link itself arrives in a separate e-mail.\n"
        "Nobody from the college will ever ask you for this PIN.\n"
    )
    return message
