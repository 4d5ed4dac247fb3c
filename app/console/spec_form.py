"""The micro-credential form: what the console's form holds, read from a post or a stored definition, turned into
the JSON ``MicroCredentialSpecInput`` and ``PathwayInput`` take, and their errors placed at the field they concern.

Inputs are named by the API's field paths (``learningOutcomes.1.title.nl``), so pydantic's error locations find
their input. An empty input counts as not given, except a language version's title: a language added to the form
must have one, so it is sent empty and the model says so at that field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.errors import InvalidInput

# Text the college writes per language version (language maps in the input), shown side by side.
TRANSLATABLE = ("title", "description", "prerequisites", "gradingScheme", "stackability", "furtherInformation")
# Single inputs, by their field path; values are sent as typed (pydantic parses numbers, codes resolve to concepts).
SCALARS = (
    "issuerCountry",
    "ectsCredits",
    "workloadHours",
    "eqfLevel",
    "nqfLevel.uri",
    "nqfLevel.label",
    "assessmentType",
    "participationForm",
    "supervision",
    "learningSetting",
    "furtherInformationUrl",
    "iscedF",
    "required",
)
OUTCOME_FIELDS = ("id", "escoSkills")
BODY_FIELDS = ("name", "country", "url", "legalIdentifier")
QA_FIELDS = ("type", "agent.name", "agent.country", "decision", "reportUrl", "qdrAccreditation")
REQUIRE_ALL = "policy.requireAllOutcomes"
MAX_LANGUAGES = 24  # the EU's official languages: every EDC display language must be one
_UNION_BRANCH = re.compile(r"^(constrained-str|str|int|float|dict\[.*\]|list\[.*\])$")
_LIST_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class Row:
    """One row of a repeated group (a learning outcome, an awarding body, a quality assurance): its inputs by
    field path within the row; a learning outcome's title per language in ``title``."""

    values: dict[str, str] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def blank(self) -> bool:
        return not any(v.strip() for v in (*self.values.values(), *self.title.values()))


