"""``/healthz`` and ``/readyz``: whether the process lives, and whether it can work.

Both answer anyone, without a session, a token or a form, and whatever state the
database is in: nothing on their way reads the register. They tell only the names of
the checks and whether each passed (no address, path or error), and are never kept
by a cache.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import State

from weerbaar.services.readiness import Readiness, check_readiness

__all__ = ["READINESS_SECONDS", "router"]

router = APIRouter(include_in_schema=False)

# The most a readiness answer waits for its checks; one that is still running counts
# as failing. The database's own probe gives up well before (storage.probe).
READINESS_SECONDS = 10.0
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> JSONResponse:
    # Async, so that it answers on the event loop even when every thread is busy.
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    try:
        readiness = await asyncio.wait_for(
            asyncio.shield(_shared_check(request.app.state)), READINESS_SECONDS
        )
    except TimeoutError:
        readiness = Readiness.unconfirmed()
    body = {
        "status": "ready" if readiness.ready else "unready",
        "checks": {name: "ok" if ok else "failing" for name, ok in readiness.checks.items()},
    }
    return JSONResponse(body, status_code=200 if readiness.ready else 503, headers=NO_STORE)


def _shared_check(state: State) -> asyncio.Future[Readiness]:
    """The check under way, or a new one: whoever asks while one runs gets its answer.
    Anyone may ask, as often as they like, and each check opens a connection and writes
    a file; so asking often costs one check at a time, not one per request, and an
    answer is at most one check old."""
    running: asyncio.Future[Readiness] | None = getattr(state, "readiness_check", None)
    if running is None or running.done() or running.get_loop() is not asyncio.get_running_loop():
        running = asyncio.ensure_future(asyncio.to_thread(check_readiness, state.db))
        state.readiness_check = running
    return running
