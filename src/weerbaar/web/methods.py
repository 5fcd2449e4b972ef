"""Which methods a path has: any other is answered 405, with an ``Allow`` header.

Starlette takes the first route that has both the path and the method, so where
routes overlap a request can reach a route never meant for its path: ``PUT
/api/v1/signals/alerts/detect`` reached the generic edit of a signal whose key would
be ``alerts/detect``. Here the routes that really name a path are found first, and a
method none of them has is refused before routing:

- a record's key (a ``key`` parameter) or the rest of a path (a ``:path``
  parameter) never spans words that another route matching the path spells out:
  ``/signals/trends`` is the trends, never the signal ``trends``;
- a collection (``entity_name``) is only ever the name of an entity, and a page of
  its own for one entity (``/signals``) keeps the generic routes of that entity for
  the methods it does not have itself (creating a signal posts to ``/signals``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fastapi.routing import iter_route_contexts
from starlette.convertors import PathConvertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from weerbaar.domain.register import ENTITIES
from weerbaar.web.templating import render

ENTITY_NAMES = frozenset(spec.name for spec in ENTITIES)
COLLECTION = "entity_name"
RECORD_KEY = "key"

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class RouteShape:
    """One route as far as methods go: its path pattern, its methods, and which of its
    parameters may not span a word another route spells out."""

    regex: re.Pattern[str]
    methods: frozenset[str]
    spanning: tuple[str, ...]


def route_shapes(routes: Sequence[BaseRoute]) -> list[RouteShape]:
    shapes = []
    for route in iter_route_contexts(routes):
        methods = route.methods
        regex = getattr(route, "path_regex", None)
        if not methods or not isinstance(regex, re.Pattern):
            continue  # mounts (static files) answer for themselves
        convertors = getattr(route, "param_convertors", {})
        spanning = tuple(
            name
            for name, convertor in convertors.items()
            if name == RECORD_KEY or isinstance(convertor, PathConvertor)
        )
        shapes.append(RouteShape(regex, frozenset(methods), spanning))
    return shapes


def _covered(span: Span, by: Iterable[Span]) -> bool:
    """Whether every character of ``span`` lies in one of the spans ``by``."""
    start, end = span
    for low, high in sorted(by):
        if low > start:
            break
        start = max(start, high)
    return start >= end


def _param_spans(match: re.Match[str]) -> list[Span]:
    return [match.span(name) for name in match.groupdict()]


def allowed_methods(shapes: Sequence[RouteShape], path: str) -> frozenset[str] | None:
    """The methods of the routes that name ``path``; None when no route matches it."""
    matches: list[tuple[RouteShape, re.Match[str]]] = []
    for shape in shapes:
        found = shape.regex.fullmatch(path)
        if found is None:
            continue
        collection = found.groupdict().get(COLLECTION)
        if collection is not None and collection not in ENTITY_NAMES:
            continue
        matches.append((shape, found))
    if not matches:
        return None
    methods: set[str] = set()
    for shape, found in matches:
        spans = [found.span(name) for name in shape.spanning]
        shadowed = any(
            not _covered(span, _param_spans(other))
            for other_shape, other in matches
            if other_shape is not shape
            for span in spans
        )
        if not shadowed:
            methods |= shape.methods
    return frozenset(methods)


def _refusal(request: Request, allowed: frozenset[str]) -> Response:
    listed = ", ".join(sorted(allowed))
    message = f"{request.method} is not allowed here; use {listed}"
    headers = {"Allow": listed}
    if request.url.path.startswith("/api/"):
        body = {"error": {"code": "method_not_allowed", "message": message, "issues": []}}
        return JSONResponse(body, status_code=405, headers=headers)
    return render(
        request, "error.html", {"status": 405, "message": message}, status_code=405, headers=headers
    )


def _route_path(scope: Scope) -> str:
    """The path as routes see it: without the prefix the app is served under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class AllowedMethods:
    """ASGI middleware: 405 for a method that no route naming the path has. The
    routes are read at the first request, when the app has all of them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.shapes: list[RouteShape] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.shapes is None:
            self.shapes = route_shapes(scope["app"].routes)
        allowed = allowed_methods(self.shapes, _route_path(scope))
        if allowed and scope["method"] not in allowed:
            response = _refusal(Request(scope, receive), allowed)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
