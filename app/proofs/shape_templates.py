"""Canonical N-Quads of a document from a template of its JSON shape, byte for byte as pyld's reference path.

Credentials of one kind differ in their values, not in their shape, and JSON-LD expansion (most of pyld's cost)
treats most values as opaque: a string under a plain or datatyped term becomes a literal whose text is the string,
and an ``@id`` that already is an absolute IRI stays what it is. So the first document of each shape runs the full
reference path (``canonical.rdf_dataset``: safe mode, pyld, then ``BoundedURDNA2015``) with every JSON string
tagged by its position; the RDF dataset that comes out says which positions became such opaque values (*slots*).
That dataset, with the slots left open, is the shape's template. It is kept only if refilling it with the same
document's values gives exactly the reference output.

A later document uses the template when it has the same *skeleton* (keys, their order, nesting, array lengths,
JSON types, every number, boolean and null) and the same value at every position that is not a slot (``@type``
values, ``@context``, language tags, explicit value objects, numbers ...). Filling is then refused - and the
document goes the reference path - unless each value means for pyld what it meant in the template:

* a literal slot holds any string; its datatype or language came from the context, never from the value, and
  ``xsd:double`` and ``@json`` (whose text pyld rewrites) are never slots;
* an IRI slot holds an absolute IRI (``canonical.is_absolute``) that pyld would again return unchanged: its prefix
  is no prefix term of the contexts in play, unless it starts with ``//``;
* pyld merges nodes with equal ``@id``s and drops duplicate values of one property, so the IRI slots' values must
  differ from each other and from every other IRI and string of the template, and the literals of one subject and
  property must stay distinct. Where values coincide in the document a template is built from (a college that is
  both the issuer and the achievement's creator: one id, name and url in two places), those positions are not
  slots but fixed values: the template serves the documents where they coincide again.

Then the document's dataset is the template's with the values put in (and possibly other blank-node names for
list nodes, which canonicalization does not see). Canonicalization is RDFC-1.0 as ``BoundedURDNA2015`` does it:
when every blank node has its own first-degree hash (the usual case for credentials) the labels follow from those
hashes alone, computed here over precomputed lines; otherwise the filled dataset goes to ``BoundedURDNA2015``
itself. The work per document is linear in the template, and templates are built only by the bounded reference.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from pyld.jsonld import RDF_LANGSTRING, XSD_DOUBLE, XSD_STRING
from pyld.nquads import escape

from app.proofs import canonical, rdfc

Loader = Callable[..., dict[str, Any]]
Dataset = dict[str, list[dict[str, Any]]]

RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
# Datatypes whose literal text pyld derives from the value (it reparses xsd:double strings), so never slots.
_REWRITTEN_DATATYPES = frozenset({XSD_DOUBLE, RDF_JSON, "@json"})
# Skeleton tokens; keys are the only ``str`` tokens and numbers, booleans and null are ``(type, repr)`` tuples.
_STRING, _OBJECT, _ARRAY, _END = 0, 1, 2, 3
_TEMPLATES_PER_SKELETON = 8
# What pyld's N-Quads ``escape`` rewrites; most values hold none of it.
_NEEDS_ESCAPE = re.compile(r'[\\\t\n\r"]')


class _Unsupported(Exception):
    """The document holds something other than JSON types (the reference path judges it)."""


class _Leaf(str):
    """A string of the document carrying its position (order of appearance) through pyld's expansion."""

    position: int

    def __new__(cls, value: str, position: int) -> _Leaf:
        leaf = super().__new__(cls, value)
        leaf.position = position
        return leaf

    def __deepcopy__(self, memo: dict[int, Any]) -> _Leaf:
        return self  # immutable, and pyld copies its input: keep the position

    def __copy__(self) -> _Leaf:
        return self


