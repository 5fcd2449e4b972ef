"""List, create, read, edit and delete: one set of routes per entity of the register.

Each entity gets its own routes and models (:mod:`.schemas`), so the OpenAPI
description states per entity what a record holds and what a write must send.
"""

# No ``from __future__ import annotations``: FastAPI reads the generated models
# from the endpoints' annotations, which must therefore be objects, not strings.

import inspect
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from weerbaar.domain.fields import FieldKind, FieldSpec, to_plain
from weerbaar.domain.register import EntitySpec, values_of
from weerbaar.errors import Issue, NotFoundError, ValidationError, said
from weerbaar.services.records import (
    Versioned,
    create_record,
    delete_record,
    get_record,
    list_page,
    update_record,
)
from weerbaar.storage.tables import DERIVED_KEY_LENGTH
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.preconditions import etag, precondition, stale_as
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.schemas import MODELS, QueryText, value_type
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of
from weerbaar.web.kept_views import kept_view
from weerbaar.web.limits import Key
from weerbaar.web.query import MAX_PAGE, Day, Moment

MAX_PER_PAGE = 500
PAGING = frozenset({"page", "per_page"})

KEY_DOC = (
    "the record's key; a score's key joins its round, scenario and (impact scores) "
    "criterion with slashes, e.g. `gra-2019/lek-dike-breach/2.1`, sent as it is"
)
IF_MATCH_DOC = (
    'the ETag of the version you read, e.g. `"3"`; required unless the body has "version"'
)
ETAG_HEADER = {
    "ETag": {"description": "the record's version, quoted", "schema": {"type": "string"}}
}


def plain(found: Versioned) -> dict[str, Any]:
    out = {name: to_plain(value) for name, value in values_of(found.record).items()}
    out["version"] = found.version
    return out


def _could_be_key(key: str) -> bool:
    """Whether a key could be stored at all; others are not looked up (some bytes,
    such as NUL, are not even valid in a PostgreSQL query)."""
    return len(key) <= DERIVED_KEY_LENGTH and key.isprintable()


def _existing_key(spec: EntitySpec, key: str) -> str:
    if not _could_be_key(key):
        raise NotFoundError(spec.singular, key)
    return key


class Filters:
    """The list filters of one entity as a FastAPI dependency: one optional query
    parameter per field, typed like the field, so the schema documents them; any
    other parameter is refused rather than ignored."""

    def __init__(self, spec: EntitySpec) -> None:
        self.spec = spec
        self.allowed = PAGING | set(spec.field_names)
        params = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
        params += [
            inspect.Parameter(
                field.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=self._query_type(field) | None,
                default=Query(None, description=f"only records whose {field.name} is this"),
            )
            for field in spec.fields
        ]
        self.__signature__ = inspect.Signature(params)

    def _query_type(self, field: FieldSpec) -> Any:
        if field.kind is FieldKind.REFS:
            return Key
        if field.kind is FieldKind.TEXT or (field.kind is FieldKind.KEY and self.spec.identity):
            return QueryText
        if field.kind is FieldKind.DATE:
            return Day
        if field.kind is FieldKind.TIME:
            return Moment
        return value_type(self.spec, field)

    def __call__(self, request: Request, **given: Any) -> dict[str, Any]:
        unknown = sorted(set(request.query_params) - self.allowed)
        if unknown:
            raise ValidationError(
                [
                    Issue("query", name, said("not a field of %(entity)s", entity=self.spec.name))
                    for name in unknown
                ],
                summary=said("bad filter"),
            )
        return {name: value for name, value in given.items() if value is not None}


