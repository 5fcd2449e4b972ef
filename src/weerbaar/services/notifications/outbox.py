"""The outbox: one row per notice and channel, written in the level change's own
transaction, so that no notice is lost between the commit and the send.

A row is ``pending`` until it is ``sent``, or ``dead`` after its last attempt (the
dead-letter list, until a person retries it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from weerbaar.domain.alerting import Notice
from weerbaar.services.notifications.wording import Worded, worded
from weerbaar.storage.tables import notification_channels, notifications

PENDING = "pending"
SENT = "sent"
DEAD = "dead"
STATUSES = (PENDING, SENT, DEAD)


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    channel_id: int | None
    organisation: str
    change: str
    kind: str
    target: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    body: str  # the canonical JSON a webhook receives
    text: str  # the e-mail's text
    language: str  # of the subject and text: the channel's when it was queued


def notification_of(row: Any) -> Notification:
    return Notification(
        id=row.id,
        channel_id=row.channel_id,
        organisation=row.organisation,
        change=row.change,
        kind=row.kind,
        target=row.target,
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        body=row.body,
        text=row.text,
        language=row.language,
    )


def canonical_body(notice: Notice) -> str:
    """The webhook body: the bytes signed are exactly the bytes sent and stored, the
    same whatever the language of the channel or of the one who made the change."""
    return json.dumps(notice.payload(), sort_keys=True, separators=(",", ":"))


def queue_notices(connection: Connection, notices: Sequence[Notice], *, now: dt.datetime) -> int:
    """Queue each notice for every active channel of its organisation, in the caller's
    transaction, so the notices are committed, or lost, with the change that made
    them. Returns how many were queued; an organisation without channels gets none.
    Each row's subject and text are worded in its channel's language."""
    if not notices:
        return 0
    channels = connection.execute(
        select(
            notification_channels.c.id,
            notification_channels.c.organisation,
            notification_channels.c.kind,
            notification_channels.c.target,
            notification_channels.c.language,
        )
        .where(
            notification_channels.c.organisation.in_({n.organisation for n in notices}),
            notification_channels.c.active,
        )
        .order_by(notification_channels.c.id)
    ).all()
    by_organisation: dict[str, list[Any]] = defaultdict(list)
    for channel in channels:
        by_organisation[channel.organisation].append(channel)
    words: dict[tuple[int, str], Worded] = {}
    rows = []
    for i, notice in enumerate(notices):
        body = canonical_body(notice)
        for channel in by_organisation[notice.organisation]:
            key = (i, channel.language)
            if key not in words:
                words[key] = worded(notice, channel.language)
            rows.append(_outbox_row(notice, body, words[key], channel, now))
    if rows:
        connection.execute(insert(notifications), rows)
    return len(rows)


def _outbox_row(
    notice: Notice, body: str, words: Worded, channel: Any, now: dt.datetime
) -> dict[str, Any]:
    return {
        "channel_id": channel.id,
        "organisation": notice.organisation,
        "change": notice.change,
        "kind": channel.kind,
        "target": channel.target,
        "subject": words.subject,
        "body": body,
        "text": words.text,
        "language": channel.language,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
        "sent_at": None,
    }
