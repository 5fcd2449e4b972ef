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
