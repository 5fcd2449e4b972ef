"""Signals taken in from what people hand over: a file uploaded on the web, or files,
folders and addresses named on the command line."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor, ThreadPoolExecutor

from weerbaar.domain.access import Marking
from weerbaar.services.context import Context
from weerbaar.services.signal_ingest import CHUNK, IngestReport, Progress, ingest
from weerbaar.signals.items import Item


def take_in(
    ctx: Context,
    items: Iterable[Item],
    *,
    executor: Executor | None = None,
    marking: Marking | None = None,
    chunk: int = CHUNK,
    progress: Progress | None = None,
    semantic: bool = False,
) -> IngestReport:
    """Store the good items as signals and report the rest with their reasons. Without
    an ``executor`` the work stays on one thread, as it must within a web request."""
    if executor is None:
        with ThreadPoolExecutor(max_workers=1) as one_thread:
            return take_in(
                ctx,
                items,
                executor=one_thread,
                marking=marking,
                chunk=chunk,
                progress=progress,
                semantic=semantic,
            )
    return ingest(
        ctx,
        items,
        executor=executor,
        marking=marking,
        chunk=chunk,
        progress=progress,
        semantic=semantic,
    )
