"""Who calls the API: the dependencies every operation starts with.

Reads and writes both need a signed-in caller (API token or browser session); a
write from a browser session must also carry the session's CSRF token in the
``X-CSRF-Token`` header. The bearer scheme is declared so the OpenAPI description
and its interactive docs know how to authenticate.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.security import HTTPBearer

from weerbaar.web.auth import CSRF_HEADER, Caller, check_csrf, require_caller

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="an API token (`weerbaar user token NAME`), sent as `Authorization: Bearer wb_…`",
)


def reader(request: Request) -> Caller:
    return require_caller(request)


def writer(request: Request) -> Caller:
    caller = require_caller(request)
    check_csrf(caller, request.headers.get(CSRF_HEADER))
    return caller
