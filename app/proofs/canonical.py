"""RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document, in safe mode and with bounded work."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError as PyLdError
from pyld.jsonld import JsonLdProcessor

from app.errors import CanonicalizationLimit, JsonLdError, UnsafeDocument, VetcredError

Loader = Callable[..., dict[str, Any]]

# A scheme, ":", and no character that N-Quads cannot carry inside <...> (IRIREF excludes U+0000-U+0020; pyld writes
# IRIs unescaped, and silently drops a triple whose IRI holds whitespace). Blank node identifiers ("_:b0") do not match.
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20\x7f<>\"{}|\\^`]*$")
# Canonical N-Quads (RDFC-1.0, canonical N-Triples form): in literals, BS and FF are written \b and \f, and the
# other control characters (U+0000-U+001F, U+007F) as \uXXXX. pyld escapes only \\, \", \t, \n and \r and writes
# these raw, so a hash or signature over such a literal would differ from every other implementation's (W3C
# rdf-canon test060c). Raw control characters can only be inside literals (IRIs with them are refused above).
_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ECHAR = {"\b": "\\b", "\f": "\\f"}
_BLANK_NODE = re.compile(r"^_:\S+$")
# BCP 47 shape, as pyld checks it when reading RDF; pyld writes @language into N-Quads unchecked.
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
# pyld resolves relative IRIs against a made-up base ("http://example.org/base/") when none is given, which
# would sign them as if absolute. We give a reserved base instead and refuse every IRI that starts with it.
_RELATIVE_BASE = "https://relative-iri.vetcred.invalid/"


# BoundedURDNA2015's default bounds (app/proofs/rdfc.py keeps the same ones).
MAX_BLANK_NODES = 2_000
MAX_N_DEGREE_CALLS = 20_000
MAX_PERMUTATION_WORK = 200_000


class BoundedURDNA2015(URDNA2015):
    """pyld's URDNA2015 (= RDFC-1.0) that raises ``CanonicalizationLimit`` on graphs too costly to label.

    RDFC-1.0 is exponential on some blank-node graphs (the spec's "poison graphs"). Credentials have a
    handful of blank nodes and rarely reach the N-degree step at all, so the defaults are generous.
    ``max_permutation_work`` bounds what the N-degree step may walk: each call counts, up front, the
    permutations of its groups of related blank nodes (n! for a group of n), each weighted by the size of
    the identifier issuer it copies - the cost that makes poison graphs slow, not the number of calls alone.
    """

    def __init__(
        self,
        *,
        max_blank_nodes: int = MAX_BLANK_NODES,
        max_n_degree_calls: int = MAX_N_DEGREE_CALLS,
        max_permutation_work: int = MAX_PERMUTATION_WORK,
    ) -> None:
        super().__init__()
        self.max_blank_nodes = max_blank_nodes
        self.max_n_degree_calls = max_n_degree_calls
        self.max_permutation_work = max_permutation_work
        self.n_degree_calls = 0
        self.permutation_work = 0

    def main(self, dataset: dict[str, list[dict[str, Any]]], options: dict[str, Any]) -> Any:
        blank_nodes: set[str] = set()
        for graph_name, triples in dataset.items():
            if graph_name.startswith("_:"):
                blank_nodes.add(graph_name)
            for triple in triples:
                blank_nodes.update(
                    triple[position]["value"]
                    for position in ("subject", "object")
                    if triple[position]["type"] == "blank node"
                )
        if len(blank_nodes) > self.max_blank_nodes:
            raise CanonicalizationLimit(
                f"the document has {len(blank_nodes)} blank nodes; at most {self.max_blank_nodes} are canonicalized"
            )
        normalized = super().main(dataset, options)
        if not isinstance(normalized, str):
            return normalized
        # Each quad ends with "\n" (a newline inside a literal is always escaped): escape, then sort again, since
        # the escaped form sorts differently from the raw one.
        return "".join(sorted(canonical_escapes(quad) + "\n" for quad in normalized.split("\n")[:-1]))

    def hash_nquads(self, nquads: list[str]) -> str:
        """The first-degree hash over canonically escaped quads (pyld's own serialization leaves some raw)."""
        return str(super().hash_nquads([canonical_escapes(quad) for quad in nquads]))

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> dict[str, Any]:
        self.n_degree_calls += 1
        if self.n_degree_calls > self.max_n_degree_calls:
            raise CanonicalizationLimit(
                f"canonicalization gave up after {self.max_n_degree_calls} N-degree hash steps "
                "(the document's blank nodes are too alike to label)"
            )
        return super().hash_n_degree_quads(id_, issuer)

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        hash_to_related = super().create_hash_to_related(id_, issuer)
        for related in hash_to_related.values():
            self.permutation_work += math.factorial(len(related)) * (len(issuer.existing) + 1)
            if self.permutation_work > self.max_permutation_work:
                raise CanonicalizationLimit(
                    f"canonicalization gave up after more than {self.max_permutation_work} permutation steps "
                    "(the document's blank nodes are too alike to label)"
                )
        return hash_to_related


class SafeProcessor(JsonLdProcessor):  # type: ignore[misc]
    """pyld's ``to_rdf`` expands its input again; given the document this processor already expanded (and checked
    in safe mode), it reuses it. Expansion is most of the cost of canonicalizing, so this saves about a third.

    ``observe``, when given, is told how pyld expanded each string: ``("literal", value, result)`` for a string that
    became a literal value object, ``("iri", value, active_context)`` for one expanded as a document-relative IRI
    (an ``@id``) and returned unchanged. ``app/proofs/shape_templates.py`` uses it to find the positions that can be
    filled from another document of the same shape.
    """

    def __init__(self, observe: Callable[[str, Any, Any], None] | None = None) -> None:
        super().__init__(on_property_dropped=_refuse_dropped_property)
        self.expanded: Any = None
        self._observe = observe

    def expand(self, input_: Any, options: Any) -> Any:
        if self.expanded is not None and input_ is self.expanded:
            return self.expanded
        return super().expand(input_, options)

    def _expand_value(self, active_ctx: Any, active_property: Any, value: Any, options: Any) -> Any:
        result = super()._expand_value(active_ctx, active_property, value, options)
        if self._observe is not None and isinstance(result, dict) and result.get("@value") is value:
            self._observe("literal", value, result)
        return result

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        result = super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        if self._observe is not None and result is value and not vocab and local_ctx is None:
            self._observe("iri", value, active_ctx)
        return result


def has_raw_control(text: str) -> bool:
    """Whether ``text`` holds a control character that ``canonical_escapes`` rewrites."""
    return _RAW_CONTROL.search(text) is not None


def canonical_escapes(quad: str) -> str:
    """``quad`` (one pyld-serialized N-Quad) with the control characters pyld leaves raw escaped as RDFC-1.0 says."""
    return _RAW_CONTROL.sub(lambda match: _ECHAR.get(match.group(), f"\\u{ord(match.group()):04X}"), quad)


def canonize(document: dict[str, Any], loader: Loader) -> str:
    """Return the RDFC-1.0 canonical N-Quads of ``document``, resolving contexts only through ``loader``.

    A loader that keeps shape templates (``DocumentLoader`` does) answers documents of a shape it has seen without
    JSON-LD expansion, byte for byte as ``canonize_reference`` would (``app/proofs/shape_templates.py``); any
    other document takes the reference path.
    """
    templates = getattr(loader, "shape_templates", None)
    if templates is not None:
        return str(templates.canonize(document, loader))
    return canonize_reference(document, loader)


def canonize_reference(document: dict[str, Any], loader: Loader) -> str:
    """RDFC-1.0 canonical N-Quads by pyld (safe-mode expansion, RDF, ``BoundedURDNA2015``): the reference path.

    Safe mode: a property dropped during expansion, or an ``@id``/``@type`` that is not an absolute IRI,
    raises ``UnsafeDocument`` - such data would sit in the JSON unsigned. pyld's errors become ours: a
    vetcred error raised inside pyld (e.g. ``UnknownContext`` from the loader) comes out as itself.
    """
    return label(rdf_dataset(document, loader))


def label(dataset: dict[str, list[dict[str, Any]]]) -> str:
    """``BoundedURDNA2015`` over ``dataset`` (which it rewrites in place): canonical N-Quads."""
    with _our_errors():
        return str(BoundedURDNA2015().main(dataset, {"format": "application/n-quads"}))


def rdf_dataset(
    document: dict[str, Any], loader: Loader, processor: SafeProcessor | None = None
) -> dict[str, list[dict[str, Any]]]:
    """pyld's RDF dataset of ``document`` (graph name -> triples), expanded in safe mode and checked."""
    processor = processor or SafeProcessor()
    # Never pyld's module-wide context cache (shared by every loader in the process): the loader's own, if it
    # keeps one (DocumentLoader does), else a fresh one per call.
    options = {
        "documentLoader": loader,
        "contextResolver": ContextResolver(getattr(loader, "context_cache", {}), loader),
        "base": _RELATIVE_BASE,
    }
    with _our_errors():
        expanded = processor.expand(document, options)
        _check_expanded(expanded)
        processor.expanded = expanded
        dataset: dict[str, list[dict[str, Any]]] = processor.to_rdf(
            expanded, {**options, "produceGeneralizedRdf": False}
        )
        return dataset


@contextmanager
def _our_errors() -> Iterator[None]:
    try:
        yield
    except VetcredError:
        raise
    except PyLdError as error:
        ours = _vetcred_cause(error)
        if ours is not None:
            raise type(ours)(ours.detail) from error
        raise JsonLdError(f"the document is not valid JSON-LD: {_innermost_message(error)}") from error
    except RecursionError as error:
        raise CanonicalizationLimit("the document is nested too deeply to canonicalize") from error


def _refuse_dropped_property(expanded_property: str | None) -> None:
    shown = _shown(expanded_property) if expanded_property else expanded_property
    raise UnsafeDocument(
        f"the property {shown!r} is not defined by the document's @context (it would be dropped, so not signed)"
    )


def _check_expanded(element: Any) -> None:
    """Refuse ``@id``s, ``@type``s, datatypes and properties that are not absolute IRIs; bad language tags."""
    if isinstance(element, list):
        for item in element:
            _check_expanded(item)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        datatype = element.get("@type")
        if datatype is not None and datatype != "@json" and not is_absolute(datatype):
            raise UnsafeDocument(f"the value type {_shown(datatype)!r} does not expand to an absolute IRI")
        language = element.get("@language")
        if language is not None and not _LANGUAGE_TAG.match(language):
            raise UnsafeDocument(f"the language tag {language!r} is not a BCP 47 tag")
        return
    node_id = element.get("@id")
    if node_id is not None and not (is_absolute(node_id) or _BLANK_NODE.match(node_id)):
        raise UnsafeDocument(f"the @id {_shown(node_id)!r} is not an absolute IRI")
    for type_ in element.get("@type", []):
        if not is_absolute(type_):
            raise UnsafeDocument(f"the type {_shown(type_)!r} is not defined by the document's @context")
    for key, value in element.items():
        if key.startswith("_:"):
            raise UnsafeDocument(f"the property {key!r} is a blank node, which RDF drops")
        if key.startswith(_RELATIVE_BASE):
            raise UnsafeDocument(f"the property {_shown(key)!r} does not expand to an absolute IRI")
        if key == "@reverse":
            _check_expanded(list(value.values()))
        elif key not in ("@id", "@type"):
            _check_expanded(value)


def is_absolute(iri: str) -> bool:
    """Whether ``iri`` is an absolute IRI that N-Quads can carry (never one resolved against our stand-in base)."""
    return _ABSOLUTE_IRI.match(iri) is not None and not iri.startswith(_RELATIVE_BASE)


def _shown(iri: str) -> str:
    """The IRI as the document wrote it (roughly), without our stand-in base."""
    return iri.removeprefix(_RELATIVE_BASE)


def _vetcred_cause(error: BaseException) -> VetcredError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, VetcredError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _innermost_message(error: PyLdError) -> str:
    innermost = error
    current: BaseException | None = error.__cause__
    while isinstance(current, PyLdError):
        innermost = current
        current = current.__cause__
    return str(innermost.args[0]) if innermost.args else innermost.type
