"""Log lines as weerbaar writes them: one JSON object a line (or text), naming the
request; the servers' lines in the same format; the libraries that would log a URL's
query string or a statement's values held back; tracebacks without messages."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import cli_runner
from weerbaar.cli.main import app as cli
from weerbaar.config import LogSettings, load_settings
from weerbaar.domain.request_ids import current_request_id
from weerbaar.errors import ConfigError
from weerbaar.log_format import (
    JsonFormatter,
    TextFormatter,
    configure_logging,
    traceback_of,
)

HIDDEN = "Liquidation of a dissident"  # what an exception's message may quote


def _record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "weerbaar.test", "levelno": logging.INFO, "levelname": "INFO", "msg": message}
    )
    record.args = args or ("world",)
    record.__dict__.update(extra)
    return record


def _look_up(title: str) -> None:
    raise KeyError(title)


def _check(title: str) -> None:
    try:
        _look_up(title)
    except KeyError as inner:
        raise ValueError(f"no such title: {title}") from inner


def _failed() -> BaseException:
    with pytest.raises(ValueError, match="no such title") as failed:
        _check(HIDDEN)
    return failed.value


def test_a_json_line_has_the_fields_and_the_request_id() -> None:
    token = current_request_id.set("req-0123456789")
    try:
        line = JsonFormatter().format(_record(route="/api/v1/search", status=200))
    finally:
        current_request_id.reset(token)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "INFO"
    assert fields["logger"] == "weerbaar.test"
    assert fields["message"] == "hello world"
    assert fields["request_id"] == "req-0123456789"
    assert fields["route"] == "/api/v1/search" and fields["status"] == 200
    assert fields["time"].endswith("+00:00") and "T" in fields["time"]
    assert set(fields) == {"time", "level", "logger", "message", "request_id", "route", "status"}


def test_outside_a_request_the_id_is_null_and_colours_are_left_out() -> None:
    fields = json.loads(JsonFormatter().format(_record(color_message="\x1b[1mhello\x1b[0m")))
    assert fields["request_id"] is None
    assert "color_message" not in fields


def test_a_traceback_names_types_and_lines_but_no_message() -> None:
    failure = _failed()
    record = _record()
    record.exc_info = (type(failure), failure, failure.__traceback__)
    fields = json.loads(JsonFormatter().format(record))
    assert "ValueError" in fields["exc"] and "KeyError" in fields["exc"]
    assert "_look_up" in fields["exc"]  # the function it was raised in
    # The source lines name the variable; the value and the message are left out.
    assert HIDDEN not in fields["exc"]
    assert f"no such title: {HIDDEN}" not in fields["exc"]
    assert HIDDEN not in TextFormatter().format(record)
    assert traceback_of(failure).count("Traceback (most recent call last):") == 2


def _several(detail: str) -> None:
    raise ExceptionGroup("several", [OSError(detail), LookupError(detail)])


def test_an_exception_group_names_what_it_holds() -> None:
    with pytest.raises(ExceptionGroup) as group:
        _several(HIDDEN)
    text = traceback_of(group.value)
    assert "ExceptionGroup" in text and "OSError" in text and "LookupError" in text
    assert HIDDEN not in text


def test_a_text_line_reads_as_a_sentence() -> None:
    line = TextFormatter().format(_record(status=404))
    assert line.split(" ", 3)[1:3] == ["INFO", "weerbaar.test"]
    assert line.endswith("[-] hello world status=404")


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_configured_logging_holds_back_what_would_log_secrets(captured_logs: io.StringIO) -> None:
    logging.getLogger("weerbaar.some.module").debug("weerbaar's own debug line")
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    logging.getLogger("gunicorn.error").info("Booting worker")
    logging.getLogger("somelibrary").info("a library's info line")
    logging.getLogger("somelibrary").debug("a library's debug line")
    logging.getLogger("httpx").info('HTTP Request: GET https://example.org/?token=abc "200 OK"')
    logging.getLogger("urllib3.connectionpool").debug("GET /feed?apikey=abc")
    logging.getLogger("sqlalchemy.engine.Engine").info("INSERT … [parameters]")
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /search?q=abc HTTP/1.1" 200')
    # A library that sets its own level again after the configuration is held back all
    # the same.
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpx").info("HTTP Request: GET https://example.org/?token=def")
    logging.getLogger("httpx").warning("a warning of httpx's")
    written = [(line["logger"], line["message"]) for line in _lines(captured_logs)]
    assert written == [
        ("weerbaar.some.module", "weerbaar's own debug line"),
        ("uvicorn.error", "Application startup complete."),
        ("gunicorn.error", "Booting worker"),
        ("somelibrary", "a library's info line"),
        ("httpx", "a warning of httpx's"),
    ]


def test_configuring_again_replaces_and_restore_puts_back() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    httpx_level = logging.getLogger("httpx").level
    first = configure_logging("text", "WARNING")
    second = configure_logging("json", "INFO")
    try:
        added = [h for h in root.handlers if h not in handlers]
        assert len(added) == 1  # the second replaced the first
        assert isinstance(added[0].formatter, JsonFormatter)
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        second()
        first()
    assert root.handlers == handlers and root.level == level
    assert logging.getLogger("httpx").level == httpx_level


def test_the_dictionary_for_gunicorn_configures_the_same(tmp_path: Path) -> None:
    """As gunicorn applies it, in a process of its own (it replaces the root's
    handlers): every line on standard error as JSON, the held-back ones absent."""
    script = """
import logging, logging.config
from weerbaar.log_format import logging_config
logging.getLogger("gunicorn.error").addHandler(logging.StreamHandler())  # gunicorn's own
logging.getLogger("gunicorn.error").propagate = False
logging.config.dictConfig(logging_config("json", "INFO"))
logging.getLogger("gunicorn.error").info("Listening at: http://127.0.0.1:8000")
logging.getLogger("uvicorn.error").info("Started server process")
logging.getLogger("weerbaar.access").info("GET /api/v1/search 200 1.0 ms")
logging.getLogger("weerbaar.x").debug("not at INFO")
logging.getLogger("httpx").info("HTTP Request: GET https://example.org/?token=abc")
logging.getLogger("gunicorn.access").info("GET /search?q=abc")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [line["logger"] for line in lines] == [
        "gunicorn.error",
        "uvicorn.error",
        "weerbaar.access",
    ]
    assert done.stdout == ""


def test_the_settings_read_format_and_level() -> None:
    assert LogSettings.from_env({}) == LogSettings("json", "INFO")
    given = {"WEERBAAR_LOG_FORMAT": " Text ", "WEERBAAR_LOG_LEVEL": "debug"}
    assert LogSettings.from_env(given) == LogSettings("text", "DEBUG")
    assert load_settings(db="sqlite:///x.db", environ=given).logs == LogSettings("text", "DEBUG")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("WEERBAAR_LOG_FORMAT", "xml"), ("WEERBAAR_LOG_LEVEL", "LOUD"), ("WEERBAAR_LOG_LEVEL", "10")],
)
def test_a_wrong_setting_is_refused_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        LogSettings.from_env({variable: value})


def test_a_command_with_a_wrong_setting_stops_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = cli_runner(f"sqlite:///{tmp_path}/register.db", monkeypatch)
    monkeypatch.setenv("WEERBAAR_LOG_LEVEL", "LOUD")
    result = runner.invoke(cli, ["audit", "log"])
    assert result.exit_code == 6
    assert "WEERBAAR_LOG_LEVEL" in result.output and "INFO" in result.output
