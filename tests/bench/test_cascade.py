import distributed
from typer.testing import CliRunner

from weerbaar.cli.main import app


def test_bench_cascade_prints_every_figure() -> None:
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "cascade",
            "--nodes",
            "20000",
            "--edges",
            "100000",
            "--members",
            "5",
            "--grid",
            "none",
        ],
    )
    assert result.exit_code == 0, result.output
    for label in (
        "graph generation",
        "CSR build",
        "Numba import",
        "kernel compile/load",
        "one run",
        "(a) BFS floor",
        "run / floor",
        "(b) networkx reference",
        "speed-up",
        "ensemble",
        "baseline",
        "ensemble / baseline",
        "per 100 members",
        "criticality ranking",
        "peak memory",
    ):
        assert label in result.output, label
    # Every target gets a verdict, in the words of the other benchmarks.
    verdicts = [line for line in result.output.splitlines() if "(target" in line]
    assert len(verdicts) == 4
    assert all(line.rstrip().endswith((": MET", ": MISSED")) for line in verdicts), verdicts
    assert "Power grid" not in result.output


def test_bench_cascade_on_dask_says_so() -> None:
    # Any free port for the scheduler's web server: 8787 may be another cluster's, and
    # the warning that it is taken would fail the test.
    with distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        result = CliRunner().invoke(
            app,
            ["bench", "cascade", "--nodes", "2000", "--edges", "10000", "--members", "5",
             "--grid", "none", "--dask", address],
        )  # fmt: skip
        ran = set(cluster.scheduler.task_prefixes)
    assert result.exit_code == 0, result.output
    on_dask = " ".join(result.output.split())  # the console wraps long lines
    assert f"for 5 members on Dask at {address}" in on_dask
    assert f"down 24 h (on Dask at {address})" in on_dask
    assert {"slices_piece", "sources_piece"} <= ran  # Dask drops the underscore
