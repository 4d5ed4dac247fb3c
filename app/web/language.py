"""The page language of a request: ``?lang=``, the switcher's cookie, ``Accept-Language``, the college, English.

A page answers in the chosen language with ``Content-Language`` and ``Vary: Accept-Language, Cookie``; a
``?lang=`` that names a supported language also sets the cookie, so the choice made with the switcher's links
sticks to later pages (no JavaScript needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from app.i18n.languages import COOKIE, choose, supported
from app.web.render import PageLanguage, switcher

COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class LanguageChoice:
    """What the request says about language; the college's default is known only once the page has loaded it."""

    query: str | None
    cookie: str | None
    accept_language: str | None
    params: dict[str, str]

    def code(self, college_default: str | None = None) -> str:
        return choose(
            query=self.query,
            cookie=self.cookie,
            accept_language=self.accept_language,
            college_default=college_default,
        )

    def page(self, college_default: str | None = None) -> PageLanguage:
        """The page's language and its switcher links (which keep the page's other query parameters)."""
        return switcher(self.code(college_default), self.params)


def language_choice(request: Request) -> LanguageChoice:
    return LanguageChoice(
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(COOKIE),
        accept_language=request.headers.get("accept-language"),
        params=dict(request.query_params),
    )


LanguageDep = Annotated[LanguageChoice, Depends(language_choice)]


def localized(response: Response, choice: LanguageChoice, page: PageLanguage, *, vary: str | None = None) -> Response:
    """Marks a page's language on its response, and remembers a ``?lang=`` choice in the cookie."""
    response.headers["Content-Language"] = page.code
    response.headers["Vary"] = ", ".join(filter(None, [vary, "Accept-Language", "Cookie"]))
    chosen = supported(choice.query)
    if chosen and chosen != supported(choice.cookie):
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="lax", httponly=True, path="/")
    return response
