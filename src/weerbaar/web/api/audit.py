"""``/audit``: the newest entries of the audit trail the caller may see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from weerbaar.services.audit import TrailEntry, trail_page
from weerbaar.services.audit_sight import recorded_state
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.schemas import QueryText
from weerbaar.web.auth import Caller, database

router = APIRouter(tags=["audit"])

MAX_OFFSET = 100_000


class AuditEntryOut(BaseModel):
    position: int = Field(
        ge=1,
        description="this entry's place in the caller's own view of the trail under the "
        "same filters, newest first: 1 is the newest entry the caller may see. It counts "
        "only entries the caller may see, so it tells nothing of other writes, and it "
        "moves on as new entries are written; page with offset, not by position",
    )
    seq: int | None = Field(
        None,
        description="the entry's number in the whole trail; for administrators only, "
        "absent for everyone else (the gaps would count writes they may not see)",
    )
    at: str = Field(description="when, ISO 8601 in UTC")
    actor: str = Field(description="who, through what, from where: api:jdevries@10.0.0.7")
    action: str
    entity: str
    key: str
    before: dict[str, Any] | None = Field(description="the record before; null for a create")
    after: dict[str, Any] | None = Field(description="the record after; null for a delete")
    note: str | None = Field(
        description="why, where the act needs a reason (a declassification); else null"
    )
    request_id: str | None = Field(
        description="the request or command that wrote the entry, as its log lines and "
        "the X-Request-ID header of its answer name it; null for entries written before "
        "requests had ids"
    )
    hash: str | None = Field(
        None,
        description="the hash that chains this entry to the one before; for "
        "administrators only, absent for everyone else",
    )


class AuditEntries(BaseModel):
    entries: list[AuditEntryOut]
    next: str | None = Field(description="the next, older page, or null on the last")


def _entry(e: TrailEntry) -> AuditEntryOut:
    # The chain is set only where the service reveals it: unset fields are left out
    # of the answer, so a reader's entries have no seq or hash at all.
    chain: dict[str, Any] = {} if e.seq is None else {"seq": e.seq, "hash": e.hash}
    return AuditEntryOut(
        position=e.position,
        at=e.at,
        actor=e.actor,
        action=e.action,
        entity=e.entity,
        key=e.key,
        before=recorded_state(e.before),
        after=recorded_state(e.after),
        note=e.note,
        request_id=e.request_id,
        **chain,
    )


@router.get(
    "/audit",
    summary="The audit trail, newest first",
    description="Entries about records the caller may not see are left out, as are "
    "entries of deleted records that required such records; references to hidden "
    "records in the others read as empty. A record the caller may not see answers "
    "exactly as one that never existed.",
    responses=error_responses(401, 422),
    response_model_exclude_unset=True,
)
def audit_trail(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    entity: Annotated[
        QueryText | None, Query(description="only this entity, e.g. scenarios")
    ] = None,
    key: Annotated[QueryText | None, Query(description="only this record")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many entries")] = 50,
    offset: Annotated[
        int,
        Query(ge=0, le=MAX_OFFSET, description="skip this many entries of the caller's view"),
    ] = 0,
) -> AuditEntries:
    page = trail_page(
        database(request),
        entity=entity,
        key=key,
        limit=limit,
        offset=offset,
        subject=caller.subject,
    )
    following = None
    if page.more and offset + limit <= MAX_OFFSET:
        url = request.url.include_query_params(offset=offset + limit)
        following = f"{url.path}?{url.query}"
    return AuditEntries(entries=[_entry(e) for e in page.entries], next=following)
