"""The languages vetcred speaks and how one is chosen: ``?lang=``, cookie, ``Accept-Language``, college, English.

Codes are BCP 47 tags as pages and URLs use them (``sr-Latn``); Babel and the catalogue folders use the locale
identifier (``sr_Latn``).
"""

from __future__ import annotations

from functools import cache

from babel import Locale, negotiate_locale

DEFAULT = "en"
# A language is listed only with a complete catalogue (tests/i18n refuses an incomplete one).
LANGUAGES: tuple[str, ...] = ("en", "ca", "da", "de", "el", "es", "et", "fi", "fr", "hr", "nl", "sl", "sr-Latn")
COOKIE = "vetcred_lang"

_BY_KEY = {code.casefold(): code for code in LANGUAGES}
# Serbian without a script (or in Cyrillic) still reads the Latin catalogue rather than English.
_ALIASES = {"sr": "sr-Latn", "sr-rs": "sr-Latn", "sr-cyrl": "sr-Latn", "sr-latn-rs": "sr-Latn"}


def locale_id(code: str) -> str:
    """``sr-Latn`` → ``sr_Latn``: the Babel locale and the catalogue folder of a supported language."""
    return code.replace("-", "_")


def supported(tag: str | None) -> str | None:
    """The supported language a tag names exactly (any case, ``-`` or ``_``), else None."""
    if not tag:
        return None
    key = tag.strip().replace("_", "-").casefold()
    return _BY_KEY.get(key) or _ALIASES.get(key)


def parse_accept_language(header: str | None) -> list[str]:
    """The tags of an ``Accept-Language`` header, most wanted first; ``q=0`` and malformed entries are left out.

    Equal weights keep the header's order (RFC 9110 §12.5.4).
    """
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*" or len(tag) > 35:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
        if 0 < quality <= 1:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def from_accept_language(header: str | None) -> str | None:
    """The best supported language for an ``Accept-Language`` header (``de-AT`` → ``de``), or None."""
    for tag in parse_accept_language(header):
        exact = supported(tag)
        if exact:
            return exact
        # Babel falls back from a region or script to the bare language (de-AT → de), as browsers expect.
        found = negotiate_locale([tag], LANGUAGES, sep="-") or supported(tag.split("-")[0])
        if found:
            return supported(found)
    return None


def choose(
    *, query: str | None, cookie: str | None, accept_language: str | None, college_default: str | None = None
) -> str:
    """The order of the brief: ``?lang=``, the switcher's cookie, ``Accept-Language``, the college's default,
    English. A value that names no supported language is skipped, never an error."""
    return (
        supported(query)
        or supported(cookie)
        or from_accept_language(accept_language)
        or supported(college_default)
        or DEFAULT
    )


@cache
def display_name(code: str) -> str:
    """The language's own name for itself (``Eesti``, ``Ελληνικά``, ``Srpski (latinica)``), for the switcher."""
    name = Locale.parse(locale_id(code)).display_name or code
    return name[:1].upper() + name[1:]
