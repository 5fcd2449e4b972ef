"""``weerbaar bench web``: the web app and API under concurrent load.

:func:`bench_web` fills a register (the demo profile plus generated scenarios, one in
ten of them classified and owned by another organisation, so need-to-know has work
to do), serves it with ``weerbaar serve`` in a child process on a free loopback
port, and lets concurrent clients ask for the dashboard (signed in with a session
cookie) and for a page of 50 scenarios from the API (with a token), each for a fixed
time. The baseline, measured in the same run with the same clients, is
``GET /api/v1/me``: the cheapest call that still resolves the caller's token, so the
ratios show what rendering and need-to-know cost on top of the server's own floor.
The load comes from ``wrk`` where it is installed (:mod:`.wrk`), else from Python
threads (:mod:`.load`); either way each run reports the CPU time the load took.
Before its measured run each path is asked for a few times at once (:func:`warm`), so
that the figures are of a server at work, not of each worker's first build of a page.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from weerbaar.bench.load import LoadResult, drive
from weerbaar.bench.wrk import drive_wrk, wrk_path
from weerbaar.config import SignInSettings, TrailConfig
from weerbaar.formats.raw import RawDocument, RawRow
from weerbaar.services import accounts, api_tokens, web_sessions
from weerbaar.services.context import Context
from weerbaar.services.demo import load_demo
from weerbaar.services.records import list_records
from weerbaar.services.transfer import import_register
from weerbaar.storage.db import Database
from weerbaar.web.auth import SESSION_COOKIE

START_TIMEOUT = 60.0
WARM_TIMEOUT = 120.0
ACTOR = "bench:web"
LIST_PATH = "/api/v1/scenarios?per_page=50"
BASELINE_PATH = "/api/v1/me"
THROUGHPUT_TARGET = 0.5
"""A page or list call should answer at least half as many requests as the baseline…"""
P95_TARGET = 3.0
LOADS = ("auto", "wrk", "python")
"""…with a 95th percentile at most three times the baseline's."""


@dataclass(frozen=True, slots=True)
class Visitor:
    """How the load signs in: an API token and a browser session of one account."""

    token: str
    session: str


@dataclass(frozen=True, slots=True)
class WebBenchReport:
    database: str
    scenarios: int
    generated: int
    clients: int
    dashboard: LoadResult
    api_list: LoadResult
    baseline: LoadResult
    workers: int = 1

    def format(self) -> str:
        """The report as lines of text (each under 80 characters)."""
        head = (
            f"  {'':34}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}{'load':>5}"
        )
        rows = [
            f"Web load: {self.scenarios:,} scenarios ({self.generated:,} generated)",
            f"  database {self.database}",
            f"  {self.clients} concurrent clients, weerbaar serve --workers {self.workers}, "
            f"{self.baseline.seconds:.1f} s per run",
            f"  load from {self.baseline.generator}; 'load' is the CPU it took, in % of one core",
            head,
            *(self._row(r) for r in (self.dashboard, self.api_list, self.baseline)),
            f"  against the baseline {BASELINE_PATH} (same run, same clients):",
            *(self._ratio(r) for r in (self.dashboard, self.api_list)),
            f"  target: ≥ {THROUGHPUT_TARGET}× its requests/s and ≤ {P95_TARGET:g}× its p95",
            *(self._verdict(r) for r in (self.dashboard, self.api_list)),
        ]
        return "\n".join(rows)

    def _verdict(self, r: LoadResult) -> str:
        base = self.baseline
        throughput = r.per_second / base.per_second if base.per_second else 0.0
        p95 = r.percentile(95) / base.percentile(95) if base.percentile(95) else float("inf")
        met = throughput >= THROUGHPUT_TARGET and p95 <= P95_TARGET
        verdict = "MET" if met else "MISSED"
        return f"  {r.label:34}{throughput:5.2f}×, p95 {p95:5.1f}×: {verdict}"

    @staticmethod
    def _row(r: LoadResult) -> str:
        ms = [r.percentile(q) * 1000 for q in (50, 95, 99)]
        return (
            f"  {r.label:34}{r.per_second:8.1f}{ms[0]:8.1f}{ms[1]:8.1f}{ms[2]:8.1f}"
            f"{r.errors:7d}{r.client_share * 100:4.0f}%"
        )

    def _ratio(self, r: LoadResult) -> str:
        base = self.baseline
        throughput = r.per_second / base.per_second if base.per_second else float("nan")
        latency = r.percentile(50) / base.percentile(50)
        return f"  {r.label:34}{throughput:7.2f}× the requests/s, {latency:6.1f}× the p50"


def _generated_scenarios(db: Database, count: int) -> RawDocument:
    themes = [t.key for t in list_records(db, entity_name="themes")]
    rows = []
    for i in range(count):
        marking: dict[str, object] = (
            {"classification": "dep-v", "owned_by": "aivd"} if i % 10 == 9 else {}
        )
        rows.append(
            RawRow(
                f"generated scenario {i}",
                {
                    "key": f"bench-scenario-{i:05d}",
                    "title": f"Generated scenario {i}",
                    "kind": "hazard",
                    "theme": themes[i % len(themes)],
                    "narrative": f"A generated scenario for load measurements, number {i}.",
                    **marking,
                },
            )
        )
    return RawDocument({"scenarios": rows})


