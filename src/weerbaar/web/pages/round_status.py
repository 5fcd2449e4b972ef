"""A round's status board (``/rounds/{round}/status``): per scenario its state, what it
waits for and who changed it last, with the review, approval and reopening buttons
the reader's role may use."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import errors, i18n
from weerbaar.services import sign_off
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of
from weerbaar.web.errors import status_of
from weerbaar.web.pages.common import Form, check_form, form_text, record_url, see_other
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


def _status_url(round_key: str) -> str:
    return f"/rounds/{quote(round_key, safe='')}/status"


def _page(
    request: Request,
    caller: Caller,
    round_key: str,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    board = sign_off.status_board(database(request), caller.subject, round_key)
    role = caller.subject.role
    return render(
        request,
        "round_status.html",
        {
            "caller": caller,
            "board": board,
            "round_href": record_url("rounds", board.round.key),
            "action": _status_url(board.round.key),
            "may_review": role.may("review"),
            "may_approve": role.may("approve"),
            "may_reopen": role.may("reopen"),
            "problems": problems or [],
        },
        status_code=status,
    )


@router.get("/rounds/{round_key}/status")
def status_page(request: Request, round_key: str) -> Response:
    caller = require_caller(request)
    return _page(request, caller, round_key)


@router.post("/rounds/{round_key}/status/{act}")
def take_act(request: Request, round_key: str, act: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    ctx = context_of(request, caller)
    scenario = form_text(form, "scenario")
    try:
        match act:
            case "review":
                sign_off.review(ctx, round_key=round_key, scenario=scenario)
            case "approve":
                sign_off.approve(ctx, round_key=round_key, scenario=scenario)
            case "approve-round":
                sign_off.approve_round(ctx, round_key=round_key)
            case "reopen":
                sign_off.reopen(
                    ctx,
                    round_key=round_key,
                    scenario=scenario or None,
                    reason=form_text(form, "reason"),
                )
            case _:
                raise errors.NotFoundError("page", act)
    except (errors.ValidationError, errors.ConflictError, errors.ForbiddenError) as exc:
        # Said on the board itself, so the reader sees what stands in the way.
        problems = (
            [i18n.issue_text(i, place=False) for i in exc.issues]
            if isinstance(exc, errors.ValidationError)
            else [i18n.error_text(exc)]
        )
        return _page(request, caller, round_key, problems=problems, status=status_of(exc))
    return see_other(_status_url(round_key))
