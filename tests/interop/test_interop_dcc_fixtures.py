"""Credentials signed by an independent issuer (DCC vc-test-fixtures) verify, until any field changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.errors import ProofError
from app.proofs import eddsa_rdfc_2022
from app.proofs.dids import CompositeResolver
from app.proofs.embedded import verify_proofs
from app.proofs.loader import default_loader

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "vectors" / "dcc").glob("*.json"))
RESOLVER = CompositeResolver(lambda _: None)  # they are all did:key


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _subject(credential: dict[str, Any]) -> dict[str, Any]:
    subject = credential["credentialSubject"]
    return subject[0] if isinstance(subject, list) else subject


def _flip_last_char(value: str) -> str:
    return value[:-1] + ("2" if value[-1] != "2" else "3")


# name -> (does this credential have the field?, change it in place)
TAMPERS: dict[str, tuple[Callable[[dict[str, Any]], bool], Callable[[dict[str, Any]], None]]] = {
    "credentialSubject.name": (
        lambda c: "name" in _subject(c),
        lambda c: _subject(c).update(name=_subject(c)["name"] + " Jr."),
    ),
    "achievement.name": (
        lambda c: isinstance(_subject(c).get("achievement"), dict) and "name" in _subject(c)["achievement"],
        lambda c: _subject(c)["achievement"].update(name="Something Else"),
    ),
    "issuer.name": (
        lambda c: isinstance(c["issuer"], dict) and "name" in c["issuer"],
        lambda c: c["issuer"].update(name="Impostor College"),
    ),
    "validFrom": (lambda c: "validFrom" in c, lambda c: c.update(validFrom="2001-01-01T00:00:00Z")),
    "proofValue": (
        lambda c: True,
        lambda c: c["proof"].update(proofValue=_flip_last_char(c["proof"]["proofValue"])),
    ),
}


def test_all_sixteen_fixtures_are_here() -> None:
    assert len(FIXTURES) == 16


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_verifies(path: Path) -> None:
    credential = _load(path)
    assert isinstance(credential["proof"], dict)  # DCC emits a single proof object
    verified = eddsa_rdfc_2022.verify(credential, RESOLVER, default_loader())
    issuer = credential["issuer"]
    assert verified.controller == (issuer["id"] if isinstance(issuer, dict) else issuer)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_passes_verify_proofs(path: Path) -> None:
    [result] = verify_proofs(_load(path), RESOLVER, default_loader())
    assert (result.outcome, result.label) == ("passed", "DataIntegrityProof/eddsa-rdfc-2022"), result.reason


@pytest.mark.parametrize(
    ("path", "tamper"),
    [
        pytest.param(path, name, id=f"{path.stem}-{name}")
        for path in FIXTURES
        for name, (applies, _) in TAMPERS.items()
        if applies(_load(path))
    ],
)
def test_tampered_fixture_fails(path: Path, tamper: str) -> None:
    credential = _load(path)
    TAMPERS[tamper][1](credential)
    with pytest.raises(ProofError):
        eddsa_rdfc_2022.verify(credential, RESOLVER, default_loader())