def skeleton(document: Any) -> tuple[tuple[Any, ...], list[str]]:
    """The document's skeleton and its strings in order of appearance (raises ``_Unsupported`` on non-JSON)."""
    tokens: list[Any] = []
    strings: list[str] = []
    token, string = tokens.append, strings.append

    def walk(value: Any) -> None:  # strings inline: most values are strings
        kind = type(value)
        if kind is dict:
            token(_OBJECT)
            for key, item in value.items():
                if type(key) is not str:
                    raise _Unsupported
                token(key)
                if type(item) is str:
                    token(_STRING)
                    string(item)
                else:
                    walk(item)
            token(_END)
        elif kind is list:
            token(_ARRAY)
            for item in value:
                if type(item) is str:
                    token(_STRING)
                    string(item)
                else:
                    walk(item)
            token(_END)
        elif kind is str:
            token(_STRING)
            string(value)
        elif value is None or kind in (bool, int, float):
            token((kind.__name__, repr(value)))
        else:
            raise _Unsupported

    walk(document)
    return tuple(tokens), strings


def _tagged(value: Any, counter: list[int], in_context: bool = False) -> Any:
    """A copy of ``value`` whose strings are ``_Leaf``s numbered as ``skeleton`` lists them (contexts excepted)."""
    if type(value) is str:
        counter[0] += 1
        return value if in_context else _Leaf(value, counter[0] - 1)
    if type(value) is dict:
        return {key: _tagged(item, counter, in_context or key == "@context") for key, item in value.items()}
    if type(value) is list:
        return [_tagged(item, counter, in_context) for item in value]
    return value


def _term(component: dict[str, Any]) -> str:
    """An IRI or blank node as N-Quads writes it (pyld's ``serialize_nquad``)."""
    return str(component["value"]) if component["type"] == "blank node" else f"<{component['value']}>"


def _literal_suffix(component: dict[str, Any]) -> str:
    """What follows a literal's text: the closing quote and its language tag or datatype, as pyld writes them."""
    if component["datatype"] == RDF_LANGSTRING:
        return '"' + ("@" + component["language"] if component.get("language") else "")
    if component["datatype"] != XSD_STRING:
        return f'"^^<{component["datatype"]}>'
    return '"'


@dataclass(frozen=True)
class _Template:
    """One shape's RDF with open slots; objects in ``quads`` are an N-Quads term or a slot number."""

    fixed_positions: tuple[int, ...]
    fixed_values: tuple[str, ...]
    literal_positions: tuple[int, ...]
    literal_suffixes: tuple[str, ...]
    iri_positions: tuple[int, ...]
    iri_prefixes: frozenset[str]
    reserved: frozenset[str]
    # (subject, predicate, object, graph or ""): terms as N-Quads writes them; an int object is slot number n
    # (literal slots first, then IRI slots), an int subject an IRI slot the same way.
    quads: tuple[tuple[str | int, str, str | int, str], ...]
    structure: rdfc.BlankNodeStructure
    # whether a fixed literal holds a control character that canonical N-Quads escapes
    controls: bool
    # the literal objects (terms or slot numbers) of each subject, predicate and graph with a literal slot
    distinct_groups: tuple[tuple[str | int, ...], ...]

    def matches(self, strings: list[str]) -> bool:
        return tuple(map(strings.__getitem__, self.fixed_positions)) == self.fixed_values

    def canonize(self, strings: list[str]) -> str | None:
        """The canonical N-Quads for a document of this shape with ``strings``, or ``None`` if not provably equal
        (or past the work bounds: the reference path then fails as it does)."""
        iris = [strings[p] for p in self.iri_positions]
        if iris:
            if len(set(iris)) != len(iris) or not self.reserved.isdisjoint(iris):
                return None
            for iri in iris:
                if not canonical.is_absolute(iri):
                    return None
                prefix, _, suffix = iri.partition(":")
                if prefix in self.iri_prefixes and not suffix.startswith("//"):
                    return None
        literals = [strings[p] for p in self.literal_positions]
        slots = [
            '"' + (escape(text) if _NEEDS_ESCAPE.search(text) else text) + suffix
            for text, suffix in zip(literals, self.literal_suffixes, strict=True)
        ]
        slots.extend(f"<{iri}>" for iri in iris)
        for group in self.distinct_groups:
            objects = [term if type(term) is str else slots[term] for term in group]  # type: ignore[index]
            if len(set(objects)) != len(objects):
                return None
        controls = any(canonical.has_raw_control(text) for text in literals)
        return rdfc.canonical_nquads(self.structure, slots, controls or self.controls)


