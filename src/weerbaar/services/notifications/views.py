"""The notification log as people see it: each reader their own organisation's (all of
them for administrators and coordinators), and a retry of a dead notification, audited
like every write a person makes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from weerbaar.domain.access import Subject
from weerbaar.domain.audit import canonical_json
from weerbaar.errors import ForbiddenError, Issue, NotFoundError, ValidationError, said
from weerbaar.services.context import Context
from weerbaar.services.notifications.channels import audited
from weerbaar.services.notifications.outbox import (
    PENDING,
    SENT,
    STATUSES,
    Notification,
    notification_of,
)
from weerbaar.storage.db import Database
from weerbaar.storage.tables import notification_channels, notifications


def sees_all(subject: Subject | None) -> bool:
    """Whether ``subject`` sees every organisation's notifications (and may retry
    them): the local operator, administrators and coordinators."""
    return subject is None or subject.role.manages_accounts or subject.role.key == "coordinator"


def list_notifications(
    db: Database,
    *,
    subject: Subject | None,
    status: str | None = None,
    change: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Notification]:
    """Notifications newest first; a subject who does not see all sees only their
    own organisation's."""
    if status is not None and status not in STATUSES:
        raise ValidationError(
            [
                Issue(
                    "",
                    "status",
                    said(
                        "unknown status %(status)s; use %(statuses)s",
                        status=repr(status),
                        statuses=", ".join(STATUSES),
                    ),
                )
            ],
            summary=said("notifications not listed"),
        )
    query = select(notifications).order_by(notifications.c.id.desc()).limit(limit).offset(offset)
    if subject is not None and not sees_all(subject):
        query = query.where(notifications.c.organisation == subject.organisation)
    if status is not None:
        query = query.where(notifications.c.status == status)
    if change is not None:
        query = query.where(notifications.c.change == change)
    with db.transaction() as connection:
        return [notification_of(r) for r in connection.execute(query)]


def retry(ctx: Context, notification_id: int) -> Notification:
    """Put a dead (or pending) notification back in the queue, due now, with its
    attempts counted afresh."""
    if not sees_all(ctx.subject):
        raise ForbiddenError(said("only an administrator or a coordinator retries notifications"))
    with ctx.db.transaction(write=True) as connection:
        row = connection.execute(
            select(notifications).where(notifications.c.id == notification_id).with_for_update()
        ).first()
        if row is None:
            raise NotFoundError("notification", str(notification_id))
        _check_retry(connection, row)
        now = ctx.clock()
        connection.execute(
            update(notifications)
            .where(notifications.c.id == notification_id)
            .values(status=PENDING, attempts=0, next_attempt_at=now, last_error=None)
        )
        after = connection.execute(
            select(notifications).where(notifications.c.id == notification_id)
        ).one()
        audited(ctx, connection, "notifications", notification_id, _logged(row), _logged(after))
    return notification_of(after)


def _check_retry(connection: Connection, row: Any) -> None:
    problem = None
    if row.status == SENT:
        problem = said(
            "notification %(id)s was sent at %(at)s: nothing to retry",
            id=row.id,
            at=row.sent_at.isoformat(),
        )
    else:
        active = connection.execute(
            select(notification_channels.c.active).where(
                notification_channels.c.id == row.channel_id
            )
        ).scalar_one_or_none()
        if not active:
            problem = said(
                "the channel of notification %(id)s (%(kind)s %(target)s) was removed; "
                "add a channel for %(organisation)s to reach it again",
                id=row.id,
                kind=row.kind,
                target=row.target,
                organisation=row.organisation,
            )
    if problem:
        raise ValidationError([Issue("", "notification", problem)], summary=said("not retried"))


def _logged(row: Any) -> str:
    return canonical_json(
        {
            "id": row.id,
            "organisation": row.organisation,
            "change": row.change,
            "kind": row.kind,
            "target": row.target,
            "status": row.status,
            "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at.isoformat(),
            "last_error": row.last_error,
        }
    )
