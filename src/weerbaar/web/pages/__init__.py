"""The server-rendered pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar.web.auth import require_caller
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(request: Request) -> Response:
    caller = require_caller(request)
    return render(request, "dashboard.html", {"caller": caller})
