"""The arrays the uncertainty engines work on, and what they return.

Every score (impact per criterion, and likelihood) is a triangular range on a
*latent* axis: log10 of the raw quantity for criteria scored from numbers, or the
class position for criteria scored as classes. A sorted row of thresholds turns a
latent value into an index (the number of thresholds at or below it), and a value
table turns the index into the method's class value. With ten thresholds per row,
the indices are X, A, A-high, B, B-high, … E-high, so the "high within class" mark
survives sampling. The mapping from register scores to these arrays lives in
``weerbaar.method``; here only numbers.

A cell (a scenario's criterion, or its likelihood) can instead carry a *linear opinion
pool* of several experts' ranges [1]_: the mixture ``Σ w_k · Triangular(a_k, m_k, b_k)``
with non-negative weights summing to 1, so that the experts' disagreement becomes
uncertainty in the bands and ranks.

References
----------
.. [1] R. T. Clemen, R. L. Winkler, "Combining probability distributions from experts
   in risk analysis", *Risk Analysis* 19(2), 187-203, 1999 (the linear opinion pool).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Pool:
    """A linear opinion pool for one cell: K experts' triangular ranges and weights.

    ``criterion`` is the criterion's column, or ``None`` for the scenario's likelihood.
    Weights are non-negative and sum to 1 (within 1e-9); each range has
    ``low ≤ mode ≤ high`` on the cell's latent axis.
    """

    scenario: int
    criterion: int | None
    weights: F64  # (K,)
    low: F64  # (K,)
    mode: F64  # (K,)
    high: F64  # (K,)


@dataclass(frozen=True, slots=True)
class UncertainAssessment:
    """S scenarios × C criteria, each a triangular (low, mode, high) on its latent axis.

    A point score has low == mode == high. Weights are non-negative and sum to 1.
    A cell named by one of ``pools`` is sampled from that mixture of ranges; its own
    (low, mode, high) is then not sampled.
    """

    low: F64  # (S, C)
    mode: F64  # (S, C)
    high: F64  # (S, C)
    thresholds: F64  # (C, T) ascending per row
    values: F64  # (T + 1,) class value per index; index 0 is X (not applicable) = 0
    weights: F64  # (C,)
    lik_low: F64  # (S,)
    lik_mode: F64  # (S,)
    lik_high: F64  # (S,)
    lik_thresholds: F64  # (T,) ascending
    lik_positions: F64  # (T + 1,) likelihood class position per index (A = 1, A-high = 1.5, …)
    lik_scale: F64  # (T + 1,) relative probability per index, for ranking by risk
    pools: tuple[Pool, ...] = ()  # at most one per cell


@dataclass(frozen=True, slots=True)
class UncertaintyResult:
    """Per scenario: percentiles of aggregated impact and likelihood, and how often it
    ranks in the top 5 and top 10 by risk (impact × likelihood scale)."""

    seed: int  # the seed used; with it the run can be repeated exactly
    draws: int
    impact: F64  # (S, 3): P5, P50, P95 of the aggregated impact value
    likelihood: F64  # (S, 3): P5, P50, P95 of the likelihood class position
    top5: F64  # (S,) probability of being among the 5 highest risks
    top10: F64  # (S,)
    mean_rank: F64  # (S,) 1 = highest risk


@dataclass(frozen=True, slots=True)
class WeightSensitivity:
    """Sobol indices of each scenario's aggregated impact with respect to each
    criterion weight (raw weights sampled independently, normalised in the model)."""

    first_order: F64  # (S, C)
    total_order: F64  # (S, C)
    ranking_influence: F64  # (C,) mean total-order index over scenarios


@dataclass(frozen=True, slots=True)
class ScenarioDraws:
    """Every draw's aggregated impact and likelihood class position per scenario: the
    sample the percentiles and ranks of an :class:`UncertaintyResult` summarise."""

    seed: int  # the seed used; the same seed gives the same draws as the engines
    draws: int
    impact: F64  # (draws, S) aggregated impact value
    likelihood: F64  # (draws, S) likelihood class position (A = 1, A-high = 1.5, …)