def build_template(dataset: Dataset, observed: dict[int, tuple[str, set[str]]], strings: list[str]) -> _Template | None:
    """The template of the document whose (``_Leaf``-tagged) ``dataset`` pyld produced, or ``None``.

    ``observed``: position -> ("literal" or "iri", prefix terms of the contexts it was expanded under).
    """
    literal_slots: dict[int, str] = {}
    iri_slots: set[int] = set()
    prefixes: set[str] = set()
    raw: list[tuple[tuple[str, Any], str, tuple[str, Any], tuple[str, Any]]] = []
    seen_as: dict[int, str] = {}

    def slot_of(value: Any, as_: str) -> int | None:
        if not isinstance(value, _Leaf) or value.position not in observed or observed[value.position][0] != as_:
            return None
        if seen_as.setdefault(value.position, as_) != as_:
            raise _Unsupported
        return value.position

    try:
        for graph_name, triples in dataset.items():
            if isinstance(graph_name, _Leaf) and graph_name.position in observed:
                return None  # a named graph whose name is one of the document's strings: keep it simple
            for triple in triples:
                subject, obj = triple["subject"], triple["object"]
                if triple["predicate"]["type"] != "IRI":
                    return None
                s_slot = slot_of(subject["value"], "iri") if subject["type"] == "IRI" else None
                if obj["type"] == "literal":
                    o_slot = slot_of(obj["value"], "literal")
                    if o_slot is not None and (
                        obj["datatype"] in _REWRITTEN_DATATYPES or o_slot in literal_slots
                    ):  # a value written twice was not one position's (nor a rewritten one)
                        return None
                    if o_slot is not None:
                        literal_slots[o_slot] = _literal_suffix(obj)
                else:
                    o_slot = slot_of(obj["value"], "iri") if obj["type"] == "IRI" else None
                for slot in (s_slot, o_slot):
                    if slot is not None and observed[slot][0] == "iri":
                        iri_slots.add(slot)
                        prefixes |= observed[slot][1]
                graph = (
                    "" if graph_name == "@default" else graph_name if rdfc.is_blank(graph_name) else f"<{graph_name}>"
                )
                raw.append(
                    (
                        ("slot", s_slot) if s_slot is not None else ("term", _term(subject)),
                        _term(triple["predicate"]),
                        ("slot", o_slot)
                        if o_slot is not None
                        else (
                            "term",
                            _term(obj)
                            if obj["type"] != "literal"
                            else '"' + escape(obj["value"]) + _literal_suffix(obj),
                        ),
                        ("term", graph),
                    )
                )
    except _Unsupported:
        return None

    if any(kind == "literal" and position not in literal_slots for position, (kind, _) in observed.items()):
        return None  # a literal pyld dropped as a duplicate (or for any other reason): filling could bring it back
    literal_order = sorted(literal_slots)
    iri_order = sorted(iri_slots)
    number = {position: n for n, position in enumerate([*literal_order, *iri_order])}
    slot_positions = set(number)

    def resolved(part: tuple[str, Any]) -> str | int:
        return number[part[1]] if part[0] == "slot" else str(part[1])

    quads = tuple((resolved(s), p, resolved(o), str(g[1])) for s, p, o, g in raw)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index, (s, p, o, g) in enumerate(quads):
        if _is_literal_slot(o, len(literal_order)) or (type(o) is str and o.startswith('"')):
            groups.setdefault((s, p, g), []).append(index)
    distinct = tuple(
        tuple(quads[i][2] for i in group)
        for group in groups.values()
        if len(group) > 1 and any(_is_literal_slot(quads[i][2], len(literal_order)) for i in group)
    )
    fixed_positions = tuple(p for p in range(len(strings)) if p not in slot_positions)
    reserved = {str(term)[1:-1] for quad in quads for term in quad if type(term) is str and term.startswith("<")}
    reserved |= {strings[p] for p in fixed_positions}
    return _Template(
        fixed_positions=fixed_positions,
        fixed_values=tuple(str(strings[p]) for p in fixed_positions),
        literal_positions=tuple(literal_order),
        literal_suffixes=tuple(literal_slots[p] for p in literal_order),
        iri_positions=tuple(iri_order),
        iri_prefixes=frozenset(prefixes),
        reserved=frozenset(reserved),
        quads=quads,
        structure=rdfc.BlankNodeStructure.of(list(quads), len(number)),
        controls=any(canonical.has_raw_control(term) for quad in quads for term in quad if type(term) is str),
        distinct_groups=distinct,
    )


