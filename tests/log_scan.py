"""Every log record of the test run, searched at the end for what no log may hold.

Each test process (each xdist worker, or the one process of a run without workers)
writes every log record, as weerbaar's JSON lines, to a file of its own in one folder
for the run: INFO and up from every logger, DEBUG and up from weerbaar's, with the
libraries :data:`weerbaar.log_format.QUIETED` names held back as a deployment holds
them. At the end the process that reports searches every file for the passwords, API
tokens and session cookies the tests used (tests/secrets_registry.py, and the module
constants of the tests named for passwords, tokens and secrets), anything shaped like
an API token, and the titles of the demo register's classified records. Each find is
printed as its file, line and kind, never the value, and fails the run; the folder is
then kept for a look.

Registered from tests/conftest.py (``pytest_plugins``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import secrets_registry
from weerbaar.log_format import QUIETED, HeldBack, JsonFormatter
from weerbaar.reference.access import classification_levels
from weerbaar.services.api_tokens import TOKEN_PREFIX

FOLDER_VARIABLE = "WEERBAAR_TEST_LOG_DIR"
DEMO = Path(__file__).resolve().parents[1] / "src" / "weerbaar" / "data" / "demo"

# A whole API token: its prefix, its id and its secret (weerbaar.services.api_tokens).
TOKEN_SHAPE = re.compile(rf"{re.escape(TOKEN_PREFIX)}[0-9a-f]{{16}}_[A-Za-z0-9_-]{{43}}")
SHAPES: Mapping[str, re.Pattern[str]] = {"API token": TOKEN_SHAPE}

# Random secrets (cookies, tokens) are one run of these characters: looked up by the
# run rather than searched for one by one, as a test run makes thousands of them.
_RUN = re.compile(r"[A-Za-z0-9_-]{16,}")

_SINK = pytest.StashKey["Sink"]()
_FINDINGS = pytest.StashKey[list["Finding"]]()
_SEARCHED = pytest.StashKey[tuple[int, int, int]]()  # files, lines, values searched for


@dataclass(frozen=True, slots=True)
class Finding:
    file: str
    line: int
    kind: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}"


def scan(
    folder: Path, secrets: Mapping[str, str], shapes: Mapping[str, re.Pattern[str]] = SHAPES
) -> list[Finding]:
    """The lines of the log files (``*.log``) in ``folder`` that hold a value of
    ``secrets`` (value → its kind) or match a pattern of ``shapes`` (kind →
    pattern), by file and line."""
    runs = {value: kind for value, kind in secrets.items() if _RUN.fullmatch(value)}
    texts: dict[str, str] = {}
    for value, kind in secrets.items():
        if value not in runs:
            texts[value] = kind
            # As a JSON line writes it: quotes and backslashes escaped.
            texts.setdefault(json.dumps(value, ensure_ascii=False)[1:-1], kind)
    found: set[Finding] = set()
    for path in sorted(folder.glob("*.log")):
        content = path.read_text(encoding="utf-8", errors="replace")
        line_of = _LineNumbers(content)
        for match in _RUN.finditer(content):
            run_kind = runs.get(match.group())
            if run_kind is not None:
                found.add(Finding(path.name, line_of(match.start()), run_kind))
        for value, kind in texts.items():
            for start in _occurrences(content, value):
                found.add(Finding(path.name, line_of(start), kind))
        for kind, shape in shapes.items():
            for match in shape.finditer(content):
                found.add(Finding(path.name, line_of(match.start()), kind))
    return sorted(found, key=lambda f: (f.file, f.line, f.kind))


def _occurrences(content: str, value: str) -> Iterator[int]:
    start = content.find(value)
    while start != -1:
        yield start
        start = content.find(value, start + 1)


class _LineNumbers:
    def __init__(self, content: str) -> None:
        self.content = content

    def __call__(self, offset: int) -> int:
        return self.content.count("\n", 0, offset) + 1


def classified_titles(folder: Path = DEMO) -> dict[str, str]:
    """The names and titles of the demo register's records marked above the lowest
    classification level, each as a "classified title"."""
    lowest = classification_levels().keys[0]
    found: dict[str, str] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("classification") not in (None, lowest):
                for field in ("title", "title_en", "name", "name_en"):
                    text = value.get(field)
                    if isinstance(text, str) and len(text) >= secrets_registry.MIN_LENGTH:
                        found[text] = "classified title"
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for path in sorted(folder.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def constants_of_tests() -> dict[str, str]:
    """The module constants of the loaded test modules that name a password, a token
    or a secret: a secret named so that is prose is a classified text a test hides
    (a key, one word, is left alone: it is no secret in a log)."""
    found: dict[str, str] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("tests.") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if not attribute.isupper():
                continue
            if "PASSWORD" in attribute or "PASSPHRASE" in attribute:
                _add(found, value, "password")
            elif "TOKEN" in attribute:
                _add(found, value, "token")
            elif "SECRET" in attribute:
                if isinstance(value, str) and " " in value.strip():
                    _add(found, value, "classified text")
                elif isinstance(value, Mapping):
                    for inner in value.values():
                        _add(found, inner, "secret")
    return found


def _add(found: dict[str, str], value: object, kind: str) -> None:
    if isinstance(value, str) and len(value) >= secrets_registry.MIN_LENGTH:
        found.setdefault(value, kind)


class Sink(logging.Handler):
    """Every record as a JSON line, in a buffered file: written out when it is full
    and at the end, not line by line. A process forked from this one writes nothing
    (its copy of the buffer would write the parent's lines twice)."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.NOTSET)
        self.path = path
        self._pid = os.getpid()
        self._file = path.open("a", encoding="utf-8", buffering=1 << 16)
        self.setFormatter(JsonFormatter())
        self.addFilter(HeldBack())

    def emit(self, record: logging.LogRecord) -> None:
        if os.getpid() != self._pid:
            return
        try:
            self._file.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)

    def flush(self) -> None:
        self.acquire()
        try:
            if os.getpid() == self._pid and not self._file.closed:
                self._file.flush()
        finally:
            self.release()

    def close(self) -> None:
        self.acquire()
        try:
            if os.getpid() == self._pid and not self._file.closed:
                self._file.close()
        finally:
            self.release()
        super().close()


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if _is_worker(config):
        folder = Path(os.environ[FOLDER_VARIABLE])
        name = str(config.workerinput["workerid"])  # type: ignore[attr-defined]
    else:
        # Set before xdist starts its workers, which inherit the environment.
        folder = Path(tempfile.mkdtemp(prefix="weerbaar-logs-"))
        os.environ[FOLDER_VARIABLE] = str(folder)
        name = "main"
    sink = Sink(folder / f"{name}.log")
    config.stash[_SINK] = sink
    root = logging.getLogger()
    root.addHandler(sink)
    root.setLevel(logging.INFO)
    logging.getLogger("weerbaar").setLevel(logging.DEBUG)
    for logger, level in QUIETED.items():
        logging.getLogger(logger).setLevel(level)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    sink = config.stash[_SINK]
    logging.getLogger().removeHandler(sink)
    sink.close()
    values = {**constants_of_tests(), **secrets_registry.known()}
    secrets_registry.save(sink.path.with_name(f"secrets-{sink.path.stem}.json"), values)
    if _is_worker(config):
        return
    secrets = {**secrets_registry.load(sink.path.parent), **classified_titles()}
    findings = scan(sink.path.parent, secrets)
    config.stash[_FINDINGS] = findings
    files = sorted(sink.path.parent.glob("*.log"))
    lines = sum(path.read_bytes().count(b"\n") for path in files)
    config.stash[_SEARCHED] = (len(files), lines, len(secrets))
    if findings and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    findings = config.stash.get(_FINDINGS, None)
    searched = config.stash.get(_SEARCHED, None)
    if searched is not None and not findings:
        files, lines, values = searched
        terminalreporter.write_line(
            f"log scan: {lines:,} log lines of {files} process(es) searched for {values:,} "
            "secrets and classified titles and for anything shaped like an API token: none"
        )
    if not findings:
        return
    folder = config.stash[_SINK].path.parent
    terminalreporter.section("log scan", red=True)
    for finding in findings:
        terminalreporter.write_line(str(finding))
    terminalreporter.write_line(
        f"log scan: {len(findings)} log line(s) hold a secret or classified text; "
        f"the run fails (the logs are kept in {folder})",
        red=True,
        bold=True,
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    sink = config.stash.get(_SINK, None)
    if sink is None or _is_worker(config):
        return
    if not config.stash.get(_FINDINGS, None):
        shutil.rmtree(sink.path.parent, ignore_errors=True)
