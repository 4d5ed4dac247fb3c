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
import operator
from dataclasses import dataclass

from pyld.canon import permutations

from app.proofs.canonical import MAX_N_DEGREE_CALLS, MAX_PERMUTATION_WORK, canonical_escapes, has_raw_control

Term = str | int  # an N-Quads term, or (in a template) the number of a slot holding a literal or IRI
Quad = tuple[Term, str, Term, str]  # subject, predicate, object, graph ("" for the default graph)
# A line with its variable parts: str pieces as they are, int n >= 0 slot n, int -1 - k the label of node k.
Pieces = tuple[str | int, ...]


def is_blank(term: Term) -> bool:
    """Whether an N-Quads term is a blank node (IRIs start with "<", literals with a quote; slots are ints)."""
    return type(term) is str and term[:2] == "_:"


@dataclass(frozen=True)
class BlankNodeStructure:
    """Everything RDFC-1.0 needs that depends only on where blank nodes and slots sit, computed once per shape."""

    nodes: tuple[str, ...]
    # per node: the indexes of its quads, once per position it holds in each (pyld's blank node to quads map)
    mentions: tuple[tuple[int, ...], ...]
    # per node: (related blank node, position and predicate as hashed) in pyld's order
    related: dict[str, tuple[tuple[str, str], ...]]
    # first-degree hashes of the nodes whose quads hold no slot: the same for every document
    fixed_hashes: dict[str, str]
    # per other node: its first-degree lines (blank nodes already _:a / _:z), fixed ones and ones with slots
    first_degree_lines: dict[str, tuple[tuple[str, ...], tuple[_Line, ...]]]
    # per quad: its output line (canonically escaped), or how to write it when it holds a blank node or a slot
    lines: tuple[str | _Line, ...]

    @classmethod
    def of(cls, quads: list[Quad], slot_count: int = 0) -> BlankNodeStructure:
        """``slot_count``: how many slots the quads refer to (0 to slot_count - 1)."""
        mentions: dict[str, list[int]] = {}
        for index, (s, _, o, g) in enumerate(quads):
            for term in (s, o, g):
                if is_blank(term):
                    mentions.setdefault(str(term), []).append(index)
        number = {node: k for k, node in enumerate(mentions)}
        related: dict[str, tuple[tuple[str, str], ...]] = {}
        fixed_hashes: dict[str, str] = {}
        first_degree_lines: dict[str, tuple[tuple[str, ...], tuple[_Line, ...]]] = {}
        for node, indexes in mentions.items():
            found = []
            fixed: list[str] = []
            variable: list[_Line] = []
            for index in indexes:
                s, p, o, g = quads[index]
                for term, position in ((s, "s"), (o, "o"), (g, "g")):
                    if is_blank(term) and term != node:
                        found.append((str(term), position if position == "g" else position + p))
                pieces = _pieces(
                    tuple(("_:a" if t == node else "_:z") if is_blank(t) else t for t in (s, p, o, g))  # type: ignore[arg-type]
                )
                if len(pieces) == 1 and type(pieces[0]) is str:
                    fixed.append(pieces[0])
                else:
                    variable.append(_Line(pieces, slot_count))
            related[node] = tuple(found)
            if variable:
                first_degree_lines[node] = (tuple(fixed), tuple(variable))
            else:
                fixed_hashes[node] = _first_degree_hash(fixed, any(has_raw_control(line) for line in fixed))
        lines: list[str | _Line] = []
        for s, p, o, g in quads:
            pieces = _pieces(tuple(-1 - number[str(t)] if is_blank(t) else t for t in (s, p, o, g)))  # type: ignore[arg-type]
            if len(pieces) == 1 and type(pieces[0]) is str:
                lines.append(canonical_escapes(pieces[0]))
            else:
                lines.append(_Line(pieces, slot_count))
        return cls(
            tuple(mentions),
            tuple(tuple(m) for m in mentions.values()),
            related,
            fixed_hashes,
            first_degree_lines,
            tuple(lines),
        )