def _unrepeated(observed: dict[int, tuple[str, set[str]]], strings: list[str]) -> dict[int, tuple[str, set[str]]]:
    """``observed`` without the positions whose string another observed position holds too (they become fixed)."""
    counts = Counter(strings[position] for position in observed)
    return {position: seen for position, seen in observed.items() if counts[strings[position]] == 1}


def _is_literal_slot(term: str | int, literal_slots: int) -> bool:
    return type(term) is int and term < literal_slots


def _prefix_terms(active_ctx: Any) -> set[str]:
    return {term for term, mapping in active_ctx["mappings"].items() if mapping and mapping.get("_prefix")}


class ShapeTemplates:
    """A bounded cache of shape templates for one loader and one thread (pyld's caches are not thread-safe)."""

    def __init__(self, max_skeletons: int = 128) -> None:
        self._templates: LRUCache[tuple[Any, ...], list[_Template]] = LRUCache(maxsize=max_skeletons)
        self.filled = 0  # documents answered from a template (the rest took the reference path)

    def canonize(self, document: dict[str, Any], loader: Loader) -> str:
        """``canonical.canonize_reference(document, loader)``, from a template when one proves equal."""
        try:
            key, strings = skeleton(document)
        except (_Unsupported, RecursionError):
            return canonical.canonize_reference(document, loader)
        for template in self._templates.get(key, ()):
            if template.matches(strings):
                filled = template.canonize(strings)
                if filled is None:
                    return canonical.canonize_reference(document, loader)
                self.filled += 1
                return filled
        return self._build(document, key, strings, loader)

    def _build(self, document: dict[str, Any], key: tuple[Any, ...], strings: list[str], loader: Loader) -> str:
        observed: dict[int, tuple[str, set[str]]] = {}
        contexts: dict[int, set[str]] = {}

        def observe(kind: str, value: Any, detail: Any) -> None:
            if not isinstance(value, _Leaf):
                return
            if kind == "literal":
                if detail.get("@type") in _REWRITTEN_DATATYPES or "@direction" in detail:
                    return
                found: tuple[str, set[str]] = ("literal", set())
            else:
                if id(detail) not in contexts:
                    contexts[id(detail)] = _prefix_terms(detail)
                found = ("iri", contexts[id(detail)])
            previous = observed.setdefault(value.position, found)
            if previous[0] != found[0]:
                observed[value.position] = ("both", set())
            elif previous is not found:
                previous[1].update(found[1])

        tagged = _tagged(document, [0])
        dataset = canonical.rdf_dataset(tagged, loader, canonical.SafeProcessor(observe))
        template = build_template(dataset, observed, strings)
        expected = canonical.label(dataset)
        if template is None or template.canonize(strings) != expected:
            # Values that coincide (an awarding body that is the issuer: its id, name and url twice) made pyld merge
            # nodes or drop a duplicate triple. Held as fixed values, they serve documents where they coincide again.
            template = build_template(dataset, _unrepeated(observed, strings), strings)
        if template is not None and template.canonize(strings) == expected:
            templates = self._templates.setdefault(key, [])
            templates.insert(0, template)
            del templates[_TEMPLATES_PER_SKELETON:]
        return expected


class PerThreadTemplates:
    """``ShapeTemplates`` per thread, as a loader's ``shape_templates`` attribute."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def here(self) -> ShapeTemplates:
        """This thread's templates."""
        templates: ShapeTemplates | None = getattr(self._local, "templates", None)
        if templates is None:
            templates = self._local.templates = ShapeTemplates()
        return templates

    def canonize(self, document: dict[str, Any], loader: Loader) -> str:
        return self.here.canonize(document, loader)
