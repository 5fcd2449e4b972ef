"""Which criterion weights move the risk *ranking* most: global Sobol indices.

:mod:`weerbaar.simulation.sensitivity` asks how each scenario's aggregated impact
depends on the weights. Analysts ask a different question: does the *order* of the
national risks depend on how the criteria are weighed, and on which weights? Here the
model output is one number per weight vector, the mean rank displacement (Spearman's
footrule [1]_ divided by the number of scenarios)

.. math::

    y(w) = \\frac{1}{S} \\sum_s \\lvert r_s(w) - r_s(w_0) \\rvert

where ``r_s(w)`` is scenario s's risk rank (competition ranking, ties as in
:mod:`weerbaar.simulation.ranking`) when the impacts are aggregated with the weights
``w`` normalised to sum to 1, and ``w_0`` are the base weights. Each raw weight is drawn
on its own, uniform on ``[b·(1 − spread), b·(1 + spread)]``; sampling independently and
normalising inside the model keeps the inputs independent, as Sobol's decomposition
requires. A criterion whose base weight is 0 stays 0 and gets indices 0.

The design (Saltelli's scheme on a scrambled Sobol' sequence) and the estimators
(first order after Saltelli et al. 2010, total order after Jansen 1999, with bootstrap
confidence intervals) are SALib's [2]_; the rank output is not smooth, which Sobol
indices allow (they need only a finite variance).

References
----------
.. [1] P. Diaconis, R. L. Graham, "Spearman's footrule as a measure of disarray",
   J. R. Stat. Soc. B 39(2), 262-268, 1977.
.. [2] J. Herman, W. Usher, "SALib: an open-source Python library for sensitivity
   analysis", JOSS 2(9), 2017, doi:10.21105/joss.00097.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from weerbaar.compute.checks import check_positive
from weerbaar.compute.rng import resolve_seed
from weerbaar.errors import Issue, ValidationError
from weerbaar.simulation.model import F64
from weerbaar.simulation.ranking import ranks_descending, risk_keys

__all__ = ["RankingSensitivity", "rank_displacement", "ranking_sensitivity"]

_BLOCK_VALUES = 1 << 22
"""Weight vectors are evaluated in blocks of about this many risks (32 MiB)."""

_BOOTSTRAP = 200
"""Bootstrap resamples for the confidence intervals of the indices."""

_SEED_LIMIT = 2**32
"""SALib seeds NumPy's legacy generator, which takes seeds below 2**32."""


@dataclass(frozen=True, slots=True)
class RankingSensitivity:
    """Sobol indices of the mean rank displacement, per criterion weight."""

    seed: int
    evaluations: int  # weight vectors the model was run for
    first_order: F64  # (C,)
    first_order_conf: F64  # (C,) half-width of the 95 % bootstrap interval
    total_order: F64  # (C,)
    total_order_conf: F64  # (C,)
    displacement_mean: float  # mean rank displacement over the independent samples
    displacement_p95: float
    rank_p5: F64  # (S,) each scenario's rank under the sampled weights
    rank_p95: F64  # (S,)

    @property
    def moves(self) -> bool:
        """Whether any sampled weights changed the ranking at all."""
        return self.displacement_p95 > 0 or self.displacement_mean > 0


def rank_displacement(weights: F64, point_values: F64, likelihood_scale: F64) -> F64:
    """Ranks ``(n, S)`` for each of ``n`` raw weight vectors ``(n, C)``.

    Risk is the aggregated impact (weights normalised per row) times the likelihood's
    relative probability, ranked as the uncertainty engine ranks it.
    """
    normalised = weights / weights.sum(axis=1, keepdims=True)
    risk = (normalised @ point_values.T) * likelihood_scale
    ranks: F64 = ranks_descending(risk_keys(risk)).astype(np.float64)
    return ranks


