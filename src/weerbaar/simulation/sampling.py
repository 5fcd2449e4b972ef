"""From uniforms to class indices: the triangular inverse CDF and its cut points.

A latent score is drawn as ``x = F⁻¹(u)`` for the triangular distribution
Triangular(a, m, b) [1]_ and turned into a class index, the number of thresholds at
or below ``x``. Computed as written this needs a square root and a search per score.
Because ``F⁻¹`` is monotone, ``x ≥ t`` holds exactly when ``u`` is at or above a *cut
point* ``F(t)``: the class index is the number of cut points at or below ``u``. The
compiled kernel uses that form; the cut points are found here by bisection on the very
function the NumPy reference evaluates (:func:`inverse_cdf`, on the 2⁻³² grid of the
counter-based uniforms), so both paths give the same index for every ``u``, not only
almost surely.

``inverse_cdf`` clamps each branch to its side of the mode so that it is monotone in
floating point too (rounding could otherwise step back by one ulp where the branches
meet), and it takes ``low == high`` to that value exactly (NumPy's ``triangular``
rejects it).

References
----------
.. [1] M. Evans, N. Hastings, B. Peacock, *Statistical Distributions*, 3rd ed., Wiley
   2000, ch. 40 (triangular distribution: CDF and its inverse).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from weerbaar.simulation.model import F64, UncertainAssessment
from weerbaar.simulation.validate import check_assessment

__all__ = ["GRID", "NEVER", "Prepared", "Triangles", "class_cuts", "inverse_cdf", "prepare"]

I64 = NDArray[np.int64]

GRID = 2.0**-32
"""Spacing of the counter-based uniforms: ``u = k · 2⁻³²`` for a 32-bit integer ``k``."""
NEVER = 1 << 32
"""A cut point no 32-bit uniform reaches (the threshold lies above ``high``)."""


@dataclass(frozen=True, slots=True)
class Triangles:
    """Parameters of triangular distributions, precomputed for the inverse CDF."""

    low: F64
    mode: F64
    high: F64
    split: F64  # F(mode) = (m − a)/(b − a); 0 when a == b
    left: F64  # (b − a)(m − a)
    right: F64  # (b − a)(b − m)

    @classmethod
    def of(cls, low: F64, mode: F64, high: F64) -> Triangles:
        width = high - low
        wide = width > 0
        split = np.divide(mode - low, width, out=np.zeros_like(width), where=wide)
        return cls(low, mode, high, split, width * (mode - low), width * (high - mode))


def inverse_cdf(u: F64, t: Triangles) -> F64:
    """``F⁻¹(u)`` of Triangular(low, mode, high), broadcast over ``u``.

    .. math::

        F^{-1}(u) = \\begin{cases} a + \\sqrt{u (b-a)(m-a)} & u < F(m) \\\\
                    b - \\sqrt{(1-u)(b-a)(b-m)} & \\text{otherwise} \\end{cases}

    Monotone non-decreasing in ``u`` (each branch clamped at the mode), in ``[a, b]``,
    and exactly ``a`` when ``a == b``.
    """
    rising = np.minimum(t.low + np.sqrt(u * t.left), t.mode)
    falling = np.maximum(t.high - np.sqrt((1.0 - u) * t.right), t.mode)
    return np.where(u < t.split, rising, falling)


def class_cuts(t: Triangles, thresholds: F64) -> I64:
    """Smallest ``k`` in ``[0, 2³²]`` with ``F⁻¹(k · 2⁻³²) ≥ threshold``, per threshold.

    ``t`` has shape ``(...,)`` and ``thresholds`` ``(..., T)`` (broadcast). ``0`` means
    the threshold is always reached, :data:`NEVER` that it never is. Because
    :func:`inverse_cdf` is monotone, ``#{j : k ≥ cut_j}`` equals
    ``searchsorted(thresholds, F⁻¹(k · 2⁻³²), side="right")`` for every ``k``.
    """
    shape = np.broadcast_shapes((*t.low.shape, 1), thresholds.shape)
    expand = Triangles(*(np.broadcast_to(field[..., None], shape) for field in _fields(t)))
    lo = np.zeros(shape, dtype=np.int64)
    hi = np.full(shape, NEVER, dtype=np.int64)
    target = np.broadcast_to(thresholds, shape)
    # Bisection on the grid: the invariant is "predicate false below lo, true at hi".
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) // 2
        reached = inverse_cdf(mid.astype(np.float64) * GRID, expand) >= target
        hi = np.where(open_ & reached, mid, hi)
        lo = np.where(open_ & ~reached, mid + 1, lo)


def _fields(t: Triangles) -> tuple[F64, F64, F64, F64, F64, F64]:
    return (t.low, t.mode, t.high, t.split, t.left, t.right)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked assessment and the tables both engines need.

    Slots ``0 … C−1`` are the criteria and slot ``C`` is the likelihood. The kernel
    tables: ``cuts[s, c, :inner[s, c]]`` are the cut points strictly inside the range,
    ``first[s, c]`` the class index below all of them; ``weighted[s, c, j]`` is
    ``weights[c] · values[first + j]`` (the same product the reference computes), and
    ``lik_scale[s, j]`` / ``lik_index[s, j]`` the likelihood scale and index.
    """

    arrays: dict[str, F64]
    impact: Triangles  # (S, C)
    likelihood: Triangles  # (S,)
    cuts: I64  # (S, C + 1, K)
    inner: I64  # (S, C + 1)
    first: I64  # (S, C + 1)
    weighted: F64  # (S, C, K + 1)
    lik_scale: F64  # (S, K + 1)
    lik_index: I64  # (S, K + 1)
    floor: F64  # (S,) lowest possible aggregated impact
    ceiling: F64  # (S,) highest possible aggregated impact

    @property
    def scenarios(self) -> int:
        return int(self.cuts.shape[0])

    @property
    def criteria(self) -> int:
        return int(self.cuts.shape[1]) - 1

    @property
    def lik_classes(self) -> int:
        return int(self.arrays["lik_positions"].shape[0])


