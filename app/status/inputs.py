"""What a college gives to change a credential's status: the reason, kept in its private audit trail."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from app.fields import StrictInput

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class StatusChange(StrictInput):
    reason: Reason
