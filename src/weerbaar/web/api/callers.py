"""Who calls the API: the dependencies every operation starts with.

Reads and writes both need a signed-in caller (API token or browser session); a
write from a browser session must also carry the session's CSRF token in the
``X-CSRF-Token`` header, and a write with an API token needs a token of the write
scope (a read-only token's try is refused and audited). The bearer scheme is
declared so the OpenAPI description and its interactive docs know how to
authenticate.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.security import HTTPBearer

from weerbaar.services.api_tokens import Scope, refuse_write
from weerbaar.web.auth import CSRF_HEADER, Caller, check_csrf, database, require_caller

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="an API token (`weerbaar user token USER`), sent as `Authorization: Bearer wb_…`",
)


def reader(request: Request) -> Caller:
    return require_caller(request)


def writer(request: Request) -> Caller:
    caller = require_caller(request)
    check_csrf(caller, request.headers.get(CSRF_HEADER))
    if caller.token_id is not None and caller.scope is not Scope.WRITE:
        what = f"{request.method} {request.url.path}"
        raise refuse_write(database(request), caller.token_id, caller.actor, what)
    return caller
