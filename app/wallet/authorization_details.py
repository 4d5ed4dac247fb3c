"""OpenID4VCI authorization details (RFC 9396 type ``openid_credential``): what a token request asks for, what the
token response grants (1.0 section 6.2: each entry with its ``credential_identifiers``), and the identifier a
credential request may then name instead of the configuration.

An offer is for one credential, so it has one identifier; it names the offer, not the credential or the learner.
"""

from __future__ import annotations

import json
from typing import Any

from app.wallet.oid4vci import CONFIGURATION_ID, ProtocolError

OPENID_CREDENTIAL = "openid_credential"
FORMAT = "ldp_vc"
# An offer names one configuration; a wallet has no reason to send more than a few entries.
MAX_ENTRIES = 8


def credential_identifier(offer_id: str) -> str:
    """The one Credential Dataset the access token of offer ``offer_id`` may fetch."""
    return f"urn:vetcred:offer:{offer_id}"


def read_authorization_details(value: str | None) -> list[dict[str, Any]] | None:
    """The ``authorization_details`` form parameter of a token request (a JSON array), checked: each entry of type
    ``openid_credential`` naming this issuer's configuration (1.0: ``credential_configuration_id``; drafts before it:
    ``format`` ``ldp_vc``). ``None`` when it was not sent; ``invalid_authorization_details`` when it is wrong.
    Read before the pre-authorized code is spent, so a wallet can correct it and retry."""
    if value is None:
        return None
    try:
        entries = json.loads(value)
    except (ValueError, RecursionError):
        raise _invalid("authorization_details is not JSON (send a JSON array, form-encoded)") from None
    if not isinstance(entries, list) or not entries or len(entries) > MAX_ENTRIES:
        raise _invalid(f"authorization_details must be an array of 1 to {MAX_ENTRIES} objects")
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != OPENID_CREDENTIAL:
            raise _invalid(f"each authorization_details entry must be an object of type {OPENID_CREDENTIAL}")
        configuration = entry.get("credential_configuration_id")
        if configuration is None and entry.get("format") == FORMAT:
            continue  # a draft 13 wallet names the format and the credential definition
        if configuration != CONFIGURATION_ID:
            raise _invalid(f"this issuer offers only the credential configuration {CONFIGURATION_ID}")
    return entries


def granted(entries: list[dict[str, Any]], offer_id: str) -> list[dict[str, Any]]:
    """The token response's ``authorization_details``: each requested entry with the offer's credential identifier
    (and, for a draft 13 entry, the configuration it was read as)."""
    identifier = credential_identifier(offer_id)
    return [
        {**entry, "credential_configuration_id": CONFIGURATION_ID, "credential_identifiers": [identifier]}
        for entry in entries
    ]


def _invalid(detail: str) -> ProtocolError:
    return ProtocolError("invalid_authorization_details", detail)
