"""``/me``: who the API takes the caller for; ``/account/tokens/{id}``: revoking an
API token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel

from weerbaar.services import accounts
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller
from weerbaar.web.context import context_of

router = APIRouter(tags=["account"])


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    organisation: str
    clearance: str


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


@router.delete(
    "/account/tokens/{token_id}",
    summary="Revoke an API token (one's own; an administrator's, anyone's)",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
def revoke_token(
    request: Request,
    token_id: Annotated[str, Path(max_length=64, description="the token's id: wb_<id>_<secret>")],
    caller: Annotated[Caller, Depends(writer)],
) -> Response:
    accounts.revoke_token(context_of(request, caller), token_id)
    return Response(status_code=204)
