"""Credentials signed and verified per second, on one core, for a rich vocational credential.

The credential has 8 results, 8 alignments, evidence and a BitstringStatusListEntry. Signing is the whole
issuance step minus the database: build, canonicalize (RDFC-1.0, safe mode), sign, check the OB 3.0 schema.
Run by hand:  python bench/sign.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from app.credentials.ob3 import build_ob3_credential
from app.credentials.validate import check_achievement_credential
from app.demo import sample_achievement, sample_issuer
from app.demo import sample_request as demo_request
from app.proofs import eddsa_rdfc_2022
from app.proofs.dids import ResolvedKey, did_web
from app.proofs.keys import generate_signing_key, public_key_bytes
from app.proofs.loader import default_loader
from app.proofs.multikey import encode_public_key
from app.proofs.signer import Ed25519Signer

PUBLIC_URL = "https://college.example"


def _setup() -> tuple[Callable[[], dict[str, Any]], Callable[[dict[str, Any]], None]]:
    private_key = generate_signing_key()
    multibase = encode_public_key(public_key_bytes(private_key))
    did = did_web(PUBLIC_URL, "bench")
    signer = Ed25519Signer(private_key, f"{did}#{multibase}")
    resolved = ResolvedKey(id=signer.verification_method, controller=did, public_key=private_key.public_key())
    achievement = sample_achievement().to_ob3(f"{PUBLIC_URL}/achievements/bench")
    request = demo_request("bench")
    status = {
        "id": f"{PUBLIC_URL}/status/bench/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": f"{PUBLIC_URL}/status/bench/1",
    }
    loader = default_loader()

    def sign_one() -> dict[str, Any]:
        now = datetime.now(UTC)
        unsigned = build_ob3_credential(
            request,
            credential_id="urn:uuid:0b7e5c44-5d1f-4d63-9a1e-1a2b3c4d5e6f",
            issuer_profile=sample_issuer().to_profile(did),
            achievement=achievement,
            issued_at=now,
            salt="0123456789abcdef0123456789abcdef",
            credential_status=status,
        )
        signed = eddsa_rdfc_2022.sign(unsigned, signer, loader, now)
        check_achievement_credential(signed)
        return signed

    def verify_one(document: dict[str, Any]) -> None:
        eddsa_rdfc_2022.verify(document, lambda _vm: resolved, loader)

    return sign_one, verify_one


def _measure(name: str, operation: Callable[[], object], seconds: float) -> None:
    operation()  # warm the context caches
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        operation()
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    total = sum(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"{name:>8}: {len(latencies) / total:7.1f}/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  (n={len(latencies)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time per measurement")
    args = parser.parse_args()
    sign_one, verify_one = _setup()
    signed = sign_one()
    print(
        f"credential: {len(signed['credentialSubject']['result'])} results, "
        f"{len(signed['credentialSubject']['achievement']['alignment'])} alignments, evidence, status entry; "
        f"one process (one core)"
    )
    _measure("sign", sign_one, args.seconds)
    _measure("verify", lambda: verify_one(signed), args.seconds)


if __name__ == "__main__":
    main()
