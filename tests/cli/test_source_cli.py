"""``weerbaar source`` and ``weerbaar signals poll`` end to end: a feed on a local web
server added as a source, polled by hand, polled again with nothing new (its ETag),
its state shown; a source that cannot be reached fails with its error and exit code;
and the web app polls due sources by itself."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.helpers import settings_for
from weerbaar.cli.main import app
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, list_records
from weerbaar.storage.db import Database

DATA = Path(__file__).parents[1] / "data" / "signals"


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def served() -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(DATA))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _a_feed() -> str:
    return sorted(p.name for p in DATA.iterdir() if p.suffix in (".rss", ".xml", ".atom"))[0]


def test_add_poll_poll_again_and_status(runner: CliRunner, served: str) -> None:
    run(runner, "init")
    feed = _a_feed()
    run(runner, "source", "add", "news", "--name", "News", "--kind", "feed",
        "--address", f"{served}/{feed}", "--interval-minutes", "30")  # fmt: skip
    first = run(runner, "signals", "poll", "--source", "news")
    assert "news:" in first and "new" in first
    # Nothing changed: the server answers 304 to the feed's Last-Modified.
    again = run(runner, "signals", "poll", "--source", "news")
    assert "0 read" in again
    status = json.loads(run(runner, "source", "status", "--format", "json"))
    [news] = status
    assert news["source"] == "news" and news["healthy"] is True
    assert news["items_taken"] > 0 and news["next_poll"]
    # Due later, not now.
    assert "no source is due" in run(runner, "signals", "poll")


def test_a_source_that_cannot_be_reached_fails_with_its_reason(runner: CliRunner) -> None:
    run(runner, "init")
    run(runner, "source", "add", "gone", "--name", "Gone", "--kind", "misp",
        "--address", "http://127.0.0.1:9/feed/")  # fmt: skip
    failed = run(runner, "signals", "poll", "--source", "gone", code=7)
    assert "gone" in failed and "failed" in failed
    [gone] = json.loads(run(runner, "source", "status", "--format", "json"))
    assert gone["healthy"] is False and gone["failures"] == 1 and gone["last_error"]


def test_a_source_is_refused_a_secret_outside_its_own_family(runner: CliRunner) -> None:
    run(runner, "init")
    refused = run(runner, "source", "add", "leak", "--name", "Leak", "--kind", "taxii",
                  "--address", "https://example.org/taxii2/c/", "--auth", "bearer",
                  "--secret-env", "WEERBAAR_DB", code=3)  # fmt: skip
    assert "WEERBAAR_SOURCE_" in refused
    refused = run(runner, "source", "add", "leak", "--name", "Leak", "--kind", "taxii",
                  "--address", "https://example.org/taxii2/c/", "--auth", "key",
                  "--secret-file", "../../etc/weerbaar/keys", code=3)  # fmt: skip
    assert "secrets folder" in refused
    refused = run(runner, "source", "add", "leak", "--name", "Leak", "--kind", "feed",
                  "--address", "file:///etc/passwd", code=3)  # fmt: skip
    assert "http" in refused


def test_the_web_app_polls_due_sources_itself(db: Database, served: str) -> None:
    import dataclasses

    from weerbaar.web.app import create_app

    create_record(
        Context(db, "test"),
        entity_name="sources",
        raw={"key": "news", "name": "News", "kind": "feed", "address": f"{served}/{_a_feed()}"},
    )
    settings = settings_for(db)
    settings = dataclasses.replace(
        settings, web=dataclasses.replace(settings.web, poll_interval=0.2)
    )
    with TestClient(create_app(settings, db=db)):
        deadline = time.monotonic() + 30
        while not list_records(db, entity_name="signals") and time.monotonic() < deadline:
            time.sleep(0.2)
    assert list_records(db, entity_name="signals")