def entity_router(spec: EntitySpec) -> APIRouter:
    models = MODELS[spec.name]
    name = spec.name
    router = APIRouter(prefix=f"/{name}", tags=[name])
    read_errors = error_responses(401, 404)
    write_errors = error_responses(400, 401, 403, 404, 409, 412, 422, 428)

    @router.get(
        "",
        summary=f"List {name}",
        response_model=models.page,
        responses=error_responses(401, 422),
    )
    def list_(
        request: Request,
        where: Annotated[dict[str, Any], Depends(Filters(spec))],
        caller: Annotated[Caller, Depends(reader)],
        page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")] = 1,
        per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="records per page")] = 50,
    ) -> Response:
        def build() -> Response:
            found = list_page(
                database(request),
                entity_name=name,
                where=where,
                subject=caller.subject,
                offset=(page - 1) * per_page,
                limit=per_page,
            )
            following = None
            if page * per_page < found.total:
                url = request.url.include_query_params(page=page + 1)
                following = f"{url.path}?{url.query}"
            answer = models.page.model_validate(
                {
                    "items": [plain(r) for r in found.records],
                    "page": page,
                    "per_page": per_page,
                    "total": found.total,
                    "next": following,
                }
            )
            # Serialised as FastAPI serialises a response_model (pydantic's own JSON),
            # so that the kept bytes are the ones it would send.
            return Response(answer.model_dump_json(by_alias=True), media_type="application/json")

        # Validating and serialising fifty records cost more than reading them from
        # the kept page: the answer itself is kept until the next write.
        return kept_view(request, caller, build)

    @router.post(
        "",
        summary=f"Create a {spec.singular}",
        status_code=201,
        response_model=models.versioned,
        responses={
            201: {"headers": {**ETAG_HEADER, "Location": {"schema": {"type": "string"}}}},
            **error_responses(400, 401, 403, 409, 422),
        },
    )
    def create(
        request: Request,
        response: Response,
        body: models.new,  # type: ignore[name-defined]
        caller: Annotated[Caller, Depends(writer)],
    ) -> dict[str, Any]:
        raw = body.model_dump(mode="json", exclude_unset=True)
        saved = create_record(context_of(request, caller), entity_name=name, raw=raw)
        response.headers["Location"] = f"{request.url.path}/{quote(saved.record.key, safe='/')}"
        response.headers["ETag"] = etag(saved.version)
        return plain(saved)

    @router.get(
        "/{key:path}",
        summary=f"One {spec.singular}",
        response_model=models.versioned,
        responses={200: {"headers": ETAG_HEADER}, **read_errors},
    )
    def show(
        request: Request,
        response: Response,
        key: Annotated[str, Path(description=KEY_DOC)],
        caller: Annotated[Caller, Depends(reader)],
    ) -> dict[str, Any]:
        found = get_record(
            database(request),
            entity_name=name,
            key=_existing_key(spec, key),
            subject=caller.subject,
        )
        response.headers["ETag"] = etag(found.version)
        return plain(found)

    @router.put(
        "/{key:path}",
        summary=f"Edit a {spec.singular}",
        description="Send the fields to change (or the whole record); fields left out "
        "keep their value.",
        response_model=models.versioned,
        responses={200: {"headers": ETAG_HEADER}, **write_errors},
    )
    def edit(
        request: Request,
        response: Response,
        body: models.changes,  # type: ignore[name-defined]
        key: Annotated[str, Path(description=KEY_DOC)],
        caller: Annotated[Caller, Depends(writer)],
        if_match: Annotated[str | None, Header(alias="If-Match", description=IF_MATCH_DOC)] = None,
    ) -> dict[str, Any]:
        changes = body.model_dump(mode="json", exclude_unset=True)
        given = precondition(if_match, changes.pop("version", None))
        with stale_as(given):
            saved = update_record(
                context_of(request, caller),
                entity_name=name,
                key=_existing_key(spec, key),
                changes=changes,
                expected_version=given.version,
            )
        response.headers["ETag"] = etag(saved.version)
        return plain(saved)

    @router.delete(
        "/{key:path}",
        summary=f"Delete a {spec.singular}",
        status_code=204,
        response_class=Response,
        responses=error_responses(401, 403, 404, 409, 412, 428),
    )
    def delete(
        request: Request,
        key: Annotated[str, Path(description=KEY_DOC)],
        caller: Annotated[Caller, Depends(writer)],
        if_match: Annotated[
            str | None, Header(alias="If-Match", description="the ETag of the version you read")
        ] = None,
    ) -> Response:
        given = precondition(if_match)
        with stale_as(given):
            delete_record(
                context_of(request, caller),
                entity_name=name,
                key=_existing_key(spec, key),
                expected_version=given.version,
            )
        return Response(status_code=204)

    return router
