"""A request id for every request, and one access log line.

The id is the caller's ``X-Request-ID`` when that is one an id may be (a proxy in
front made it: the proxy's log and weerbaar's then name the same request), else a new
one. It holds for everything the request does, on whatever thread or task: its log
lines and the audit entries it writes carry it, and the answer names it in
``X-Request-ID``.

The access line (logger ``weerbaar.access``) says the method, the route's template
(``/api/v1/records/{entity}/{key}``; the path where no route answered), the status and
the time taken. Never the query string, which can hold a search for a classified
title or a sign-in link's token, nor headers, cookies or bodies.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from weerbaar.domain.request_ids import acceptable, current_request_id, new_request_id

HEADER = "X-Request-ID"
# An unrouted path is the caller's own text: enough of it to tell requests apart.
MAX_PATH = 200

access_log = logging.getLogger("weerbaar.access")


def route_of(scope: Scope) -> str:
    """The template of the route that answered, else the path (without its query)."""
    route = scope.get("route")
    # A route of an included router knows its template below the inclusion's prefix
    # only; FastAPI keeps the whole one beside it.
    included = (scope.get("fastapi") or {}).get("effective_route_context")
    template = getattr(included, "path_format", None) or getattr(route, "path_format", None)
    if isinstance(template, str) and not isinstance(route, Mount):
        return template
    path = str(scope.get("path", ""))
    return path if len(path) <= MAX_PATH else path[: MAX_PATH - 1] + "…"


class RequestIds:
    """Outermost: the id is set before anything else runs, for all of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = acceptable(Headers(scope=scope).get(HEADER)) or new_request_id()
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # unless an answer starts
        logged = False

        def log_access() -> None:
            nonlocal logged
            logged = True
            method, route = scope["method"], route_of(scope)
            took = round((time.perf_counter() - started) * 1000, 1)
            access_log.info(
                "%s %s %s %.1f ms",
                method,
                route,
                status,
                took,
                extra={"method": method, "route": route, "status": status, "duration_ms": took},
            )

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)
            # Logged once the answer is out: tasks run after it are not its time.
            if message["type"] == "http.response.body" and not message.get("more_body"):
                log_access()

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            if not logged:
                log_access()
            # The id is left set: the server's own line about the failure, written
            # further out, names the request too.
            raise
        if not logged:  # the caller went away before the answer was complete
            log_access()
        current_request_id.reset(token)
