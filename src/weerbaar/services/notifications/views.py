"""The notification log as people see it: each reader their own organisation's (all of
them for administrators and coordinators), and a retry of a dead notification, audited
like every write a person makes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from weerbaar.domain.access import Subject
from weerbaar.domain.audit import canonical_json
from weerbaar.errors import ForbiddenError, Issue, NotFoundError, ValidationError
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
            [Issue("", "status", f"unknown status {status!r}; use {', '.join(STATUSES)}")],
            summary="notifications not listed",
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
        raise ForbiddenError("only an administrator or a coordinator retries notifications")
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
        problem = f"notification {row.id} was sent at {row.sent_at.isoformat()}: nothing to retry"
    else:
        active = connection.execute(
            select(notification_channels.c.active).where(
                notification_channels.c.id == row.channel_id
            )
        ).scalar_one_or_none()
        if not active:
            problem = (
                f"the channel of notification {row.id} ({row.kind} {row.target}) was removed; "
                f"add a channel for {row.organisation} to reach it again"
            )
    if problem:
        raise ValidationError([Issue("", "notification", problem)], summary="not retried")


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
