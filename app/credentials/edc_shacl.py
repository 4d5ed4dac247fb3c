"""Offline SHACL validation of a Europass Digital Credential against the official shapes of the profiles it declares."""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Mapping
from functools import cache
from typing import Any

import pyshacl
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError as PyLdError
from pyld.jsonld import JsonLdProcessor
from rdflib import Graph, Namespace
from rdflib.term import Node

from app.config import SCHEMAS_DIR
from app.credentials.edc_profiles import GENERIC_FULL, SCHEMA_OF_PROFILE, SHAPE_FILES
from app.errors import UnknownContext, VetcredError
from app.proofs.loader import DocumentLoader

EDC_DIR = SCHEMAS_DIR / "edc"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
EDC_AP_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"

SH = Namespace("http://www.w3.org/ns/shacl#")
_PREFIXES = {
    "elm": "http://data.europa.eu/snb/model/elm/",
    "cred": "https://www.w3.org/2018/credentials#",
    "dc": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rov": "http://www.w3.org/ns/regorg#",
}
# pySHACL adds two axioms to the shapes graph on first use, and warnings filters are process-wide: one validation
# at a time (pySHACL is pure Python, so threads would not run validations in parallel anyway).
_validation_lock = threading.Lock()


class EdcDocumentLoader:
    """A pyld loader that serves only the two contexts an EDC uses (VC 1.1 and edc-ap), from the shipped files.

    Any other URL raises ``UnknownContext``: an EDC built on the VC 2.0 context fails expansion anyway
    (edc-ap redefines the protected term ``description``), and nothing is ever fetched.
    """

    def __init__(self) -> None:
        with open(EDC_DIR / "edc-ap-context.jsonld", encoding="utf-8") as file:
            self._inner = DocumentLoader(extra={EDC_AP_CONTEXT: json.load(file)})

    @property
    def context_cache(self) -> Any:
        return self._inner.context_cache

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if url not in (VC_V1_CONTEXT, EDC_AP_CONTEXT):
            raise UnknownContext(f"an EDC may only use the VC 1.1 and edc-ap contexts, not {url!r}")
        return self._inner(url, options)


@cache
def edc_loader() -> EdcDocumentLoader:
    return EdcDocumentLoader()


@cache
def shapes_graph(schemas: frozenset[str] = frozenset({GENERIC_FULL})) -> Graph:
    """The shapes of ``schemas`` (credentialSchema ids) and what they import, parsed once per set (about 0.2 s)."""
    files = dict.fromkeys(name for schema in sorted(schemas) for name in SHAPE_FILES[schema])
    graph = Graph()
    for name in files:
        graph.parse(EDC_DIR / "shapes" / name, format="turtle")
    return graph


def validate_edc(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` fails the shapes of the profiles it declares, each as ``focus path: message``; empty
    = conforms. edc-generic-full always applies; ``credentialSchema`` and ``credentialProfiles`` add their profiles'
    shapes (issued by mandate, accredited, converted, diploma supplement), as EDCI validates them.

    Besides the SHACL results, a key the @context does not define is reported: JSON-LD drops it silently, so a
    misspelt property (the ELM sample's ``eIDASIdentifier`` with a Greek capital Iota) would vanish unseen.
    """
    schemas, messages = _declared_schemas(document)
    dropped: list[str] = []
    loader = edc_loader()
    processor = JsonLdProcessor(on_property_dropped=lambda term: dropped.append(term))
    options = {
        "documentLoader": loader,
        "contextResolver": ContextResolver(loader.context_cache, loader),
        "format": "application/n-quads",
    }
    try:
        nquads = processor.to_rdf(dict(document), options)
    except PyLdError as error:
        return [f"(document): not processable as EDC JSON-LD: {_pyld_reason(error)}"]
    shapes = shapes_graph(schemas)
    with _validation_lock, warnings.catch_warnings():
        # rdflib 7.6's own N-Quads parser calls its deprecated Dataset.default_context once per triple.
        warnings.simplefilter("ignore", DeprecationWarning)
        data = Graph().parse(data=nquads, format="nquads")
        conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none")
    messages += [f"(document) {term}: not defined by the @context (dropped)" for term in sorted(set(dropped))]
    if not conforms:
        messages += _violations(results)
    return messages


def _declared_schemas(document: Mapping[str, Any]) -> tuple[frozenset[str], list[str]]:
    """The shapes to apply (edc-generic-full and each declared schema vetcred ships), and what is wrong with the
    declaration: a schema without shipped shapes, or a declared profile whose schema ``credentialSchema`` omits."""
    schemas = {str(item.get("id")) for item in _items(document.get("credentialSchema")) if isinstance(item, dict)}
    profiles = {str(item.get("id")) for item in _items(document.get("credentialProfiles")) if isinstance(item, dict)}
    implied = {SCHEMA_OF_PROFILE[profile] for profile in profiles if profile in SCHEMA_OF_PROFILE}
    messages = [
        f"(document) credentialSchema: no shapes known for {schema}" for schema in sorted(schemas - SHAPE_FILES.keys())
    ]
    messages += [
        f"(document) credentialSchema: omits {schema}, the schema of a profile in credentialProfiles"
        for schema in sorted(implied - schemas)
    ]
    return frozenset({GENERIC_FULL, *(schemas & SHAPE_FILES.keys()), *implied}), messages


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _violations(results: Graph) -> list[str]:
    for prefix, namespace in _PREFIXES.items():
        results.bind(prefix, namespace)
    lines: set[str] = set()
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        lines.add(f"{_shown(results, focus)} {_shown(results, path)}: {message}")
    return sorted(lines)


def _shown(graph: Graph, node: Node | None) -> str:
    if node is None:
        return "(none)"
    shown: str = node.n3(graph.namespace_manager)
    return shown.removeprefix("<").removesuffix(">")


def _pyld_reason(error: BaseException) -> str:
    """The innermost cause: a vetcred error from the loader, or pyld's own message."""
    current: BaseException | None = error
    reason = str(error)
    while current is not None:
        if isinstance(current, VetcredError):
            return current.detail
        if isinstance(current, PyLdError) and current.args:
            reason = str(current.args[0])
        current = current.__cause__
    return reason
