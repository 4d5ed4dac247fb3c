"""The fixed vectors in tests/vectors/independent: which input, suite, key and time make each file, and making them.

Digital Bazaar's libraries sign (tests/interop/js/sign.js); Ed25519 is deterministic, so the files are fixed
vectors that any change on either side shows. Regenerate with `python -m tests.interop.independent_vectors`
(needs `npm ci --prefix tests/interop/js`); tests/interop/test_interop_js.py checks they come out byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from tests.interop import node

DIRECTORY = Path(__file__).resolve().parents[1] / "vectors" / "independent"
# RFC 8032, section 7.1, TEST 1: a published Ed25519 key, so anyone can rebuild these files.
SEED_HEX = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
CREATED = "2026-07-01T08:30:00Z"


class Vector(NamedTuple):
    suite: str  # a suite name sign.js knows
    input: str  # a file in tests/vectors/independent/inputs
    expected_suite: str  # VerifiedProof.cryptosuite when vetcred verifies it
    legacy: bool  # whether vetcred reports it as a legacy suite


VECTORS: dict[str, Vector] = {
    "eddsa-rdfc-2022-ob3-vc2.json": Vector("eddsa-rdfc-2022", "ob3-vc2.json", "eddsa-rdfc-2022", False),
    "eddsa-2022-ob3-vc2.json": Vector("eddsa-2022", "ob3-vc2.json", "eddsa-2022", True),
    "eddsa-2022-ob3-vc1-data-integrity-v1.json": Vector(
        "eddsa-2022-legacy-context", "ob3-vc1-data-integrity-v1.json", "eddsa-2022", True
    ),
    "ed25519-signature-2020-ob3-vc2.json": Vector(
        "Ed25519Signature2020", "ob3-vc2-ed25519-2020.json", "Ed25519Signature2020", True
    ),
    "ed25519-signature-2020-ob3-vc1.json": Vector(
        "Ed25519Signature2020", "ob3-vc1-ed25519-2020.json", "Ed25519Signature2020", True
    ),
}


def load(name: str) -> dict[str, Any]:
    """A committed vector, parsed."""
    document: dict[str, Any] = json.loads((DIRECTORY / name).read_text(encoding="utf-8"))
    return document


def generate() -> dict[str, str]:
    """Every vector as Digital Bazaar's libraries sign it now: file name -> exact file text."""
    jobs = [
        {
            "suite": vector.suite,
            "seed": SEED_HEX,
            "created": CREATED,
            "credential": json.loads((DIRECTORY / "inputs" / vector.input).read_text(encoding="utf-8")),
        }
        for vector in VECTORS.values()
    ]
    texts = node.run("sign.js", {"jobs": jobs})
    return dict(zip(VECTORS, texts, strict=True))


def main() -> None:
    reason = node.missing()
    if reason is not None:
        raise SystemExit(reason)
    for name, text in generate().items():
        (DIRECTORY / name).write_text(text, encoding="utf-8")
        print(f"wrote {DIRECTORY / name}")


if __name__ == "__main__":
    main()
