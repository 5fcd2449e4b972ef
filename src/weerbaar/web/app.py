"""The ASGI application: ``create_app(settings)`` builds it; ``weerbaar serve`` runs
it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

from weerbaar import errors
from weerbaar.config import Settings
from weerbaar.services import schedulers
from weerbaar.services.single_sign_on import check_providers
from weerbaar.storage.db import Database
from weerbaar.web import (
    confirm,
    health,
    login,
    metrics,
    second_factor,
    security_key,
    single_sign_on,
    taxii,
)
from weerbaar.web import errors as web_errors
from weerbaar.web.conditional import ConditionalReads
from weerbaar.web.language import language_middleware
from weerbaar.web.methods import AllowedMethods
from weerbaar.web.request_ids import RequestIds
from weerbaar.web.templating import make_templates

HERE = Path(__file__).parent
log = logging.getLogger(__name__)

# Pages render on the server and use no inline script; the interactive diagram's
# plotly bundle is served from /static.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# Only over HTTPS: a browser that has seen it refuses plain HTTP to this host for a year.
HSTS = "max-age=31536000; includeSubDomains"


async def _warm_engines() -> None:
    from weerbaar.services.warm_engines import warm_engines

    try:
        await asyncio.to_thread(warm_engines)
    except Exception:  # the first page that needs them loads them instead
        log.exception("loading the compiled engines at start failed")


@functools.cache
def site_routes() -> tuple[BaseRoute, ...]:
    """Every route of the app, in the order they are tried, made once per process.

    FastAPI builds an included router's routes (the parameters and bodies of some three
    hundred of them, as pydantic adapters) at the first request that reaches them, and
    keeps what it built with the inclusion: about a second. The routes do not depend on
    the settings, so every app a process makes shares one inclusion, and only the first
    app's first request pays. Every route finds its app, and with it the register and
    settings, in the request. The inclusion has no app above it, so its routes ignore an
    app's ``dependency_overrides``, and a router's own start-up handlers would not run
    (weerbaar has neither: the app's lifespan starts what runs beside it)."""
    from weerbaar.web import api, pages

    site = APIRouter()
    site.include_router(health.router)  # first: no page's pattern may take these paths
    site.include_router(metrics.router)
    site.include_router(login.router)
    site.include_router(second_factor.router)
    site.include_router(security_key.router)
    site.include_router(confirm.router)
    site.include_router(single_sign_on.router)
    site.include_router(api.router, prefix="/api/v1")
    site.include_router(taxii.router)  # before the pages: /taxii2/… is never a page
    site.include_router(pages.router)
    return tuple(site.routes)


def create_app(settings: Settings, *, db: Database | None = None) -> FastAPI:
    """The app as ``settings`` say, on ``db`` (default: the settings' database, which
    the app then closes when it stops)."""
    from weerbaar.web import api

    check_providers(settings.single_sign_on)
    owned = db is None
    database = Database(settings.db_url, trail=settings.trail) if db is None else db
    interval = settings.web.notify_interval

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = []
        if settings.web.warm_engines:
            tasks.append(asyncio.create_task(_warm_engines()))
        if interval:
            tasks.append(
                asyncio.create_task(
                    schedulers.deliver_notifications(database, settings.delivery, interval)
                )
            )
        if settings.web.poll_interval:
            tasks.append(
                asyncio.create_task(
                    schedulers.poll_sources(
                        database, settings.source_secrets, settings.web.poll_interval
                    )
                )
            )
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if owned:
            database.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="weerbaar",
        summary="National register of threats and scenarios, and their assessment",
        version="1",
        docs_url="/api/v1/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.db = database
    app.state.settings = settings
    app.state.secure_cookies = settings.web.secure_cookies
    app.state.templates = make_templates(HERE / "templates")
    app.state.metrics = metrics.AppMetrics(database, shared_dir=settings.web.metrics_dir)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(errors.WeerbaarError, web_errors.handle)
    api.install_error_handlers(app)
    app.add_middleware(ConditionalReads)  # innermost: a 304 gets every header below
    app.add_middleware(AllowedMethods)  # inside the security headers: its 405s get them
    app.middleware("http")(language_middleware(settings))

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.scheme == "https" or settings.web.secure_cookies:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    # Outside all but the request id: the time counted is the whole answer's, and every
    # answer counts.
    app.add_middleware(metrics.RequestMetrics, metrics=app.state.metrics)
    # Added last, so outermost of all: the request's id holds for everything it does.
    app.add_middleware(RequestIds)
    app.router.routes.extend(site_routes())
    return app
