"""Walks a signed-in staff member's console: every page reachable from the parameterless console pages, with the
links and the forms (their action and the values they would send) found on them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and a.get("href", "").startswith("/console"):
            self.links.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "post" and a.get("action", "").startswith("/console"):
            self._form = Form(a["action"])
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.fields[a["name"]] = a.get("value", "")
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
        elif self._form is not None and tag == "option" and self._select is not None:
            if self._select not in self._form.fields or "selected" in a:
                self._form.fields[self._select] = a.get("value", "")
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def console_routes(app: FastAPI) -> list[APIRoute]:
    """Every console route the app serves (FastAPI includes routers lazily: ``iter_route_contexts`` walks them)."""
    routes = (context.original_route for context in iter_route_contexts(app.routes))
    return [r for r in routes if isinstance(r, APIRoute) and r.path.startswith("/console")]


def parameterised_route(app: FastAPI, path: str, method: str) -> APIRoute | None:
    """The console route with path parameters that serves ``method path``, if one does. Routes are tried in the
    app's order, as it routes them: ``/console/microcredentials/new`` is its own page, though
    ``/console/microcredentials/{spec_id}`` would match it too."""
    for route in console_routes(app):
        if method not in route.methods:
            continue
        if "{" not in route.path:
            if route.path == path:
                return None
            continue
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(route.path))
        if re.fullmatch(pattern, path):
            return route
    return None


def crawl(app: FastAPI, client: TestClient, limit: int = 400) -> tuple[set[str], list[Form]]:
    """Every console URL the member reaches (GET, answered 200) and every form on those pages."""
    start = [r.path for r in console_routes(app) if "GET" in r.methods and "{" not in r.path]
    queue, seen, pages, forms = list(start), set(start), set(), []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        answer = client.get(url, follow_redirects=False)
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        pages.add(url)
        parser = _Page()
        parser.feed(answer.text)
        forms += parser.forms
        for link in (unescape(href) for href in parser.links):
            target = urlsplit(link)
            if target.path.startswith("/console/static") or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return pages, forms