def _check(point_values: F64, likelihood_scale: F64, base: F64, spread: float) -> None:
    issues: list[Issue] = []
    if point_values.ndim != 2 or 0 in point_values.shape:
        issues.append(
            Issue("point_values", "", f"must be (scenarios, criteria), got {point_values.shape}")
        )
    else:
        s, c = point_values.shape
        if likelihood_scale.shape != (s,):
            issues.append(Issue("likelihood_scale", "", f"must have one value per scenario ({s})"))
        if base.shape != (c,):
            issues.append(Issue("base_weights", "", f"must have one weight per criterion ({c})"))
    if not issues:
        if not np.isfinite(point_values).all() or not np.isfinite(likelihood_scale).all():
            issues.append(Issue("point_values", "", "holds a value that is not a finite number"))
        if not np.isfinite(base).all() or (base < 0).any() or not base.sum() > 0:
            issues.append(Issue("base_weights", "", "must be finite, ≥ 0 and not all 0"))
    if not 0.0 < spread < 1.0:
        issues.append(Issue("spread", "", f"must be in (0, 1), not {spread!r}"))
    if issues:
        raise ValidationError(issues, summary="invalid ranking sensitivity input")


def ranking_sensitivity(
    point_values: F64,
    likelihood_scale: F64,
    base_weights: F64,
    *,
    samples: int = 512,
    seed: int | None = None,
    spread: float = 0.5,
) -> RankingSensitivity:
    """Sobol indices of the ranking's displacement with respect to each weight.

    Parameters
    ----------
    point_values
        ``(S, C)`` class values of the expected scores.
    likelihood_scale
        ``(S,)`` relative probability of each scenario's expected likelihood class.
    base_weights
        ``(C,)`` the weight set the ranking is judged against.
    samples
        Base samples N, rounded up to a power of two; the model runs ``N·(C′ + 2)``
        times for the C′ criteria with a non-zero weight.
    seed
        A non-negative integer below 2**32, or ``None`` for a fresh one (reported).
    spread
        Relative half-width of each weight's range, in (0, 1).
    """
    values = np.asarray(point_values, dtype=np.float64)
    scale = np.asarray(likelihood_scale, dtype=np.float64)
    base = np.asarray(base_weights, dtype=np.float64)
    samples = check_positive("samples", samples)
    _check(values, scale, base, float(spread))
    used_seed = resolve_seed(seed) % _SEED_LIMIT
    free = np.flatnonzero(base > 0)
    n = 1 << max(1, int(np.ceil(np.log2(samples))))
    problem = {
        "num_vars": len(free),
        "names": [f"w{i}" for i in free],
        "bounds": [[base[i] * (1 - spread), base[i] * (1 + spread)] for i in free],
    }
    design = sobol_sample.sample(problem, n, calc_second_order=False, seed=used_seed)
    weights = np.zeros((design.shape[0], base.size))
    weights[:, free] = design
    base_rank = rank_displacement(base[None, :], values, scale)[0]
    block = max(1, _BLOCK_VALUES // values.shape[0])
    output = np.empty(design.shape[0])
    # The A and B rows of each block of the design are independent draws of the weights.
    step = len(free) + 2
    independent = np.zeros(design.shape[0], dtype=bool)
    independent[0::step] = independent[step - 1 :: step] = True
    sampled_ranks = np.empty((int(independent.sum()), values.shape[0]))
    filled = 0
    for start in range(0, design.shape[0], block):
        ranks = rank_displacement(weights[start : start + block], values, scale)
        output[start : start + block] = np.abs(ranks - base_rank).mean(axis=1)
        keep = ranks[independent[start : start + block]]
        sampled_ranks[filled : filled + len(keep)] = keep
        filled += len(keep)
    first, first_conf, total, total_conf = (np.zeros(base.size) for _ in range(4))
    if np.ptp(output) > 0:
        with warnings.catch_warnings():
            # SALib warns on a sample size it cannot check; ours is a power of two.
            warnings.simplefilter("ignore", UserWarning)
            found = sobol_analyze.analyze(
                problem,
                output,
                calc_second_order=False,
                num_resamples=_BOOTSTRAP,
                seed=used_seed,
            )
        first[free], first_conf[free] = found["S1"], found["S1_conf"]
        total[free], total_conf[free] = found["ST"], found["ST_conf"]
    chosen = output[independent]
    return RankingSensitivity(
        seed=used_seed,
        evaluations=int(design.shape[0]),
        first_order=first,
        first_order_conf=first_conf,
        total_order=total,
        total_order_conf=total_conf,
        displacement_mean=float(chosen.mean()),
        displacement_p95=float(np.percentile(chosen, 95)),
        rank_p5=np.percentile(sampled_ranks, 5, axis=0),
        rank_p95=np.percentile(sampled_ranks, 95, axis=0),
    )