@dataclass
class SpecForm:
    primary: str = "en"
    others: list[str] = field(default_factory=list)  # the other language versions, in the order added
    # translatable field -> language -> text
    text: dict[str, dict[str, str]] = field(default_factory=lambda: {name: {} for name in TRANSLATABLE})
    values: dict[str, str] = field(default_factory=dict)  # SCALARS
    require_all: bool = True
    outcomes: list[Row] = field(default_factory=list)
    bodies: list[Row] = field(default_factory=list)
    quality: list[Row] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # pathway: ids of the college's specifications it stacks

    @property
    def languages(self) -> list[str]:
        return [self.primary, *self.others]

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def translation(self, name: str, language: str) -> str:
        return self.text.get(name, {}).get(language, "")

    # Reading ---------------------------------------------------------------------------------------------------

    @classmethod
    def read(cls, items: Iterable[tuple[str, str]]) -> SpecForm:
        """The form as posted (``items``: name/value pairs in order, repeated names kept). The language versions
        are the repeated ``languages`` inputs; ``primaryLanguage`` says which of them is primary."""
        posted = list(items)
        single = dict(posted)
        versions: list[str] = []
        for name, value in posted:
            if name == "languages" and value.strip() and value.strip() not in versions:
                versions.append(value.strip())
        primary = single.get("primaryLanguage", "").strip() or (versions[0] if versions else "en")
        form = cls(primary=primary, others=[code for code in versions if code != primary][: MAX_LANGUAGES - 1])
        form.parts = list(dict.fromkeys(value for name, value in posted if name == "parts"))
        form.text = {
            name: {lang: single[f"{name}.{lang}"] for lang in form.languages if f"{name}.{lang}" in single}
            for name in TRANSLATABLE
        }
        form.values = {name: single[name] for name in SCALARS if name in single}
        form.require_all = single.get(REQUIRE_ALL) == "on"
        form.outcomes = _rows(single, "learningOutcomes", OUTCOME_FIELDS, form.languages)
        form.bodies = _rows(single, "awardingBodies", BODY_FIELDS, [])
        form.quality = _rows(single, "qualityAssurance", QA_FIELDS, [])
        return form

    @classmethod
    def of_definition(cls, definition: dict[str, Any]) -> SpecForm:
        """A stored specification (``MicroCredentialSpecInput`` as JSON) as the form shows it: to view it, or to
        start a new one from it. Fields the form does not show are left out."""
        primary = str(definition.get("primaryLanguage", "en"))
        languages = [primary]
        maps = [definition.get(name) for name in TRANSLATABLE]
        maps += [outcome.get("title") for outcome in definition.get("learningOutcomes", [])]
        for value in maps:
            if isinstance(value, dict):
                languages += [lang for lang in value if lang not in languages]
        form = cls(primary=primary, others=languages[1:MAX_LANGUAGES])
        form.text = {name: _lang_map(definition.get(name), primary) for name in TRANSLATABLE}
        nqf = definition.get("nqfLevel") or {}
        scalars: dict[str, Any] = definition | {
            "nqfLevel.uri": nqf.get("uri"),
            "nqfLevel.label": _lang_map(nqf.get("label"), primary).get(primary),
            "iscedF": " ".join(uri.rsplit("/", 1)[-1] for uri in definition.get("iscedF", [])),
        }
        form.values = {name: _shown(scalars[name]) for name in SCALARS if scalars.get(name) is not None}
        form.require_all = bool((definition.get("policy") or {}).get("requireAllOutcomes", True))
        form.outcomes = [
            Row(
                {"id": str(o.get("id", "")), "escoSkills": "\n".join(o.get("escoSkills", []))},
                _lang_map(o.get("title"), primary),
            )
            for o in definition.get("learningOutcomes", [])
        ]
        form.bodies = [Row(_flat(body, BODY_FIELDS, primary)) for body in definition.get("awardingBodies", [])]
        form.quality = [Row(_flat(qa, QA_FIELDS, primary)) for qa in definition.get("qualityAssurance", [])]
        return form

    # Changing the rows -----------------------------------------------------------------------------------------

    def add_language(self, code: str) -> bool:
        code = code.strip()
        if not code or code in self.languages or len(self.languages) >= MAX_LANGUAGES:
            return False
        self.others.append(code)
        return True

    def remove_language(self, code: str) -> None:
        if code in self.others:
            self.others.remove(code)
            for texts in self.text.values():
                texts.pop(code, None)
            for row in self.outcomes:
                row.title.pop(code, None)

    def drop_blank_rows(self) -> None:
        """Rows added but left empty are not part of what is sent (the rows left are then numbered as sent)."""
        self.outcomes = [row for row in self.outcomes if not row.blank()]
        self.bodies = [row for row in self.bodies if not row.blank()]
        self.quality = [row for row in self.quality if not row.blank()]

    # Writing ---------------------------------------------------------------------------------------------------

    def to_input(self) -> dict[str, Any]:
        """The JSON of ``MicroCredentialSpecInput`` this form says (what a client of the API would send)."""
        data: dict[str, Any] = {"primaryLanguage": self.primary}
        titles = {lang: self.translation("title", lang) for lang in self.languages}
        if any(text.strip() for text in titles.values()):
            data["title"] = titles
        for name in TRANSLATABLE[1:]:
            given = {lang: text for lang in self.languages if (text := self.translation(name, lang)).strip()}
            if given:
                data[name] = given
        for name in ("issuerCountry", "ectsCredits", "workloadHours", "eqfLevel", "assessmentType"):
            _put(data, name, self.value(name))
        for name in ("participationForm", "supervision", "learningSetting", "furtherInformationUrl"):
            _put(data, name, self.value(name))
        if self.value("nqfLevel.uri").strip() or self.value("nqfLevel.label").strip():
            data["nqfLevel"] = _nested({"uri": self.value("nqfLevel.uri"), "label": self.value("nqfLevel.label")})
        if self.value("iscedF").strip():
            data["iscedF"] = _split(self.value("iscedF"))
        data["awardingBodies"] = [_nested(row.values) for row in self.bodies]
        data["learningOutcomes"] = [self._outcome(row) for row in self.outcomes]
        data["qualityAssurance"] = [_nested(row.values) for row in self.quality]
        data["policy"] = {"requireAllOutcomes": self.require_all}
        return data

    def _outcome(self, row: Row) -> dict[str, Any]:
        outcome = _nested({"id": row.get("id")})
        title = {lang: text for lang in self.languages if (text := row.title.get(lang, "")).strip()}
        if title:
            outcome["title"] = title
        outcome["escoSkills"] = _split(row.get("escoSkills"))
        return outcome

    def pathway(self) -> dict[str, Any] | None:
        """The JSON of ``PathwayInput``, or None when no part is chosen (a pathway is optional)."""
        if not self.parts:
            return None
        return {"parts": self.parts} | ({"required": self.value("required")} if self.value("required") else {})

    # Errors ----------------------------------------------------------------------------------------------------

    def input_names(self) -> set[str]:
        """The names of the inputs the form shows, and of its groups (whose errors are shown at the group)."""
        names = {"primaryLanguage", REQUIRE_ALL, "parts", "learningOutcomes", "awardingBodies", "qualityAssurance"}
        names |= {f"{name}.{lang}" for name in TRANSLATABLE for lang in self.languages}
        names |= set(SCALARS)
        for index, _row in enumerate(self.outcomes):
            names |= {f"learningOutcomes.{index}.{name}" for name in OUTCOME_FIELDS}
            names |= {f"learningOutcomes.{index}.title.{lang}" for lang in self.languages}
        names |= {f"awardingBodies.{i}.{name}" for i in range(len(self.bodies)) for name in BODY_FIELDS}
        names |= {f"qualityAssurance.{i}.{name}" for i in range(len(self.quality)) for name in QA_FIELDS}
        return names

    def errors(self, error: ValidationError | InvalidInput) -> dict[str, list[str]]:
        """Each message at the input (or group) it concerns: ``{input name: [messages]}``; "" is the form as a
        whole. Locations are pydantic's (or a domain error's dotted ``field``), as the API reports them."""
        placed: dict[str, list[str]] = {}
        for loc, message in _messages(error):
            name = self.place(loc)
            if message not in placed.setdefault(name, []):
                placed[name].append(message)
        return placed

    def place(self, loc: tuple[str | int, ...]) -> str:
        """The input a location belongs to: the location itself, its text in the primary language (a language
        map), or the nearest enclosing input or group."""
        known = self.input_names()
        aliases = {"nqfLevel": "nqfLevel.uri", "policy": REQUIRE_ALL}
        parts = [str(part) for part in loc if not _UNION_BRANCH.match(str(part))]
        while parts:
            name = ".".join(parts)
            for candidate in (name, f"{name}.{self.primary}", aliases.get(name, "")):
                if candidate in known:
                    return candidate
            parts.pop()
        return ""


