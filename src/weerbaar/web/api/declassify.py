"""``POST /{entity}/{key}/declassify``: lower a record's classification, with a reason.

An edit (PUT) may raise a classification but not lower it; lowering is this act of
its own, for the owning organisation and administrators, and the reason goes into
the audit trail. Like an edit it names the version it was based on (If-Match or
the body's ``version``). These routes are joined before the generic entity routes,
whose ``/{entity}/{key}`` would take a key ending in ``/declassify``.
"""

# No ``from __future__ import annotations``: FastAPI reads the models from the
# endpoints' annotations, and the record models are made at import time.

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from weerbaar.domain.register import ENTITIES, EntitySpec
from weerbaar.errors import NotFoundError
from weerbaar.services.declassify import REASON_LENGTH, declassify
from weerbaar.storage.tables import DERIVED_KEY_LENGTH
from weerbaar.web.api.callers import writer
from weerbaar.web.api.preconditions import etag, precondition, stale_as
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.records import ETAG_HEADER, IF_MATCH_DOC, KEY_DOC, plain
from weerbaar.web.api.schemas import MODELS, Version, classification
from weerbaar.web.auth import Caller
from weerbaar.web.context import context_of

Level = classification()


class DeclassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Level = Field(description="the lower classification")  # type: ignore[valid-type]
    reason: str = Field(
        min_length=REASON_LENGTH[0],
        max_length=REASON_LENGTH[1],
        description="why the record may be read more widely now; kept in the audit trail",
    )
    version: Version | None = None


def _stored_key(spec: EntitySpec, key: str) -> str:
    """The key, if it could be stored at all; others are not looked up (some bytes,
    such as NUL, are not even valid in a PostgreSQL query)."""
    if len(key) > DERIVED_KEY_LENGTH or not key.isprintable():
        raise NotFoundError(spec.singular, key)
    return key


def _route(router: APIRouter, spec: EntitySpec) -> None:
    models = MODELS[spec.name]

    @router.post(
        f"/{spec.name}/{{key:path}}/declassify",
        summary=f"Declassify a {spec.singular}",
        tags=[spec.name],
        response_model=models.versioned,
        responses={
            200: {"headers": ETAG_HEADER},
            **error_responses(400, 401, 403, 404, 409, 412, 422, 428),
        },
    )
    def declassify_record(
        request: Request,
        response: Response,
        body: DeclassifyRequest,
        key: Annotated[str, Path(description=KEY_DOC)],
        caller: Annotated[Caller, Depends(writer)],
        if_match: Annotated[str | None, Header(alias="If-Match", description=IF_MATCH_DOC)] = None,
    ) -> dict[str, Any]:
        given = precondition(if_match, body.version)
        with stale_as(given):
            saved = declassify(
                context_of(request, caller),
                entity_name=spec.name,
                key=_stored_key(spec, key),
                to=str(body.to),
                reason=body.reason,
                expected_version=given.version,
            )
        response.headers["ETag"] = etag(saved.version)
        return plain(saved)


router = APIRouter()
for _spec in ENTITIES:
    _route(router, _spec)
