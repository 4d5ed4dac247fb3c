"""The small parts an EDC is made of: EU concepts as ELM nodes, nodes without empty values, xsd literals, images."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from app.credentials.microcredential import Concept, LangMap
from app.errors import InvalidInput

SNB = "http://data.europa.eu/snb"
AUTHORITY = "http://publications.europa.eu/resource/authority"
ESCO_SKILLS = "http://data.europa.eu/esco/concept-scheme/skills"
# Concepts as the Commission's samples carry them (shared/standards/edc/NOTES.md §1.3, §4).
BASE64 = Concept(f"{SNB}/encoding/6146cde7dd", f"{SNB}/encoding/25831c2", {"en": "base64"})
PNG = Concept(f"{AUTHORITY}/file-type/PNG", f"{AUTHORITY}/file-type", {"en": "PNG"})
JPEG = Concept(f"{AUTHORITY}/file-type/JPEG", f"{AUTHORITY}/file-type", {"en": "JPEG"})
ECTS = Concept(
    f"{SNB}/education-credit/6fcec5c5af", f"{SNB}/education-credit/25831c2", {"en": "European Credit Transfer System"}
)
# Display languages are the spec's title languages (ISO 639-1): the EU's 24 official languages, as codes of the
# Publications Office language authority table (ISO 639-2/T) with their English names.
_EU_LANGUAGES = """
    bg BUL Bulgarian    cs CES Czech        da DAN Danish       de DEU German       el ELL Greek        en ENG English
    es SPA Spanish      et EST Estonian     fi FIN Finnish      fr FRA French       ga GLE Irish        hr HRV Croatian
    hu HUN Hungarian    it ITA Italian      lt LIT Lithuanian   lv LAV Latvian      mt MLT Maltese      nl NLD Dutch
    pl POL Polish       pt POR Portuguese   ro RON Romanian     sk SLK Slovak       sl SLV Slovenian    sv SWE Swedish
"""
EU_LANGUAGES = {code: (authority, name) for code, authority, name in re.findall(r"(\w+) (\w+) (\w+)", _EU_LANGUAGES)}
_DATA_URI = re.compile(r"^data:image/(png|jpeg);base64,(.*)$", re.DOTALL)
_WEEKS = re.compile(r"^P(\d+)W$")
_ABSENT: tuple[Any, ...] = (None, "", [], {})

Node = dict[str, Any]


def concept(value: Concept) -> Node:
    """A ``Concept`` node in its scheme. A concept of an EU authority table (language, country, atu, file-type,
    currency) also carries the table's name as ``notation``, as every Commission sample writes it."""
    node_ = {"id": value.uri, "type": "Concept", "inScheme": {"id": value.scheme, "type": "ConceptScheme"}}
    if value.scheme.startswith(f"{AUTHORITY}/"):
        node_["notation"] = value.scheme.rsplit("/", 1)[1]
    return node_ | {"prefLabel": dict(value.label)}


def node(id_: str, type_: str | list[str], **properties: Any) -> Node:
    """A node with the properties that have a value: ELM leaves out what is not known (no nulls, no empty lists)."""
    return {"id": id_, "type": type_} | {key: value for key, value in properties.items() if value not in _ABSENT}


def concepts(values: Iterable[Concept | None]) -> list[Node]:
    return [concept(value) for value in values if value is not None]


def text(value: LangMap | None) -> LangMap | None:
    return dict(value) if value else None


def present(nodes: Iterable[Node | None]) -> list[Node]:
    return [item for item in nodes if item is not None]


def media_object(id_: str, content_base64: str, content_type: Concept) -> Node:
    """An embedded file (ELM has no image links: the page images and logos travel inside the credential)."""
    return node(
        id_, "MediaObject", content=content_base64, contentEncoding=concept(BASE64), contentType=concept(content_type)
    )


def image_from_data_uri(id_: str, data_uri: str) -> Node:
    """The ``MediaObject`` of a PNG or JPEG ``data:`` URI (checked at the edge: ``app.fields.EmbeddedImage``)."""
    match = _DATA_URI.match(data_uri)
    if match is None:
        raise ValueError("not a base64 PNG or JPEG data URI")
    kind, content = match.groups()
    return media_object(id_, content, PNG if kind == "png" else JPEG)


def midnight(day: date) -> str:
    """A date as the samples write it: an xsd:dateTime in UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def decimal(value: float) -> str:
    """3.0 -> "3", 1.5 -> "1.5" (``creditPoint.point`` is a string)."""
    return format(Decimal(str(value)).normalize(), "f")


def hours(value: float) -> str:
    """xsd:duration allows a fraction only on seconds: 7.5 hours is PT7H30M."""
    whole, minutes = divmod(round(value * 60), 60)
    return f"PT{whole}H{minutes}M" if minutes else f"PT{whole}H"


def xsd_duration(duration: str) -> str:
    """ISO 8601 weeks (P10W) are not an xsd:duration: write them as days."""
    weeks = _WEEKS.match(duration)
    return f"P{int(weeks.group(1)) * 7}D" if weeks else duration


def snb_concept(uri: str) -> Node:
    """A concept of an EU (snb) list, whose scheme is ``<list>/25831c2``; other skill URIs carry no scheme here."""
    if not uri.startswith(f"{SNB}/"):
        raise InvalidInput(f"the concept scheme of the related skill {uri!r} is unknown", field="learning_outcomes")
    scheme = uri.rsplit("/", 1)[0] + "/25831c2"
    return {"id": uri, "type": "Concept", "inScheme": {"id": scheme, "type": "ConceptScheme"}}
