"""A holder's side for presentation tests: a fixed Ed25519 key (its did:key), credentials colleges issue to it
through the API, and presentations signed by Digital Bazaar's @digitalbazaar/vc (tests/interop/js/present.js;
callers skip without Node.js: ``node.require()``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.proofs.dids import did_key
from app.proofs.keys import public_key_bytes
from tests.factories import issue, make_achievement, make_issuer
from tests.interop import node

HOLDER_SEED = bytes(range(32))
OTHER_SEED = bytes(range(1, 33))
CHALLENGE = "5b0c8ad1-4e3f-4c55-9b1e-6c2f0a7d9e41"
DOMAIN = "https://employer.example"


def did_of(seed: bytes) -> str:
    return did_key(public_key_bytes(Ed25519PrivateKey.from_private_bytes(seed)))


HOLDER = did_of(HOLDER_SEED)


def present(credentials: list[Any], **job: Any) -> dict[str, Any]:
    """A presentation signed by Digital Bazaar's library: by default eddsa-rdfc-2022, VC 2.0, the holder's did:key,
    the test's challenge and domain; ``job`` overrides (suite, seed, verificationMethod, holder, version...)."""
    return dict(present_many([credentials], **job)[0])


def present_many(batches: list[list[Any]], **job: Any) -> list[dict[str, Any]]:
    """One Node process, one presentation per batch of credentials."""
    base = {
        "suite": "eddsa-rdfc-2022",
        "seed": HOLDER_SEED.hex(),
        "version": 2,
        "challenge": CHALLENGE,
        "domain": DOMAIN,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    jobs = [base | job | {"credentials": credentials} for credentials in batches]
    return [item["presentation"] for item in node.run("present.js", {"jobs": jobs})]


def issued_to(client: TestClient, college: str, subject: str | None = HOLDER, **achievement: Any) -> dict[str, Any]:
    """A credential ``college`` issues through the API to ``subject`` (a DID; None: by e-mail only)."""
    _, headers = make_issuer(client, name=college)
    recipient: dict[str, Any] = {"name": "Sanne de Vries", "email": "sanne@learner.example"}
    if subject is not None:
        recipient["did"] = subject
    achievement_id = make_achievement(client, headers, **achievement)["id"]
    return dict(issue(client, headers, achievement_id, recipient=recipient)["credential"])
