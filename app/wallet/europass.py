"""Deliver a sealed EDC to the learner's Europass wallet (EDCI wallet REST API), where the college enables it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx

from app.errors import FetchError


@dataclass(frozen=True)
class Delivery:
    status_code: int
    body: str


def deliver_to_europass(base_url: str, email: str, sealed_edc: str, *, timeout: float = 15.0) -> Delivery:
    """``POST {base}/v1/wallets/email/{email}/credentials`` with the sealed EDC as multipart field ``_credential``.

    The wallet creates a temporary wallet for an unknown e-mail and tells the learner (``sendEmail=true``).
    A 409 means the wallet already holds a credential with this id: delivered before, nothing to do.
    """
    url = f"{base_url.rstrip('/')}/v1/wallets/email/{quote(email, safe='')}/credentials"
    files = {"_credential": ("credential.jsonld", sealed_edc.encode("utf-8"), "application/ld+json")}
    try:
        response = httpx.post(url, files=files, params={"sendEmail": "true"}, timeout=timeout)
    except httpx.HTTPError as error:
        raise FetchError(f"the Europass wallet at {base_url} could not be reached ({type(error).__name__})") from error
    if response.status_code not in (200, 201, 202, 409):
        raise FetchError(
            f"the Europass wallet refused the credential: HTTP {response.status_code} {response.text[:300]}"
        )
    return Delivery(response.status_code, response.text[:2000])
