"""eddsa-rdfc-2022 signatures and verifications per second on one core: vetcred, pyld alone, and jsonld.js.

The credential is a rich vocational one: 8 results, 8 alignments, evidence and a BitstringStatusListEntry, built
once. Each round signs it (``created`` = now) and verifies the signed copy n times with each implementation in
turn - vetcred (shape templates, app/proofs/shape_templates.py), pyld alone (the reference path vetcred falls back
to) and Digital Bazaar's jsonld.js stack (``@digitalbazaar/vc`` with the eddsa-rdfc-2022 cryptosuite, from
tests/interop/js: ``npm ci --prefix tests/interop/js``) - and the figures are medians over the rounds. It also
times the OB 3.0 JSON Schema check (jsonschema-rs, as vetcred runs it, and the pure-Python jsonschema it replaced).
Run by hand:  python bench/sign.py [--rounds 7] [-n 40]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jsonschema import Draft201909Validator, FormatChecker

from app.config import CONTEXTS_DIR, JSON_SCHEMAS_DIR
from app.credentials.ob3 import build_ob3_credential
from app.credentials.validate import check_achievement_credential
from app.demo import sample_achievement, sample_issuer
from app.demo import sample_request as demo_request
from app.proofs import eddsa_rdfc_2022
from app.proofs.dids import ResolvedKey, did_document, did_web
from app.proofs.keys import public_key_bytes
from app.proofs.loader import SHIPPED_CONTEXTS, DocumentLoader
from app.proofs.multikey import encode_public_key
from app.proofs.signer import Ed25519Signer

PUBLIC_URL = "https://college.example"
SEED = bytes(range(32))
NODE_SCRIPT = Path(__file__).resolve().parent / "jsonld_js.mjs"

Operation = Callable[[], object]


def _credential(did: str) -> dict[str, Any]:
    return build_ob3_credential(
        demo_request("bench"),
        credential_id="urn:uuid:0b7e5c44-5d1f-4d63-9a1e-1a2b3c4d5e6f",
        issuer_profile=sample_issuer().to_profile(did),
        achievement=sample_achievement().to_ob3(f"{PUBLIC_URL}/achievements/bench"),
        issued_at=datetime.now(UTC),
        salt="0123456789abcdef0123456789abcdef",
        credential_status={
            "id": f"{PUBLIC_URL}/status/bench/1#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": f"{PUBLIC_URL}/status/bench/1",
        },
    )


class _JsonLdJs:
    """The Node.js process running bench/jsonld_js.mjs, asked for n timed operations at a time."""

    def __init__(self, setup: dict[str, Any]) -> None:
        self._setup_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        json.dump(setup, self._setup_file)
        self._setup_file.close()
        self._process = subprocess.Popen(
            ["node", str(NODE_SCRIPT), self._setup_file.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, op: str, n: int) -> list[float]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps({"op": op, "n": n}) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("bench/jsonld_js.mjs stopped (is tests/interop/js installed?)")
        seconds: list[float] = json.loads(line)["seconds"]
        return seconds

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)
        Path(self._setup_file.name).unlink()


def _timed(operation: Operation, n: int) -> list[float]:
    seconds = []
    for _ in range(n):
        start = time.perf_counter()
        operation()
        seconds.append(time.perf_counter() - start)
    return seconds


@dataclass(frozen=True)
class _Bench:
    """The bench's credential and its signing key, the same for every implementation."""

    unsigned: dict[str, Any]
    signer: Ed25519Signer
    resolved: ResolvedKey
    did: str
    multibase: str


def _bench() -> _Bench:
    private_key = Ed25519PrivateKey.from_private_bytes(SEED)
    multibase = encode_public_key(public_key_bytes(private_key))
    did = did_web(PUBLIC_URL, "bench")
    method = f"{did}#{multibase}"
    resolved = ResolvedKey(id=method, controller=did, public_key=private_key.public_key())
    return _Bench(_credential(did), Ed25519Signer(private_key, method), resolved, did, multibase)


