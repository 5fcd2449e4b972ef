"""The audit trail as the caller may see it, newest first, each change shown field by
field, a page at a time. Entries are numbered in the caller's own view; only
administrators see the trail's own sequence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from weerbaar.domain.register import BY_NAME, ENTITIES
from weerbaar.services.audit import TrailEntry, shows_chain, trail_page
from weerbaar.services.audit_sight import recorded_state
from weerbaar.web.auth import database, require_caller
from weerbaar.web.pages.common import field_title, record_url
from weerbaar.web.query import PlainText
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

DEFAULT_LIMIT = 100
MAX_OFFSET = 100_000


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class EntryView:
    entry: TrailEntry
    number: int  # the trail's sequence for administrators, else the place in this view
    at: str
    href: str | None  # the record's page, while it exists
    changes: list[FieldChange]


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _order(entity: str, names: set[str]) -> list[str]:
    """Fields in the entity's own order (the version last), others after them."""
    declared = list(BY_NAME[entity].field_names) if entity in BY_NAME else []
    known = [n for n in declared if n in names]
    last = ["version"] if "version" in names else []
    return known + sorted(names - set(known) - {"version"}) + last


def changes(entry: TrailEntry) -> list[FieldChange]:
    """Per field, what it held before and after; only what changed in an update."""
    before = recorded_state(entry.before) or {}
    after = recorded_state(entry.after) or {}
    out = []
    for name in _order(entry.entity, set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new or (old in (None, []) and new in (None, [])):
            continue
        out.append(FieldChange(field_title(name), _shown(old), _shown(new)))
    return out


def view(entry: TrailEntry) -> EntryView:
    return EntryView(
        entry,
        entry.position if entry.seq is None else entry.seq,
        entry.at.replace("T", " ")[:19] + " UTC",
        record_url(entry.entity, entry.key) if entry.live else None,
        changes(entry),
    )


@router.get("/audit")
def audit_page(
    request: Request,
    entity: Annotated[PlainText, Query(max_length=64)] = "",
    key: Annotated[PlainText, Query(max_length=200)] = "",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Response:
    caller = require_caller(request)
    page = trail_page(
        database(request),
        entity=entity or None,
        key=key or None,
        limit=limit,
        offset=offset,
        subject=caller.subject,
    )

    def link(to: int) -> str:
        url = request.url.include_query_params(offset=to)
        return f"{url.path}?{url.query}"

    return render(
        request,
        "audit.html",
        {
            "caller": caller,
            "entries": [view(e) for e in page.entries],
            "by_sequence": shows_chain(caller.subject),
            "newer": link(max(offset - limit, 0)) if offset > 0 else None,
            "older": link(offset + limit) if page.more and offset + limit <= MAX_OFFSET else None,
            "entity": entity,
            "key": key,
            "entities": [spec.name for spec in ENTITIES],
        },
    )