def _rows(single: dict[str, str], group: str, fields: tuple[str, ...], languages: list[str]) -> list[Row]:
    """The rows of ``group`` posted, in the order of their indexes (only indexes that were posted)."""
    indexes = sorted({int(match.group(1)) for name in single if (match := re.match(rf"^{group}\.(\d{{1,4}})\.", name))})
    return [
        Row(
            {name: single[f"{group}.{i}.{name}"] for name in fields if f"{group}.{i}.{name}" in single},
            {lang: single[f"{group}.{i}.title.{lang}"] for lang in languages if f"{group}.{i}.title.{lang}" in single},
        )
        for i in indexes
    ]


def _put(data: dict[str, Any], name: str, value: str) -> None:
    if value.strip():
        data[name] = value


def _nested(values: dict[str, str]) -> dict[str, Any]:
    """Dotted names to nested objects (``agent.name`` → ``{"agent": {"name": ...}}``), empty values left out."""
    nested: dict[str, Any] = {}
    for name, value in values.items():
        if not value.strip():
            continue
        *path, last = name.split(".")
        target = nested
        for part in path:
            target = target.setdefault(part, {})
        target[last] = value
    return nested


def _flat(value: dict[str, Any], fields: tuple[str, ...], primary: str) -> dict[str, str]:
    """A stored object's fields as the row's dotted names; language maps shown in the primary language."""
    flat: dict[str, str] = {}
    for name in fields:
        found: Any = value
        for part in name.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        if isinstance(found, dict):
            found = _lang_map(found, primary).get(primary)
        if found is not None:
            flat[name] = str(found)
    return flat


def _shown(value: Any) -> str:
    """A stored value as an input shows it (``3.0`` ECTS as ``3``)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _lang_map(value: Any, primary: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(lang): str(text) for lang, text in value.items()}
    return {primary: str(value)}


def _split(value: str) -> list[str]:
    return [item for item in _LIST_SEPARATORS.split(value) if item]


def _messages(error: ValidationError | InvalidInput) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(error, InvalidInput):
        yield tuple(error.field.split(".")) if error.field else (), error.detail
        return
    for item in error.errors():
        loc = tuple(item["loc"])
        value = item.get("input")
        branch = bool(loc) and bool(_UNION_BRANCH.match(str(loc[-1])))
        # A language map is "text or {language: text}": the form always sends the map, so the plain-text branch's
        # complaint says nothing about what was entered.
        if branch and item["type"] == "string_type" and isinstance(value, dict):
            continue
        message = str(item["msg"]).removeprefix("Value error, ")
        # One item of a list typed into one input (ESCO skills, ISCED-F codes): say which.
        if loc and isinstance(loc[-1], int) and isinstance(value, str):
            message = f"{value}: {message}"
        yield loc, message
