"""The REST API under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from weerbaar.web.auth import Caller, require_caller

router = APIRouter(tags=["account"])


@router.get("/me", summary="The signed-in account")
def me(caller: Caller = Depends(require_caller)) -> dict[str, str]:  # noqa: B008
    user = caller.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "organisation": user.organisation,
        "clearance": user.clearance,
    }