def _compact(cut: I64) -> tuple[I64, I64, I64]:
    """Split sorted cut points into (count always reached, inner points, inner count)."""
    first = (cut == 0).sum(axis=-1)
    inner = ((cut > 0) & (cut < NEVER)).sum(axis=-1)
    width = max(1, int(inner.max(initial=0)))
    j = np.arange(width)
    take = np.minimum(first[..., None] + j, max(cut.shape[-1] - 1, 0))
    picked = (
        np.take_along_axis(cut, take, axis=-1) if cut.shape[-1] else np.zeros(take.shape, np.int64)
    )
    return first, np.where(j < inner[..., None], picked, NEVER), inner


def prepare(assessment: UncertainAssessment) -> Prepared:
    """Check ``assessment`` and build the cut-point and value tables."""
    a = check_assessment(assessment)
    impact = Triangles.of(a["low"], a["mode"], a["high"])
    likelihood = Triangles.of(a["lik_low"], a["lik_mode"], a["lik_high"])
    first_i, cuts_i, inner_i = _compact(class_cuts(impact, a["thresholds"][None, :, :]))
    first_l, cuts_l, inner_l = _compact(class_cuts(likelihood, a["lik_thresholds"][None, :]))
    width = max(cuts_i.shape[-1], cuts_l.shape[-1])
    s, c = impact.low.shape
    cuts = np.full((s, c + 1, width), NEVER, dtype=np.int64)
    cuts[:, :c, : cuts_i.shape[-1]] = cuts_i
    cuts[:, c, : cuts_l.shape[-1]] = cuts_l
    inner = np.concatenate([inner_i, inner_l[:, None]], axis=1)
    first = np.concatenate([first_i, first_l[:, None]], axis=1)

    j = np.arange(width + 1)
    top_value = a["values"].shape[0] - 1
    index = np.minimum(first_i[..., None] + np.minimum(j, inner_i[..., None]), top_value)
    weighted = a["weights"][None, :, None] * a["values"][index]
    lik_index = np.minimum(
        first_l[:, None] + np.minimum(j, inner_l[:, None]), a["lik_scale"].shape[0] - 1
    )

    # Summed in criterion order, as both engines do, so every sampled aggregate lies in
    # [floor, ceiling] exactly (floating-point addition is monotone).
    floor = np.zeros(s)
    ceiling = np.zeros(s)
    rows = np.arange(s)
    for k in range(c):
        floor = floor + weighted[:, k, 0]
        ceiling = ceiling + weighted[rows, k, inner_i[:, k]]
    return Prepared(
        arrays=a,
        impact=impact,
        likelihood=likelihood,
        cuts=cuts,
        inner=inner,
        first=first,
        weighted=np.ascontiguousarray(weighted),
        lik_scale=np.ascontiguousarray(a["lik_scale"][lik_index]),
        lik_index=np.ascontiguousarray(lik_index),
        floor=floor,
        ceiling=ceiling,
    )
