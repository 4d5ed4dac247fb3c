"""What a college gives to re-issue a learner's claim link: optionally a new e-mail address."""

from __future__ import annotations

from app.fields import Email, StrictInput


class ReissueRequest(StrictInput):
    email: Email | None = None
