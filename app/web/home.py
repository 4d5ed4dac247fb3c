"""``GET /``: what this service is, and the ways in: checking a credential, the catalogue, the API documentation."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.api.deps import RuntimeDep
from app.web.language import LanguageDep, localized
from app.web.render import render_page

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, summary="The landing page: what this service is, and where to go")
def home(choice: LanguageDep, runtime: RuntimeDep) -> Response:
    page = choice.page()
    host = urlsplit(runtime.settings.public_url).netloc
    return localized(HTMLResponse(render_page("home.html", page, host=host)), choice, page)
