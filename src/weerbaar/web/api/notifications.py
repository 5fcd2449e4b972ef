"""``/notifications``: the log of the e-mails and webhooks that level changes queued,
as far as the caller may see it, and a retry of one that failed (sent after the
response)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from weerbaar.services.notifications.outbox import Notification
from weerbaar.services.notifications.views import list_notifications, retry
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.schemas import QueryText
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of
from weerbaar.web.delivery import deliver_soon, delivery_settings
from weerbaar.web.limits import MAX_ID

router = APIRouter(tags=["notifications"])

MAX_NOTIFICATIONS = 500


class NotificationOut(BaseModel):
    id: int
    organisation: str
    change: str = Field(description="the threat picture whose change it tells")
    kind: Literal["email", "webhook"]
    target: str
    subject: str
    status: Literal["pending", "sent", "dead"]
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


class Notifications(BaseModel):
    items: list[NotificationOut] = Field(description="newest first")


def _notification(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.id,
        organisation=n.organisation,
        change=n.change,
        kind=n.kind,  # type: ignore[arg-type]
        target=n.target,
        subject=n.subject,
        status=n.status,  # type: ignore[arg-type]
        attempts=n.attempts,
        next_attempt_at=n.next_attempt_at,
        last_error=n.last_error,
        created_at=n.created_at,
        sent_at=n.sent_at,
    )


@router.get(
    "/notifications",
    summary="Notifications of level changes",
    description="The e-mails and webhooks queued by level changes, newest first: every "
    "organisation's for administrators and coordinators, one's own organisation's for "
    "everyone else.",
    responses=error_responses(401, 422),
)
def notifications(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    status: Annotated[
        Literal["pending", "sent", "dead"] | None, Query(description="only these")
    ] = None,
    change: Annotated[
        QueryText | None, Query(max_length=64, description="only those of this picture")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_NOTIFICATIONS)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Notifications:
    found = list_notifications(
        database(request),
        subject=caller.subject,
        status=status,
        change=change,
        limit=limit,
        offset=offset,
    )
    return Notifications(items=[_notification(n) for n in found])


@router.post(
    "/notifications/{notification_id}/retry",
    summary="Retry a notification",
    description="Puts a dead or pending notification back in the queue, due now, and "
    "sends it after the response. Administrators and coordinators only.",
    responses=error_responses(401, 403, 404, 422),
)
def retry_notification(
    request: Request,
    background: BackgroundTasks,
    caller: Annotated[Caller, Depends(writer)],
    notification_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> NotificationOut:
    again = retry(context_of(request, caller), notification_id)
    background.add_task(deliver_soon, database(request), delivery_settings(request))
    return _notification(again)
