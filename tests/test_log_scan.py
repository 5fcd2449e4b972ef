"""The scan of the test run's logs (tests/log_scan.py) finds what it looks for, says
where and of what kind without repeating it, and passes clean logs."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from tests import secrets_registry
from tests.log_scan import (
    FOLDER_VARIABLE,
    Finding,
    Sink,
    classified_titles,
    constants_of_tests,
    scan,
)
from weerbaar.log_format import JsonFormatter

PASSWORD = "a password this module's tests use"
COOKIE = "Zk3Q9v_x-8LrT2mWq0aBcDeFgHiJkLmNoPqRsTuVwXy"
TOKEN = "wb_0123456789abcdef_" + "A" * 43
TITLE = 'Sabotage of undersea cables and "pipelines" in the North Sea'


def _log(folder: Path, name: str, *messages: str) -> None:
    formatter = JsonFormatter()
    lines = []
    for message in messages:
        record = logging.makeLogRecord(
            {"name": "weerbaar.test", "levelno": 20, "levelname": "INFO", "msg": message}
        )
        lines.append(formatter.format(record) + "\n")
    (folder / name).write_text("".join(lines), encoding="utf-8")


def test_the_scan_finds_each_kind_and_says_where(tmp_path: Path) -> None:
    _log(
        tmp_path,
        "gw0.log",
        "GET /api/v1/search 200 3.1 ms",
        f"signed in with {PASSWORD}",
        f"cookie weerbaar_session={COOKIE}; path=/",
        f"Authorization: Bearer {TOKEN}",
    )
    _log(tmp_path, "gw1.log", "nothing here", f"found: {TITLE}")
    secrets = {PASSWORD: "password", COOKIE: "session cookie", TITLE: "classified title"}
    findings = scan(tmp_path, secrets)
    assert findings == [
        Finding("gw0.log", 2, "password"),
        Finding("gw0.log", 3, "session cookie"),
        Finding("gw0.log", 4, "API token"),  # by its shape: it was never registered
        Finding("gw1.log", 2, "classified title"),  # as JSON writes it, quotes escaped
    ]
    said = "\n".join(str(f) for f in findings)
    assert all(value not in said for value in (PASSWORD, COOKIE, TOKEN, TITLE))


def test_clean_logs_pass(tmp_path: Path) -> None:
    _log(tmp_path, "gw0.log", "GET /api/v1/search 200 3.1 ms", "a cookie was set")
    (tmp_path / "notes.txt").write_text(PASSWORD)  # not a log file
    # A random secret counts whole: inside a longer run of the same characters it is
    # another value.
    _log(tmp_path, "gw1.log", f"x{COOKIE}")
    assert scan(tmp_path, {PASSWORD: "password", COOKIE: "session cookie"}) == []


def test_every_process_values_come_together(tmp_path: Path) -> None:
    secrets_registry.save(tmp_path / "secrets-gw0.json", {PASSWORD: "password"})
    secrets_registry.save(tmp_path / "secrets-gw1.json", {COOKIE: "session cookie"})
    assert secrets_registry.load(tmp_path) == {PASSWORD: "password", COOKIE: "session cookie"}
    assert secrets_registry.register("password", "short") == "short"
    assert "short" not in secrets_registry.known()  # too short to tell from text


def test_the_run_collects_the_values_of_its_tests() -> None:
    assert constants_of_tests()[PASSWORD] == "password"
    titles = classified_titles()
    assert titles["Liquidation of a dissident on behalf of a foreign state"] == "classified title"
    assert "National Security Strategy 2019–2022" not in titles  # a public record's


def test_this_run_writes_its_log_lines_to_the_scanned_folder() -> None:
    marker = f"a line of the log scan's own test in process {os.getpid()}"
    logging.getLogger("weerbaar.test").info(marker)
    sink = next(h for h in logging.getLogger().handlers if isinstance(h, Sink))
    sink.flush()
    assert sink.path.parent == Path(os.environ[FOLDER_VARIABLE])
    written = sink.path.read_text(encoding="utf-8")
    assert any(json.loads(line)["message"] == marker for line in written.splitlines())