def build_register(db: Database, scenarios: int) -> tuple[int, Visitor]:
    """The demo profile topped up to ``scenarios`` scenarios, and a new administrator
    of the coordinating organisation; (scenarios generated, how that account signs in)."""
    operator = Context(db=db, actor=ACTOR)
    db.upgrade()
    load_demo(operator)
    present = len(list_records(db, entity_name="scenarios"))
    generated = max(0, scenarios - present)
    import_register(operator, doc=_generated_scenarios(db, generated))
    username = f"bench-{secrets.token_hex(4)}"
    user = accounts.add_user(
        operator,
        username=username,
        password=secrets.token_urlsafe(16),
        role="administrator",
        organisation="nctv",
        clearance="stg-g",
    )
    token = api_tokens.create_token(operator, username, "bench", settings=SignInSettings()).token
    session = web_sessions.start_session(
        db, user, address="127.0.0.1", device="bench", settings=SignInSettings()
    ).cookie
    return generated, Visitor(token, session)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(port: int, token: str) -> bool:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{BASELINE_PATH}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _get(port: int, path: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=WARM_TIMEOUT) as answer:  # noqa: S310
            answer.read()
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def warm(port: int, path: str, headers: dict[str, str], workers: int) -> None:
    """Ask for ``path`` twice per worker, that many at once, and wait for the answers:
    each worker has then built what the path needs. A refusal is an error here, before
    a measured run would count it."""
    asked = 2 * max(workers, 1)
    with ThreadPoolExecutor(max_workers=asked) as pool:
        statuses = list(pool.map(lambda _: _get(port, path, headers), range(asked)))
    wrong = sorted({status for status in statuses if status != 200})
    if wrong:
        raise RuntimeError(f"GET {path} answered {wrong} before the measured run")


@contextmanager
def served(url: str, token: str, log: Path, trail: TrailConfig, workers: int = 0) -> Iterator[int]:
    """``weerbaar serve --workers`` on ``url`` (its trail's keys in ``trail``) in a
    child process; yields its port once it answers, and stops it afterwards."""
    port = _free_port()
    command = [sys.executable, "-c", "from weerbaar.cli.main import run; run()"]
    command += ["--db", url, "serve", "--workers", str(workers)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        environment = {
            **os.environ,
            "WEERBAAR_KEY_DIR": str(trail.key_dir),
            "WEERBAAR_CHECKPOINT_DIR": str(trail.checkpoint_dir),
        }
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, stdout=output, stderr=subprocess.STDOUT, env=environment
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _answers(port, token):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log.read_text()}")
                time.sleep(0.1)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def bench_web(
    *,
    scenarios: int = 1000,
    clients: int = 50,
    seconds: float = 10.0,
    db_url: str | None = None,
    trail: TrailConfig | None = None,
    workers: int = 0,
    load: str = "auto",
) -> WebBenchReport:
    """Fill a register, serve it, and measure the dashboard, an API list call and the
    baseline under ``clients`` concurrent clients for ``seconds`` each.

    Without ``db_url`` the register is a new SQLite file in a temporary folder; a given
    database is upgraded, topped up and left in place; ``trail`` says where the keys
    of its audit trail are. ``workers`` is the server's worker processes (0: one per
    core). ``load`` is "wrk", "python", or "auto": wrk where it is installed.
    """
    if load not in LOADS:
        raise ValueError(f"load must be one of {', '.join(LOADS)}, not {load!r}")
    use_wrk = load == "wrk" or (load == "auto" and wrk_path() is not None)
    driver = drive_wrk if use_wrk else drive
    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as folder:
        url = db_url or f"sqlite:///{Path(folder) / 'register.db'}"
        db = Database(url, trail=trail if db_url and trail else TrailConfig.within(Path(folder)))
        try:
            generated, visitor = build_register(db, scenarios)
            total = len(list_records(db, entity_name="scenarios"))
            shown = db.display_url() + ("" if db_url else " (temporary)")
        finally:
            db.dispose()
        token = {"Authorization": f"Bearer {visitor.token}"}
        cookie = {"Cookie": f"{SESSION_COOKIE}={visitor.session}"}
        log = Path(folder) / "server.log"
        with served(url, visitor.token, log, db.trail, workers) as port:

            def run(label: str, path: str, headers: dict[str, str]) -> LoadResult:
                warm(port, path, headers, workers or len(os.sched_getaffinity(0)))
                return driver(
                    port, path, label=label, headers=headers, clients=clients, seconds=seconds
                )

            dashboard = run("GET / (dashboard, cookie)", "/", cookie)
            api_list = run(f"GET {LIST_PATH}", LIST_PATH, token)
            baseline = run(f"GET {BASELINE_PATH} (baseline)", BASELINE_PATH, token)
    return WebBenchReport(
        database=shown,
        scenarios=total,
        generated=generated,
        clients=clients,
        dashboard=dashboard,
        api_list=api_list,
        baseline=baseline,
        workers=workers or len(os.sched_getaffinity(0)),
    )
