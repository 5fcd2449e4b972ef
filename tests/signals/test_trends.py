"""Growth detection on synthetic series whose change point is known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from numpy.typing import NDArray

from weerbaar.signals.settings import DetectionSettings
from weerbaar.signals.trends import bin_counts, cusum, detect_growth

SETTINGS = DetectionSettings()


def poisson(seed: int, rates: list[tuple[int, float]]) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.poisson(rate, days) for days, rate in rates]).astype(float)


@pytest.mark.parametrize("seed", range(10))
def test_a_step_is_dated_close_to_where_it_happened(seed: int) -> None:
    series = poisson(seed, [(60, 3.0), (30, 9.0)])
    growth = detect_growth(series, SETTINGS)
    assert growth is not None
    assert 56 <= growth.since <= 61  # the step is at period 60
    assert 60 <= growth.detected <= 66
    assert growth.recent_mean > growth.baseline_mean + 3


def test_a_steady_stream_raises_nothing() -> None:
    alarms = [detect_growth(poisson(seed, [(120, 4.0)]), SETTINGS) for seed in range(50)]
    # With k=1, h=5 and a four-week baseline about 1 % of such streams raise one.
    assert sum(a is not None for a in alarms) <= 3


def test_a_slow_rise_is_found_later_than_a_step() -> None:
    rng = np.random.default_rng(1)
    ramp = np.concatenate([np.full(40, 3.0), np.linspace(3.0, 9.0, 60)])
    growth = detect_growth(rng.poisson(ramp).astype(float), SETTINGS)
    assert growth is not None and growth.since >= 40 and growth.detected > 50


def test_too_little_history_or_volume_raises_nothing() -> None:
    assert detect_growth(np.zeros(10), SETTINGS) is None
    assert detect_growth(np.array([]), SETTINGS) is None
    # One signal a day after an empty baseline is a rise, but below min_signals of excess.
    quiet = np.concatenate([np.zeros(30), np.array([0, 0, 1.0, 0, 0, 0, 0])])
    assert detect_growth(quiet, SETTINGS) is None


def test_cusum_by_hand() -> None:
    values = np.array([1.0, 5.0, 5.0, 0.0, 0.0])
    # mean 1, sd 2, k 0.5: 0 → max(0, 2 − 0.5) = 1.5 → 3.0 → 2.0 → 1.0
    assert cusum(values, 1.0, 2.0, 0.5).tolist() == [0.0, 1.5, 3.0, 2.0, 1.0]


def test_binning_by_day_and_week_with_weights() -> None:
    start = dt.date(2026, 1, 1)
    days = [start, start, start + dt.timedelta(days=8), dt.date(2025, 12, 31)]
    assert bin_counts(days, start=start, end=start + dt.timedelta(days=9)).tolist() == [
        2,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
        0,
    ]
    weekly = bin_counts(
        days, start=start, end=start + dt.timedelta(days=13), period_days=7,
        weights=[1.0, 0.5, 2.0, 9.0],
    )  # fmt: skip
    assert weekly.tolist() == [1.5, 2.0]
    with pytest.raises(ValueError, match="end on or after"):
        bin_counts([], start=start, end=start - dt.timedelta(days=1))


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="min_baseline_periods"):
        DetectionSettings(min_baseline_periods=40, baseline_periods=28)
    with pytest.raises(ValueError, match="h > 0"):
        DetectionSettings(h=0)
