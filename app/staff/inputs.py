"""What the admin API and the console forms take for staff: the same models, so a 422 says the same in both."""

from __future__ import annotations

from pydantic import Field

from app.fields import Email, ShortText, StrictInput
from app.staff.roles import Role


class FirstOwnerInput(StrictInput):
    """A college's first owner, invited by the operator (admin token)."""

    email: Email = Field(description="Where the invitation goes; the owner signs in with this address")


class InvitationInput(StrictInput):
    email: Email
    role: Role


class AcceptInput(StrictInput):
    """What the invited person sets when accepting: the name colleagues see, and a password."""

    name: ShortText
    password: str = Field(max_length=1000)
    password_confirmation: str = Field(max_length=1000)
