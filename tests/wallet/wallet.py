"""A small OpenID4VCI wallet for tests: a holder key (did:key, did:jwk), key proofs made with joserfc, and the
pre-authorized code flow over HTTP, as a phone wallet runs it."""

from __future__ import annotations

import base64
import io
import json
import re
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, OKPKey

from app.proofs.dids import did_key

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Holder:
    """A wallet's key pair and the DID it is bound as."""

    key: Key
    algorithm: str

    @classmethod
    def ed25519(cls) -> Holder:
        return cls(OKPKey.generate_key("Ed25519"), "EdDSA")

    @classmethod
    def p256(cls) -> Holder:
        return cls(ECKey.generate_key("P-256"), "ES256")

    @property
    def public_jwk(self) -> dict[str, Any]:
        return {k: v for k, v in self.key.as_dict(private=False).items() if k in ("kty", "crv", "x", "y")}

    @property
    def did(self) -> str:
        jwk = self.public_jwk
        if jwk["kty"] == "OKP":
            return did_key(base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4)))
        return "did:jwk:" + _b64url(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode())

    @property
    def kid(self) -> str:
        if self.did.startswith("did:key:"):
            return f"{self.did}#{self.did.removeprefix('did:key:')}"
        return f"{self.did}#0"

    def proof(
        self,
        *,
        aud: str,
        nonce: str | None,
        iat: float | None = None,
        header: dict[str, Any] | None = None,
        claims: dict[str, Any] | None = None,
        use_jwk: bool = False,
        signer: Key | None = None,
    ) -> str:
        """An ``openid4vci-proof+jwt``; ``header``/``claims`` override or add members; ``signer`` signs instead."""
        base: dict[str, Any] = {"typ": "openid4vci-proof+jwt", "alg": self.algorithm}
        base |= {"jwk": self.public_jwk} if use_jwk else {"kid": self.kid}
        body: dict[str, Any] = {"aud": aud, "iat": int(time.time() if iat is None else iat)}
        if nonce is not None:
            body["nonce"] = nonce
        full_header = {k: v for k, v in (base | (header or {})).items() if v is not None}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            return jwt.encode(full_header, body | (claims or {}), signer or self.key, algorithms=[full_header["alg"]])


def well_known(identifier: str, suffix: str) -> str:
    """``https://host/path`` -> ``https://host/.well-known/{suffix}/path``."""
    parts = urlsplit(identifier)
    return f"{parts.scheme}://{parts.netloc}/.well-known/{suffix}{parts.path.rstrip('/')}"


def offer_uri_of(deep_link: str) -> str:
    """The ``credential_offer_uri`` of an ``openid-credential-offer://`` link."""
    parts = urlsplit(deep_link)
    assert parts.scheme == "openid-credential-offer", deep_link
    [uri] = parse_qs(parts.query)["credential_offer_uri"]
    return uri


@dataclass
class Wallet:
    """Runs the pre-authorized code flow against ``http`` (a TestClient or an httpx.Client)."""

    http: httpx.Client
    holder: Holder = field(default_factory=Holder.ed25519)
    # The time the wallet writes into its proofs (iat): the issuer's test clock, when it has one.
    clock: Clock | None = None

    def offer(self, deep_link: str) -> dict[str, Any]:
        response = self.http.get(offer_uri_of(deep_link))
        assert response.status_code == 200, response.text
        return dict(response.json())

    def metadata(self, issuer: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The issuer's metadata where OpenID4VCI 1.0 (12.2.2) and RFC 8414 put it: the well-known suffix between
        the host and the identifier's path."""
        credential_issuer = self.http.get(well_known(issuer, "openid-credential-issuer")).json()
        authorization_server = self.http.get(well_known(issuer, "oauth-authorization-server")).json()
        assert credential_issuer["credential_issuer"] == issuer and authorization_server["issuer"] == issuer
        return credential_issuer, authorization_server

    def token(
        self,
        token_endpoint: str,
        code: str,
        tx_code: str | None = None,
        authorization_details: list[dict[str, Any]] | str | None = None,
    ) -> httpx.Response:
        """The token request; ``authorization_details`` form-encoded as JSON (a string is sent as it is)."""
        form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code}
        if tx_code is not None:
            form["tx_code"] = tx_code
        if authorization_details is not None:
            details = authorization_details
            form["authorization_details"] = details if isinstance(details, str) else json.dumps(details)
        return self.http.post(token_endpoint, data=form)

    def nonce(self, nonce_endpoint: str) -> str:
        response = self.http.post(nonce_endpoint)
        assert response.status_code == 200, response.text
        return str(response.json()["c_nonce"])

    def credential(self, endpoint: str, access_token: str | None, body: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        return self.http.post(endpoint, json=body, headers=headers)

    def claim(self, deep_link: str, tx_code: str | None = None) -> dict[str, Any]:
        """The whole flow from an offer link to the issued credential (asserting every step succeeds)."""
        offer = self.offer(deep_link)
        issuer_metadata, server_metadata = self.metadata(offer["credential_issuer"])
        [configuration_id] = offer["credential_configuration_ids"]
        assert configuration_id in issuer_metadata["credential_configurations_supported"]
        grant = offer["grants"][PRE_AUTHORIZED]
        token = self.token(server_metadata["token_endpoint"], grant["pre-authorized_code"], tx_code)
        assert token.status_code == 200, token.text
        nonce = self.nonce(issuer_metadata["nonce_endpoint"])
        iat = self.clock().timestamp() if self.clock else None
        proof = self.holder.proof(aud=issuer_metadata["credential_issuer"], nonce=nonce, iat=iat)
        response = self.credential(
            issuer_metadata["credential_endpoint"],
            token.json()["access_token"],
            {"credential_configuration_id": configuration_id, "proofs": {"jwt": [proof]}},
        )
        assert response.status_code == 200, response.text
        [issued] = response.json()["credentials"]
        return dict(issued["credential"])


def scan_offer_qr(html: str, figure: str = "offer-qr") -> str:
    """Decodes a wallet QR code of a claim page (its PNG, as a phone camera would read it): the OpenID4VCI offer's,
    or ``figure="lcw-qr"`` the Learner Credential Wallet's."""
    from PIL import Image
    from pyzbar import pyzbar

    match = re.search(rf'<figure class="qr {figure}">\s*<img src="data:image/png;base64,([^"]+)"', html)
    assert match, "the claim page shows no wallet offer QR code"
    # QR codes only: zbar's one-dimensional decoders now and then also "find" a barcode in a QR code's modules.
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    [symbol] = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return str(symbol.data.decode())


class Clock:
    """A clock tests move by hand: ``create_app(settings, clock=Clock())``."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
