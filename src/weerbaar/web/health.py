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
            asyncio.to_thread(check_readiness, request.app.state.db), READINESS_SECONDS
        )
    except TimeoutError:
        readiness = Readiness.unconfirmed()
    body = {
        "status": "ready" if readiness.ready else "unready",
        "checks": {name: "ok" if ok else "failing" for name, ok in readiness.checks.items()},
    }
    return JSONResponse(body, status_code=200 if readiness.ready else 503, headers=NO_STORE)
