import numpy as np

from weerbaar.simulation.bench import bench_assess, synthetic_assessment
from weerbaar.simulation.validate import check_assessment


def test_synthetic_assessment_is_valid_and_seeded() -> None:
    a = synthetic_assessment(50, 12, seed=3)
    check_assessment(a)
    assert a.low.shape == (50, 12) and a.thresholds.shape == (12, 10) and a.values.shape == (11,)
    assert np.array_equal(a.mode, synthetic_assessment(50, 12, seed=3).mode)
    assert np.all(a.low < a.high)  # no point scores: every score is sampled


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
    ):
        assert label in text
    assert "the full run" in text
    assert max(len(line) for line in text.splitlines()) < 80
