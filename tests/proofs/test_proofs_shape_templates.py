"""The shape-template path (app/proofs/shape_templates.py, app/proofs/rdfc.py) gives pyld's canonical N-Quads byte for
byte: on the W3C RDFC-1.0 suite, every JSON-LD vector vetcred keeps, and a differential corpus of generated
credentials (random values, languages, unicode, control characters, IRIs, optional fields present or absent)."""

from __future__ import annotations

import copy
import json
import string
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import CanonicalizationLimit, VetcredError
from app.proofs import eddsa_rdfc_2022, rdfc
from app.proofs.canonical import canonize, canonize_reference, label
from app.proofs.data_integrity import without_proof
from app.proofs.loader import DocumentLoader
from app.proofs.shape_templates import ShapeTemplates, build_template
from app.proofs.signer import Ed25519Signer
from tests.proofs.conftest import EXAMPLES_V2_URL, VECTORS
from tests.proofs.test_proofs_rdfc10_suite import ENTRIES, SUITE, _dataset, _literals_as_written  # noqa: F401 (autouse)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

EXAMPLES = json.loads((VECTORS / "credentials-examples-v2.jsonld").read_text(encoding="utf-8"))


def _loaders() -> tuple[DocumentLoader, DocumentLoader]:
    """(templates, reference): the same contexts, with and without shape templates."""
    extra = {EXAMPLES_V2_URL: EXAMPLES}
    return DocumentLoader(extra), DocumentLoader(extra, shape_templates=False)


def _outcome(function: Any, *args: Any) -> str:
    try:
        return str(function(*args))
    except VetcredError as error:
        return f"{type(error).__name__}: {error.detail}"


def _templates(loader: DocumentLoader) -> ShapeTemplates:
    assert loader.shape_templates is not None
    return loader.shape_templates.here


# --- the labeller on the W3C RDFC-1.0 suite ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [pytest.param(e, id=e["id"].lstrip("#")) for e in ENTRIES if e["type"] == "rdfc:RDFC10EvalTest"],
)
def test_the_labeller_gives_each_w3c_result(entry: dict[str, Any]) -> None:
    if entry.get("hashAlgorithm", "SHA256") != "SHA256":
        pytest.skip("eddsa-rdfc-2022 canonicalizes with SHA-256 only")
    template = build_template(_dataset(SUITE / entry["action"]), {}, [])
    assert template is not None
    canonical = template.canonize([])
    if canonical is None:  # past BoundedURDNA2015's bounds: the reference path then refuses the same graph
        assert entry["computationalComplexity"] == "high", entry
        return
    assert canonical == (SUITE / entry["result"]).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "entry", [pytest.param(e, id=e["id"].lstrip("#")) for e in ENTRIES if e.get("computationalComplexity") == "high"]
)
def test_the_labeller_gives_up_exactly_where_the_bounded_reference_does(entry: dict[str, Any]) -> None:
    template = build_template(_dataset(SUITE / entry["action"]), {}, [])
    assert template is not None
    try:
        label(_dataset(SUITE / entry["action"]))
    except CanonicalizationLimit:
        assert template.canonize([]) is None
    else:
        assert template.canonize([]) is not None


# --- every JSON-LD vector -----------------------------------------------------------------------------------------


def _vector_documents() -> list[Any]:
    paths = [
        *sorted((VECTORS / "ob3" / "examples").glob("*.json")),
        *sorted((VECTORS / "dcc").glob("*.json")),
        *sorted((VECTORS / "edc").glob("*.jsonld")),
        *sorted((VECTORS / "independent" / "inputs").glob("*.json")),
        *sorted((VECTORS / "independent").glob("*.json")),
        VECTORS / "w3c-vc-di-eddsa" / "unsigned.json",
        VECTORS / "w3c-vc-di-eddsa" / "eddsa-rdfc-2022" / "signedDataInt.json",
    ]
    documents = [pytest.param(json.loads(p.read_text(encoding="utf-8")), id=p.name) for p in paths]
    vector = json.loads((VECTORS / "ob3-proof-vector.json").read_text(encoding="utf-8"))
    documents.append(pytest.param(vector["credential"], id="ob3-proof-vector"))
    return documents


