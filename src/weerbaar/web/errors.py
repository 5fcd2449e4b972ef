"""One mapping from weerbaar's errors to HTTP: JSON for the API, a page for people.

The words are the reader's (the request's language): the API's ``message`` and each
issue's ``reason``; its codes, fields and places are the same in every language."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlparse

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from weerbaar import errors, i18n
from weerbaar.web.templating import render

STATUS: tuple[tuple[type[errors.WeerbaarError], int], ...] = (
    (errors.ValidationError, 422),
    (errors.ConflictError, 409),
    (errors.StepError, 409),
    (errors.NotFoundError, 404),
    (errors.DuplicateError, 409),
    (errors.ReferencedError, 409),
    (errors.ForbiddenError, 403),
    (errors.UnauthenticatedError, 401),
    (errors.RateLimitedError, 429),
    (errors.FileFormatError, 400),
    (errors.NotInitialisedError, 503),
)

CODES = {
    errors.ValidationError: "invalid",
    errors.LockedError: "locked",
    errors.ConflictError: "conflict",
    errors.StepError: "not_now",
    errors.NotFoundError: "not_found",
    errors.DuplicateError: "duplicate",
    errors.ReferencedError: "referenced",
    errors.ForbiddenError: "forbidden",
    errors.ConfirmAgainError: "confirm_again",
    errors.UnauthenticatedError: "unauthenticated",
    errors.RateLimitedError: "rate_limited",
    errors.FileFormatError: "bad_file",
    errors.NotInitialisedError: "not_initialised",
}


def status_of(exc: errors.WeerbaarError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 500)


def error_body(exc: errors.WeerbaarError) -> dict[str, Any]:
    """The API's one error shape: ``{"error": {"code", "message", "issues"}}``."""
    code = next((c for kind, c in CODES.items() if isinstance(exc, kind)), "error")
    issues = [
        {"place": str(i.place), "field": i.field, "reason": i18n.translated(i.reason)}
        for i in getattr(exc, "issues", [])
    ]
    message = i18n.error_text(exc) if status_of(exc) < 500 else i18n.gettext("internal error")
    return {"error": {"code": code, "message": message, "issues": issues}}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.WeerbaarError)
    status = status_of(exc)
    headers = {}
    if isinstance(exc, errors.RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    if is_api(request):
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(error_body(exc), status_code=status, headers=headers)
    if isinstance(exc, errors.SignInIncompleteError):
        page = "/login/second-factor" if exc.stage == "second-factor" else "/account/second-factor"
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"{page}?next={quote(target)}", status_code=303)
    if isinstance(exc, errors.ConfirmAgainError):
        back = request.headers.get("referer", "")
        target = urlparse(back).path if back else "/account"
        return RedirectResponse(f"/account/confirm?next={quote(target)}", status_code=303)
    if isinstance(exc, errors.UnauthenticatedError) and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    message = i18n.error_text(exc) if status < 500 else i18n.gettext("internal error")
    return render(
        request,
        "error.html",
        {"status": status, "message": message},
        status_code=status,
        headers=headers,
    )
