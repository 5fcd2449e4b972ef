"""``weerbaar bench web`` runs end to end on a tiny register: it fills it, serves it
in a child process, loads it and reports every figure (no timing is asserted)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from weerbaar.bench.web import bench_web
from weerbaar.cli.main import app


def test_the_command_prints_its_figures_and_ratios(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(
        app, ["bench", "web", "--scenarios", "70", "--clients", "2", "--seconds", "0.2"]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Web load: 70 scenarios" in out
    for label in ("GET / (dashboard, cookie)", "GET /api/v1/scenarios?per_page=50"):
        assert out.count(label) == 2  # its figures, and its ratio to the baseline
    assert "GET /api/v1/me (baseline)" in out
    assert "× the requests/s" in out


def test_every_request_of_the_load_is_answered(tmp_path: object) -> None:
    report = bench_web(scenarios=70, clients=3, seconds=0.2, db_url=f"sqlite:///{tmp_path}/b.db")
    for run in (report.dashboard, report.api_list, report.baseline):
        assert run.requests > 0
        assert run.errors == 0
        assert run.clients == 3
    assert (report.scenarios, report.generated) == (70, 5)  # the demo profile has 65
