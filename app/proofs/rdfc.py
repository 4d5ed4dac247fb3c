"""RDFC-1.0 blank-node labelling over quads whose blank-node structure is known in advance.

The same algorithm, step for step and in the same order, as pyld's ``URDNA2015`` under ``BoundedURDNA2015``
(``app/proofs/canonical.py``): first-degree hashes over the quads as pyld writes them (sorted before the canonical
escapes, as ``BoundedURDNA2015`` hashes them), the N-degree step with pyld's own permutation order, and the same
work bounds. What differs is the representation: quads are tuples of N-Quads terms, and everything that depends only
on which blank nodes sit where - the quads each blank node appears in, its related blank nodes with their position
and predicate - is computed once per shape (``BlankNodeStructure``), not per document.
Returns ``None`` where ``BoundedURDNA2015`` would give up, so that the caller runs the reference and fails as it does.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from pyld.canon import permutations

from app.proofs.canonical import BoundedURDNA2015, canonical_escapes, has_raw_control

Quad = tuple[str, str, str, str]  # subject, predicate, object, graph ("" for the default graph), as N-Quads terms
_LIMITS = BoundedURDNA2015()


def is_blank(term: str) -> bool:
    """Whether an N-Quads term is a blank node (IRIs start with "<", literals with a quote)."""
    return term[:2] == "_:"


@dataclass(frozen=True)
class BlankNodeStructure:
    """Which quads each blank node is in, and its related blank nodes, for quads whose blank nodes never change."""

    nodes: tuple[str, ...]
    # per node: the indexes of its quads, once per position it holds in each (pyld's blank node to quads map)
    mentions: tuple[tuple[int, ...], ...]
    # per node: (related blank node, position and predicate as hashed) in pyld's order
    related: dict[str, tuple[tuple[str, str], ...]]
    # first-degree hashes of the nodes whose quads hold no slot: the same for every document
    fixed_hashes: dict[str, str]

    @classmethod
    def of(cls, quads: list[tuple[str, str, str | int, str]]) -> BlankNodeStructure:
        """``quads`` may hold non-string objects (template slots): those are literals, never blank nodes."""
        mentions: dict[str, list[int]] = {}
        for index, (s, _, o, g) in enumerate(quads):
            for term in (s, o, g):
                if type(term) is str and is_blank(term):
                    mentions.setdefault(term, []).append(index)
        related: dict[str, tuple[tuple[str, str], ...]] = {}
        for node, indexes in mentions.items():
            found = []
            for index in indexes:
                s, p, o, g = quads[index]
                for term, position in ((s, "s"), (o, "o"), (g, "g")):
                    if type(term) is str and is_blank(term) and term != node:
                        found.append((term, position if position == "g" else position + p))
            related[node] = tuple(found)
        fixed_hashes = {}
        for node, indexes in mentions.items():
            mentioned = [quads[index] for index in indexes]
            if all(type(term) is str for quad in mentioned for term in quad):
                escapes = any(has_raw_control(term) for quad in mentioned for term in quad)  # type: ignore[arg-type]
                fixed_hashes[node] = _first_degree_hash(node, mentioned, escapes)  # type: ignore[arg-type]
        return cls(tuple(mentions), tuple(tuple(m) for m in mentions.values()), related, fixed_hashes)


class _Issuer:
    """pyld's ``IdentifierIssuer``, with a cheap copy."""

    __slots__ = ("counter", "existing", "order", "prefix")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.counter = 0
        self.existing: dict[str, str] = {}
        self.order: list[str] = []

    def get_id(self, old: str) -> str:
        issued = self.existing.get(old)
        if issued is None:
            issued = self.existing[old] = f"{self.prefix}{self.counter}"
            self.counter += 1
            self.order.append(old)
        return issued

    def copy(self) -> _Issuer:
        twin = _Issuer(self.prefix)
        twin.counter, twin.existing, twin.order = self.counter, dict(self.existing), list(self.order)
        return twin


class _WorkLimit(Exception):
    pass


