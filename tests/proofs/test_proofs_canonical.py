"""canonize: RDFC-1.0 in safe mode, pyld's errors turned into ours, and bounded work on poison graphs."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from app.errors import CanonicalizationLimit, JsonLdError, UnknownContext, UnsafeDocument
from app.proofs.canonical import canonize
from app.proofs.loader import default_loader

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


@pytest.fixture
def credential() -> dict[str, Any]:
    return json.loads((VECTORS / "ob3-proof-vector.json").read_text(encoding="utf-8"))["credential"]


def test_canonical_form_of_the_ob_vector(credential: dict[str, Any]) -> None:
    expected = (VECTORS / "ob3" / "document-canon.txt").read_text(encoding="utf-8")
    assert canonize(credential, default_loader()) == expected


def test_undefined_top_level_term_is_unsafe(credential: dict[str, Any]) -> None:
    credential["favouriteColour"] = "green"
    with pytest.raises(UnsafeDocument, match="favouriteColour"):
        canonize(credential, default_loader())


def test_undefined_nested_term_is_unsafe(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["grade"] = "A"
    with pytest.raises(UnsafeDocument, match="grade"):
        canonize(credential, default_loader())


def test_undefined_type_is_unsafe(credential: dict[str, Any]) -> None:
    credential["type"].append("MicroCredentialOfTheYear")
    with pytest.raises(UnsafeDocument, match="MicroCredentialOfTheYear"):
        canonize(credential, default_loader())


def test_relative_id_is_unsafe(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["id"] = "achievements/teamwork"
    with pytest.raises(UnsafeDocument, match="achievements/teamwork"):
        canonize(credential, default_loader())


def test_relative_id_from_a_coerced_value_is_unsafe() -> None:
    document = {
        "@context": {"seeAlso": {"@id": "https://example.org/seeAlso", "@type": "@id"}},
        "@id": "https://example.org/thing",
        "seeAlso": "../other",
    }
    with pytest.raises(UnsafeDocument, match="other"):
        canonize(document, default_loader())


def test_relative_datatype_is_unsafe() -> None:
    document = {
        "@context": {"when": "https://example.org/when"},
        "@id": "https://example.org/thing",
        "when": {"@value": "2024-01-01", "@type": "date"},
    }
    with pytest.raises(UnsafeDocument, match="date"):
        canonize(document, default_loader())


def test_relative_vocab_is_unsafe() -> None:
    document = {"@context": {"@vocab": "terms/"}, "@id": "https://example.org/thing", "colour": "green"}
    with pytest.raises(UnsafeDocument, match="terms/colour"):
        canonize(document, default_loader())


def test_blank_node_property_is_unsafe() -> None:
    document = {"@context": {"secret": "_:secret"}, "@id": "https://example.org/thing", "secret": "dropped"}
    with pytest.raises(UnsafeDocument, match="_:secret"):
        canonize(document, default_loader())


FORGED_QUAD = '<https://example.org/thing> <https://example.org/admin> "true"'


def test_language_tag_cannot_forge_quads() -> None:
    """pyld writes @language into N-Quads as is; this one would add a quad the JSON does not have."""
    document = {
        "@id": "https://example.org/thing",
        "https://example.org/name": {"@value": "Ann", "@language": f"en .\n{FORGED_QUAD}"},
    }
    with pytest.raises(UnsafeDocument, match="language tag"):
        canonize(document, default_loader())


def test_iri_with_whitespace_is_unsafe() -> None:
    """pyld would silently drop this node (and so leave it unsigned)."""
    document = {"@id": "https://example.org/thing two", "https://example.org/name": "Ann"}
    with pytest.raises(UnsafeDocument, match="thing two"):
        canonize(document, default_loader())


def test_unknown_context_surfaces_as_itself_without_network(
    credential: dict[str, Any], network_attempts: list[Any]
) -> None:
    url = "https://contexts.example/v1"
    credential["@context"].append(url)
    with pytest.raises(UnknownContext) as raised:
        canonize(credential, default_loader())
    assert type(raised.value) is UnknownContext
    assert url in raised.value.detail
    assert network_attempts == []


def test_invalid_json_ld_becomes_our_error(credential: dict[str, Any]) -> None:
    credential["@context"] = [credential["@context"][0], 42]
    with pytest.raises(JsonLdError) as raised:
        canonize(credential, default_loader())
    assert type(raised.value) is JsonLdError
    assert "not valid JSON-LD" in raised.value.detail


def test_input_is_not_modified(credential: dict[str, Any]) -> None:
    before = copy.deepcopy(credential)
    canonize(credential, default_loader())
    assert credential == before


def _ring(size: int) -> dict[str, Any]:
    """``size`` blank nodes, each linked to the next two by the same predicate: all look alike to RDFC-1.0."""
    return {
        "@context": {"knows": {"@id": "https://example.org/knows", "@type": "@id"}},
        "@graph": [{"@id": f"_:n{i}", "knows": [f"_:n{(i + 1) % size}", f"_:n{(i + 2) % size}"]} for i in range(size)],
    }


def _clique(size: int) -> dict[str, Any]:
    """``size`` blank nodes that all know each other, via ``@vocab``."""
    return {
        "@context": {"@vocab": "https://example.org/vocab#"},
        "@graph": [
            {"@id": f"_:n{i}", "knows": [{"@id": f"_:n{j}"} for j in range(size) if j != i]} for i in range(size)
        ],
    }


@pytest.mark.parametrize("document", [_ring(300), _clique(40)], ids=["ring-300", "clique-40"])
def test_poison_graph_fails_fast(document: dict[str, Any]) -> None:
    started = time.perf_counter()
    with pytest.raises(CanonicalizationLimit, match="too alike"):
        canonize(document, default_loader())
    assert time.perf_counter() - started < 2.5


def test_too_many_blank_nodes() -> None:
    document = {
        "@context": {"@vocab": "https://example.org/vocab#"},
        "@graph": [{"@id": f"_:n{i}", "rank": i} for i in range(2_500)],
    }
    with pytest.raises(CanonicalizationLimit, match="2500 blank nodes"):
        canonize(document, default_loader())


def test_a_few_alike_blank_nodes_still_canonicalize() -> None:
    """Indistinguishable blank nodes are fine in moderation (e.g. identical results without ids)."""
    document = {
        "@context": {"@vocab": "https://example.org/vocab#"},
        "@graph": [{"hasPart": [{"name": "x"} for _ in range(4)]} for _ in range(2)],
    }
    nquads = canonize(document, default_loader())
    assert nquads.count("\n") == 16 and "_:c14n9" in nquads