def _jsonld_js(bench: _Bench) -> _JsonLdJs:
    return _JsonLdJs(
        {
            "contexts": {url: str(CONTEXTS_DIR / file) for url, file in SHIPPED_CONTEXTS.items()},
            "documents": {bench.did: did_document(bench.did, bench.multibase, bench.multibase)},
            "seed": SEED.hex(),
            "verificationMethod": bench.signer.verification_method,
            "credential": bench.unsigned,
        }
    )


def jsonld_js_sign_rate(rounds: int = 5, n: int = 20) -> float:
    """Signatures per second of Digital Bazaar's jsonld.js stack on one core (the median of ``rounds``): the
    reference other benches state their figures against."""
    node = _jsonld_js(_bench())
    try:
        node.run("sign", 3)
        return statistics.median(n / sum(node.run("sign", n)) for _ in range(rounds))
    finally:
        node.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (figures are their medians)")
    parser.add_argument("-n", type=int, default=40, help="operations per implementation and round")
    args = parser.parse_args()

    bench = _bench()
    unsigned, signer, resolved = bench.unsigned, bench.signer, bench.resolved
    loaders = {"vetcred": DocumentLoader(), "pyld": DocumentLoader(shape_templates=False)}

    def sign_with(loader: DocumentLoader) -> dict[str, Any]:
        return eddsa_rdfc_2022.sign(unsigned, signer, loader, datetime.now(UTC))

    signed = {name: sign_with(loader) for name, loader in loaders.items()}
    operations: dict[str, dict[str, Operation]] = {
        name: {
            "sign": lambda loader=loader: sign_with(loader),  # type: ignore[misc]
            "verify": lambda loader=loader, name=name: eddsa_rdfc_2022.verify(  # type: ignore[misc]
                signed[name], lambda _vm: resolved, loader
            ),
        }
        for name, loader in loaders.items()
    }
    python_schema = Draft201909Validator(
        json.loads((JSON_SCHEMAS_DIR / "achievementcredential.json").read_text(encoding="utf-8")),
        format_checker=FormatChecker(),
    )
    schema_checks: dict[str, Operation] = {
        "jsonschema-rs (vetcred)": lambda: check_achievement_credential(signed["vetcred"]),
        "jsonschema (Python)": lambda: list(python_schema.iter_errors(signed["vetcred"])),
    }
    node = _jsonld_js(bench)
    rates: dict[tuple[str, str], list[float]] = {}
    try:
        for op in ("sign", "verify"):  # warm every cache and JIT once
            node.run(op, 3)
            for name in loaders:
                _timed(operations[name][op], 3)
        for _ in range(args.rounds):
            for op in ("sign", "verify"):
                for name in loaders:
                    rates.setdefault((name, op), []).append(args.n / sum(_timed(operations[name][op], args.n)))
                rates.setdefault(("jsonld.js", op), []).append(args.n / sum(node.run(op, args.n)))
            for name, check in schema_checks.items():
                rates.setdefault((name, "schema"), []).append(args.n / sum(_timed(check, args.n)))
    finally:
        node.close()

    median = {key: statistics.median(values) for key, values in rates.items()}
    print(
        f"credential: {len(unsigned['credentialSubject']['result'])} results, "
        f"{len(unsigned['credentialSubject']['achievement']['alignment'])} alignments, evidence, status entry; "
        f"one process each (one core); {args.rounds} interleaved rounds of {args.n}, medians"
    )
    for op in ("sign", "verify"):
        js = median[("jsonld.js", op)]
        for name in ("vetcred", "pyld", "jsonld.js"):
            rate = median[(name, op)]
            print(
                f"{op:>6} {name:<9} {rate:8.1f}/s  {1000 / rate:6.2f} ms  "
                f"x{rate / js:5.2f} jsonld.js  x{rate / median[('pyld', op)]:5.2f} pyld"
            )
    sign_ms = 1000 / median[("vetcred", "sign")]
    for name in schema_checks:
        ms = 1000 / median[(name, "schema")]
        print(f"schema {name:<24} {ms:6.2f} ms  ({ms / sign_ms:4.2f}x vetcred's signature)")


if __name__ == "__main__":
    main()
