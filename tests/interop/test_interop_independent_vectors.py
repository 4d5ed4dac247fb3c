"""Credentials that Digital Bazaar's libraries signed (tests/vectors/independent) verify with vetcred, until one
byte of a signed field changes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from app.proofs.dids import CompositeResolver
from app.proofs.embedded import verify_proofs
from app.proofs.loader import default_loader
from app.proofs.results import ProofOutcome, ProofResult
from tests.interop.independent_vectors import DIRECTORY, VECTORS, load
from tests.interop.node import JS_DIR

RESOLVER = CompositeResolver(lambda _vm: None)  # did:key, offline


def _verify(document: dict[str, Any]) -> ProofResult:
    [result] = verify_proofs(document, RESOLVER, default_loader())
    return result


def _flip_last(value: str) -> str:
    """One byte changed: the last character replaced by another one."""
    return value[:-1] + ("X" if value[-1] != "X" else "Y")


def _subject(document: dict[str, Any]) -> dict[str, Any]:
    subject: dict[str, Any] = document["credentialSubject"]
    return subject


TAMPERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "achievement.name": lambda d: _subject(d)["achievement"].update(
        name=_flip_last(_subject(d)["achievement"]["name"])
    ),
    "issuer.name": lambda d: d["issuer"].update(name=_flip_last(d["issuer"]["name"])),
    "identityHash": lambda d: _subject(d)["identifier"][0].update(
        identityHash=_flip_last(_subject(d)["identifier"][0]["identityHash"])
    ),
    "proof.created": lambda d: d["proof"].update(created=d["proof"]["created"].replace("08:30", "08:31")),
    "proofValue": lambda d: d["proof"].update(proofValue=_flip_last(d["proof"]["proofValue"])),
}


@pytest.mark.parametrize("name", VECTORS)
def test_vector_verifies(name: str) -> None:
    vector = VECTORS[name]
    result = _verify(load(name))
    assert result.outcome is ProofOutcome.PASSED, result.reason
    assert result.verified is not None
    assert result.verified.cryptosuite == vector.expected_suite
    assert result.verified.controller == load(name)["issuer"]["id"]
    assert (result.verified.legacy is not None) is vector.legacy
    if vector.legacy:
        assert result.verified.legacy in result.reason


@pytest.mark.parametrize(("name", "tamper"), [(n, t) for n in VECTORS for t in TAMPERS])
def test_one_changed_byte_fails(name: str, tamper: str) -> None:
    document = load(name)
    TAMPERS[tamper](document)
    result = _verify(document)
    assert result.outcome is ProofOutcome.FAILED
    assert "signature does not match" in result.reason or "not valid base58btc" in result.reason


def test_the_time_of_signing_is_a_signed_field_too() -> None:
    document = load("eddsa-2022-ob3-vc2.json")
    document["validFrom"] = document["validFrom"].replace("2026", "2025")
    assert _verify(document).outcome is ProofOutcome.FAILED


def test_the_readme_names_every_vector_and_the_locked_versions() -> None:
    readme = (DIRECTORY / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^\| ([\w.-]+\.json) \|", readme, re.MULTILINE)) == set(VECTORS)
    locked = json.loads((JS_DIR / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for path, package in locked.items():
        name = path.rpartition("node_modules/")[2]
        if name.startswith("@digitalbazaar/") and f"{name}@" in readme:
            assert f"{name}@{package['version']}" in readme, name