@pytest.mark.parametrize("document", _vector_documents())
def test_vectors_canonicalize_as_pyld_from_their_template(document: dict[str, Any]) -> None:
    fast, reference = _loaders()
    unsecured = without_proof(document)
    expected = _outcome(canonize_reference, unsecured, reference)
    assert _outcome(canonize, unsecured, fast) == expected  # builds the template
    assert _outcome(canonize, unsecured, fast) == expected  # uses it
    for proof in document.get("proof", []) if isinstance(document.get("proof"), list) else [document.get("proof")]:
        if isinstance(proof, dict):
            config = {**{k: v for k, v in proof.items() if k != "proofValue"}, "@context": document["@context"]}
            assert _outcome(canonize, config, fast) == _outcome(canonize_reference, config, reference)


def test_the_ob3_vector_is_answered_from_its_template() -> None:
    """Not a silent fallback: the second document of the shape never reaches pyld's expansion."""
    fast, _ = _loaders()
    credential = json.loads((VECTORS / "ob3-proof-vector.json").read_text(encoding="utf-8"))["credential"]
    expected = (VECTORS / "ob3" / "document-canon.txt").read_text(encoding="utf-8")
    assert canonize(credential, fast) == expected
    other = copy.deepcopy(credential)
    other["credentialSubject"]["achievement"]["name"] = 'Ausbildung «Schweißen»\n\t"\\'
    other["id"] = "urn:uuid:11111111-2222-4333-8444-555555555555"
    before = _templates(fast).filled
    assert canonize(other, fast) == canonize_reference(other, DocumentLoader(shape_templates=False))
    assert _templates(fast).filled == before + 1


# --- where filling would change the RDF, the reference path answers -------------------------------------------------


def _base() -> dict[str, Any]:
    return copy.deepcopy(json.loads((VECTORS / "ob3-proof-vector.json").read_text(encoding="utf-8"))["credential"])


def test_two_ids_made_equal_merge_nodes_as_pyld_does() -> None:
    fast, reference = _loaders()
    first = _base()
    canonize(first, fast)
    merged = _base()
    merged["credentialSubject"]["achievement"]["id"] = merged["id"]
    assert canonize(merged, fast) == canonize_reference(merged, reference)


def test_merged_nodes_and_dropped_duplicates_stay_in_their_template_only() -> None:
    """Built from a document whose ids or values coincide, a template holds them as fixed values: it never carries
    the merge to a document where they differ."""
    fast, reference = _loaders()
    merged = _base()
    merged["credentialSubject"]["achievement"]["id"] = merged["id"]
    merged["credentialSubject"]["achievement"]["tag"] = ["welding", "welding"]
    canonize(merged, fast)
    apart = _base()
    apart["credentialSubject"]["achievement"]["tag"] = ["welding", "safety"]
    assert canonize(apart, fast) == canonize_reference(apart, reference)
    apart["credentialSubject"]["achievement"]["id"] = merged["id"]  # the ids coincide, the tags do not
    assert canonize(apart, fast) == canonize_reference(apart, reference)
    assert _templates(fast).filled == 0