class _Line:
    """A line with variable parts, written by one %-format over values picked from a table (slots, then labels)."""

    __slots__ = ("_format", "_pick", "_single")

    def __init__(self, pieces: Pieces, slot_count: int) -> None:
        parts, picks = [], []
        for piece in pieces:
            if type(piece) is str:
                parts.append(piece.replace("%", "%%"))
            else:
                parts.append("%s")
                picks.append(piece if piece >= 0 else slot_count - 1 - piece)  # type: ignore[operator]
        self._format = "".join(parts)
        self._pick = operator.itemgetter(*picks)
        self._single = len(picks) == 1

    def write(self, table: list[str]) -> str:
        values = self._pick(table)
        return self._format % ((values,) if self._single else values)


def _pieces(quad: tuple[Term, str, Term, str]) -> Pieces:
    """The N-Quads line of ``quad`` as pieces, adjacent strings joined."""
    s, p, o, g = quad
    parts: list[str | int] = (
        [s, f" {p} ", o, f" {g} .\n" if g else " .\n"] if type(g) is str else [s, f" {p} ", o, " ", g, " .\n"]
    )
    joined: list[str | int] = []
    for part in parts:
        if type(part) is str and joined and type(joined[-1]) is str:
            joined[-1] = str(joined[-1]) + part
        else:
            joined.append(part)
    return tuple(joined)


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


def canonical_nquads(structure: BlankNodeStructure, slots: list[str], escapes: bool) -> str | None:
    """The canonical N-Quads with ``slots`` (N-Quads terms) filled in, or ``None`` past ``BoundedURDNA2015``'s
    bounds. ``escapes``: whether a slot holds a control character that ``canonical_escapes`` rewrites."""
    try:
        labels = _Labeller(structure, slots, escapes).labels()
    except _WorkLimit:
        return None
    table = [*slots, *(labels[node] for node in structure.nodes)]
    lines = []
    for line in structure.lines:
        if isinstance(line, str):
            lines.append(line)
        elif escapes:
            lines.append(canonical_escapes(line.write(table)))
        else:
            lines.append(line.write(table))
    lines.sort()
    return "".join(lines)


class _Labeller:
    def __init__(self, structure: BlankNodeStructure, slots: list[str], escapes: bool) -> None:
        self.structure = structure
        self.canonical = _Issuer("_:c14n")
        self.first_degree = dict(structure.fixed_hashes)
        for node, (fixed, variable) in structure.first_degree_lines.items():
            lines = [*fixed, *(line.write(slots) for line in variable)]
            self.first_degree[node] = _first_degree_hash(lines, escapes)
        self.n_degree_calls = 0
        self.permutation_work = 0

    def labels(self) -> dict[str, str]:
        hash_to_nodes: dict[str, list[str]] = {}
        for node, hashed in self.first_degree.items():
            hash_to_nodes.setdefault(hashed, []).append(node)
        shared = []
        for _, nodes in sorted(hash_to_nodes.items()):  # 4.4.3 step 5: unique hashes first
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
        if self.n_degree_calls > MAX_N_DEGREE_CALLS:
            raise _WorkLimit
        hash_to_related: dict[str, list[str]] = {}
        for related, position in self.structure.related[node]:
            issued = self.canonical.existing.get(related) or issuer.existing.get(related) or self.first_degree[related]
            hashed = hashlib.sha256((position + issued).encode("utf-8")).hexdigest()
            hash_to_related.setdefault(hashed, []).append(related)
        for group in hash_to_related.values():
            self.permutation_work += math.factorial(len(group)) * (len(issuer.existing) + 1)
            if self.permutation_work > MAX_PERMUTATION_WORK:
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


def _first_degree_hash(lines: list[str], escapes: bool) -> str:
    """Hash First Degree Quads over the node's lines (blank nodes already written _:a and _:z)."""
    lines.sort()  # pyld sorts the lines as it wrote them; BoundedURDNA2015 then escapes each
    text = "".join(canonical_escapes(line) for line in lines) if escapes else "".join(lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
