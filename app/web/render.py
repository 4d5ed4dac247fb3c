"""Jinja2 rendering of the verification and not-found pages from a CredentialView (no web framework)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from app.web.view import CredentialView, outcome_label, outcome_style, verdict_style

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


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


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    """The template environment: HTML autoescaped, undefined names are errors rather than blanks."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(verdict_style=verdict_style, outcome_style=outcome_style, outcome_label=outcome_label)
    environment.tests["web_url"] = is_web_url
    return environment


def render_verification_page(view: CredentialView) -> str:
    """The HTML of ``GET /v/{token}``."""
    page = templates().get_template("verify.html")
    return page.render(view=view, style=verdict_style(view.verdict), branding=view.college)


def render_not_found(home_url: str = "/") -> str:
    """The HTML page for a token that matches no credential."""
    return templates().get_template("error.html").render(home_url=home_url)


def render_verify_form(*, error: str | None = None, text: str = "") -> str:
    """The verify-anything page: paste or upload a credential; ``error`` explains why the last one was not checked."""
    return templates().get_template("verify_form.html").render(error=error, text=text)
