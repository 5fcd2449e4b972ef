"""``/audit``: the newest entries of the audit trail the caller may see."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from weerbaar.domain.audit import AuditEntry
from weerbaar.services.audit import recent_entries
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.schemas import QueryText
from weerbaar.web.auth import Caller, database

router = APIRouter(tags=["audit"])


class AuditEntryOut(BaseModel):
    seq: int
    at: str = Field(description="when, ISO 8601 in UTC")
    actor: str = Field(description="who, through what, from where: api:jdevries@10.0.0.7")
    action: str
    entity: str
    key: str
    before: dict[str, Any] | None = Field(description="the record before; null for a create")
    after: dict[str, Any] | None = Field(description="the record after; null for a delete")
    hash: str = Field(description="SHA-256 chaining this entry to the one before")


class AuditEntries(BaseModel):
    entries: list[AuditEntryOut]


def _plain(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))


def _entry(e: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        action=e.action,
        entity=e.entity,
        key=e.key,
        before=_plain(e.before),
        after=_plain(e.after),
        hash=e.hash,
    )


@router.get(
    "/audit",
    summary="The audit trail, newest first",
    description="Entries about records the caller may not see are left out; references "
    "to hidden records in the others read as empty.",
    responses=error_responses(401, 422),
)
def audit_trail(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    entity: Annotated[
        QueryText | None, Query(description="only this entity, e.g. scenarios")
    ] = None,
    key: Annotated[QueryText | None, Query(description="only this record")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many entries")] = 50,
) -> AuditEntries:
    found = recent_entries(
        database(request), entity=entity, key=key, limit=limit, subject=caller.subject
    )
    return AuditEntries(entries=[_entry(e) for e in found])
