"""The EU controlled vocabularies vetcred accepts (schemas/vocabularies/*.json), looked up by code, alias or URI."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from app.config import SCHEMAS_DIR
from app.credentials.microcredential import Concept
from app.errors import InvalidInput

VOCABULARIES_DIR = SCHEMAS_DIR / "vocabularies"
# Above this many concepts an error gives the file's hint instead of listing every allowed value.
_LISTED_AT_MOST = 20


@dataclass(frozen=True)
class Vocabulary:
    """One concept scheme: its ``inScheme`` URI, a display title, where the values come from, and the concepts."""

    name: str
    scheme: str
    title: str
    source: str
    hint: str | None
    concepts: tuple[Concept, ...]
    codes: Mapping[str, str] = field(repr=False)  # concept URI -> code
    alt_codes: Mapping[str, tuple[str, ...]] = field(repr=False)  # concept URI -> alternative codes
    _index: Mapping[str, Concept] = field(repr=False)  # casefolded URI, code, alternative code or unique label

    def find(self, code_or_uri: str) -> Concept | None:
        return self._index.get(code_or_uri.strip().casefold())

    def allowed(self) -> str:
        """What to tell someone who gave an unknown value."""
        if len(self.concepts) > _LISTED_AT_MOST and self.hint:
            return f"give {self.hint}"
        values = ", ".join(f"{self.codes[c.uri]} ({c.label['en']})" for c in self.concepts)
        return f"allowed values: {values}, or the concept URI"


@cache
def vocabulary(name: str) -> Vocabulary:
    """The vocabulary stored in ``schemas/vocabularies/<name>.json``, read once per process."""
    path = VOCABULARIES_DIR / f"{name}.json"
    if not path.is_file():
        raise KeyError(f"no vocabulary {name!r} in {VOCABULARIES_DIR}")
    data = json.loads(path.read_text(encoding="utf-8"))
    concepts, codes, alt_codes, index = [], {}, {}, {}
    labels: dict[str, list[Concept]] = {}
    for item in data["concepts"]:
        concept = Concept(uri=item["uri"], scheme=data["scheme"], label=dict(item["label"]))
        concepts.append(concept)
        codes[concept.uri] = item["code"]
        alt_codes[concept.uri] = tuple(item.get("altCodes", ()))
        for key in (concept.uri, item["code"], *alt_codes[concept.uri]):
            index[key.casefold()] = concept
        labels.setdefault(concept.label["en"].casefold(), []).append(concept)
    # A label is a key only where it names one concept (ISCED-F repeats labels across levels).
    for label, named in labels.items():
        if len(named) == 1:
            index.setdefault(label, named[0])
    return Vocabulary(
        name=name,
        scheme=data["scheme"],
        title=data["title"],
        source=data["source"],
        hint=data.get("hint"),
        concepts=tuple(concepts),
        codes=codes,
        alt_codes=alt_codes,
        _index=index,
    )


@cache
def names() -> tuple[str, ...]:
    """Every vocabulary shipped, by file name."""
    return tuple(sorted(path.stem for path in VOCABULARIES_DIR.glob("*.json")))


def concept(scheme_name: str, code_or_uri: str | int, *, field: str | None = None) -> Concept:
    """The concept of ``scheme_name`` that ``code_or_uri`` names (code, alternative code, English label or URI).

    Raises ``InvalidInput`` naming ``field`` (default: the scheme name) and the allowed values, or a hint.
    """
    vocab = vocabulary(scheme_name)
    value = str(code_or_uri)
    found = vocab.find(value)
    if found is None:
        raise InvalidInput(f"{value!r} is not in {vocab.title}; {vocab.allowed()}", field=field or scheme_name)
    return found


def for_scheme(scheme_uri: str) -> Vocabulary | None:
    """The shipped vocabulary whose ``inScheme`` is ``scheme_uri``, if any."""
    return next((vocabulary(name) for name in names() if vocabulary(name).scheme == scheme_uri), None)
