"""Every other path under ``/api/v1``: 404, or 405 naming the methods the path has.

Without it, a path the API lacks would fall through to the pages' generic
``/{entity}/{key}`` routes and be answered as a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from fastapi import APIRouter, HTTPException, Request
from fastapi.routing import APIRoute

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def fallback_router(parts: Sequence[APIRouter]) -> APIRouter:
    """A router that answers every path ``parts`` do not: include it last."""
    routes = [route for part in parts for route in part.routes if isinstance(route, APIRoute)]
    router = APIRouter(include_in_schema=False)

    def methods_of(path: str) -> list[str]:
        return sorted(
            {m for route in routes if route.path_regex.fullmatch(path) for m in route.methods or ()}
        )

    @router.api_route("/{rest:path}", methods=METHODS, response_model=None)
    def unknown_path(request: Request, rest: str) -> NoReturn:
        allowed = methods_of(f"/{rest}")
        if allowed:
            raise HTTPException(
                405,
                f"{request.method} is not allowed here; use {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            )
        raise HTTPException(404, f"no such resource: {request.url.path}")

    return router
