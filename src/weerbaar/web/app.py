"""The ASGI application: ``create_app(db)`` builds it; ``weerbaar serve`` runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from weerbaar import errors
from weerbaar.storage.db import Database
from weerbaar.web import errors as web_errors
from weerbaar.web import login

HERE = Path(__file__).parent

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
}


def create_app(db: Database, *, secure_cookies: bool = False) -> FastAPI:
    from weerbaar.web import api, pages

    app = FastAPI(
        title="weerbaar",
        summary="National register of threats and scenarios, and their assessment",
        version="1",
        docs_url="/api/v1/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.db = db
    app.state.secure_cookies = secure_cookies
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(errors.WeerbaarError, web_errors.handle)
    api.install_error_handlers(app)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.include_router(login.router)
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(pages.router)
    return app
