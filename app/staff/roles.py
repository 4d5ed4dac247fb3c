"""The three roles a staff member has in a college, each admitting what the roles below it may do."""

from __future__ import annotations

from enum import StrEnum

from app.errors import InvalidInput


class Role(StrEnum):
    OWNER = "owner"  # everything: staff, keys, seal, branding, single sign-on
    ISSUER = "issuer"  # defines micro-credentials, records assessments, uploads cohorts, revokes
    VIEWER = "viewer"  # reads

    def admits(self, minimum: Role) -> bool:
        """Whether this role may do what ``minimum`` may (an owner may do what an issuer may)."""
        return _RANK[self] >= _RANK[minimum]


_RANK = {Role.VIEWER: 0, Role.ISSUER: 1, Role.OWNER: 2}


def parse_role(value: str, field: str = "role") -> Role:
    """A role from a form or request; InvalidInput naming ``field`` otherwise."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise InvalidInput(f"must be one of {', '.join(r.value for r in Role)}", field=field) from None
