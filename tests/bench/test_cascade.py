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
        "criticality ranking",
        "peak memory",
    ):
        assert label in result.output, label
    assert "Power grid" not in result.output
