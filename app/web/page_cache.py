"""Rendered verification pages, reused while a page would show exactly the same: the HTML is a pure function of
its CredentialView, which is built from a fresh verification on every view."""

from __future__ import annotations

import threading

from cachetools import LRUCache

from app.web.render import PageLanguage, render_verification_page
from app.web.view import CredentialView

# A page is some 10 KB of HTML and its view a few KB more: 512 pages stay under 10 MB per worker, and a page that
# fell out costs one rendering (about a tenth of a millisecond).
MAX_PAGES = 512


class RenderedPages:
    """The last page rendered for each credential and page language (its switcher links included), by the
    credential's public token; thread-safe."""

    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self._pages: LRUCache[tuple[str, PageLanguage], tuple[CredentialView, str]] = LRUCache(maxsize=max_pages)
        self._lock = threading.Lock()

    def render(self, token: str, view: CredentialView, page: PageLanguage) -> str:
        """The HTML of ``view`` in ``page``: the page rendered last for them when its view was equal, else a new
        one."""
        key = (token, page)
        with self._lock:
            kept = self._pages.get(key)
        if kept is not None and kept[0] == view:
            return kept[1]
        html = render_verification_page(view, page)
        with self._lock:
            self._pages[key] = (view, html)
        return html
