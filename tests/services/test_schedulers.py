"""Scheduler beats on both databases: one row per scheduler, moved on by each round
that completes (and not by one that fails), stale after three intervals or an interval
and a minute, and forgotten only with an audit entry."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket

import pytest

from weerbaar.errors import NotFoundError
from weerbaar.services.context import Context
from weerbaar.services.schedulers import (
    NOTIFICATIONS,
    SOURCE_POLLING,
    Beat,
    beats,
    forget,
    keep_running,
    record_beat,
)
from weerbaar.services.trail_check import verify_trail
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database

NOON = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_a_beat_is_one_row_per_scheduler_moved_on_by_each_round(db: Database) -> None:
    record_beat(db, NOTIFICATIONS, 30, now=NOON)
    record_beat(db, SOURCE_POLLING, 60, now=NOON)
    record_beat(db, NOTIFICATIONS, 45, now=NOON + dt.timedelta(seconds=30))
    found = {beat.name: beat for beat in beats(db)}
    assert set(found) == {NOTIFICATIONS, SOURCE_POLLING}
    notifications = found[NOTIFICATIONS]
    assert notifications.beat_at == NOON + dt.timedelta(seconds=30)
    assert notifications.interval_seconds == 45
    assert notifications.holder == f"{socket.gethostname()}:{os.getpid()}"


@pytest.mark.parametrize(
    ("interval", "stale_after"),
    [
        (30.0, dt.timedelta(seconds=90)),  # an interval and a minute is longer
        (60.0, dt.timedelta(seconds=180)),  # three intervals are longer
        (600.0, dt.timedelta(seconds=1800)),
    ],
)
def test_a_scheduler_is_stale_after_three_intervals_and_never_within_a_minute_more(
    interval: float, stale_after: dt.timedelta
) -> None:
    beat = Beat(NOTIFICATIONS, "host:1", interval, NOON)
    assert beat.stale_after == NOON + stale_after
    assert beat.fresh(NOON + stale_after)
    assert not beat.fresh(NOON + stale_after + dt.timedelta(seconds=1))


def test_forgetting_a_scheduler_is_audited_and_it_comes_back_with_its_next_beat(
    db: Database,
) -> None:
    record_beat(db, SOURCE_POLLING, 60, now=NOON)
    ctx = Context(db, "test:operator")
    forgotten = forget(ctx, SOURCE_POLLING)
    assert forgotten.beat_at == NOON and beats(db) == []
    with db.transaction() as connection:
        [entry] = audit_log.entries(connection, entity="scheduler_beats")
    assert (entry.action, entry.key, entry.actor) == ("delete", SOURCE_POLLING, "test:operator")
    assert entry.before is not None and forgotten.holder in entry.before and entry.after is None
    assert verify_trail(db).intact
    with pytest.raises(NotFoundError):
        forget(ctx, SOURCE_POLLING)
    record_beat(db, SOURCE_POLLING, 60)
    assert [beat.name for beat in beats(db)] == [SOURCE_POLLING]


def test_a_loop_beats_after_each_round_and_goes_on_after_one_that_fails(db: Database) -> None:
    seen: list[list[dt.datetime]] = []  # the beats each round finds as it starts

    def one_round() -> None:
        seen.append([beat.beat_at for beat in beats(db)])
        if len(seen) == 1:
            raise RuntimeError("the first round fails")

    async def run() -> None:
        loop = asyncio.create_task(keep_running(db, NOTIFICATIONS, 0.05, one_round))
        while len(seen) < 4:
            await asyncio.sleep(0.05)
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop

    asyncio.run(run())
    first, second, third, fourth = seen[:4]
    # The failed first round left no beat; each later one left one, later each time.
    assert first == [] and second == []
    assert len(third) == 1 and len(fourth) == 1 and third[0] < fourth[0]
    [beat] = beats(db)
    assert beat.name == NOTIFICATIONS and beat.interval_seconds == 0.05
