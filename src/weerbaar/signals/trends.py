"""Signal volume per theme over time, and the detection of growth against a baseline.

A series is binned into periods (days by default). The first periods form the
baseline: their mean and standard deviation, the latter floored at the Poisson value
``sqrt(mean)`` (and at 1 signal) so that a quiet baseline does not turn one extra
signal into an alarm. A one-sided upper CUSUM then runs over the periods after it:

``S_t = max(0, S_{t-1} + (x_t − μ) / σ − k)``, alarm when ``S_t > h``.

The growth is dated to the first period after ``S`` last stood at 0 before the alarm
(the usual CUSUM change-point estimate). Settings are reference data
(``weerbaar/data/signals/detection.yaml``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from weerbaar.signals.settings import DetectionSettings

__all__ = ["Growth", "bin_counts", "cusum", "detect_growth"]


@dataclass(frozen=True, slots=True)
class Growth:
    """Volume above the baseline from period ``since`` on, raised at ``detected``."""

    since: int
    detected: int
    baseline_mean: float
    baseline_sd: float
    recent_mean: float  # mean volume from ``since`` to ``detected``
    excess: float  # volume above the baseline mean over those periods
    statistic: float  # the CUSUM value at detection, in baseline standard deviations


def bin_counts(
    days: Iterable[dt.date],
    *,
    start: dt.date,
    end: dt.date,
    period_days: int = 1,
    weights: Iterable[float] | None = None,
) -> NDArray[np.float64]:
    """Volume per period from ``start`` up to and including ``end``; days outside are
    left out."""
    if end < start:
        raise ValueError(f"the series must end on or after its start ({start} … {end})")
    periods = (end - start).days // period_days + 1
    out = np.zeros(periods)
    weight_list = None if weights is None else list(weights)
    for i, day in enumerate(days):
        offset = (day - start).days
        if 0 <= offset <= (end - start).days:
            out[offset // period_days] += 1.0 if weight_list is None else weight_list[i]
    return out


def cusum(values: NDArray[np.float64], mean: float, sd: float, k: float) -> NDArray[np.float64]:
    """The one-sided upper CUSUM of ``values`` standardised by ``mean`` and ``sd``."""
    out = np.zeros(len(values))
    level = 0.0
    for t, x in enumerate(values.tolist()):
        level = max(0.0, level + (x - mean) / sd - k)
        out[t] = level
    return out


def detect_growth(values: NDArray[np.float64], settings: DetectionSettings) -> Growth | None:
    """The first growth in ``values`` after the baseline, or None (also when there are
    too few periods for a baseline)."""
    series = np.asarray(values, dtype=np.float64)
    base = min(settings.baseline_periods, len(series) - 1)
    if base < settings.min_baseline_periods:
        return None
    baseline = series[:base]
    mean = float(baseline.mean())
    sd = max(float(baseline.std(ddof=1)) if base > 1 else 0.0, math.sqrt(mean), 1.0)
    watched = series[base:]
    statistic = cusum(watched, mean, sd, settings.k)
    start = 0
    for t, level in enumerate(statistic.tolist()):
        if level == 0.0:
            start = t + 1
            continue
        if level > settings.h:
            span = watched[start : t + 1]
            excess = float(span.sum() - mean * len(span))
            if excess < settings.min_signals:
                continue
            return Growth(
                since=base + start,
                detected=base + t,
                baseline_mean=mean,
                baseline_sd=sd,
                recent_mean=float(span.mean()),
                excess=excess,
                statistic=float(level),
            )
    return None
