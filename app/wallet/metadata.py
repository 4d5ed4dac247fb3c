"""This service's OpenID4VCI credential issuer metadata and OAuth 2.0 authorization server metadata."""

from __future__ import annotations

from typing import Any

from app.credentials.ob3 import CONTEXTS
from app.proofs.eddsa_rdfc_2022 import CRYPTOSUITE
from app.wallet.oid4vci import CONFIGURATION_ID, PRE_AUTHORIZED_GRANT
from app.wallet.proof_of_possession import ALGORITHMS

CREDENTIAL_DISPLAY = {
    "name": "Open Badge",
    "locale": "en",
    "description": "A micro-credential from a vocational college (Open Badges 3.0)",
    "background_color": "#0b4fa8",
    "text_color": "#ffffff",
}


def credential_endpoint(public_url: str) -> str:
    return f"{public_url}/oid4vci/credential"


def credential_issuer_metadata(public_url: str) -> dict[str, Any]:
    """``/.well-known/openid-credential-issuer``: one configuration, the OB 3.0 credential as ``ldp_vc``."""
    configuration: dict[str, Any] = {
        "format": "ldp_vc",
        "credential_definition": {
            "@context": list(CONTEXTS),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
        },
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk"],
        "credential_signing_alg_values_supported": [CRYPTOSUITE],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(ALGORITHMS)}},
        "credential_metadata": {
            "display": [dict(CREDENTIAL_DISPLAY)],
            "claims": [
                {"path": ["credentialSubject", "name"], "display": [{"name": "Learner", "locale": "en"}]},
                {
                    "path": ["credentialSubject", "achievement", "name"],
                    "display": [{"name": "Achievement", "locale": "en"}],
                },
                {"path": ["issuer", "name"], "display": [{"name": "Issued by", "locale": "en"}]},
                {"path": ["awardedDate"], "display": [{"name": "Awarded on", "locale": "en"}]},
            ],
        },
        # Where wallets of drafts before 1.0 look for the display.
        "display": [dict(CREDENTIAL_DISPLAY)],
    }
    return {
        "credential_issuer": public_url,
        "credential_endpoint": credential_endpoint(public_url),
        "nonce_endpoint": f"{public_url}/oid4vci/nonce",
        "display": [{"name": "vetcred", "locale": "en"}],
        "credential_configurations_supported": {CONFIGURATION_ID: configuration},
    }


def authorization_server_metadata(public_url: str) -> dict[str, Any]:
    """``/.well-known/oauth-authorization-server`` (RFC 8414): the token endpoint of the pre-authorized flow."""
    return {
        "issuer": public_url,
        "token_endpoint": f"{public_url}/oid4vci/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
    }
