"""``/me``: who the API takes the caller for; ``/tokens``: the caller's API tokens
(an administrator's: anyone's), made, listed and revoked; ``/sessions``: the
caller's browser sessions (an administrator's: anyone's), listed and ended."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from weerbaar.services import api_tokens, second_factors, web_sessions
from weerbaar.services.api_tokens import Scope
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, settings_of
from weerbaar.web.context import context_of
from weerbaar.web.limits import Key
from weerbaar.web.presenters.account import (
    Ended,
    FactorsReset,
    MadeToken,
    Sessions,
    Tokens,
    made_token,
    sessions_answer,
    tokens_answer,
)
from weerbaar.web.step_up import require_recent

router = APIRouter(tags=["account"])

TokenId = Annotated[
    str, Path(max_length=64, description="the token's id, or the whole token wb_<id>_<secret>")
]
SessionId = Annotated[str, Path(max_length=16, pattern="^[0-9a-f]{16}$")]
Owner = Annotated[
    Key | None, Query(description="an account (administrators only; default: one's own)")
]


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    organisation: str
    clearance: str


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=api_tokens.NAME_LENGTH)
    scope: Scope = Scope.READ
    days: int | None = Field(
        default=None, ge=1, le=3650, description="default and most: the server's settings"
    )
    username: Key | None = Field(default=None, description="administrators: for another")


@router.get("/me", summary="The signed-in account", responses=error_responses(401))
def me(caller: Annotated[Caller, Depends(reader)]) -> Me:
    user = caller.user
    return Me(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        organisation=user.organisation,
        clearance=user.clearance,
    )


@router.get(
    "/tokens",
    summary="API tokens: one's own, or an account's (administrators)",
    responses=error_responses(401, 403),
)
def list_tokens(
    request: Request, caller: Annotated[Caller, Depends(reader)], user: Owner = None
) -> Tokens:
    ctx = context_of(request, caller)
    owner = user or caller.user.username
    return tokens_answer(api_tokens.list_tokens(ctx, owner), ctx.clock())


@router.post(
    "/tokens",
    summary="Make an API token (its secret is in this answer only)",
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 422),
)
def create_token(
    request: Request, body: TokenRequest, caller: Annotated[Caller, Depends(writer)]
) -> MadeToken:
    require_recent(caller)
    made = api_tokens.create_token(
        context_of(request, caller),
        body.username or caller.user.username,
        body.name,
        settings=settings_of(request).sign_in,
        scope=body.scope,
        days=body.days,
    )
    return made_token(made, body.scope)


@router.delete(
    "/tokens/{token_id}",
    summary="Revoke an API token (one's own; an administrator's, anyone's)",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
def revoke_token(
    request: Request, token_id: TokenId, caller: Annotated[Caller, Depends(writer)]
) -> Response:
    api_tokens.revoke_token(context_of(request, caller), token_id)
    return Response(status_code=204)


@router.get(
    "/sessions",
    summary="Browser sessions signed in: one's own, or an account's (administrators)",
    responses=error_responses(401, 403),
)
def list_sessions(
    request: Request, caller: Annotated[Caller, Depends(reader)], user: Owner = None
) -> Sessions:
    found = web_sessions.list_sessions(context_of(request, caller), user or caller.user.username)
    return sessions_answer(found, caller.session_id)


@router.delete(
    "/sessions/{session_id}",
    summary="End a browser session: that browser is signed out",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
def end_session(
    request: Request, session_id: SessionId, caller: Annotated[Caller, Depends(writer)]
) -> Response:
    web_sessions.end_sessions(context_of(request, caller), session_id=session_id)
    return Response(status_code=204)


@router.delete(
    "/sessions",
    summary="End every session of an account but the one this request came with",
    responses=error_responses(401, 403, 404),
)
def end_sessions(
    request: Request, caller: Annotated[Caller, Depends(writer)], user: Owner = None
) -> Ended:
    if user is not None and user != caller.user.username:
        require_recent(caller)  # another account's sessions: an administrator's act
    ended = web_sessions.end_sessions(
        context_of(request, caller),
        username=user or caller.user.username,
        keep=caller.session_id,
    )
    return Ended(ended=ended)


@router.delete(
    "/users/{username}/second-factors",
    summary="Remove an account's second factors (administrators): a lost phone or key",
    description="Removes its authenticator apps, security keys and recovery codes and "
    "ends its sessions; at its next sign-in it sets up a new second factor if it must "
    "have one. Audited.",
    responses=error_responses(401, 403, 404),
)
def reset_second_factors(
    request: Request, username: Annotated[Key, Path()], caller: Annotated[Caller, Depends(writer)]
) -> FactorsReset:
    require_recent(caller)
    removed = second_factors.reset_factors(context_of(request, caller), username)
    return FactorsReset(removed=removed)
