"""Search across the whole register, the hits grouped by entity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.domain.register import ENTITIES
from weerbaar.errors import ValidationError
from weerbaar.services.search import MAX_QUERY_LENGTH, Hit, search
from weerbaar.web.auth import database, require_caller
from weerbaar.web.pages.common import entity_title, field_title, record_url
from weerbaar.web.query import PlainText
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/search")
def search_page(
    request: Request, q: Annotated[PlainText, Query(max_length=MAX_QUERY_LENGTH)] = ""
) -> Response:
    caller = require_caller(request)
    hits: list[Hit] = []
    problem = None
    if q.strip():
        try:
            hits = search(database(request), q, subject=caller.subject)
        except ValidationError as exc:
            problem = "; ".join(i18n.translated(i.reason) for i in exc.issues)
    groups = [
        (
            entity_title(spec),
            [
                {
                    "label": h.label,
                    "href": record_url(h.entity, h.key),
                    "key": h.key,
                    "field": field_title(h.field) if h.field else "",
                    "snippet": h.snippet,
                }
                for h in hits
                if h.entity == spec.name
            ],
        )
        for spec in ENTITIES
    ]
    return render(
        request,
        "search.html",
        {
            "caller": caller,
            "q": q,
            "problem": problem,
            "count": len(hits),
            "groups": [(title, found) for title, found in groups if found],
        },
        status_code=422 if problem else 200,
    )
