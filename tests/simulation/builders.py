"""Small assessments for the simulation tests."""

from __future__ import annotations

import numpy as np

from weerbaar.simulation.model import UncertainAssessment

# Two thresholds per criterion: class index 0 (X) below 0, 1 (A) in [0, 1), 2 (B) from 1.
THRESHOLDS = np.array([0.0, 1.0])
VALUES = np.array([0.0, 1.0, 3.0])
LIK_THRESHOLDS = np.array([0.0, 1.0])
LIK_POSITIONS = np.array([0.0, 1.0, 2.0])
LIK_SCALE = np.array([0.0, 1.0, 10.0])


def point_assessment(
    scores: list[list[float]], likelihood: list[float], weights: list[float]
) -> UncertainAssessment:
    """Point scores (low == mode == high) on the two-threshold scale above."""
    latent = np.asarray(scores, dtype=float)
    lik = np.asarray(likelihood, dtype=float)
    c = latent.shape[1]
    return UncertainAssessment(
        low=latent,
        mode=latent.copy(),
        high=latent.copy(),
        thresholds=np.tile(THRESHOLDS, (c, 1)),
        values=VALUES,
        weights=np.asarray(weights, dtype=float),
        lik_low=lik,
        lik_mode=lik.copy(),
        lik_high=lik.copy(),
        lik_thresholds=LIK_THRESHOLDS,
        lik_positions=LIK_POSITIONS,
        lik_scale=LIK_SCALE,
    )


def random_assessment(
    scenarios: int, criteria: int, *, seed: int, point_share: float = 0.2
) -> UncertainAssessment:
    """Random ranges on a 10-threshold scale, with some point scores and some ranges
    that collapse onto thresholds (to exercise the edge cases)."""
    rng = np.random.default_rng(seed)
    t = 10
    offset = rng.uniform(-1, 1, criteria)
    thresholds = offset[:, None] + 0.5 * np.arange(t)[None, :]
    values = np.concatenate([[0.0], 3.0 ** (0.5 * np.arange(t))])
    mode = offset[None, :] + rng.uniform(-0.5, 5.0, (scenarios, criteria))
    low = mode - rng.uniform(0, 1.2, (scenarios, criteria))
    high = mode + rng.uniform(0, 1.2, (scenarios, criteria))
    point = rng.random((scenarios, criteria)) < point_share
    low[point] = mode[point]
    high[point] = mode[point]
    # A few ranges that start, peak or end exactly on a threshold.
    low[0, 0] = thresholds[0, 3]
    mode[1 % scenarios, 0] = thresholds[0, 4]
    high[2 % scenarios, 0] = max(thresholds[0, 6], mode[2 % scenarios, 0])
    low = np.minimum(low, mode)
    high = np.maximum(high, mode)
    weights = rng.random(criteria)
    weights /= weights.sum()
    lik_mode = rng.uniform(-0.5, 5.0, scenarios)
    lik_thresholds = np.asarray(0.5 * np.arange(t), dtype=np.float64)
    return UncertainAssessment(
        low=low,
        mode=mode,
        high=high,
        thresholds=thresholds,
        values=values,
        weights=weights,
        lik_low=lik_mode - rng.uniform(0, 1, scenarios),
        lik_mode=lik_mode,
        lik_high=lik_mode + rng.uniform(0, 1, scenarios),
        lik_thresholds=lik_thresholds,
        lik_positions=np.concatenate([[0.0], 1 + 0.5 * np.arange(t)]),
        lik_scale=np.concatenate([[0.0], 10.0 ** (0.5 * np.arange(t))]),
    )
