"""``/rounds/{round}/…``: a round's status board, and the review, approval and
reopening of its assessment (``weerbaar round …`` on the command line)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from weerbaar.services import sign_off
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of
from weerbaar.web.limits import Key
from weerbaar.web.presenters.sign_off import RoundStatus, board_answer

router = APIRouter(tags=["sign-off"])


def _board(request: Request, caller: Caller, round_key: str) -> RoundStatus:
    return board_answer(sign_off.status_board(database(request), caller.subject, round_key))


@router.get(
    "/rounds/{round_key}/status",
    summary="A round's status board",
    description="Per scenario of the round the caller may see: its state (draft, in "
    "session, concluded, reviewed, approved), what it waits for and who changed it last; "
    "and whether the round is approved (locked).",
    responses=error_responses(401, 404),
)
def round_status(
    request: Request, round_key: Key, caller: Annotated[Caller, Depends(reader)]
) -> RoundStatus:
    return _board(request, caller, round_key)


@router.post(
    "/rounds/{round_key}/scenarios/{scenario}/review",
    summary="Review a scenario's assessment",
    description="A concluded assessment becomes reviewed (roles that review). Answers the "
    "round's status board.",
    responses=error_responses(401, 403, 404, 409, 422),
)
def review(
    request: Request, round_key: Key, scenario: Key, caller: Annotated[Caller, Depends(writer)]
) -> RoundStatus:
    sign_off.review(context_of(request, caller), round_key=round_key, scenario=scenario)
    return _board(request, caller, round_key)


@router.post(
    "/rounds/{round_key}/scenarios/{scenario}/approve",
    summary="Approve a scenario's assessment",
    description="A reviewed assessment becomes approved, and its scores locked (roles that "
    "approve). Four eyes: whoever set or concluded its scores is refused (403).",
    responses=error_responses(401, 403, 404, 409, 422),
)
def approve(
    request: Request, round_key: Key, scenario: Key, caller: Annotated[Caller, Depends(writer)]
) -> RoundStatus:
    sign_off.approve(context_of(request, caller), round_key=round_key, scenario=scenario)
    return _board(request, caller, round_key)


@router.post(
    "/rounds/{round_key}/approve",
    summary="Approve a round",
    description="Once every scenario scored in the round is approved, the round is approved "
    "as a whole and locked: every change to its assessment is refused (409) until it is "
    "reopened.",
    responses=error_responses(401, 403, 404, 409, 422),
)
def approve_round(
    request: Request, round_key: Key, caller: Annotated[Caller, Depends(writer)]
) -> RoundStatus:
    sign_off.approve_round(context_of(request, caller), round_key=round_key)
    return _board(request, caller, round_key)


class Reopening(BaseModel):
    reason: str = Field("", max_length=20_000, description="why; kept in the audit trail")
    scenario: Key | None = Field(
        None, description="reopen only this scenario (back to draft); none: the round"
    )


@router.post(
    "/rounds/{round_key}/reopen",
    summary="Reopen a round or a scenario",
    description="With a reason (422 without one): the round is unlocked; a scenario goes "
    "back to draft, and its round, if approved, is unlocked with it (roles that reopen).",
    responses=error_responses(400, 401, 403, 404, 422),
)
def reopen(
    request: Request,
    round_key: Key,
    body: Reopening,
    caller: Annotated[Caller, Depends(writer)],
) -> RoundStatus:
    sign_off.reopen(
        context_of(request, caller),
        round_key=round_key,
        scenario=body.scenario,
        reason=body.reason,
    )
    return _board(request, caller, round_key)
