"""``weerbaar worker`` as an operator runs it, in a process of its own over both
databases: it delivers a notification and polls a feed, records both schedulers'
beats, and stops cleanly on SIGTERM and on Ctrl-C; ``weerbaar schedulers`` lists the
beats and forgets one, audited; the single loops of ``notify deliver`` and ``signals
poll`` beat too."""

from __future__ import annotations

import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from tests.helpers import level_change, seed_small_register
from tests.notify_receivers import Mailbox, smtp_server
from weerbaar.cli import notify, sources
from weerbaar.cli.main import app
from weerbaar.services.context import Context
from weerbaar.services.notifications.channels import add_channel
from weerbaar.services.records import create_record, list_records
from weerbaar.services.schedulers import NOTIFICATIONS, POLLER, SOURCE_POLLING, beats
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database

FEEDS = Path(__file__).parents[1] / "data" / "signals"
WAIT = 90.0  # seconds for the worker to start and do a round of each kind


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def feed_server() -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FEEDS))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        feed = sorted(p.name for p in FEEDS.iterdir() if p.suffix in (".rss", ".xml", ".atom"))[0]
        yield f"http://127.0.0.1:{server.server_address[1]}/{feed}"
    finally:
        server.shutdown()
        server.server_close()


def _worker(db: Database, *options: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from weerbaar.cli.main import run; run()", "worker", *options],
        env={**os.environ, "WEERBAAR_DB": db.url, "WEERBAAR_LOG_FORMAT": "text", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _until(done: object, process: subprocess.Popen[str]) -> None:
    assert callable(done)
    deadline = time.monotonic() + WAIT
    while not done():
        if process.poll() is not None:
            raise AssertionError(process.communicate()[1])
        assert time.monotonic() < deadline, "the worker did not do its rounds in time"
        time.sleep(0.2)


def _stopped(process: subprocess.Popen[str], signum: int) -> tuple[str, str]:
    process.send_signal(signum)
    try:
        out, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, errors = process.communicate()
    assert process.returncode == 0, errors
    return out, errors


def test_the_worker_delivers_polls_beats_and_stops_on_sigterm(
    db: Database, runner: CliRunner, feed_server: str
) -> None:
    operator = Context(db, "test:operator")
    seed_small_register(operator)
    add_channel(operator, organisation="nctv", kind="email", target="crisis@nctv.example")
    level_change(db)
    create_record(
        operator,
        entity_name="sources",
        raw={"key": "news", "name": "News", "kind": "feed", "address": feed_server},
    )
    box = Mailbox()
    with smtp_server(box) as port:
        env = {"WEERBAAR_SMTP_HOST": "127.0.0.1", "WEERBAAR_SMTP_PORT": str(port)}
        process = _worker(db, "--notify-interval", "0.2", "--poll-interval", "0.2", env=env)
        try:
            _until(
                lambda: len(box.messages) == 1 and {b.name for b in beats(db)} == {
                    NOTIFICATIONS, SOURCE_POLLING
                },
                process,
            )  # fmt: skip
        finally:
            out, errors = _stopped(process, signal.SIGTERM)
    assert "stopped" in out and "Traceback" not in errors
    assert {beat.holder.rsplit(":", 1)[1] for beat in beats(db)} == {str(process.pid)}
    assert box.messages[0]["To"] == "crisis@nctv.example"
    assert list_records(db, entity_name="signals")
    with db.transaction() as connection:
        taken = audit_log.entries(connection, entity="signals", limit=1)
    assert taken[0].actor == POLLER

    listed = json.loads(run(runner, "schedulers", "list", "--format", "json"))
    assert {(s["name"], s["fresh"]) for s in listed} == {
        (NOTIFICATIONS, True),
        (SOURCE_POLLING, True),
    }
    assert str(process.pid) in run(runner, "schedulers", "list")

    said = run(runner, "schedulers", "forget", NOTIFICATIONS)
    assert NOTIFICATIONS in said and str(process.pid) in said
    assert [b.name for b in beats(db)] == [SOURCE_POLLING]
    with db.transaction() as connection:
        [entry] = audit_log.entries(connection, entity="scheduler_beats")
    assert (entry.action, entry.key, entry.actor) == ("delete", NOTIFICATIONS, "test:cli")
    assert "no scheduler with key" in run(runner, "schedulers", "forget", NOTIFICATIONS, code=5)


def test_the_worker_stops_on_ctrl_c_between_rounds(db: Database) -> None:
    process = _worker(db, "--notify-interval", "0", "--poll-interval", "0.2", env={})
    try:
        _until(lambda: [b.name for b in beats(db)] == [SOURCE_POLLING], process)
    finally:
        out, _errors = _stopped(process, signal.SIGINT)
    assert out.rstrip().endswith("stopped")


def test_a_worker_with_both_loops_off_is_refused(db: Database, runner: CliRunner) -> None:
    said = run(runner, "worker", "--notify-interval", "0", "--poll-interval", "0", code=6)
    assert "--notify-interval" in said and "--poll-interval" in said
    assert "no scheduler has run yet" in run(runner, "schedulers", "list")


def _one_round_then_interrupt(monkeypatch: pytest.MonkeyPatch, module: object) -> None:
    def sleep(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "time", SimpleNamespace(sleep=sleep))  # only the loop's


def test_the_single_loops_beat_too(
    db: Database, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one_round_then_interrupt(monkeypatch, notify)
    run(runner, "notify", "deliver", "--loop", "--interval", "7")
    [beat] = beats(db)
    assert (beat.name, beat.interval_seconds) == (NOTIFICATIONS, 7)

    _one_round_then_interrupt(monkeypatch, sources)
    run(runner, "signals", "poll", "--loop", "--interval", "9")
    assert {(b.name, b.interval_seconds) for b in beats(db)} == {
        (NOTIFICATIONS, 7),
        (SOURCE_POLLING, 9),
    }
