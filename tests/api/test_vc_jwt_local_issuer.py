"""A VC-JWT signed (with jwcrypto) by a college this service hosts verifies through Runtime.resolver's local did:web."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from jwcrypto import jwk, jws

from app.db.models import Issuer
from app.issuers.service import signer_for
from app.proofs.results import ProofOutcome
from app.proofs.vc_jwt import verify_jwt_credential
from tests.factories import make_issuer


def test_a_jwt_by_a_local_did_web_issuer(client: TestClient, app: FastAPI) -> None:
    issuer, _headers = make_issuer(client)
    runtime = app.state.runtime
    with runtime.transaction() as session:
        signer = signer_for(session.get(Issuer, issuer["id"]), runtime.master_key)
    key = jwk.JWK.from_pyca(signer._private_key)  # the test holds the college's key, as the college would
    payload = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer["did"],
        "validFrom": "2026-06-30T09:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
        "iss": issuer["did"],
    }
    token = jws.JWS(json.dumps(payload).encode("utf-8"))
    token.add_signature(key, protected=json.dumps({"alg": "EdDSA", "typ": "vc+jwt", "kid": signer.verification_method}))
    compact = token.serialize(compact=True)

    with runtime.transaction() as session:
        checked = verify_jwt_credential(compact, runtime.resolver(session))
        assert checked.result.outcome is ProofOutcome.PASSED, checked.result.reason
        assert checked.result.verified is not None and checked.result.verified.controller == issuer["did"]

        header, body, signature = compact.split(".")
        other = verify_jwt_credential(
            f"{header}.{body[:-1]}{'A' if body[-1] != 'A' else 'B'}.{signature}", runtime.resolver(session)
        )
        assert other.result.outcome is ProofOutcome.FAILED
