"""Every other path under ``/api/v1``: 404 in the API's error shape.

Without it, a path the API lacks would fall through to the pages' generic
``/{entity_name}/{key:path}`` routes and be answered as a page. A path the API has,
asked with a method it lacks, never gets here: :mod:`weerbaar.web.methods` answers
that 405 before routing.
"""

from __future__ import annotations

from typing import NoReturn

from fastapi import APIRouter, HTTPException, Request

from weerbaar.errors import said

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def fallback_router() -> APIRouter:
    """A router that answers every path with 404: include it last."""
    router = APIRouter(include_in_schema=False)

    @router.api_route("/{rest:path}", methods=METHODS, response_model=None)
    def unknown_path(request: Request, rest: str) -> NoReturn:
        raise HTTPException(404, said("no such resource: %(path)s", path=request.url.path))

    return router
