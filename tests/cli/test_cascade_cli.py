"""``weerbaar cascade run`` and ``weerbaar cascade rank`` on the demo's vital processes,
checked against the service's own answer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import distributed
import pytest
from typer.testing import CliRunner

from tests.helpers import trail_config
from weerbaar.cli.main import app
from weerbaar.services.infrastructure.ranking import rank_processes
from weerbaar.services.infrastructure.runs import run_cascade
from weerbaar.services.infrastructure.starts import Start
from weerbaar.storage.db import Database


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.usefixtures("demo_register")
def test_run_rank_plot_and_store(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    shown = run(runner, "cascade", "run", "vp-electricity-regional-zh", "--hours", "48")
    assert "vp-drinking-water-zh" in shown and "5.1 Disruption" in shown

    data = json.loads(
        run(runner, "cascade", "run", "energy", "--region", "Zuid-Holland", "--hours", "48",
            "--members", "40", "--seed", "5", "--format", "json")
    )  # fmt: skip
    db = Database(db_url, trail=trail_config())
    try:
        expected = run_cascade(db, [Start("vp-electricity-regional-zh", 48.0)], members=40, seed=5)
        ranked = rank_processes(db, hours=24, limit=3)
    finally:
        db.dispose()
    assert data["summary"]["starts"] == [
        {"process": "vp-electricity-regional-zh", "hours": 48.0, "at": 0.0}
    ]
    assert [a["process"] for a in data["affected"]] == [a.process for a in expected.affected]
    assert [a["recovers_at"] for a in data["affected"]] == [
        a.recovers_at for a in expected.affected
    ]
    assert [i["expected"] for i in data["impacts"]] == [i.expected for i in expected.impacts]
    assert {d["name"] for d in data["distributions"]} >= {"people_hours", "cost"}

    top = json.loads(run(runner, "cascade", "rank", "--limit", "3", "--format", "json"))
    assert [r["process"] for r in top["ranked"]] == [r.process for r in ranked]
    assert "takes down" in run(runner, "cascade", "rank", "--by", "taken_down")

    plot = tmp_path / "cascade.png"
    run(runner, "cascade", "run", "vp-electricity-national", "--hours", "12", "--plot", str(plot))
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    stored = run(
        runner, "cascade", "run", "vp-electricity-national", "--hours", "12",
        "--scenario", "national-power-failure", "--round", "gra-2019",
    )  # fmt: skip
    assert "stored 3 impact scores" in stored


@pytest.mark.usefixtures("demo_register")
def test_bad_input_is_named(runner: CliRunner, tmp_path: Path) -> None:
    out = run(runner, "cascade", "run", "no-such", "--hours", "4", code=3)
    assert "'no-such' is neither a vital process nor a sector" in out
    out = run(runner, "cascade", "run", "energy", "--hours", "-3", code=3)
    assert "hours" in out and "≥ 0" in out
    out = run(runner, "cascade", "run", "energy", "--hours", "3", "--scenario", "x", code=3)
    assert "--scenario and --round together" in out
    out = run(
        runner,
        "cascade",
        "run",
        "energy",
        "--hours",
        "3",
        "--plot",
        str(tmp_path / "a.gif"),
        code=3,
    )
    assert ".png, .svg or .pdf" in out
    out = run(runner, "cascade", "rank", "--by", "nonsense", code=2)
    assert "nonsense" in out


@pytest.fixture
def demo_runner(
    sqlite_url: str, sqlite_demo_template: Path, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    """A runner on a copy of the demo register on SQLite only: what differs with
    ``--dask`` is where the engine runs, not the storage."""
    target = sqlite_url.removeprefix("sqlite:///")
    for suffix in ("", "-wal", "-shm"):
        found = sqlite_demo_template.with_name(sqlite_demo_template.name + suffix)
        if found.exists():
            shutil.copyfile(found, target + suffix)
    monkeypatch.setenv("WEERBAAR_DB", sqlite_url)
    monkeypatch.setenv("WEERBAAR_USER", "test:cli")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_ensemble_and_ranking_on_dask(demo_runner: CliRunner) -> None:
    ensemble = ("cascade", "run", "energy", "--region", "Zuid-Holland", "--hours", "48",
                "--members", "40", "--seed", "5", "--format", "json")  # fmt: skip
    ranking = ("cascade", "rank", "--format", "json")
    # Any free port for the scheduler's web server: 8787 may be another cluster's, and
    # the warning that it is taken would fail the test.
    with distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        local = run(demo_runner, *ensemble)
        assert json.loads(local)["distributions"]
        assert run(demo_runner, *ensemble, "--dask", address) == local
        assert run(demo_runner, *ranking, "--dask", address) == run(demo_runner, *ranking)
        ran = set(cluster.scheduler.task_prefixes)
    assert {"slices_piece", "sources_piece"} <= ran  # Dask drops the underscore


def test_an_unreachable_scheduler_is_named(demo_runner: CliRunner) -> None:
    # Nothing listens on port 9 (discard): the client gives up after its timeout.
    out = run(demo_runner, "cascade", "rank", "--dask", "tcp://127.0.0.1:9", code=6)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in out
