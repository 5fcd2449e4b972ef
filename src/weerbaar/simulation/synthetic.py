"""A random assessment of any size, shaped like the method's, for benchmarks and tests
of the engine at scale."""

from __future__ import annotations

import numpy as np

from weerbaar.compute.rng import make_generator
from weerbaar.simulation.model import UncertainAssessment

__all__ = ["synthetic_assessment"]

_THRESHOLDS = 10  # A, A-high, B, B-high, … E, E-high


def synthetic_assessment(scenarios: int, criteria: int, *, seed: int) -> UncertainAssessment:
    """A random assessment shaped like the method's (NRA §3-5).

    Each criterion has ten thresholds half a decade apart on a log10 axis (classes A-E,
    each with a "high" mark; a criterion-specific offset), class values
    ``0, 1, √3, 3, 3√3, …, 81√3`` (×3 per class, ×√3 per half class) and equal weights.
    Every scenario gets a random mode per criterion across the whole scale (below A =
    X included) and a range of up to one decade on either side (no point scores).
    Likelihood: log10 of the annual probability, classes A-E from 0.005 %/year, ten
    thresholds half a decade apart, positions 1, 1.5, …, 5.5 and relative probability
    ×10 per class (X: 0).
    """
    rng, _ = make_generator(seed)
    offset = rng.uniform(-1.0, 3.0, criteria)
    thresholds = offset[:, None] + 0.5 * np.arange(_THRESHOLDS)[None, :]
    values = np.concatenate([[0.0], 3.0 ** (0.5 * np.arange(_THRESHOLDS))])
    mode = offset[None, :] + rng.uniform(-0.5, 0.5 * _THRESHOLDS, (scenarios, criteria))
    low = mode - rng.uniform(0.0, 1.0, (scenarios, criteria))
    high = mode + rng.uniform(0.0, 1.0, (scenarios, criteria))
    lik_thresholds = np.asarray(-4.3 + 0.5 * np.arange(_THRESHOLDS), dtype=np.float64)
    positions = np.concatenate([[0.0], 1.0 + 0.5 * np.arange(_THRESHOLDS)])
    scale = np.concatenate([[0.0], 10.0 ** (0.5 * np.arange(_THRESHOLDS))])
    lik_mode = rng.uniform(-4.8, 0.0, scenarios)
    return UncertainAssessment(
        low=low,
        mode=mode,
        high=high,
        thresholds=thresholds,
        values=values,
        weights=np.full(criteria, 1.0 / criteria),
        lik_low=lik_mode - rng.uniform(0.0, 1.0, scenarios),
        lik_mode=lik_mode,
        lik_high=np.minimum(lik_mode + rng.uniform(0.0, 1.0, scenarios), 0.0),
        lik_thresholds=lik_thresholds,
        lik_positions=positions,
        lik_scale=scale,
    )
