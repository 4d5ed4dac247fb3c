"""OpenID4VCI credential issuer metadata and OAuth 2.0 authorization server metadata: each college's, and this
instance's (kept for offers handed out before colleges had identifiers of their own)."""

from __future__ import annotations

from typing import Any

from app.credentials.ob3 import CONTEXTS
from app.issuers.branding import WHITE, CollegeBranding
from app.proofs.eddsa_rdfc_2022 import CRYPTOSUITE
from app.wallet.oid4vci import CONFIGURATION_ID, PRE_AUTHORIZED_GRANT
from app.wallet.proof_of_possession import ALGORITHMS

# Display texts are English for now: one display entry per language once colleges choose their language.
LOCALE = "en"
CREDENTIAL_DISPLAY = {
    "name": "Open Badge",
    "locale": LOCALE,
    "description": "A micro-credential from a vocational college (Open Badges 3.0)",
    "background_color": "#0b4fa8",
    "text_color": "#ffffff",
}


def credential_endpoint(credential_issuer: str) -> str:
    return f"{credential_issuer}/oid4vci/credential"


def _logo(college: CollegeBranding) -> dict[str, Any]:
    return {"logo": {"uri": college.logo_url, "alt_text": college.display_name}} if college.logo_url else {}


def _credential_display(college: CollegeBranding | None) -> dict[str, Any]:
    """How a wallet draws the credential: the college's name, logo and primary colour (which keeps a contrast of
    at least 4.5:1 with the white text drawn on it)."""
    if college is None:
        return dict(CREDENTIAL_DISPLAY)
    return CREDENTIAL_DISPLAY | {
        "description": f"A micro-credential from {college.display_name} (Open Badges 3.0)",
        "background_color": college.primary_colour,
        "text_color": WHITE,
        **_logo(college),
    }


def _issuer_display(college: CollegeBranding | None) -> list[dict[str, Any]]:
    if college is None:
        return [{"name": "vetcred", "locale": LOCALE}]
    return [{"name": college.display_name, "locale": LOCALE, **_logo(college)}]


def credential_issuer_metadata(credential_issuer: str, college: CollegeBranding | None) -> dict[str, Any]:
    """``/.well-known/openid-credential-issuer[/issuers/{id}]``: one configuration, the OB 3.0 credential as
    ``ldp_vc``, shown with the college's name, logo and colour (``college`` None: this instance's identifier)."""
    display = _credential_display(college)
    configuration: dict[str, Any] = {
        "format": "ldp_vc",
        "credential_definition": {
            "@context": list(CONTEXTS),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
        },
        # "jwk": a key proof may carry the bare key (jwk header); the credential is then bound to its DID.
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
        "credential_signing_alg_values_supported": [CRYPTOSUITE],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(ALGORITHMS)}},
        "credential_metadata": {
            "display": [display],
            "claims": [
                {"path": ["credentialSubject", "name"], "display": [{"name": "Learner", "locale": LOCALE}]},
                {
                    "path": ["credentialSubject", "achievement", "name"],
                    "display": [{"name": "Achievement", "locale": LOCALE}],
                },
                {"path": ["issuer", "name"], "display": [{"name": "Issued by", "locale": LOCALE}]},
                {"path": ["awardedDate"], "display": [{"name": "Awarded on", "locale": LOCALE}]},
            ],
        },
        # Where wallets of drafts before 1.0 look for the display.
        "display": [dict(display)],
    }
    return {
        "credential_issuer": credential_issuer,
        "credential_endpoint": credential_endpoint(credential_issuer),
        "nonce_endpoint": f"{credential_issuer}/oid4vci/nonce",
        "display": _issuer_display(college),
        "credential_configurations_supported": {CONFIGURATION_ID: configuration},
    }


def authorization_server_metadata(credential_issuer: str) -> dict[str, Any]:
    """``/.well-known/oauth-authorization-server[/issuers/{id}]`` (RFC 8414): the credential issuer is its own
    authorization server, with the token endpoint of the pre-authorized flow."""
    return {
        "issuer": credential_issuer,
        "token_endpoint": f"{credential_issuer}/oid4vci/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
    }
