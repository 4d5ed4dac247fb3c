"""``create_app(settings)``: builds the FastAPI application; nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.api import public
from app.api.errors import install_error_handlers
from app.api.limits import RequestLimits
from app.api.rate_limits import RateLimits, rules
from app.api.responses import AUTHENTICATED, EVERY_ROUTE, errors, json_errors
from app.api.security_headers import SecurityHeaders
from app.api.v1 import (
    achievements,
    branding,
    catalogue,
    claims,
    credentials,
    edc,
    issuers,
    jobs,
    microcredentials,
    oid4vci,
    openid4vp,
    status,
    vc_api,
    verify,
)
from app.config import Settings
from app.console import routers as console_routers
from app.console.errors import install_console_errors
from app.console.render import STATIC as CONSOLE_STATIC
from app.errors import ConfigurationError
from app.jobs.worker import start_in_process_worker
from app.logs import install_redaction
from app.outbound import OutboundClient
from app.runtime import Runtime, utc_now
from app.web import apidocs, claim, home, learner, pages, portfolio, presentation_request
from app.web import catalogue as catalogue_page
from app.web.render import STATIC
from app.web.verified_pages import VerifiedPages

DESCRIPTION = """Issue Open Badges 3.0 credentials signed with W3C Data Integrity `eddsa-rdfc-2022`.

Authenticate with `Authorization: Bearer <key>`: the admin token registers colleges (`POST /api/v1/issuers`) and
invites each college's first console owner (`POST /api/v1/issuers/{id}/owner`), and each college's API key manages
its own achievements and credentials (no college sees another's). College staff work in the console at `/console`.
Errors are `{"error": code, "detail": message}`; invalid input is 422 with `errors[].field` naming each field.
"""


def create_app(
    settings: Settings, *, clock: Callable[[], datetime] = utc_now, outbound: OutboundClient | None = None
) -> FastAPI:
    if not settings.admin_token:
        raise ConfigurationError("create_app needs an admin token (vetcred serve generates one on first start)")
    settings.check_production()
    runtime = Runtime.start(settings, clock=clock, outbound=outbound)
    install_redaction()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        worker = start_in_process_worker(runtime)
        yield
        if worker is not None:
            worker.stop()
        runtime.close()

    # /docs and /redoc are served from the app's own copies of Swagger UI and ReDoc (app/web/apidocs.py), not a CDN.
    app = FastAPI(
        title="vetcred", version=__version__, description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.runtime = runtime
    # The verification pages first: every QR-code scan lands there, and routes are matched in order.
    app.include_router(pages.router, responses=json_errors(400, 404, 410, 413, 422, 429, 503))
    for router in (
        issuers.router,
        branding.router,
        achievements.router,
        credentials.router,
        claims.router,
        status.router,
        microcredentials.router,
        edc.router,
        jobs.router,
    ):
        app.include_router(router, responses=EVERY_ROUTE | AUTHENTICATED)
    for router in (
        verify.router,
        public.router,
        branding.public_router,
        oid4vci.router,
        vc_api.router,
        openid4vp.router,
        catalogue.router,
    ):
        app.include_router(router, responses=EVERY_ROUTE | errors(404))
    app.include_router(apidocs.router)
    web_pages = (claim.router, learner.router, portfolio.router, presentation_request.router, catalogue_page.router)
    for router in (*web_pages, home.router):
        app.include_router(router, responses=json_errors(400, 404, 410, 413, 422, 429, 503))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # The staff console (docs/console.md): its static files first, so no console route can shadow them.
    app.mount("/console/static", StaticFiles(directory=CONSOLE_STATIC), name="console-static")
    for router in console_routers:
        app.include_router(router)
    install_error_handlers(app)
    install_console_errors(app)
    app.add_middleware(RequestLimits, max_bytes=settings.max_body_bytes, cohort_bytes=settings.max_cohort_bytes)
    app.add_middleware(
        RateLimits,
        rules=rules(
            verify=settings.rate_limit_verify,
            claim=settings.rate_limit_claim,
            token=settings.rate_limit_token,
            console_sign_in=settings.rate_limit_console_sign_in,
        ),
        auth_failures=settings.rate_limit_auth_failures,
        storage=settings.rate_limit_storage,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.public_url.startswith("https://"))
    # Outermost: an unchanged verification page is served again before any other layer runs (what it keeps includes
    # the headers the layers inside added).
    app.add_middleware(VerifiedPages, runtime=runtime)
    return app
