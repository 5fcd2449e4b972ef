"""Rendering a page: every template gets the caller (for the header) and escapes
everything by default."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        template,
        {"caller": None, **context},
        status_code=status_code,
        headers=dict(headers or {}),
    )
    return response