def canonical_nquads(structure: BlankNodeStructure, quads: list[Quad], escapes: bool) -> str | None:
    """The canonical N-Quads of ``quads`` (pyld-escaped terms), or ``None`` past ``BoundedURDNA2015``'s bounds.

    ``escapes``: whether some literal holds a control character that ``canonical_escapes`` rewrites.
    """
    try:
        labels = _Labeller(structure, quads, escapes).labels()
    except _WorkLimit:
        return None
    lines = []
    for s, p, o, g in quads:
        s = labels.get(s, s)
        o = labels.get(o, o)
        line = f"{s} {p} {o} {labels.get(g, g)} .\n" if g else f"{s} {p} {o} .\n"
        lines.append(canonical_escapes(line) if escapes else line)
    lines.sort()
    return "".join(lines)


class _Labeller:
    def __init__(self, structure: BlankNodeStructure, quads: list[Quad], escapes: bool) -> None:
        self.structure = structure
        self.canonical = _Issuer("_:c14n")
        fixed = structure.fixed_hashes
        self.first_degree = {
            node: fixed.get(node) or _first_degree_hash(node, [quads[i] for i in mentions], escapes)
            for node, mentions in zip(structure.nodes, structure.mentions, strict=True)
        }
        self.n_degree_calls = 0
        self.permutation_work = 0

    def labels(self) -> dict[str, str]:
        hash_to_nodes: dict[str, list[str]] = {}
        for node, hashed in self.first_degree.items():
            hash_to_nodes.setdefault(hashed, []).append(node)
        shared = []
        for hashed, nodes in sorted(hash_to_nodes.items()):  # 4.4.3 step 5: unique hashes first
            if len(nodes) == 1:
                self.canonical.get_id(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:  # step 6
            results = []
            for node in nodes:
                if node in self.canonical.existing:
                    continue
                issuer = _Issuer("_:b")
                issuer.get_id(node)
                results.append(self.hash_n_degree(node, issuer))
            for _, issuer in sorted(results, key=lambda result: result[0]):
                for existing in issuer.order:
                    self.canonical.get_id(existing)
        return self.canonical.existing

    def hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        self.n_degree_calls += 1
        if self.n_degree_calls > _LIMITS.max_n_degree_calls:
            raise _WorkLimit
        hash_to_related: dict[str, list[str]] = {}
        for related, position in self.structure.related[node]:
            issued = self.canonical.existing.get(related) or issuer.existing.get(related) or self.first_degree[related]
            hashed = hashlib.sha256((position + issued).encode("utf-8")).hexdigest()
            hash_to_related.setdefault(hashed, []).append(related)
        for group in hash_to_related.values():
            self.permutation_work += math.factorial(len(group)) * (len(issuer.existing) + 1)
            if self.permutation_work > _LIMITS.max_permutation_work:
                raise _WorkLimit
        data = []
        for hashed, group in sorted(hash_to_related.items()):
            data.append(hashed)
            chosen_path = ""
            chosen_issuer = issuer
            for permutation in permutations(group):
                issuer_copy = issuer.copy()
                path = ""
                recursion = []
                skip = False
                for related in permutation:
                    if related in self.canonical.existing:
                        path += self.canonical.existing[related]
                    else:
                        if related not in issuer_copy.existing:
                            recursion.append(related)
                        path += issuer_copy.get_id(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, issuer_copy_next = self.hash_n_degree(related, issuer_copy)
                    path += issuer_copy_next.get_id(related) + "<" + result_hash + ">"
                    issuer_copy = issuer_copy_next
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data.append(chosen_path)
            issuer = chosen_issuer
        return hashlib.sha256("".join(data).encode("utf-8")).hexdigest(), issuer


def _first_degree_hash(node: str, quads: list[Quad], escapes: bool) -> str:
    lines = []
    for s, p, o, g in quads:
        s = ("_:a" if s == node else "_:z") if is_blank(s) else s
        o = ("_:a" if o == node else "_:z") if is_blank(o) else o
        if g:
            g = ("_:a" if g == node else "_:z") if is_blank(g) else g
            lines.append(f"{s} {p} {o} {g} .\n")
        else:
            lines.append(f"{s} {p} {o} .\n")
    lines.sort()  # pyld sorts the lines as it wrote them; BoundedURDNA2015 then escapes each
    text = "".join(canonical_escapes(line) for line in lines) if escapes else "".join(lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
