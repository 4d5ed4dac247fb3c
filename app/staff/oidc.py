"""OpenID Connect for staff single sign-on (Authlib): discovery, the authorization request with PKCE and a nonce,
the code exchange, and the ID token's signature (JWKS) and claims. Every request goes through the service's
outbound client (``app/outbound.py``): https, public addresses, bounded."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.errors import AuthenticationError, FetchError
from app.outbound import OutboundClient

SCOPE = "openid email profile"
# Asymmetric signatures only: an HS256 ID token would be signed with the client secret, which this side knows too.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CLOCK_SKEW_SECONDS = 120


class SsoError(AuthenticationError):
    """Single sign-on did not establish who someone is (the provider said no, or its answer does not check out)."""

    code = "sso_failed"


@dataclass(frozen=True)
class Provider:
    """What a provider's discovery document says (OpenID Connect Discovery 1.0)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def discover(outbound: OutboundClient, provider_url: str) -> Provider:
    """The provider's metadata from ``<provider_url>/.well-known/openid-configuration``; its ``issuer`` must be
    ``provider_url`` itself (Discovery §4.3), so one provider cannot speak for another."""
    url = provider_url.rstrip("/") + "/.well-known/openid-configuration"
    document = _json(outbound.get(url, accept="application/json"), url)
    metadata = OpenIDProviderMetadata(document)
    try:
        metadata.validate()
    except ValueError as error:
        raise FetchError(f"{url} is not an OpenID provider's discovery document: {error}") from error
    if document["issuer"].rstrip("/") != provider_url.rstrip("/"):
        raise FetchError(f"{url} names another issuer ({document['issuer']}), not {provider_url}")
    return Provider(
        issuer=document["issuer"],
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        token_auth_methods=tuple(document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]),
    )


def authorization_url(
    provider: Provider, *, client_id: str, redirect_uri: str, state: str, nonce: str, code_verifier: str
) -> str:
    """Where to send the browser: the authorization code flow, with PKCE (S256) and a nonce."""
    url: str = prepare_grant_uri(
        provider.authorization_endpoint,
        client_id,
        "code",
        redirect_uri=redirect_uri,
        scope=SCOPE,
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(code_verifier),
        code_challenge_method="S256",
    )
    return url


def sign_in(
    outbound: OutboundClient,
    provider: Provider,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    nonce: str,
    now: datetime,
) -> Identity:
    """Exchanges ``code`` for tokens and returns who the checked ID token names."""
    tokens = _exchange(
        outbound,
        provider,
        client_id=client_id,
        client_secret=client_secret,
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise SsoError("the provider's answer carries no ID token")
    keys = _json(outbound.get(provider.jwks_uri, accept="application/json"), provider.jwks_uri)
    claims = verify_id_token(
        id_token,
        keys,
        issuer=provider.issuer,
        client_id=client_id,
        nonce=nonce,
        access_token=tokens.get("access_token"),
        now=now,
    )
    email = claims.get("email")
    return Identity(
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) else None,
        email_verified=claims.get("email_verified") is True,
        name=claims.get("name") if isinstance(claims.get("name"), str) else None,
    )


def verify_id_token(
    id_token: str,
    jwks: dict[str, Any],
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    access_token: Any,
    now: datetime,
) -> dict[str, Any]:
    """The claims of ``id_token`` once its signature (a key of ``jwks``) and its claims check out: issuer, audience,
    expiry, the nonce of this sign-in, ``azp`` and ``at_hash`` (OpenID Connect Core §3.1.3.7)."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]  # checked by joserfc itself
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id}},
            params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
        )
        claims.validate(now=int(now.timestamp()), leeway=CLOCK_SKEW_SECONDS)
    except (JoseError, ValueError, TypeError) as error:
        raise SsoError(f"the provider's ID token does not check out ({type(error).__name__}: {error})") from error
    if not claims.get("nonce"):
        raise SsoError("the provider's ID token does not carry this sign-in's nonce")
    return dict(claims)


def _exchange(
    outbound: OutboundClient,
    provider: Provider,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> dict[str, Any]:
    body: str = prepare_token_request(
        "authorization_code", code=code, redirect_uri=redirect_uri, code_verifier=code_verifier
    )
    headers: dict[str, str] = {}
    if "client_secret_basic" in provider.token_auth_methods:
        # RFC 6749 §2.3.1: each part form-encoded before joining.
        pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    else:
        body += "&" + urlencode({"client_id": client_id, "client_secret": client_secret})  # client_secret_post
    try:
        answer = outbound.post(
            provider.token_endpoint,
            body.encode(),
            content_type="application/x-www-form-urlencoded",
            accept="application/json",
            headers=headers,
        )
    except FetchError as error:
        raise SsoError(f"the provider did not accept the sign-in code ({error.detail})") from error
    return _json(answer, provider.token_endpoint)


def _json(body: bytes, url: str) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except ValueError as error:
        raise FetchError(f"{url} did not answer JSON") from error
    if not isinstance(document, dict):
        raise FetchError(f"{url} did not answer a JSON object")
    return document
