"""The gettext catalogues (``app/locales/<locale>/LC_MESSAGES/messages.po``), compiled in memory on first use.

No ``.mo`` file is committed or built: the ``.po`` files ship inside the package (editable installs and wheels
alike) and Babel compiles each one the first time its language is asked for, so a catalogue can never be out of
step with a stale compiled copy. Fuzzy entries are left out, as ``pybabel compile`` does.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.i18n.languages import DEFAULT, LANGUAGES, locale_id

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def po_path(code: str) -> Path:
    return LOCALES_DIR / locale_id(code) / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of a supported language; English (the msgids) has none."""
    if code == DEFAULT or code not in LANGUAGES:
        return gettext.NullTranslations()
    with po_path(code).open("rb") as source:
        catalog = read_po(source, locale=locale_id(code), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
