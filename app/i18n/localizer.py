"""One language's words and formats: gettext, plural forms, and Babel's dates, numbers and names."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from app.i18n.catalogues import translations
from app.i18n.languages import DEFAULT, LANGUAGES, locale_id

# English pages write dates the European way ("22 November 2026"), as they did before translation.
_FORMAT_LOCALE = {DEFAULT: "en_GB"}
# An ISO 8601 duration as micro-credentials state theirs (P10W, P1Y6M, PT84H), whole numbers only.
_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_DURATION_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")


@dataclass(frozen=True)
class Localizer:
    """Everything a page, a PDF or an e-mail needs to speak ``language`` (a code of ``LANGUAGES``)."""

    language: str
    catalogue: gettext.NullTranslations
    locale: Locale

    def gettext(self, message: str) -> str:
        return self.catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalogue.ngettext(singular, plural, n)

    def date(self, moment: date | datetime | None) -> str | None:
        """``22 November 2026``, ``22. november 2026``, ``22 Νοεμβρίου 2026``."""
        if moment is None:
            return None
        return format_date(moment.date() if isinstance(moment, datetime) else moment, "long", locale=self.locale)

    def moment(self, moment: datetime) -> str:
        """A point in time to the minute, in UTC as the language writes it: ``28 November 2026, 23:45 UTC``."""
        utc = moment.astimezone(UTC)
        day = format_date(utc.date(), "long", locale=self.locale)
        time = format_time(utc, "HH:mm", tzinfo=UTC, locale=self.locale)
        # The language's own way of joining a date and a time (CLDR), as babel.dates.format_datetime does it.
        joined = str(get_datetime_format("long", locale=self.locale)).replace("'", "").replace("{0}", time)
        return f"{joined.replace('{1}', day)} UTC"

    def number(self, value: float) -> str:
        """``2,5`` or ``2.5``, as the language writes decimals."""
        return format_decimal(value, locale=self.locale)

    def duration(self, iso: str | None) -> str | None:
        """An ISO 8601 duration in words with CLDR's units: ``P10W`` → ``10 weeks``, ``10 viikkoa``,
        ``P1Y6M`` → ``1 year and 6 months``. A value that is not such a duration is shown as given."""
        if not iso:
            return None
        found = _DURATION.fullmatch(iso)
        if found is None or not any(found.groups()):
            return iso
        parts = [
            format_unit(int(amount), f"duration-{unit}", length="long", locale=self.locale)
            for amount, unit in zip(found.groups(), _DURATION_UNITS, strict=True)
            if amount is not None
        ]
        return format_list(parts, locale=self.locale)

    def country(self, alpha2: str | None) -> str | None:
        """A country's name in this language from its ISO 3166-1 alpha-2 code."""
        return self.locale.territories.get(alpha2.upper()) if alpha2 else None

    def language_name(self, code: str | None) -> str | None:
        """A language's name in this language from its ISO 639 code (``nl`` → ``Dutch``, ``Niederländisch``)."""
        return self.locale.languages.get(code.replace("-", "_").split("_")[0].lower()) if code else None


@cache
def localizer(language: str) -> Localizer:
    """The localizer of a supported language; anything else speaks English."""
    code = language if language in LANGUAGES else DEFAULT
    return Localizer(code, translations(code), Locale.parse(_FORMAT_LOCALE.get(code, locale_id(code))))
