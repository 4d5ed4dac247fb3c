"""``GET /console``: the college at a glance, and where to go."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from app.api.deps import SessionDep
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, ConsoleViewer
from app.console.render import console_page
from app.db.models import Credential, MicroCredentialSpec

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, staff: ConsoleViewer, session: SessionDep) -> HTMLResponse:
    college = staff.issuer.id
    count = select(func.count())
    # Each award is an OB 3.0 row (a micro-credential has its EDC twin beside it): count those.
    awards = count.select_from(Credential).where(Credential.issuer_id == college, Credential.format == "ob3")
    figures = {
        "microcredentials": session.scalar(
            count.select_from(MicroCredentialSpec).where(MicroCredentialSpec.issuer_id == college)
        ),
        "credentials": session.scalar(awards),
        "revoked": session.scalar(awards.where(Credential.status == "revoked")),
    }
    return console_page(request, "dashboard.html", {"figures": figures}, staff)
