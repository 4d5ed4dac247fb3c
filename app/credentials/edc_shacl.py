"""Offline SHACL validation of a Europass Digital Credential against the official EDC application profile shapes."""

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
from app.errors import UnknownContext, VetcredError
from app.proofs.loader import DocumentLoader

EDC_DIR = SCHEMAS_DIR / "edc"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
EDC_AP_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
# edc-generic-full owl:imports edc-generic-no-cv by IRI: the two files are loaded together (no network).
SHAPE_FILES = ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl")

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
def shapes_graph() -> Graph:
    """The edc-generic-no-cv + edc-generic-full shapes, parsed once per process (about 0.2 s)."""
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(EDC_DIR / "shapes" / name, format="turtle")
    return graph


def validate_edc(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` fails the EDC generic-full profile, each as ``focus path: message``; empty = conforms.

    Besides the SHACL results, a key the @context does not define is reported: JSON-LD drops it silently, so a
    misspelt property (the ELM sample's ``eIDASIdentifier`` with a Greek capital Iota) would vanish unseen.
    """
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
    with _validation_lock, warnings.catch_warnings():
        # rdflib 7.6's own N-Quads parser calls its deprecated Dataset.default_context once per triple.
        warnings.simplefilter("ignore", DeprecationWarning)
        data = Graph().parse(data=nquads, format="nquads")
        conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), advanced=True, inference="none")
    messages = [f"(document) {term}: not defined by the @context (dropped)" for term in sorted(set(dropped))]
    if not conforms:
        messages += _violations(results)
    return messages


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
