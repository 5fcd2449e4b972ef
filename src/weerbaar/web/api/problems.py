"""The API's one error shape, for weerbaar's own errors and for FastAPI's.

weerbaar's errors are turned into ``{"error": {"code", "message", "issues"}}`` by
:mod:`weerbaar.web.errors`; the handlers here give the same shape to what FastAPI
and Starlette raise themselves under ``/api``: a request that does not fit the
schema (422), an unknown path (404), a wrong method (405), and the preconditions
of an edit (412, 428). A page that gets a request it cannot take answers with a
400 page saying what was wrong, rather than with JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from weerbaar.errors import Said, said
from weerbaar.web.errors import is_api
from weerbaar.web.templating import render

# Pydantic starts the message of a validator's own ValueError so; the reason is enough.
_PYDANTIC_PREFIX = "Value error, "

# Pydantic's own reasons, by its error type, for readers of another language than its
# English; the values come from the error's context. A type not named here keeps
# pydantic's English.
_REASONS = {
    "missing": i18n.N_("Field required"),
    "extra_forbidden": i18n.N_("Extra inputs are not permitted"),
    "string_type": i18n.N_("Input should be a valid string"),
    "string_too_short": i18n.N_("String should have at least %(min_length)s characters"),
    "string_too_long": i18n.N_("String should have at most %(max_length)s characters"),
    "int_type": i18n.N_("Input should be a valid integer"),
    "int_parsing": i18n.N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": i18n.N_(
        "Input should be a valid integer, got a number with a fractional part"
    ),
    "float_type": i18n.N_("Input should be a valid number"),
    "float_parsing": i18n.N_("Input should be a valid number, unable to parse string as a number"),
    "bool_type": i18n.N_("Input should be a valid boolean"),
    "bool_parsing": i18n.N_("Input should be a valid boolean, unable to interpret input"),
    "date_type": i18n.N_("Input should be a valid date"),
    "date_parsing": i18n.N_("Input should be a valid date in the format YYYY-MM-DD"),
    "date_from_datetime_parsing": i18n.N_("Input should be a valid date or datetime"),
    "datetime_type": i18n.N_("Input should be a valid datetime"),
    "datetime_parsing": i18n.N_("Input should be a valid datetime"),
    "list_type": i18n.N_("Input should be a valid list"),
    "dict_type": i18n.N_("Input should be a valid dictionary"),
    "model_attributes_type": i18n.N_("Input should be a valid dictionary or object"),
    "json_invalid": i18n.N_("Invalid JSON"),
    "too_short": i18n.N_("List should have at least %(min_length)s items"),
    "too_long": i18n.N_("List should have at most %(max_length)s items"),
    "greater_than": i18n.N_("Input should be greater than %(gt)s"),
    "greater_than_equal": i18n.N_("Input should be greater than or equal to %(ge)s"),
    "less_than": i18n.N_("Input should be less than %(lt)s"),
    "less_than_equal": i18n.N_("Input should be less than or equal to %(le)s"),
    "enum": i18n.N_("Input should be %(expected)s"),
    "literal_error": i18n.N_("Input should be %(expected)s"),
}


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


def _reason(error: Mapping[str, Any]) -> str:
    """Why a value does not fit, in the reader's language where it can be said so."""
    given = error.get("msg", "invalid")
    if isinstance(given, str) and isinstance(given, Said):
        return i18n.translated(given)
    english = str(given).removeprefix(_PYDANTIC_PREFIX)
    template = _REASONS.get(str(error.get("type", "")))
    if template is None or i18n.language() == "en":
        return english
    values = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return i18n.gettext(template, **values)
    except (KeyError, ValueError):  # a context pydantic did not give: its English
        return english


def _issues(exc: RequestValidationError) -> list[dict[str, str]]:
    issues = []
    for error in exc.errors():
        where = [str(part) for part in error.get("loc", ())]
        reason = _reason(error)
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
