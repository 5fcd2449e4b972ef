"""Log lines: one JSON object a line (for journald and log shippers) or plain text (for
a person at a terminal), each naming the request or command it belongs to.

:func:`configure_logging` sends every log line of the process to standard error in the
chosen format: weerbaar's own, the web servers' (uvicorn's, gunicorn's) and the
libraries'. The libraries that would log what a log must never hold are held at
warnings: httpx writes every request's address with its query string at INFO (a
sign-in link's token, a search for a classified title), urllib3 the same at DEBUG, and
SQLAlchemy, if asked, every statement with its values. A traceback names each
exception's type and the lines it passed through, never its message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import IO, Any

from weerbaar.domain.request_ids import current_request_id

QUIETED: Mapping[str, int] = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "urllib3": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    # A migration's steps, which `weerbaar init` sums up itself.
    "alembic": logging.WARNING,
    # Every table of every font subset into a PDF.
    "fontTools": logging.WARNING,
    # A Dask cluster's comings and goings, under a batch run with --dask.
    "distributed": logging.WARNING,
}
"""Loggers held at this level or above, whatever level is asked for."""

# The servers' loggers, which they give handlers of their own: their lines go through
# the root's handler instead, in the same format as the rest. Their access lines are
# left out (they carry the query string): weerbaar.access writes one of its own.
_THROUGH_ROOT = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "gunicorn.error")
_SILENCED = ("uvicorn.access", "gunicorn.access")

# What every record has: the rest is what its caller added (``extra=``). uvicorn adds
# its message once more, with terminal colours.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_LEFT_OUT = _STANDARD | {"color_message"}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    time = dt.datetime.fromtimestamp(record.created, dt.UTC)
    fields: dict[str, Any] = {
        "time": time.isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
        # Formatted as it is emitted, in the thread and task that logged it.
        "request_id": getattr(record, "request_id", None) or current_request_id.get(),
    }
    for name, value in record.__dict__.items():
        if name not in _LEFT_OUT and name not in fields:
            fields[name] = value
    return fields


def traceback_of(exc: BaseException) -> str:
    """The traceback of ``exc`` and the exceptions that led to it: each one's type and
    the lines it passed through, but not its message, which can quote what a log must
    not hold (the value that failed a check, the row that broke a constraint)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = []
    for number, each in enumerate(reversed(chain)):
        if number:
            parts.append("\nwhich led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(each.__traceback__))
        parts.append(_type_of(each) + "\n")
        if isinstance(each, BaseExceptionGroup):
            parts.extend(
                "  " + line + "\n"
                for inner in each.exceptions
                for line in traceback_of(inner).splitlines()
            )
    return "".join(parts).rstrip("\n")


def _type_of(exc: BaseException) -> str:
    kind = type(exc)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


class _Formatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return traceback_of(ei[1]) if ei[1] is not None else ""


class JsonFormatter(_Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message,
    request_id, what the caller added, and the traceback as ``exc``
    (:func:`traceback_of`)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        return json.dumps(fields, ensure_ascii=False, default=str)


class TextFormatter(_Formatter):
    """``time level logger [request] message key=value …``, the traceback below."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        head = " ".join(
            [
                fields.pop("time"),
                fields.pop("level"),
                fields.pop("logger"),
                f"[{fields.pop('request_id') or '-'}]",
                fields.pop("message"),
            ]
        )
        line = " ".join([head, *(f"{name}={value}" for name, value in fields.items())])
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else TextFormatter()


class HeldBack(logging.Filter):
    """Lets through no line of a :data:`QUIETED` logger below its level, even where the
    library sets its logger's level again once configured (Dask does, when it is first
    imported)."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        while True:
            least = QUIETED.get(name)
            if least is not None:
                return record.levelno >= least
            cut = name.rfind(".")
            if cut < 0:
                return True
            name = name[:cut]


class StderrHandler(logging.StreamHandler[IO[str]]):
    """Writes to whatever ``sys.stderr`` is when a line is written (a test runner or
    a daemon may swap it), never to a stream closed since."""

    def __init__(self, fmt: str = "json") -> None:
        logging.Handler.__init__(self)
        self.setFormatter(formatter(fmt))
        self.addFilter(HeldBack())

    @property
    def stream(self) -> IO[str]:  # type: ignore[override]
        return sys.stderr


def _level(level: str) -> int:
    try:
        return logging.getLevelNamesMapping()[level.upper()]
    except KeyError:
        raise ValueError(f"unknown log level {level!r}") from None


def logger_levels(level: str) -> dict[str, int]:
    """The level of each logger that has one of its own, for ``level`` asked: it holds
    for weerbaar's loggers; the others say no more than INFO, and those of
    :data:`QUIETED` no more than that."""
    own = _level(level)
    return {
        "": max(own, logging.INFO),
        "weerbaar": own,
        **{name: max(own, quiet) for name, quiet in QUIETED.items()},
    }


def configure_logging(fmt: str, level: str, *, stream: IO[str] | None = None) -> Callable[[], None]:
    """Send this process's log lines to standard error (or ``stream``) in ``fmt``
    ("json" or "text"), from ``level`` up. Returns what puts logging back as it was,
    for a command run inside another program (a test)."""
    if fmt not in ("json", "text"):
        raise ValueError(f"unknown log format {fmt!r}: json or text")
    handler = StderrHandler(fmt) if stream is None else logging.StreamHandler(stream)
    handler.setFormatter(formatter(fmt))
    handler.addFilter(HeldBack())
    levels = logger_levels(level)
    loggers = [logging.getLogger(name) for name in (*levels, *_THROUGH_ROOT, *_SILENCED)]
    before = [(logger, logger.level, logger.propagate, logger.handlers) for logger in loggers]
    root = logging.getLogger()
    # Configured once more (a second command in one process): the new handler replaces
    # the one before.
    replaced = [h for h in root.handlers if isinstance(h, StderrHandler)]
    for old in replaced:
        root.removeHandler(old)
    root.addHandler(handler)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)
    servers_through_root()

    def restore() -> None:
        root.removeHandler(handler)
        for old in replaced:
            root.addHandler(old)
        for logger, old_level, propagate, handlers in before:
            logger.setLevel(old_level)
            if logger is not root:
                logger.propagate = propagate
                logger.handlers = handlers

    return restore


def servers_through_root() -> None:
    """Take the handlers uvicorn and gunicorn gave their loggers away: their lines go
    to the root's handler, and their access lines nowhere."""
    for name in _THROUGH_ROOT:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    for name in _SILENCED:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = False


def logging_config(fmt: str, level: str) -> dict[str, Any]:
    """The same as a :func:`logging.config.dictConfig` dictionary, for a server that
    configures logging itself (gunicorn's ``logconfig_dict``)."""
    levels = logger_levels(level)
    loggers: dict[str, Any] = {
        name: {"level": value, "handlers": [], "propagate": True}
        for name, value in levels.items()
        if name
    }
    loggers |= {
        name: {"level": "NOTSET", "handlers": [], "propagate": True} for name in _THROUGH_ROOT
    }
    loggers |= {name: {"handlers": [], "propagate": False} for name in _SILENCED}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"weerbaar": {"()": StderrHandler, "fmt": fmt}},
        "root": {"level": levels[""], "handlers": ["weerbaar"]},
        "loggers": loggers,
    }
