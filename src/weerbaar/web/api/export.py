"""``/export``: the whole register the caller may see, as one JSON document (the same
document ``weerbaar export register.json`` writes, and ``weerbaar import`` reads)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, create_model

from weerbaar.domain.register import ENTITIES
from weerbaar.formats.raw import FORMAT, FORMAT_VERSION
from weerbaar.services.transfer import export_register
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.schemas import MODELS
from weerbaar.web.auth import Caller, database

router = APIRouter(tags=["export"])


def _entity_lists() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in ENTITIES:
        record = MODELS[spec.name].record
        listed = list[record]  # type: ignore[valid-type]
        out[spec.name] = (listed, Field(description=f"every {spec.singular} you may see"))
    return out


RegisterDocument: type[BaseModel] = create_model(
    "RegisterDocument",
    format=(str, Field(examples=[FORMAT])),
    format_version=(int, Field(examples=[FORMAT_VERSION])),
    **_entity_lists(),
)


@router.get(
    "/export",
    summary="Export the register",
    response_model=RegisterDocument,
    responses=error_responses(401),
)
def export(request: Request, caller: Annotated[Caller, Depends(reader)]) -> dict[str, Any]:
    return export_register(database(request), subject=caller.subject)
