"""The staff console (``/console``): server-rendered pages for a college's staff, on the API's domain functions.

``app/main.py`` includes every router of ``routers``; an area adds its module's router here, one line each.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.console.routes import (
    account,
    assessments,
    auth,
    cohorts,
    credentials,
    dashboard,
    microcredentials,
    settings,
    sso,
    staff,
)

routers: list[APIRouter] = [
    auth.router,
    sso.router,
    dashboard.router,
    microcredentials.router,
    assessments.router,
    cohorts.router,
    credentials.router,
    settings.router,
    account.router,
    staff.router,
]