def test_an_issuer_that_is_also_the_achievements_creator_is_filled_from_a_template() -> None:
    """A college that is its micro-credential's awarding body: the same id, name and url as issuer and as creator.
    pyld merges the two and drops the repeated name and url; later credentials of the college coincide the same way
    and are answered from the template (not pyld's 20 times slower path), and one that differs is not."""
    fast, reference = _loaders()

    def credential(learner: str, creator_name: str = "Example College") -> dict[str, Any]:
        document = _base()
        college = {"id": "did:web:college.example", "type": ["Profile"], "name": "Example College"}
        college["url"] = "https://college.example"
        document["issuer"] = college
        document["credentialSubject"]["achievement"]["creator"] = {**college, "name": creator_name}
        document["credentialSubject"]["name"] = learner
        return document

    assert canonize(credential("Ana"), fast) == canonize_reference(credential("Ana"), reference)
    second = credential("Bram")
    filled = canonize(second, fast)
    assert filled == canonize_reference(second, reference)
    assert _templates(fast).filled == 1
    assert filled.count('"Example College"') == 1
    renamed = credential("Ana", creator_name="Example College of Technology")
    assert canonize(renamed, fast) == canonize_reference(renamed, reference)
    assert _templates(fast).filled == 1


def test_equal_values_of_one_property_are_one_triple_as_in_pyld() -> None:
    fast, reference = _loaders()
    document = _base()
    document["credentialSubject"]["achievement"]["tag"] = ["welding", "safety"]
    canonize(document, fast)
    document["credentialSubject"]["achievement"]["tag"] = ["welding", "welding"]
    assert canonize(document, fast) == canonize_reference(document, reference)
    assert canonize(document, fast).count("welding") == 1


def test_an_id_that_is_a_compact_iri_expands_as_in_pyld() -> None:
    fast, reference = _loaders()
    document = json.loads((VECTORS / "ob3" / "examples" / "basicOpenBadgeCredential.json").read_text(encoding="utf-8"))
    document = without_proof(document)
    canonize(document, fast)
    document["credentialSubject"]["achievement"]["id"] = "xsd:notAnIri"
    assert _outcome(canonize, document, fast) == _outcome(canonize_reference, document, reference)


@pytest.mark.parametrize("value", ["relative/path", "_:b0", "https://exa mple.org/", "@type", "urn:a<b>"])
def test_an_id_that_is_not_an_absolute_iri_is_judged_by_the_reference(value: str) -> None:
    fast, reference = _loaders()
    document = _base()
    canonize(document, fast)
    document["credentialSubject"]["id"] = value
    assert _outcome(canonize, document, fast) == _outcome(canonize_reference, document, reference)


# --- the differential corpus ---------------------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(["\b", "\f", "\x01", "\x7f", "\t", "\n", "\r", '"', "\\", "<", ">", "_", ":", "@", "é", "𝄞"]),
    ),
    max_size=24,
)
_IRI = st.builds(
    lambda scheme, tail: f"{scheme}{tail}",
    st.sampled_from(
        ["urn:uuid:", "did:example:", "https://college.example/", "xsd:", "https://x.example/#", "mailto:"]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + "-._~%/", min_size=1, max_size=12),
)
_LANGUAGE = st.sampled_from(["en", "de", "fr-CA", "el", "sr-Latn"])
_MAYBE = st.booleans()


@st.composite
def _credentials(draw: st.DrawFn) -> dict[str, Any]:
    document = _base()
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    document["id"] = draw(_IRI)
    document["name"] = draw(_TEXT)
    if draw(_MAYBE):
        document["description"] = draw(_TEXT)
    if draw(_MAYBE):
        subject["id"] = draw(_IRI)
    else:
        subject.pop("id", None)
    achievement["id"] = draw(_IRI)
    achievement["name"] = (
        {"@value": draw(_TEXT), "@language": draw(_LANGUAGE)} if draw(st.integers(0, 3)) == 0 else draw(_TEXT)
    )
    achievement["description"] = draw(_TEXT)
    achievement["criteria"] = {"narrative": draw(_TEXT)}
    if draw(_MAYBE):
        achievement["criteria"]["id"] = draw(_IRI)
    if draw(_MAYBE):
        achievement["tag"] = draw(st.lists(st.sampled_from(["a", "b", "c", "é"]), min_size=1, max_size=3))
    if draw(_MAYBE):
        achievement["inLanguage"] = draw(_LANGUAGE)
    alignments = draw(st.integers(0, 3))
    if alignments:
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": draw(_TEXT),
                "targetUrl": draw(_IRI),
                **({"targetDescription": draw(_TEXT)} if draw(_MAYBE) else {}),
            }
            for _ in range(alignments)
        ]
    results = draw(st.integers(0, 3))
    if results:
        subject["result"] = [
            {"type": ["Result"], "value": draw(st.sampled_from(["A", "B", draw(_TEXT)]))} for _ in range(results)
        ]
    if draw(_MAYBE):
        document["issuer"]["id"] = draw(_IRI)
    document["validFrom"] = draw(st.sampled_from(["2024-01-01T00:00:00Z", "2025-06-30T12:00:00+02:00", "not a date"]))
    return document


