"""``/search``: the whole register, under the caller's need-to-know."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from weerbaar.services.search import MAX_QUERY_LENGTH, search
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.schemas import QueryText
from weerbaar.web.auth import Caller, database

router = APIRouter(tags=["search"])


class SearchHit(BaseModel):
    entity: str
    key: str
    label: str
    field: str = Field(description="where the first word matched")
    snippet: str


class SearchResult(BaseModel):
    query: str
    hits: list[SearchHit]


@router.get(
    "/search",
    summary="Search the register",
    description="Records in which every word of the query occurs (case-insensitive).",
    responses=error_responses(401, 422),
)
def search_register(
    request: Request,
    q: Annotated[QueryText, Query(max_length=MAX_QUERY_LENGTH, description="words to look for")],
    caller: Annotated[Caller, Depends(reader)],
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many hits")] = 100,
) -> SearchResult:
    hits = search(database(request), q, subject=caller.subject, limit=limit)
    return SearchResult(
        query=q,
        hits=[
            SearchHit(entity=h.entity, key=h.key, label=h.label, field=h.field, snippet=h.snippet)
            for h in hits
        ],
    )
