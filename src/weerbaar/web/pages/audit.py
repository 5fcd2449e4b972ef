"""The audit trail as the caller may see it, newest first, each change shown field by
field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from weerbaar.domain.audit import AuditEntry
from weerbaar.domain.register import BY_NAME, ENTITIES
from weerbaar.services.audit import recent_entries
from weerbaar.web.auth import database, require_caller
from weerbaar.web.pages.common import field_title, record_url
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

DEFAULT_LIMIT = 100


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class EntryView:
    entry: AuditEntry
    at: str
    href: str | None  # the record's page, while it exists
    changes: list[FieldChange]


def _plain(text: str | None) -> dict[str, Any]:
    return {} if text is None else dict(json.loads(text))


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


def changes(entry: AuditEntry) -> list[FieldChange]:
    """Per field, what it held before and after; only what changed in an update."""
    before, after = _plain(entry.before), _plain(entry.after)
    out = []
    for name in _order(entry.entity, set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new or (old in (None, []) and new in (None, [])):
            continue
        out.append(FieldChange(field_title(name), _shown(old), _shown(new)))
    return out


def view(entry: AuditEntry) -> EntryView:
    live = entry.entity in BY_NAME and entry.action != "delete"
    return EntryView(
        entry,
        entry.at.replace("T", " ")[:19] + " UTC",
        record_url(entry.entity, entry.key) if live else None,
        changes(entry),
    )


@router.get("/audit")
def audit_page(
    request: Request,
    entity: str = "",
    key: str = "",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=1000),
) -> Response:
    caller = require_caller(request)
    entries = recent_entries(
        database(request),
        entity=entity or None,
        key=key or None,
        limit=limit,
        subject=caller.subject,
    )
    return render(
        request,
        "audit.html",
        {
            "caller": caller,
            "entries": [view(e) for e in entries],
            "entity": entity,
            "key": key,
            "entities": [spec.name for spec in ENTITIES],
        },
    )
