"""The API's one error shape, for weerbaar's own errors and for FastAPI's.

weerbaar's errors are turned into ``{"error": {"code", "message", "issues"}}`` by
:mod:`weerbaar.web.errors`; the handlers here give the same shape to what FastAPI
and Starlette raise themselves under ``/api``: a request that does not fit the
schema (422), an unknown path (404), a wrong method (405), and the preconditions
of an edit (412, 428). A page that gets a request it cannot take answers with a
400 page saying what was wrong, rather than with JSON.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from weerbaar import i18n
from weerbaar.errors import said
from weerbaar.web.errors import is_api
from weerbaar.web.templating import render

# Pydantic starts the message of a validator's own ValueError so; the reason is enough.
_PYDANTIC_PREFIX = "Value error, "


class IssueOut(BaseModel):
    place: str
    field: str
    reason: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    issues: list[IssueOut]


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers an operation can give."""
    return {
        status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
        for status in statuses
    }


def _code(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def _body(status: int, message: str, issues: list[dict[str, str]]) -> dict[str, Any]:
    return {"error": {"code": _code(status), "message": message, "issues": issues}}


def _issues(exc: RequestValidationError) -> list[dict[str, str]]:
    issues = []
    for error in exc.errors():
        where = [str(part) for part in error.get("loc", ())]
        reason = str(error.get("msg", "invalid")).removeprefix(_PYDANTIC_PREFIX)
        issues.append(
            {"place": where[0] if where else "", "field": ".".join(where[1:]), "reason": reason}
        )
    return issues


def _bad_request_page(request: Request, issues: list[dict[str, str]]) -> Response:
    """A page asked for with a value it cannot take (``?page=abc``): 400, saying which."""
    problems = "; ".join(f"{i['field'] or i['place']}: {i['reason']}" for i in issues)
    return render(
        request,
        "error.html",
        {
            "status": 400,
            "message": i18n.gettext(
                "this page cannot take what was asked: %(problems)s", problems=problems
            ),
        },
        status_code=400,
    )


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    issues = _issues(exc)
    if not is_api(request):
        return _bad_request_page(request, issues)
    message = i18n.ngettext(
        "the request does not fit the API: %(num)d problem(s)",
        "the request does not fit the API: %(num)d problem(s)",
        len(issues),
    )
    body = _body(422, message, issues)
    body["error"]["code"] = "invalid"  # as for the services' own validation errors
    return JSONResponse(jsonable_encoder(body), status_code=422)


async def _http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not is_api(request):
        return await http_exception_handler(request, exc)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and message == "Not Found":
        message = said("no such resource: %(path)s", path=request.url.path)
    message = i18n.translated(message)
    return JSONResponse(
        _body(exc.status_code, message, []), status_code=exc.status_code, headers=exc.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_problem)
