"""Results kept by what decides them, most recently used last, within a bound.

Services that compute the same answer for many requests (an assessment, its draws, the
tier proposals) keep it under a key that names everything it depends on — the
database, its audit head, the reader's sight and what was asked — so an equal key is
an equal answer and a write to the register makes a new key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import select

from weerbaar.domain.access import Subject
from weerbaar.storage.db import Database
from weerbaar.storage.tables import audit_head

T = TypeVar("T")

__all__ = ["Kept", "sight_key"]


class _Making:
    """A result one caller is making while others wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: object = None
        self.failed = False


class Kept(Generic[T]):
    """At most ``limit`` of ``size`` (each result's size, 1 by default) kept."""

    def __init__(self, limit: int, size: Callable[[T], int] = lambda _: 1) -> None:
        self.limit = limit
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._making: dict[Hashable, _Making] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept under ``key``, or ``make()``'s, kept from now on.

        A missing result is made once: callers that ask for it meanwhile wait for
        it rather than make it again, so a burst of requests after a write costs one
        computation, not one per request. If making it fails, the error goes to the
        caller that made it, and the next waiter makes it in turn."""
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                making = self._making.get(key)
                if making is None:
                    making = self._making[key] = _Making()
                    break
            making.done.wait()
            if not making.failed:
                return making.value  # type: ignore[return-value]
        try:
            made = make()
        except BaseException:
            making.failed = True
            raise
        else:
            making.value = made
            with self._lock:
                self._items[key] = made
                while self._items and sum(map(self.size, self._items.values())) > self.limit:
                    self._items.popitem(last=False)
        finally:
            with self._lock:
                del self._making[key]
            making.done.set()
        return made


def sight_key(db: Database, subject: Subject | None, *asked: object) -> tuple[Any, ...]:
    """What a kept result is found by: the database, its audit head, the reader's
    sight and what was asked. What a subject sees depends only on their organisation
    and clearance (and, for a guest, on who it is), and the register only changes
    with the audit head, so equal keys give equal answers."""
    # A guest sees only the scenarios of its own sessions: its sight is its own.
    guest = subject.username if subject is not None and subject.role.guest else None
    return (
        db.url,
        _head(db),
        subject.organisation if subject else None,
        subject.clearance if subject else None,
        guest,
        *asked,
    )


def _head(db: Database) -> int:
    """The audit head's sequence number; read before the register is, so a result is
    never kept under a newer head than the data it was computed from."""
    with db.transaction() as connection:
        head = connection.execute(select(audit_head.c.seq).where(audit_head.c.id == 1))
        return head.scalar() or 0
