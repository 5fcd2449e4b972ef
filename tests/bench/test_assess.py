from weerbaar.bench.assess import bench_assess


def test_bench_report_has_every_figure() -> None:
    report = bench_assess(scenarios=20, criteria=3, draws=3000, seed=1)
    assert report.scores == 20 * 3 * 3000
    assert report.wall_seconds > 0 and report.scores_per_second > 0
    assert report.baseline_draws == 3000  # small enough to run the baseline in full
    assert report.peak_rss_bytes > 10 * 2**20
    assert report.first_call_kind in ("loaded from cache", "compiled")
    text = report.format()
    for label in (
        "sampled scores",
        "first call",
        "compiled scores/s",
        "peak memory",
        "NumPy baseline",
        "speed-up",
        "weight sensitivity",
        "two passes, no windows",
        "target:",
    ):
        assert label in text
    assert report.two_pass_seconds > 0
    assert text.splitlines()[-1].endswith("MET" if report.met else "MISSED")
    assert "the full run" in text
    assert max(len(line) for line in text.splitlines()) < 80
