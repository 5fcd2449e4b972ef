"""``weerbaar serve`` logs as the operations guide says: every line on standard error a
JSON object, uvicorn's and gunicorn's own lines included, and one access line per
request with its route and id, never its query string. Run as an operator runs it,
in a process of its own, on one process and on two workers."""

from __future__ import annotations

import json
import signal

import httpx
import pytest

from tests.web.test_serve_workers import served
from weerbaar.storage.db import Database

SEARCHED = "Haringvliet sluices"


@pytest.mark.parametrize("workers", [1, 2])
def test_the_server_writes_json_lines_and_its_own_access_line(
    demo_db: Database, workers: int
) -> None:
    with (
        served(demo_db.url, workers=workers) as server,
        httpx.Client(base_url=server.base, timeout=30) as client,
    ):
        answer = client.get(
            "/api/v1/search",
            params={"q": SEARCHED},
            headers={"X-Request-ID": "serve-log-check-1"},
        )
    # uvicorn on its own ends as the signal it was stopped by; gunicorn's arbiter, 0.
    assert server.returncode in (0, -signal.SIGTERM), server.errors
    assert answer.status_code == 401
    assert answer.headers["X-Request-ID"] == "serve-log-check-1"
    lines = [json.loads(line) for line in server.errors.splitlines() if line.strip()]
    loggers = {line["logger"] for line in lines}
    access = [line for line in lines if line.get("route") == "/api/v1/search"]
    assert [(line["logger"], line["status"], line["request_id"]) for line in access] == [
        ("weerbaar.access", 401, "serve-log-check-1")
    ]
    assert "uvicorn.error" in loggers  # started, stopped: in the same format
    if workers > 1:
        assert "gunicorn.error" in loggers
    assert "uvicorn.access" not in loggers and "gunicorn.access" not in loggers
    assert SEARCHED.split()[0] not in server.errors and "q=" not in server.errors
