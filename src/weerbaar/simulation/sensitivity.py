"""Sensitivity of the aggregated impact to the criterion weights (Sobol indices).

Each raw weight is drawn on its own, uniform on ``[b·(1 − spread), b·(1 + spread)]``
around its base value ``b``, and the model normalises them to sum to 1 before
aggregating: ``y_s = Σ_c w_c / Σ_k w_k · v_{s,c}``. Sampling the raw weights
independently and normalising *inside* the model is deliberate: Sobol's variance
decomposition assumes independent inputs [1]_, and weights drawn on the simplex are not
(raising one lowers the others). The indices then answer "how much of the spread of a
scenario's impact comes from the uncertainty in weight c".

For every scenario at once, from the Saltelli design [2]_ (matrices A, B and the C
matrices A_B^(i) that take column i from B) the estimators are

.. math::

    S_i = \\frac{\\overline{f(B)\\,(f(A_B^{(i)}) - f(A))}}{V}, \\qquad
    S_{T,i} = \\frac{\\tfrac12\\,\\overline{(f(A) - f(A_B^{(i)}))^2}}{V},

first order after Saltelli et al. 2010 [2]_ and total order after Jansen 1999 [3]_,
with ``V`` the variance of f over A and B. These are the estimators of SALib's
``sobol.analyze`` [4]_; like SALib, the outputs are centred on their overall mean first
(the first-order estimator is not shift-invariant for a finite sample). A scenario whose
impact does not vary (all its class values equal, or all weights fixed) has ``V = 0``;
its indices are defined as 0.

References
----------
.. [1] I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models and
   their Monte Carlo estimates", Math. Comput. Simul. 55, 271-280, 2001.
.. [2] A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola,
   "Variance based sensitivity analysis of model output. Design and estimator for the
   total sensitivity index", Comput. Phys. Commun. 181, 259-270, 2010.
.. [3] M. J. W. Jansen, "Analysis of variance designs for model output", Comput. Phys.
   Commun. 117, 35-43, 1999.
.. [4] J. Herman, W. Usher, "SALib: an open-source Python library for sensitivity
   analysis", JOSS 2(9), 2017, doi:10.21105/joss.00097.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc  # type: ignore[import-untyped,unused-ignore]

from weerbaar.compute.checks import check_positive
from weerbaar.compute.rng import make_generator
from weerbaar.errors import Issue, ValidationError
from weerbaar.simulation.model import F64, WeightSensitivity

__all__ = ["aggregate", "raw_weights", "sobol_indices", "weight_sensitivity"]

_BLOCK_VALUES = 1 << 23
"""Scenarios are processed in blocks holding about this many outputs (64 MiB)."""


def aggregate(raw: F64, point_values: F64) -> F64:
    """The model: ``(n, S)`` aggregated impacts for ``(n, C)`` raw weights.

    Weights are normalised per row; the class values are taken relative to each
    scenario's mean value, which changes no variance (normalised weights sum to 1) but
    makes a scenario with equal values give exactly 0, not rounding noise.
    """
    normalised = raw / raw.sum(axis=1, keepdims=True)
    centred = point_values - point_values.mean(axis=1, keepdims=True)
    result: F64 = normalised @ centred.T
    return result


def raw_weights(unit: F64, base_weights: F64, spread: float) -> F64:
    """Map points of the unit cube ``(n, C)`` to raw weights ``b·(1 − spread + 2·spread·u)``."""
    return base_weights * (1.0 - spread + 2.0 * spread * unit)


def sobol_indices(f_a: F64, f_b: F64, f_ab: F64) -> tuple[F64, F64]:
    """First- and total-order indices from a Saltelli design, for many outputs at once.

    Parameters
    ----------
    f_a, f_b
        ``(n, S)``: outputs at the rows of A and of B.
    f_ab
        ``(C, n, S)``: outputs at A with column ``i`` taken from B, for each input ``i``.

    Returns
    -------
    first, total
        ``(S, C)`` each; 0 where the output does not vary.
    """
    first, total, _ = _indices(f_a, f_b, f_ab)
    return first, total


def _indices(
    f_a: F64, f_b: F64, f_ab: F64
) -> tuple[F64, F64, np.ndarray[tuple[int], np.dtype[np.bool_]]]:
    """:func:`sobol_indices`, and whether each output varies at all."""
    centre = (f_a.sum(axis=0) + f_b.sum(axis=0) + f_ab.sum(axis=(0, 1))) / (
        f_a.shape[0] * (2 + f_ab.shape[0])
    )
    a = f_a - centre
    b = f_b - centre
    ab = f_ab - centre
    variance = np.var(np.concatenate([a, b], axis=0), axis=0)
    varies = variance > 0
    first_num = np.mean(b[None, :, :] * (ab - a[None, :, :]), axis=1).T  # (S, C)
    total_num = 0.5 * np.mean((a[None, :, :] - ab) ** 2, axis=1).T
    shape = first_num.shape
    mask = np.broadcast_to(varies[:, None], shape)
    denominator = np.broadcast_to(variance[:, None], shape)
    first = np.divide(first_num, denominator, out=np.zeros(shape), where=mask)
    total = np.divide(total_num, denominator, out=np.zeros(shape), where=mask)
    return first, total, varies


def _check(point_values: F64, base_weights: F64, spread: float) -> None:
    issues: list[Issue] = []
    if point_values.ndim != 2 or point_values.shape[1] < 1 or point_values.shape[0] < 1:
        issues.append(
            Issue(
                place="point_values",
                field="",
                reason=f"must be (scenarios, criteria), got {point_values.shape}",
            )
        )
    elif base_weights.shape != (point_values.shape[1],):
        issues.append(
            Issue(
                place="base_weights",
                field="",
                reason=f"shape {base_weights.shape} does not match the "
                f"{point_values.shape[1]} criteria of point_values",
            )
        )
    if issues:
        raise ValidationError(issues, summary="invalid weight sensitivity input")
    for s, c in np.argwhere(~np.isfinite(point_values))[:20]:
        issues.append(
            Issue(
                place=f"point_values[{s}, {c}]",
                field="",
                reason=f"scenario {s}, criterion {c}: not a finite number",
            )
        )
    for (c,) in np.argwhere(~np.isfinite(base_weights) | (base_weights < 0)):
        issues.append(
            Issue(
                place=f"base_weights[{c}]",
                field="",
                reason=f"criterion {c}: must be finite and ≥ 0",
            )
        )
    if not issues and not base_weights.sum() > 0:
        issues.append(Issue(place="base_weights", field="", reason="must not all be 0"))
    if not 0.0 <= spread < 1.0:
        issues.append(Issue(place="spread", field="", reason=f"must be in [0, 1), not {spread!r}"))
    if issues:
        raise ValidationError(issues, summary="invalid weight sensitivity input")


def weight_sensitivity(
    point_values: F64,
    base_weights: F64,
    *,
    samples: int,
    seed: int | None,
    spread: float = 0.5,
) -> WeightSensitivity:
    """Sobol indices of every scenario's aggregated impact with respect to each weight.

    Parameters
    ----------
    point_values
        ``(S, C)`` class values of the point scores (e.g. 1, 3, 9, 27, 81).
    base_weights
        ``(C,)`` non-negative weights (normalised in the model, so their sum is free).
    samples
        Rows of A and of B (≥ 2). The model runs ``samples · (C + 2)`` times. Points are
        the first ``samples`` of a scrambled Sobol' sequence [5]_ in ``2C`` dimensions
        (A from the first C, B from the last C coordinates, as SALib does); powers of
        two balance best.
    seed
        A non-negative integer, or ``None`` for a fresh one (scrambling only).
    spread
        Relative half-width of each raw weight's range, in ``[0, 1)``.

    Returns
    -------
    WeightSensitivity
        ``first_order`` and ``total_order`` ``(S, C)``, and ``ranking_influence``
        ``(C,)``: the mean total-order index over the scenarios whose impact varies
        (0 if none does).

    References
    ----------
    .. [5] A. B. Owen, "Scrambling Sobol' and Niederreiter-Xing points", J. Complexity
       14, 466-489, 1998.
    """
    values = np.asarray(point_values, dtype=np.float64)
    base = np.asarray(base_weights, dtype=np.float64)
    samples = check_positive("samples", samples)
    if samples < 2:
        raise ValidationError([Issue(place="samples", field="", reason="must be at least 2")])
    _check(values, base, float(spread))
    generator, _ = make_generator(seed)
    s, c = values.shape
    sobol = qmc.Sobol(d=2 * c, scramble=True, rng=generator)
    unit = sobol.random_base2(int(np.ceil(np.log2(samples))))[:samples]
    a = raw_weights(unit[:, :c], base, spread)
    b = raw_weights(unit[:, c:], base, spread)
    block = max(1, _BLOCK_VALUES // (samples * (c + 2)))
    first = np.empty((s, c))
    total = np.empty((s, c))
    varies = np.empty(s, dtype=bool)
    for s0 in range(0, s, block):
        rows = values[s0 : s0 + block]
        f_ab = np.empty((c, samples, rows.shape[0]))
        for i in range(c):
            mixed = a.copy()
            mixed[:, i] = b[:, i]
            f_ab[i] = aggregate(mixed, rows)
        part = slice(s0, s0 + block)
        first[part], total[part], varies[part] = _indices(
            aggregate(a, rows), aggregate(b, rows), f_ab
        )
    influence = total[varies].mean(axis=0) if varies.any() else np.zeros(c)
    return WeightSensitivity(first_order=first, total_order=total, ranking_influence=influence)
