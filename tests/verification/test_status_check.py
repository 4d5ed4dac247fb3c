"""The status check on credentials from other issuers (did:key): could-not-check is never reported as valid."""

from __future__ import annotations

import copy
import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from app.errors import FetchError
from app.outbound import OutboundClient, OutboundPolicy
from app.proofs import eddsa_rdfc_2022
from app.proofs.dids import CompositeResolver, did_key
from app.proofs.keys import generate_signing_key, public_key_bytes
from app.proofs.loader import default_loader
from app.proofs.multikey import encode_public_key
from app.proofs.signer import Ed25519Signer
from app.status.bitstring import Bitstring
from app.verification.pipeline import verify_credential
from app.verification.remote import RemoteFetcher
from tests.trusted import directory

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LIST_URL = "https://status.other-college.example/lists/7"
RESOLVER = CompositeResolver(local_did_web=lambda _vm: None)


@pytest.fixture(scope="module")
def other_issuer() -> Ed25519Signer:
    key = generate_signing_key()
    did = did_key(public_key_bytes(key))
    return Ed25519Signer(key, f"{did}#{encode_public_key(public_key_bytes(key))}")


def _did(signer: Ed25519Signer) -> str:
    return signer.verification_method.split("#")[0]


def _credential(signer: Ed25519Signer, list_url: str = LIST_URL) -> dict[str, Any]:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:2f1c9a52-7d7c-4f7e-9d0b-3b8f8b1f2a10",
        "type": ["VerifiableCredential"],
        "issuer": _did(signer),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "name": "Robin"},
        "credentialStatus": {
            "id": f"{list_url}#42",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "42",
            "statusListCredential": list_url,
        },
    }
    return eddsa_rdfc_2022.sign(unsigned, signer, default_loader(), NOW)


def _status_list(signer: Ed25519Signer, revoked: set[int], list_url: str = LIST_URL) -> dict[str, Any]:
    bits = Bitstring()
    for index in revoked:
        bits.set(index, 1)
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": _did(signer),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
        },
    }
    return eddsa_rdfc_2022.sign(unsigned, signer, default_loader(), NOW)


def _verify(document: dict[str, Any], fetch) -> dict[str, Any]:
    """Verified with a trust registry that lists the credential's issuer, so that only the status decides."""
    trusted = directory({document["issuer"]: "Other College"}, now=NOW)
    report = verify_credential(
        document, resolver=RESOLVER, loader=default_loader(), now=NOW, fetch=fetch, identify=trusted.identify
    )
    return report.to_dict()


def _status(report: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["name"] == "status")


def test_active_and_revoked_through_another_issuers_list(other_issuer) -> None:
    credential = _credential(other_issuer)
    active = _verify(credential, lambda url: _status_list(other_issuer, {41, 43}))
    assert active["verdict"] == "verified" and _status(active)["outcome"] == "passed"
    revoked = _verify(credential, lambda url: _status_list(other_issuer, {42}))
    assert revoked["verdict"] == "revoked" and revoked["verified"] is False


def test_remote_fetching_off_means_could_not_check(other_issuer) -> None:
    report = _verify(_credential(other_issuer), RemoteFetcher(enabled=False))
    assert report["verdict"] == "could_not_check" and report["verified"] is False
    assert "turned off" in _status(report)["reason"]


def test_unreachable_status_list_means_could_not_check(other_issuer) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    client = OutboundClient(OutboundPolicy(timeout=2, allow_origins=frozenset({origin})))
    report = _verify(_credential(other_issuer, f"{origin}/status/1"), RemoteFetcher(enabled=True, client=client))
    assert report["verdict"] == "could_not_check"
    assert "could not be fetched" in _status(report)["reason"]


def test_a_status_list_that_does_not_verify_means_could_not_check(other_issuer) -> None:
    forged = copy.deepcopy(_status_list(other_issuer, set()))
    forged["validFrom"] = "2026-02-01T00:00:00Z"  # any change after signing breaks the list's proof
    report = _verify(_credential(other_issuer), lambda url: forged)
    assert report["verdict"] == "could_not_check" and "does not verify" in _status(report)["reason"]


def test_a_status_list_from_another_issuer_means_could_not_check(other_issuer) -> None:
    key = generate_signing_key()
    stranger = Ed25519Signer(key, f"{did_key(public_key_bytes(key))}#{encode_public_key(public_key_bytes(key))}")
    report = _verify(_credential(other_issuer), lambda url: _status_list(stranger, set()))
    assert report["verdict"] == "could_not_check"
    assert "not issued by the credential's issuer" in _status(report)["reason"]


def test_fetch_errors_are_reported_with_their_reason(other_issuer) -> None:
    def failing(url: str) -> dict[str, Any]:
        raise FetchError(f"{url} answered HTTP 503")

    report = _verify(_credential(other_issuer), failing)
    assert "HTTP 503" in _status(report)["reason"] and report["verified"] is False


def test_a_credential_without_status_needs_no_status_check(other_issuer) -> None:
    credential = copy.deepcopy(_credential(other_issuer))
    del credential["credentialStatus"]
    del credential["proof"]
    signed = eddsa_rdfc_2022.sign(credential, other_issuer, default_loader(), NOW)
    report = _verify(signed, RemoteFetcher(enabled=False))
    assert report["verdict"] == "verified" and _status(report)["outcome"] == "not_applicable"
