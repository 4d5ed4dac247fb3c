"""A real SMTP server on localhost (aiosmtpd) that keeps every message it receives, for tests to read."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers import free_port


class Mailbox:
    """The messages received, in order of arrival."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[tuple[str, str]] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # the hook name aiosmtpd calls
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.messages[:count]


def _authenticate(mailbox: Mailbox) -> Any:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            mailbox.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            return AuthResult(success=auth_data.password == b"mail-password")
        return AuthResult(success=False)

    return authenticator


@contextmanager
def running_mailbox(*, with_login: bool = False, port: int | None = None) -> Iterator[Mailbox]:
    """The server; ``with_login`` makes it require AUTH LOGIN/PLAIN with the password ``mail-password``
    (over plain SMTP: a test server on localhost has no TLS certificate)."""
    mailbox = Mailbox()
    mailbox.port = port or free_port()
    auth: dict[str, Any] = {}
    if with_login:
        auth = {"authenticator": _authenticate(mailbox), "auth_required": True, "auth_require_tls": False}
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port, **auth)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
