"""What the register says about the running installation, read when metrics are
scraped: the notification outbox, the sources' polling health, failed sign-ins, the
audit trail's head and newest checkpoint, and the schedulers' beats.

Read from the database, not counted in a process, so that every worker process of
an installation reports the same. Only counts: a source's or an account's name can
itself be classified, so none is named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, case, func, select

from weerbaar.services.account_events import stamp
from weerbaar.services.accounts import (
    FAILURE_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
)
from weerbaar.services.notifications.outbox import DEAD, PENDING
from weerbaar.services.schedulers import beats
from weerbaar.storage import audit_log, checkpoints
from weerbaar.storage.db import Database
from weerbaar.storage.tables import entity_tables, login_failures, notifications, source_states

__all__ = ["SOURCE_HEALTH", "RegisterGauges", "read_gauges"]

OUTBOX_STATUSES = (PENDING, DEAD)
SOURCE_HEALTH = ("ok", "failing", "never_polled")


@dataclass(frozen=True, slots=True)
class RegisterGauges:
    outbox: dict[str, int]  # notifications per status in OUTBOX_STATUSES
    sources: dict[str, int]  # sources per health in SOURCE_HEALTH
    sign_in_failures: int  # failed sign-ins within the lockout window
    locked_accounts: int  # accounts refused further tries now
    locked_addresses: int  # addresses refused further tries now
    trail_head_seq: int | None  # None: the trail is not sealed
    checkpoint_seq: int | None  # the newest checkpoint's; None: none yet
    checkpoint_age: float | None  # seconds since it was made
    scheduler_ages: dict[str, float]  # seconds since each scheduler's last beat


def read_gauges(db: Database, *, now: dt.datetime) -> RegisterGauges:
    with db.transaction() as connection:
        outbox = _outbox(connection)
        sources = _sources(connection)
        failures, accounts, addresses = _sign_ins(connection, now)
        head = audit_log.head(connection)
    newest = None if head is None else checkpoints.newest(db.trail, head.trail)
    age = None
    if newest is not None:
        age = max(0.0, (now - dt.datetime.fromisoformat(newest.at)).total_seconds())
    return RegisterGauges(
        outbox=outbox,
        sources=sources,
        sign_in_failures=failures,
        locked_accounts=accounts,
        locked_addresses=addresses,
        trail_head_seq=None if head is None else head.seq,
        checkpoint_seq=None if newest is None else newest.seq,
        checkpoint_age=age,
        scheduler_ages={
            beat.name: max(0.0, (now - beat.beat_at).total_seconds()) for beat in beats(db)
        },
    )


def _outbox(connection: Connection) -> dict[str, int]:
    rows = connection.execute(
        select(notifications.c.status, func.count())
        .where(notifications.c.status.in_(OUTBOX_STATUSES))
        .group_by(notifications.c.status)
    ).all()
    found = {str(status): int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in OUTBOX_STATUSES}


def _sources(connection: Connection) -> dict[str, int]:
    """Every source by how its polls go: failing since its last failure, ok once a
    poll succeeded, else never polled (yet)."""
    sources = entity_tables["sources"]
    health = case(
        (source_states.c.failures > 0, "failing"),
        (source_states.c.last_success.is_not(None), "ok"),
        else_="never_polled",
    )
    rows = connection.execute(
        select(health, func.count())
        .select_from(sources.outerjoin(source_states, source_states.c.source == sources.c.key))
        .group_by(health)
    ).all()
    found = {str(kind): int(count) for kind, count in rows}
    return {kind: found.get(kind, 0) for kind in SOURCE_HEALTH}


def _sign_ins(connection: Connection, now: dt.datetime) -> tuple[int, int, int]:
    """Failed sign-ins within the window, and the accounts and addresses over their
    limits, counted as :func:`weerbaar.services.accounts.reserve_try` counts them."""
    recent = login_failures.c.at >= stamp(now - FAILURE_WINDOW)
    failures = connection.execute(
        select(func.count()).select_from(login_failures).where(recent)
    ).scalar_one()

    def over(column: ColumnElement[str], limit: int) -> int:
        locked = (
            select(column).where(recent).group_by(column).having(func.count() >= limit).subquery()
        )
        return int(connection.execute(select(func.count()).select_from(locked)).scalar_one())

    return (
        int(failures),
        over(login_failures.c.username, MAX_FAILURES_PER_ACCOUNT),
        over(login_failures.c.address, MAX_FAILURES_PER_ADDRESS),
    )
