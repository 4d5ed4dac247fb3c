"""Every catalogue is complete: each message the code and templates use is translated, none fuzzy, same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.i18n.catalogues import LOCALES_DIR, po_path
from app.i18n.languages import DEFAULT, LANGUAGES, locale_id

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extracted() -> dict[str, tuple[str, ...]]:
    """msgid -> (msgid, msgid_plural?) as pybabel extracts them now, with the repository's babel.cfg."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    ):
        ids = (message,) if isinstance(message, str) else tuple(message)
        found[ids[0]] = ids
    return found


EXTRACTED = _extracted()


def test_extraction_finds_the_ui_and_the_template_is_current() -> None:
    assert len(EXTRACTED) > 200 and "Verified" in EXTRACTED and "Learning outcomes" in EXTRACTED
    with (LOCALES_DIR / "messages.pot").open("rb") as source:
        template = {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(source)}
    assert template - {""} == set(EXTRACTED), "run the pybabel extract/update commands of docs/languages.md"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalogue_translates_every_message(code: str) -> None:
    with po_path(code).open("rb") as source:
        catalogue = read_po(source, locale=locale_id(code))
    missing, fuzzy, placeholders = [], [], []
    for msgid, ids in EXTRACTED.items():
        message = catalogue.get(msgid)
        if message is None or not all(message.string if isinstance(message.string, tuple) else [message.string]):
            missing.append(msgid)
            continue
        if message.fuzzy:
            fuzzy.append(msgid)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        # Every form keeps the msgid's placeholders (a plural form may leave out %(count)s, as "one" often does).
        if any(
            set(PLACEHOLDER.findall(s)) - wanted or (wanted - {"count"}) - set(PLACEHOLDER.findall(s)) for s in strings
        ):
            placeholders.append(msgid)
    assert not missing, f"{code}: untranslated {missing[:5]} ({len(missing)})"
    assert not fuzzy, f"{code}: fuzzy {fuzzy[:5]}"
    assert not placeholders, f"{code}: placeholders differ in {placeholders[:5]}"
    assert not catalogue.fuzzy, f"{code}: the catalogue header is marked fuzzy"
