"""Polling the sources: each one when it is due, by its own protocol, into the
register's signals under the source's marking (or a stricter one its items carry).

A source is claimed before it is polled (its next poll moved past a lease), so two
pollers — the web app's and a ``weerbaar signals poll --loop`` beside it — never take
the same source at once. A source that fails is retried later and later (doubling,
up to its interval) and shown unhealthy with its error; the others go on. Its cursor
moves only when a poll is complete; a poll that is stopped part way leaves whole
chunks of signals behind, and the next poll starts from the old cursor and skips
those (a signal's key comes from its source and its own id), so nothing is lost or
taken twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from weerbaar.domain.access import Marking
from weerbaar.domain.entities.signals import Source
from weerbaar.errors import NotFoundError, WeerbaarError, said
from weerbaar.services.context import Context
from weerbaar.services.signal_ingest import IngestReport
from weerbaar.services.signal_intake import take_in
from weerbaar.services.source_protocols import SourceError, fetch
from weerbaar.services.visibility import visibility
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import source_states

__all__ = ["PollOutcome", "SourceState", "poll_due", "source_states_of"]

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=30)  # a poll that takes longer may be taken up again
FIRST_RETRY = dt.timedelta(minutes=1)
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True, slots=True)
class SourceState:
    source: str
    cursor: str | None
    last_poll: dt.datetime | None
    last_success: dt.datetime | None
    last_error: str | None
    failures: int
    next_poll: dt.datetime | None
    items_taken: int

    @property
    def healthy(self) -> bool:
        return self.failures == 0


@dataclass(frozen=True, slots=True)
class PollOutcome:
    source: str
    report: IngestReport | None  # None: the poll failed
    error: str | None = None


def retry_delay(failures: int, interval: dt.timedelta) -> dt.timedelta:
    """How long after its ``failures``-th failure in a row a source is tried again."""
    doubling: dt.timedelta = FIRST_RETRY * (2 ** min(max(failures - 1, 0), 20))
    return min(doubling, max(interval, FIRST_RETRY))


def _state(row: Any) -> SourceState:
    return SourceState(
        source=row.source,
        cursor=row.cursor,
        last_poll=row.last_poll,
        last_success=row.last_success,
        last_error=row.last_error,
        failures=row.failures or 0,
        next_poll=row.next_poll,
        items_taken=row.items_taken or 0,
    )


def _visible_sources(ctx: Context) -> list[Source]:
    with ctx.db.transaction() as connection:
        seen = visibility(connection, ctx.subject)
        sources: list[Source] = seen.filter("sources", Repository(connection).fetch("sources"))
    return sorted(sources, key=lambda s: s.key)


def source_states_of(ctx: Context) -> list[tuple[Source, SourceState | None]]:
    """Every source the reader may see, with its polling state (None: never polled)."""
    sources = _visible_sources(ctx)
    with ctx.db.transaction() as connection:
        rows = connection.execute(select(source_states)).all()
    states = {row.source: _state(row) for row in rows}
    return [(source, states.get(source.key)) for source in sources]


def _claim(ctx: Context, key: str, now: dt.datetime, *, force: bool) -> SourceState | None:
    """Take the source for one poll if it is due (or ``force``), else None."""
    with ctx.db.transaction(write=True) as connection:
        row = connection.execute(select(source_states).where(source_states.c.source == key)).first()
        if row is None:
            try:
                with connection.begin_nested():
                    connection.execute(
                        insert(source_states).values(source=key, failures=0, items_taken=0)
                    )
            except IntegrityError:
                pass  # another poller made it first
        claim = (
            update(source_states)
            .where(source_states.c.source == key)
            .values(next_poll=now + LEASE, last_poll=now)
        )
        if not force:
            claim = claim.where(
                (source_states.c.next_poll.is_(None)) | (source_states.c.next_poll <= now)
            )
        if connection.execute(claim).rowcount != 1:
            return None
        row = connection.execute(select(source_states).where(source_states.c.source == key)).one()
    return _state(row)


def _finish(
    ctx: Context,
    source: Source,
    state: SourceState,
    now: dt.datetime,
    *,
    cursor: str | None = None,
    created: int = 0,
    error: str | None = None,
) -> None:
    interval = dt.timedelta(minutes=source.interval_minutes)
    if error is None:
        values: dict[str, Any] = {
            "cursor": cursor,
            "last_success": now,
            "last_error": None,
            "failures": 0,
            "next_poll": now + interval,
            "items_taken": state.items_taken + created,
        }
    else:
        failures = state.failures + 1
        values = {
            "last_error": error[:MAX_ERROR_CHARS],
            "failures": failures,
            "next_poll": now + retry_delay(failures, interval),
            "items_taken": state.items_taken + created,
        }
    with ctx.db.transaction(write=True) as connection:
        connection.execute(
            update(source_states).where(source_states.c.source == source.key).values(**values)
        )


def _poll(
    ctx: Context,
    source: Source,
    state: SourceState,
    now: dt.datetime,
    *,
    secrets: Path,
    environ: Mapping[str, str] | None,
    executor: Executor | None,
) -> PollOutcome:
    report = IngestReport()
    try:
        polled = fetch(source, state.cursor, secrets=secrets, environ=environ)
        report = take_in(ctx, polled.items, executor=executor, marking=Marking.of(source))
        cursor = polled.final_cursor()
    except (SourceError, WeerbaarError, OSError) as exc:
        error = str(exc) or exc.__class__.__name__
        _finish(ctx, source, state, now, created=report.created, error=error)
        # Not the error itself, which may quote the source's address or what it sent
        # (under the source's marking): its state holds it, for those who may see it.
        log.warning(
            "source %s could not be polled (%s); `weerbaar source status` says why",
            source.key,
            type(exc).__name__,
        )
        return PollOutcome(source.key, None, error)
    _finish(ctx, source, state, now, cursor=cursor, created=report.created)
    return PollOutcome(source.key, report)


def poll_due(
    ctx: Context,
    *,
    secrets: Path,
    only: str | None = None,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
    executor: Executor | None = None,
) -> list[PollOutcome]:
    """Poll every source that is due (``only``: just that one; ``force``: whether due
    or not), one after another; a failing source does not hold up the others."""
    sources = _visible_sources(ctx)
    if only is not None:
        sources = [s for s in sources if s.key == only]
        if not sources:
            raise NotFoundError("sources", only)
    outcomes = []
    for source in sources:
        now = ctx.clock()
        state = _claim(ctx, source.key, now, force=force)
        if state is None:
            continue
        outcomes.append(
            _poll(ctx, source, state, now, secrets=secrets, environ=environ, executor=executor)
        )
    return outcomes


def describe(outcome: PollOutcome) -> str:
    """One line on a poll, in the reader's language."""
    if outcome.report is None:
        return said("%(source)s: failed: %(error)s", source=outcome.source, error=outcome.error)
    report = outcome.report
    return said(
        "%(source)s: %(read)s read, %(created)s new, %(already)s already in, %(rejected)s skipped",
        source=outcome.source,
        read=report.read,
        created=report.created,
        already=report.already_in,
        rejected=report.rejected,
    )