_FAST, _REFERENCE = _loaders()
_KEY = Ed25519PrivateKey.from_private_bytes(bytes(32))
_SIGNER = Ed25519Signer(_KEY, "did:example:issuer#key-1")
_CREATED = datetime(2026, 1, 1, tzinfo=UTC)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_credentials())
def test_generated_credentials_canonicalize_and_sign_as_pyld(document: dict[str, Any]) -> None:
    expected = _outcome(canonize_reference, document, _REFERENCE)
    assert _outcome(canonize, document, _FAST) == expected
    if not expected.startswith(("UnsafeDocument", "JsonLdError")):
        fast = eddsa_rdfc_2022.sign(document, _SIGNER, _FAST, _CREATED)
        reference = eddsa_rdfc_2022.sign(document, _SIGNER, _REFERENCE, _CREATED)
        assert fast["proof"][0]["proofValue"] == reference["proof"][0]["proofValue"]


@st.composite
def _values_only(draw: st.DrawFn) -> dict[str, Any]:
    """One shape and distinct ids (so most examples are filled into the template), values drawn as above."""
    ids = draw(st.lists(_IRI, min_size=4, max_size=4, unique=True))
    document = _base()
    document["id"] = ids[0]
    document["name"] = draw(_TEXT)
    document["credentialSubject"]["id"] = ids[1]
    achievement = document["credentialSubject"]["achievement"]
    achievement |= {"id": ids[2], "name": draw(_TEXT), "description": draw(_TEXT)}
    achievement["criteria"] = {"id": ids[3], "narrative": draw(_TEXT)}
    achievement["tag"] = draw(st.lists(_TEXT, min_size=2, max_size=2, unique=True))
    document["credentialSubject"]["result"] = [{"type": ["Result"], "value": draw(_TEXT)} for _ in range(2)]
    return document


_ONE_SHAPE = _loaders()[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_values_only())
def test_generated_values_filled_into_one_template_canonicalize_as_pyld(document: dict[str, Any]) -> None:
    assert _outcome(canonize, document, _ONE_SHAPE) == _outcome(canonize_reference, document, _REFERENCE)


def test_documents_of_one_shape_run_from_its_template() -> None:
    """The differential corpus is no test of the fast path if every document fell back to pyld."""
    fast, reference = _loaders()
    for seed in range(20):
        document = _varied(seed)
        assert canonize(document, fast) == canonize_reference(document, reference)
    assert _templates(fast).filled == 19


def _varied(seed: int) -> dict[str, Any]:
    """A credential of one shape with values that change per seed (names, ids, results)."""
    document = _base()
    document["id"] = f"urn:uuid:00000000-0000-4000-8000-{seed:012d}"
    document["credentialSubject"]["id"] = f"did:example:learner-{seed}"
    document["credentialSubject"]["achievement"]["name"] = f"Schweißen {seed} \u0001 «{chr(0x400 + seed)}»"
    document["credentialSubject"]["achievement"]["description"] = "line\nbreak " * (seed % 3)
    return document


def test_rdfc_structure_counts_a_node_twice_in_one_quad_as_pyld() -> None:
    structure = rdfc.BlankNodeStructure.of([("_:x", "<p>", "_:x", "")])
    assert structure.mentions == ((0, 0),)
