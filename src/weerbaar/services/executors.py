"""One interface for batch work: :class:`concurrent.futures.Executor`.

Locally a process pool; with a Dask scheduler address (``--dask``, or
``WEERBAAR_DASK`` in the settings) the executor of a ``distributed`` client. Callers submit the same
functions either way and take results in submission order, so a result never
depends on which engine ran it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

from weerbaar.errors import ConfigError

__all__ = ["batch_executor", "ordered"]

T = TypeVar("T")
R = TypeVar("R")


@contextlib.contextmanager
def batch_executor(*, address: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """A Dask client's executor when ``address`` names a scheduler, else a pool of
    ``workers`` processes (default: one per core)."""
    if address:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ConfigError(
                "a Dask scheduler is configured but dask.distributed is not installed: "
                "pip install 'weerbaar[dask]'"
            ) from exc
        try:
            client = Client(address, timeout="10s")  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        with client:
            yield client.get_executor()  # type: ignore[no-untyped-call]
        return
    count = workers or os.cpu_count() or 1
    # "spawn": a forked child would inherit the parent's database connections and
    # threads (the web server's), which is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        yield pool


def ordered(
    executor: Executor,
    fn: Callable[..., R],
    items: Iterable[T],
    *args: Any,
    window: int = 4,
) -> Iterator[R]:
    """``fn(item, *args)`` for every item, run on ``executor`` with at most ``window``
    items in flight, yielded in the order of ``items``: memory stays bounded however
    long the stream."""
    pending: deque[Future[R]] = deque()
    for item in items:
        pending.append(executor.submit(fn, item, *args))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
