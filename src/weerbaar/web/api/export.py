"""``/export``: the whole register the caller may see, as one JSON document (the same
document ``weerbaar export register.json`` writes, and ``weerbaar import`` reads);
``/stix``: its actors, signals, scenarios and threat levels as a STIX 2.1 bundle (the
one ``weerbaar export register.stix.json`` writes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, create_model

from weerbaar.domain.register import ENTITIES
from weerbaar.formats.raw import FORMAT, FORMAT_VERSION
from weerbaar.services.stix_export import stix_bundle
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


class StixBundle(BaseModel):
    """A STIX 2.1 bundle (OASIS STIX 2.1, section 8)."""

    type: str = Field(examples=["bundle"])
    id: str = Field(examples=["bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"])
    objects: list[dict[str, Any]] = Field(
        description="weerbaar's identity, the extension and marking definitions, and "
        "every actor, signal, scenario and threat level you may see"
    )


@router.get(
    "/stix",
    summary="Export actors, signals, scenarios and threat levels as STIX 2.1",
    response_model=StixBundle,
    responses=error_responses(401),
)
def export_stix(request: Request, caller: Annotated[Caller, Depends(reader)]) -> dict[str, Any]:
    return stix_bundle(database(request), subject=caller.subject)
