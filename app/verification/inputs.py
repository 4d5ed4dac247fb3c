"""What people hand the verifier: a credential as JSON (an object, or an EnvelopedVerifiableCredential), or a
VC-JWT as text (a compact JWS, bare or as a JSON string)."""

from __future__ import annotations

import json
from typing import Any

from app.errors import InvalidInput
from app.proofs.vc_jwt import is_jwt_credential


def read_presented(text: str, *, field: str = "credential") -> Any:
    """The JSON value of ``text``, or ``text`` itself when it is a compact JWS; ``InvalidInput`` otherwise."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        pass
    if is_jwt_credential(stripped):
        return stripped
    raise InvalidInput("neither JSON nor a VC-JWT (a compact JWS: three base64url parts joined by dots)", field=field)
