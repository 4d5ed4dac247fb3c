"""The choices the micro-credential form offers, in the reader's language: EU vocabulary concepts by URI (what the
API stores), and the languages an EDC can be displayed in."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from app.achievements.vocabularies import vocabulary
from app.credentials.edc_nodes import EU_LANGUAGES
from app.i18n.localizer import localizer
from app.i18n.vocabulary_labels import concept_words

# Vocabularies whose own order means something (levels); the others are sorted by their words.
_IN_ORDER = frozenset({"eqf"})


@cache
def choices(vocabulary_name: str, language: str) -> tuple[tuple[str, str], ...]:
    """``(concept URI, its words)`` for every concept of the vocabulary."""
    t = localizer(language)
    found = [(c.uri, concept_words(vocabulary_name, c.uri, t)) for c in vocabulary(vocabulary_name).concepts]
    return tuple(found if vocabulary_name in _IN_ORDER else sorted(found, key=lambda pair: pair[1].casefold()))


@cache
def eu_languages() -> tuple[str, ...]:
    """The official EU languages (ISO 639-1): a language version of a micro-credential is one of them, because
    its EDC shows a page per title language and Europass displays only these."""
    return tuple(sorted(EU_LANGUAGES))


def language_options(codes: Iterable[str], language: str) -> list[tuple[str, str]]:
    """``(code, its name in the reader's language)`` for each language version, for a select."""
    t = localizer(language)
    return [(code, t.language_name(code) or code) for code in codes]


def words(vocabulary_name: str, value: str, language: str) -> str:
    """A stored concept (URI or code) in the reader's language."""
    return concept_words(vocabulary_name, value, localizer(language))
