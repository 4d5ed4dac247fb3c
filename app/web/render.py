"""Jinja2 rendering of the public pages, one template environment per language (no web framework)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from app.i18n.catalogues import translations
from app.i18n.languages import DEFAULT, LANGUAGES, display_name
from app.i18n.localizer import localizer
from app.web.view import CredentialView, PresentationView, outcome_style, verdict_style

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
# Pages shared by a secret address (a portfolio, an employer's request): never cached, never indexed, and the
# address never leaks in a Referer header.
UNLISTED_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def is_web_url(value: str | None) -> bool:
    """True for an absolute http(s) URL with a host.

    Issuer URLs come from the credential itself, which may be forged: autoescaping does not stop a
    ``javascript:`` link, so the page only links to web URLs and shows anything else as plain text.
    """
    if not value:
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class LanguageLink:
    """One entry of the language switcher: the language's own name and the current page in that language."""

    code: str
    name: str
    href: str
    current: bool


@dataclass(frozen=True)
class PageLanguage:
    """The language a page is rendered in, and the switcher's links (each a query-only URL: same page, ``?lang=``)."""

    code: str = DEFAULT
    links: tuple[LanguageLink, ...] = field(default_factory=tuple)


def switcher(code: str, query: dict[str, str] | None = None) -> PageLanguage:
    """Links to this page in every language, keeping its other query parameters (a catalogue search, say)."""
    from urllib.parse import urlencode

    kept = {key: value for key, value in (query or {}).items() if key != "lang"}
    links = tuple(
        LanguageLink(other, display_name(other), "?" + urlencode(kept | {"lang": other}), other == code)
        for other in LANGUAGES
    )
    return PageLanguage(code, links)


@cache
def templates(language: str = DEFAULT) -> jinja2.Environment:
    """The public pages' template environment of one language."""
    return page_environment(TEMPLATES, language)


def page_environment(directory: Path, language: str) -> jinja2.Environment:
    """A template environment of one language: HTML autoescaped, undefined names are errors rather than blanks,
    ``{% trans %}`` and ``_()`` translated (new-style gettext, so placeholders are escaped and checked)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    t = localizer(language)
    environment.globals.update(
        verdict_style=verdict_style,
        outcome_style=outcome_style,
        language_name=t.language_name,
        format_date=t.date,
    )
    environment.tests["web_url"] = is_web_url
    return environment


def render_page(name: str, page: PageLanguage, **context: object) -> str:
    """A page template in ``page.code``, with the language switcher; ``context`` is the template's own data."""
    return templates(page.code).get_template(name).render(page=page, **context)


def render_verification_page(view: CredentialView, page: PageLanguage | None = None) -> str:
    """The HTML of ``GET /v/{token}``."""
    page = page or switcher(view.language)
    return render_page("verify.html", page, view=view, branding=view.college)


def render_presentation_page(view: PresentationView, page: PageLanguage | None = None) -> str:
    """The HTML of a presentation checked at ``/verify``: the holder's verdict, then each credential's."""
    return render_page("presentation.html", page or switcher(view.language), view=view)


def render_not_found(home_url: str = "/", page: PageLanguage | None = None) -> str:
    """The HTML page for a token that matches no credential."""
    return render_page("error.html", page or switcher(DEFAULT), home_url=home_url)


def render_verify_form(
    *,
    error: str | None = None,
    text: str = "",
    page: PageLanguage | None = None,
    challenge: str | None = None,
    domain: str | None = None,
) -> str:
    """The verify-anything page: paste or upload a credential or a presentation (with the challenge and domain the
    holder was given); ``error`` explains why the last one was not checked."""
    return render_page(
        "verify_form.html", page or switcher(DEFAULT), error=error, text=text, challenge=challenge, domain=domain
    )
