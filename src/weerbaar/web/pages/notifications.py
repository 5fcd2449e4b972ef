"""The notification log: what level changes told whom, by e-mail or webhook, and
whether it arrived; the dead letters first, with a retry for those allowed."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.errors import ValidationError
from weerbaar.services.notifications.outbox import DEAD, STATUSES, Notification
from weerbaar.services.notifications.views import list_notifications, retry, sees_all
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of
from weerbaar.web.delivery import deliver_soon, delivery_settings
from weerbaar.web.limits import MAX_ID
from weerbaar.web.pages.common import Form, check_form, record_url, see_other
from weerbaar.web.pages.levels import when
from weerbaar.web.query import blank
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

PER_PAGE = 100
DEAD_SHOWN = 100


def _row(n: Notification, may_retry: bool) -> dict[str, Any]:
    return {
        "id": n.id,
        "organisation": n.organisation,
        "organisation_href": record_url("organisations", n.organisation),
        "change": n.change,
        "change_href": record_url("threat_pictures", n.change),
        "kind": n.kind,
        "target": n.target,
        "subject": n.subject,
        "status": n.status,
        "attempts": n.attempts,
        "last_error": n.last_error,
        "created": when(n.created_at),
        "sent": when(n.sent_at) if n.sent_at else None,
        "next": when(n.next_attempt_at),
        "may_retry": may_retry and n.status != "sent",
    }


def _page(
    request: Request,
    caller: Caller,
    status: str | None,
    page: int,
    *,
    problems: list[str] | None = None,
    retried: int | None = None,
    code: int = 200,
) -> Response:
    db = database(request)
    found = list_notifications(
        db, subject=caller.subject, status=status, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE
    )
    may_retry = sees_all(caller.subject)
    dead = (
        []
        if status == DEAD
        else list_notifications(db, subject=caller.subject, status=DEAD, limit=DEAD_SHOWN)
    )

    def link(to: int) -> str:
        query = {k: v for k, v in (("status", status), ("page", str(to))) if v and v != "1"}
        return f"/notifications{'?' + urlencode(query) if query else ''}"

    return render(
        request,
        "notifications.html",
        {
            "caller": caller,
            "status": status,
            "statuses": STATUSES,
            "rows": [_row(n, may_retry) for n in found[:PER_PAGE]],
            "dead": [_row(n, may_retry) for n in dead],
            "sees_all": may_retry,
            "problems": problems or [],
            "retried": retried,
            "page": page,
            "newer": link(page - 1) if page > 1 else None,
            "older": link(page + 1) if len(found) > PER_PAGE else None,
        },
        status_code=code,
    )


@router.get("/notifications")
def notifications_page(
    request: Request,
    status: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_ID // PER_PAGE)] = 1,
    retried: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    caller = require_caller(request)
    return _page(request, caller, blank(status), page, retried=retried)


@router.post("/notifications/{notification_id}/retry")
def retry_notification(
    request: Request,
    notification_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    form: Form,
    background: BackgroundTasks,
) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    try:
        retry(context_of(request, caller), notification_id)
    except ValidationError as exc:
        problems = [i18n.translated(i.reason) for i in exc.issues] or [i18n.error_text(exc)]
        return _page(request, caller, None, 1, problems=problems, code=422)
    background.add_task(deliver_soon, database(request), delivery_settings(request))
    query = urlencode({"retried": notification_id})
    return see_other(f"/notifications?{query}#n-{notification_id}")
