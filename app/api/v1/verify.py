"""``POST /api/v1/verify``: verify any credential, or a presentation of credentials, into a report of checks, each
with an outcome and a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from app.api.deps import RuntimeDep, SessionDep
from app.errors import InvalidInput
from app.verification.inputs import read_presented
from app.verification.presentations import is_presentation

router = APIRouter(prefix="/api/v1", tags=["verification"])

_OBJECT = {
    "schema": {
        "type": "object",
        "description": "a credential, an EnvelopedVerifiableCredential, a VerifiablePresentation or an "
        "EnvelopedVerifiablePresentation",
    }
}
_JWT = {"schema": {"type": "string", "description": "a VC-JWT, or a presentation JWT: a compact JWS"}}
# What a holder sends: a VC 2.0 presentation of one credential, signed for the verifier's challenge and domain.
# (Shortened: a real one carries the credentials whole.)
_PRESENTATION_EXAMPLE = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiablePresentation"],
    "holder": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "verifiableCredential": [
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": "urn:uuid:2d8f1a56-5c0e-4a3b-9a53-0f64c7c9a1b2",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:web:college.example:issuers:3f1c", "type": ["Profile"], "name": "Noorderpoort"},
            "validFrom": "2026-11-22T10:00:00Z",
            "credentialSubject": {
                "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                "type": ["AchievementSubject"],
                "achievement": {"id": "https://college.example/achievements/7", "type": ["Achievement"]},
            },
            "proof": [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "z58Dm…"}],
        }
    ],
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-12-08T09:30:00Z",
        "verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
        "#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "proofPurpose": "authentication",
        "challenge": "1f44d55f-f161-4938-a659-f8026467f126",
        "domain": "https://employer.example",
        "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKFaxLmmJ8Ys8nNJtc",
    },
}
_JSON = {
    **_OBJECT,
    "examples": {
        "presentation": {"summary": "a presentation, with ?challenge=…&domain=…", "value": _PRESENTATION_EXAMPLE}
    },
}
Challenge = Annotated[
    str | None,
    Query(
        max_length=1024,
        description="Presentations only: the challenge (nonce) the verifier gave the holder. The holder's proof must "
        "carry it (a Data Integrity proof's `challenge`, a presentation JWT's `nonce`), else the holder check fails.",
        examples=["1f44d55f-f161-4938-a659-f8026467f126"],
    ),
]
Domain = Annotated[
    str | None,
    Query(
        max_length=1024,
        description="Presentations only: the domain the verifier gave the holder (a Data Integrity proof's `domain`, "
        "a presentation JWT's `aud`).",
        examples=["https://employer.example"],
    ),
]


@router.post(
    "/verify",
    summary="Verify a credential or a presentation",
    description="Public. Takes a credential as JSON (`application/json`, `application/vc+ld+json`; a Data "
    "Integrity proof - eddsa-rdfc-2022, or the legacy eddsa-2022 and Ed25519Signature2020 - an "
    "EnvelopedVerifiableCredential, or a sealed Europass EDC) or a VC-JWT as text (`application/vc+jwt`, "
    "`application/jwt`, `text/plain`). Checks structure, the proofs (keys from did:key, did:jwk, this service's "
    "did:web issuers, and other did:web and https key documents when VETCRED_FETCH_REMOTE is on), status "
    "(Bitstring Status List), validity period, whether a trusted source knows the signer (a college of this "
    "service or an operator trust registry) and, advisory, the OB 3.0 JSON Schema. `signer` says who signed; "
    "`issuerIdentity` whether that signer is known (its name comes from the trusted source, never from the "
    "credential). `verdict` is one of verified, issuer_not_confirmed, revoked, suspended, expired, not_yet_valid, "
    "not_valid, could_not_check (docs/verification.md); `verified` is true only for verified.\n\n"
    "It also takes a **Verifiable Presentation** (VC 2.0 or 1.1; JSON with a Data Integrity proof - "
    "eddsa-rdfc-2022 or Ed25519Signature2020 - by the holder, `proofPurpose` authentication; or a presentation JWT "
    "with a `vp` claim, or its VC-JOSE-COSE form, signed EdDSA, ES256 or RS256; `application/vp+ld+json`, "
    "`application/vp+jwt`). Pass the `challenge` and `domain` you gave the holder as query parameters. The answer "
    "is then `{verified, presentationId, format, holder, credentials}`: `holder` the verdict on the presentation "
    "itself (its `checks`: structure, the holder's proof, challenge, domain, validity_period; `id` the holder it "
    "proves), and `credentials` one full credential report per credential it carries, each with `subjectIsHolder` "
    "and the `holderBinding` check saying whether its `credentialSubject.id` is the holder. Top-level `verified` is "
    "true only when the holder and every credential are verified and every credential is the holder's.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": _JSON,
                "application/vc+ld+json": _OBJECT,
                "application/vp+ld+json": _OBJECT,
                "application/vc+jwt": _JWT,
                "application/vp+jwt": _JWT,
                "application/jwt": _JWT,
                "text/plain": _JWT,
            },
        }
    },
)
async def verify(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    challenge: Challenge = None,
    domain: Domain = None,
) -> dict[str, Any]:
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("the body is not UTF-8 text", field="body") from error
    presented = read_presented(text, field="body")
    # Verification canonicalizes (CPU work): keep it off the event loop.
    if is_presentation(presented):
        presentation = await run_in_threadpool(
            lambda: runtime.verify_presentation(presented, session, challenge=challenge, domain=domain)
        )
        return presentation.to_dict()
    for name, value in (("challenge", challenge), ("domain", domain)):
        if value is not None:
            raise InvalidInput(f"{name} is checked for presentations only, and the body is a credential", field=name)
    report = await run_in_threadpool(runtime.verify, presented, session)
    return report.to_dict()
