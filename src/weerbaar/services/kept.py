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
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["Kept"]


class Kept(Generic[T]):
    """At most ``limit`` of ``size`` (each result's size, 1 by default) kept."""

    def __init__(self, limit: int, size: Callable[[T], int] = lambda _: 1) -> None:
        self.limit = limit
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept under ``key``, or ``make()``'s, kept from now on. Two
        callers may both make a missing result; the answers are equal, so either may
        stay."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        made = make()
        with self._lock:
            self._items[key] = made
            while self._items and sum(map(self.size, self._items.values())) > self.limit:
                self._items.popitem(last=False)
        return made
