"""The background schedulers: notification delivery and source polling, each a loop
that does a round of work every so many seconds, wherever it runs (inside ``weerbaar
serve``, in ``weerbaar worker``, or in ``notify deliver --loop`` and ``signals poll
--loop``).

After each round that completes, a loop records a beat: its name, who holds it (host
and process) and its interval. Readiness expects every scheduler that has a beat to
have beaten lately, so a loop that stopped, or that fails round after round, is seen.
A scheduler that is retired on purpose is forgotten (:func:`forget`, audited) so that
readiness stops waiting for it.

Beats themselves are not audited: they hold nothing of the register, and one entry
every half minute would bury the trail's real changes, as the notification outbox's
and the sources' polling state are not audited either.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from weerbaar.config import DeliverySettings
from weerbaar.domain.audit import Change, canonical_json
from weerbaar.domain.request_ids import current_request_id, new_request_id
from weerbaar.errors import NotFoundError, said_in
from weerbaar.services.context import Context, utc_now
from weerbaar.services.notifications.delivery import DeliveryReport, deliver_due
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.tables import scheduler_beats

__all__ = [
    "NOTIFICATIONS",
    "POLLER",
    "SOURCE_POLLING",
    "Beat",
    "beats",
    "deliver_notifications",
    "forget",
    "keep_running",
    "poll_sources",
    "record_beat",
]

NOTIFICATIONS = "notifications"
SOURCE_POLLING = "source-polling"

POLLER = "weerbaar:poller"
"""Who the audit trail names for what a scheduled poll takes in."""

# However short its interval, a scheduler is not stale before a minute has passed
# beyond it: a round may take that long.
GRACE = dt.timedelta(seconds=60)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Beat:
    name: str
    holder: str  # host:process id
    interval_seconds: float
    beat_at: dt.datetime

    @property
    def stale_after(self) -> dt.datetime:
        """When the scheduler counts as stopped if it has not beaten again: three
        intervals, and never less than one interval and a minute."""
        interval = dt.timedelta(seconds=self.interval_seconds)
        return self.beat_at + max(3 * interval, interval + GRACE)

    def fresh(self, now: dt.datetime) -> bool:
        return now <= self.stale_after


def holder() -> str:
    """This process, as a beat names it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def record_beat(
    db: Database, name: str, interval: float, *, now: dt.datetime | None = None
) -> None:
    """Record that scheduler ``name``, running every ``interval`` seconds in this
    process, has just completed a round."""
    values = {
        "holder": holder(),
        "interval_seconds": float(interval),
        "beat_at": now or utc_now(),
    }
    with db.transaction() as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(scheduler_beats).values(name=name, **values)
        connection.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))


def beats(db: Database) -> list[Beat]:
    """Every scheduler that has beaten and is not forgotten, by name."""
    with db.transaction() as connection:
        rows = connection.execute(select(scheduler_beats).order_by(scheduler_beats.c.name))
        return [Beat(r.name, r.holder, r.interval_seconds, r.beat_at) for r in rows]


def forget(ctx: Context, name: str) -> Beat:
    """Forget a scheduler that no longer runs anywhere, so that readiness stops
    expecting its beat; audited. It comes back with its next beat, should it run
    after all."""
    with ctx.db.transaction(write=True) as connection:
        row = connection.execute(
            select(scheduler_beats).where(scheduler_beats.c.name == name)
        ).first()
        if row is None:
            raise NotFoundError(said_in("record", "scheduler"), name)
        beat = Beat(row.name, row.holder, row.interval_seconds, row.beat_at)
        connection.execute(delete(scheduler_beats).where(scheduler_beats.c.name == name))
        before = {
            "name": beat.name,
            "holder": beat.holder,
            "interval_seconds": beat.interval_seconds,
            "beat_at": beat.beat_at.astimezone(dt.UTC).isoformat(),
        }
        stamp = ctx.clock().astimezone(dt.UTC).isoformat(timespec="microseconds")
        audit_log.append(
            connection,
            [
                Change(
                    stamp,
                    ctx.actor,
                    "delete",
                    "scheduler_beats",
                    name,
                    canonical_json(before),
                    None,
                )
            ],
        )
    return beat


async def deliver_notifications(db: Database, settings: DeliverySettings, interval: float) -> None:
    """Deliver what is due in the notification outbox every ``interval`` seconds, until
    cancelled: a receiver that was down gets its notification once it is back."""
    await keep_running(db, NOTIFICATIONS, interval, functools.partial(_deliver, db, settings))


async def poll_sources(db: Database, secrets: Path, interval: float) -> None:
    """Poll the sources that are due every ``interval`` seconds, until cancelled; a
    source that fails is retried on its own back-off and does not stop the others."""
    poller = Context(db, POLLER)
    await keep_running(db, SOURCE_POLLING, interval, functools.partial(_poll, poller, secrets))


def _deliver(db: Database, settings: DeliverySettings) -> None:
    report = deliver_due(db, settings=settings)
    if report != DeliveryReport():
        log.info(
            "notifications: %s sent, %s to be tried again, %s dead",
            report.sent,
            report.failed,
            report.dead,
        )


def _poll(poller: Context, secrets: Path) -> None:
    # Loaded with the first poll: the command line loads this module for every
    # command, and polling brings in every protocol's client.
    from weerbaar.services.source_polling import poll_due

    outcomes = poll_due(poller, secrets=secrets)
    if outcomes:
        # Counts only: a source's name can be classified.
        failed = sum(outcome.report is None for outcome in outcomes)
        log.info("sources: %s polled, %s of them failed", len(outcomes), failed)


async def keep_running(
    db: Database, name: str, interval: float, one_round: Callable[[], object]
) -> None:
    """Every ``interval`` seconds (counted from the end of the round before), run
    ``one_round`` in a thread and then record scheduler ``name``'s beat, until
    cancelled. A round that fails is logged and the next one comes all the same."""
    while True:
        await asyncio.sleep(interval)
        # A round is one request: its log lines and audit entries name the same id.
        request = current_request_id.set(new_request_id())
        try:
            await asyncio.to_thread(one_round)
            await asyncio.to_thread(record_beat, db, name, interval)
        except Exception:  # a bad round must not stop the next one
            log.exception("scheduler %s: the round failed; trying again in %s s", name, interval)
        finally:
            current_request_id.reset(request)
