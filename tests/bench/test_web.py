"""``weerbaar bench web`` runs end to end on a tiny register: it fills it, serves it
in a child process, loads it and reports every figure (no timing is asserted)."""

from __future__ import annotations

import http.server
import threading

import pytest
from typer.testing import CliRunner

from weerbaar.bench.load import LoadResult
from weerbaar.bench.web import WebBenchReport, bench_web, warm
from weerbaar.cli.main import app

PYTHON = ("--load", "python")


def test_the_command_prints_its_figures_and_ratios(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(
        app,
        ["bench", "web", "--scenarios", "70", "--clients", "2", "--seconds", "0.2", *PYTHON],
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Web load: 70 scenarios" in out
    for label in ("GET / (dashboard, cookie)", "GET /api/v1/scenarios?per_page=50"):
        assert out.count(label) == 3  # its figures, its ratio to the baseline, its verdict
    assert "GET /api/v1/me (baseline)" in out
    assert "× the requests/s" in out
    assert "weerbaar serve --workers 2" in out  # one per core on this machine kind
    assert "load from python" in out
    assert out.count(": MET") + out.count(": MISSED") == 2


def _run(label: str, per_second: float, p95: float) -> LoadResult:
    # 100 requests: 90 quick ones and ten at the tail, so the 95th percentile is the tail.
    count = 100
    latencies = (0.001,) * 90 + (p95,) * 10
    return LoadResult.of(
        label, clients=2, seconds=count / per_second, latencies=latencies, errors=0
    )


def test_each_call_is_judged_against_the_baseline() -> None:
    report = WebBenchReport(
        database="sqlite",
        scenarios=1,
        generated=0,
        clients=2,
        dashboard=_run("dashboard", per_second=60.0, p95=0.02),
        api_list=_run("list", per_second=40.0, p95=0.02),
        baseline=_run("baseline", per_second=100.0, p95=0.01),
        workers=2,
    )
    lines = report.format().splitlines()
    # Both at least half the baseline's requests/s, the dashboard's p95 within 3×.
    assert next(
        line for line in lines if line.strip().startswith("dashboard") and "p95" in line
    ).endswith("MET")
    # The list call answers fewer than half as many requests: missed, whatever its p95.
    assert next(
        line for line in lines if line.strip().startswith("list") and "p95" in line
    ).endswith("MISSED")
    slow = WebBenchReport(
        database="sqlite",
        scenarios=1,
        generated=0,
        clients=2,
        dashboard=_run("dashboard", per_second=90.0, p95=0.05),
        api_list=_run("list", per_second=90.0, p95=0.02),
        baseline=_run("baseline", per_second=100.0, p95=0.01),
    ).format()
    # Enough requests/s, but a p95 five times the baseline's.
    assert "MISSED" in slow and slow.count("MET") == 1
    assert all(len(line) <= 80 for line in slow.splitlines())


def test_every_request_of_the_wrk_load_is_answered(tmp_path: object) -> None:
    report = bench_web(
        scenarios=70, clients=3, seconds=1, db_url=f"sqlite:///{tmp_path}/b.db", load="wrk"
    )
    for run in (report.dashboard, report.api_list, report.baseline):
        assert run.requests > 0
        assert run.errors == 0  # a cookie or token wrk did not send would answer 401
        assert run.clients == 3
        assert run.generator == "wrk"
        assert 0 < run.client_cpu < run.seconds * 2  # wrk's own time, one thread
        assert run.percentile(50) <= run.percentile(95) <= run.percentile(99)
    assert (report.scenarios, report.generated) == (70, 5)  # the demo profile has 65


def test_the_same_table_comes_from_postgresql_with_two_workers(pg_url: str) -> None:
    report = bench_web(scenarios=70, clients=2, seconds=1, db_url=pg_url, workers=2)
    assert report.database.startswith("postgresql")
    assert report.workers == 2
    for run in (report.dashboard, report.api_list, report.baseline):
        assert run.requests > 0 and run.errors == 0
    out = report.format()
    assert "weerbaar serve --workers 2" in out
    assert out.count(": MET") + out.count(": MISSED") == 2


def test_warming_asks_every_worker_and_refuses_a_refusal() -> None:
    asked: list[str] = []

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200 if self.path == "/open" else 403)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            warm(server.server_port, "/open", {}, workers=3)
            assert asked == ["/open"] * 6
            with pytest.raises(RuntimeError, match=r"GET /closed answered \[403\]"):
                warm(server.server_port, "/closed", {}, workers=1)
        finally:
            server.shutdown()
