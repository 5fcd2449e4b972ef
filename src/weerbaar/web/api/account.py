"""``/me``: who the API takes the caller for."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller

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
