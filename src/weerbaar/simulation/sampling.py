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

A pooled cell (:class:`~weerbaar.simulation.model.Pool`) is a mixture of K triangles
with weights ``w_k``, sampled exactly from the same single uniform: its grid is cut
into K slices of ``w_k · 2³²`` uniforms each (:class:`Mixtures`); a uniform in slice
``k`` picks component ``k``, is rescaled to ``[0, 1)`` within the slice and goes
through that component's inverse CDF. The class index is then no longer monotone in
``u``, but it is still piecewise constant on the grid, and both engines read a cell
as such a step function: ascending *breakpoints* and a class index per piece (for an
unpooled cell the breakpoints are its cut points and the indices ascend by one). The
breakpoints of a pooled cell are the slice edges and, per component, the cut points
found by bisection within its slice on the very function the NumPy reference
evaluates (:func:`mixture_inverse`), so here too both engines give the same index for
every ``u``.

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
from weerbaar.simulation.validate import CheckedPool, check_assessment, check_pools

__all__ = [
    "GRID",
    "NEVER",
    "Mixtures",
    "Prepared",
    "Triangles",
    "class_cuts",
    "inverse_cdf",
    "mixture_inverse",
    "prepare",
]

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

    That smallest ``k`` is unique, so how it is searched for cannot change it: the
    ends of the grid settle the thresholds outside a range (most of them), the CDF
    guesses a short bracket for the rest, and bisection finishes inside it (or on the
    whole grid where the bracket does not hold).
    """
    shape = np.broadcast_shapes((*t.low.shape, 1), thresholds.shape)
    fields = [np.broadcast_to(field[..., None], shape).ravel() for field in _fields(t)]
    target = np.broadcast_to(thresholds, shape).ravel()
    cut = np.zeros(target.shape, dtype=np.int64)
    # The invariant is "predicate false below lo, true at hi".
    lo = np.ones(target.shape, dtype=np.int64)
    hi = np.full(target.shape, NEVER - 1, dtype=np.int64)
    at_bottom = _reached(0, Triangles(*fields), target)
    at_top = _reached(NEVER - 1, Triangles(*fields), target)
    cut[~at_top] = NEVER
    todo = np.flatnonzero(~at_bottom & at_top)
    part = Triangles(*(field[todo] for field in fields))
    aim = target[todo]
    guess = np.floor(_cdf(aim, part) * NEVER)
    first = np.clip(guess - _BRACKET, 1, NEVER - 1).astype(np.int64)
    last = np.clip(guess + _BRACKET, 1, NEVER - 1).astype(np.int64)
    holds = ~_reached(first - 1, part, aim) & _reached(last, part, aim)
    lo_part = np.where(holds, first, lo[todo])
    hi_part = np.where(holds, last, hi[todo])
    cut[todo] = _bisect(lo_part, hi_part, part, aim)
    return cut.reshape(shape)


_BRACKET = 1 << 12
"""Half-width, on the grid, of the bracket around the CDF's guess of a cut point:
rounding in the CDF and in :func:`inverse_cdf` is far smaller."""


def _reached(k: I64 | int, t: Triangles, target: F64) -> NDArray[np.bool_]:
    reached: NDArray[np.bool_] = inverse_cdf(np.asarray(k, dtype=np.float64) * GRID, t) >= target
    return reached


def _cdf(x: F64, t: Triangles) -> F64:
    """``F(x)`` of Triangular(low, mode, high) for ``low < x ≤ high`` (only a guess)."""
    rising = np.divide((x - t.low) ** 2, t.left, out=np.zeros_like(x), where=t.left > 0)
    falling = 1.0 - np.divide((t.high - x) ** 2, t.right, out=np.zeros_like(x), where=t.right > 0)
    return np.where(x < t.mode, rising, falling)


def _bisect(lo: I64, hi: I64, t: Triangles, target: F64) -> I64:
    """Bisection on the grid, each cell from ``lo`` to ``hi`` (false below ``lo``, true
    at ``hi``), working only on the cells still open."""
    lo = lo.copy()
    hi = hi.copy()
    open_ = np.flatnonzero(lo < hi)
    while open_.size:
        mid = (lo[open_] + hi[open_]) // 2
        cells = Triangles(*(field[open_] for field in _fields(t)))
        reached = _reached(mid, cells, target[open_])
        hi[open_] = np.where(reached, mid, hi[open_])
        lo[open_] = np.where(reached, lo[open_], mid + 1)
        open_ = open_[lo[open_] < hi[open_]]
    return lo


def _fields(t: Triangles) -> tuple[F64, F64, F64, F64, F64, F64]:
    return (t.low, t.mode, t.high, t.split, t.left, t.right)


@dataclass(frozen=True, slots=True)
class Mixtures:
    """P pooled cells, each a mixture of K triangles (a pool of fewer experts is padded
    with empty slices, which no uniform reaches).

    Component ``k`` of cell ``p`` takes the grid uniforms ``k`` with
    ``bounds[p, k] ≤ k < bounds[p, k + 1]``.
    """

    scenario: I64  # (P,)
    slot: I64  # (P,) the criterion's column, or C for the likelihood
    bounds: I64  # (P, K + 1) slice edges on the grid: 0 = bounds[:, 0] ≤ … ≤ bounds[:, K] = 2³²
    start: F64  # (P, K) bounds[:, :-1] · 2⁻³²
    span: F64  # (P, K) slice width · 2⁻³² (1 for an empty slice, which is never used)
    parts: Triangles  # (P, K)

    @property
    def count(self) -> int:
        return int(self.scenario.shape[0])

    @classmethod
    def of(cls, pools: list[CheckedPool]) -> Mixtures:
        count = len(pools)
        k = max((len(pool[2]) for pool in pools), default=1)
        weights = np.zeros((count, k))
        corners = np.zeros((3, count, k))
        for p, (_, _, w, low, mode, high) in enumerate(pools):
            weights[p, : len(w)] = w
            corners[:, p, : len(w)] = (low, mode, high)
        share = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
        bounds = np.zeros((count, k + 1), dtype=np.int64)
        bounds[:, 1:] = np.minimum(np.rint(share * NEVER), NEVER).astype(np.int64)
        bounds[:, k] = NEVER
        bounds = np.maximum.accumulate(bounds, axis=1)
        width = np.diff(bounds, axis=1)
        return cls(
            scenario=np.array([pool[0] for pool in pools], dtype=np.int64),
            slot=np.array([pool[1] for pool in pools], dtype=np.int64),
            bounds=bounds,
            start=bounds[:, :-1].astype(np.float64) * GRID,
            span=np.where(width > 0, width.astype(np.float64) * GRID, 1.0),
            parts=Triangles.of(corners[0], corners[1], corners[2]),
        )

    def take(self, cells: I64) -> Mixtures:
        """The cells listed (by position)."""
        return Mixtures(
            self.scenario[cells],
            self.slot[cells],
            self.bounds[cells],
            self.start[cells],
            self.span[cells],
            Triangles(*(field[cells] for field in _fields(self.parts))),
        )


def _within(u: F64, m: Mixtures, cell: I64, part: I64) -> F64:
    """Component ``part`` of cell ``cell`` at ``u`` (all broadcast): ``u`` rescaled
    within the component's slice, then its triangular inverse CDF."""
    v = (u - m.start[cell, part]) / m.span[cell, part]
    return inverse_cdf(v, Triangles(*(field[cell, part] for field in _fields(m.parts))))


def mixture_inverse(u: F64, m: Mixtures) -> F64:
    """The latent value of each pooled cell at ``u`` of shape ``(..., P)``: the slice
    ``u`` falls in picks the component (``u`` lies on the 2⁻³² grid, so comparing it
    with the slice edges is exact), then :func:`_within`."""
    edges = m.bounds[:, 1:-1].astype(np.float64) * GRID  # (P, K − 1)
    part = (u[..., None] >= edges).sum(axis=-1)
    cell = np.broadcast_to(np.arange(m.count), part.shape)
    return _within(u, m, cell, part)


def _slice_cuts(m: Mixtures, thresholds: F64) -> I64:
    """Per cell, component and threshold (``thresholds`` is ``(P, T)``): the smallest
    grid uniform in the component's slice whose latent value reaches the threshold, or
    the slice's end when none does. Bisection as in :func:`class_cuts`."""
    count, k = m.start.shape
    shape = (count, k, thresholds.shape[-1])
    cell = np.arange(count)[:, None, None]
    part = np.arange(k)[None, :, None]
    lo = np.array(np.broadcast_to(m.bounds[:, :-1, None], shape))
    hi = np.array(np.broadcast_to(m.bounds[:, 1:, None], shape))
    target = np.broadcast_to(thresholds[:, None, :], shape)
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) // 2
        reached = _within(mid.astype(np.float64) * GRID, m, cell, part) >= target
        hi = np.where(open_ & reached, mid, hi)
        lo = np.where(open_ & ~reached, mid + 1, lo)


def _pieces(m: Mixtures, thresholds: F64) -> list[tuple[I64, I64]]:
    """Per pooled cell: its breakpoints (ascending, inside ``(0, 2³²)``) and the class
    index on each piece (one more than breakpoints), adjacent equal pieces merged."""
    cuts = _slice_cuts(m, thresholds)
    out: list[tuple[I64, I64]] = []
    for p in range(m.count):
        start = m.bounds[p, :-1, None]
        stop = m.bounds[p, 1:, None]
        inside = cuts[p][(cuts[p] > start) & (cuts[p] < stop)]
        points = np.unique(np.concatenate([m.bounds[p, 1:-1], inside]))
        points = points[(points > 0) & (points < NEVER)]
        at = np.concatenate([[0], points]).astype(np.int64)
        one = m.take(np.array([p]))
        x = mixture_inverse(at.astype(np.float64)[:, None] * GRID, one)[:, 0]
        index = np.searchsorted(thresholds[p], x, side="right").astype(np.int64)
        keep = np.concatenate([[True], index[1:] != index[:-1]])
        out.append((at[keep][1:], index[keep]))
    return out


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked assessment and the tables both engines need.

    Slots ``0 … C−1`` are the criteria and slot ``C`` is the likelihood. The kernel
    tables: ``cuts[s, c, :inner[s, c]]`` are the cut points strictly inside the range,
    ``first[s, c]`` the class index below all of them; ``weighted[s, c, j]`` is
    ``weights[c] · values[first + j]`` (the same product the reference computes), and
    ``lik_scale[s, j]`` / ``lik_index[s, j]`` the likelihood scale and index. For a
    pooled cell ``cuts`` holds its breakpoints and the tables its pieces' classes,
    which need not ascend.
    """

    arrays: dict[str, F64]
    impact: Triangles  # (S, C)
    likelihood: Triangles  # (S,)
    mixtures: Mixtures  # the pooled cells (P may be 0)
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


def _pooled(m: Mixtures, a: dict[str, F64], criteria: int) -> list[tuple[int, int, I64, I64]]:
    """Scenario, slot, breakpoints and piece classes of every pooled cell."""
    out: list[tuple[int, int, I64, I64]] = []
    for likelihood in (False, True):
        cells = np.flatnonzero((m.slot == criteria) == likelihood)
        if not cells.size:
            continue
        part = m.take(cells)
        if likelihood:
            thresholds = np.broadcast_to(
                a["lik_thresholds"], (cells.size, a["lik_thresholds"].size)
            )
        else:
            thresholds = a["thresholds"][part.slot]
        for p, (points, index) in enumerate(_pieces(part, np.ascontiguousarray(thresholds))):
            out.append((int(part.scenario[p]), int(part.slot[p]), points, index))
    return out


def prepare(assessment: UncertainAssessment) -> Prepared:
    """Check ``assessment`` and build the cut-point and value tables."""
    a = check_assessment(assessment)
    impact = Triangles.of(a["low"], a["mode"], a["high"])
    likelihood = Triangles.of(a["lik_low"], a["lik_mode"], a["lik_high"])
    s, c = impact.low.shape
    mixtures = Mixtures.of(check_pools(assessment.pools, s, c))
    pooled = _pooled(mixtures, a, c)
    first_i, cuts_i, inner_i = _compact(class_cuts(impact, a["thresholds"][None, :, :]))
    first_l, cuts_l, inner_l = _compact(class_cuts(likelihood, a["lik_thresholds"][None, :]))
    width = max(cuts_i.shape[-1], cuts_l.shape[-1], *(len(cell[2]) for cell in pooled))
    cuts = np.full((s, c + 1, width), NEVER, dtype=np.int64)
    cuts[:, :c, : cuts_i.shape[-1]] = cuts_i
    cuts[:, c, : cuts_l.shape[-1]] = cuts_l
    inner = np.concatenate([inner_i, inner_l[:, None]], axis=1)
    first = np.concatenate([first_i, first_l[:, None]], axis=1)

    # The class index of every piece of every cell: first + j for an unpooled one.
    j = np.arange(width + 1)
    classes = first[..., None] + np.minimum(j, inner[..., None])
    for scenario, slot, points, index in pooled:
        cuts[scenario, slot] = NEVER
        cuts[scenario, slot, : len(points)] = points
        inner[scenario, slot] = len(points)
        first[scenario, slot] = index[0]
        classes[scenario, slot] = index[np.minimum(j, len(points))]
    index_i = np.minimum(classes[:, :c], a["values"].shape[0] - 1)
    weighted = a["weights"][None, :, None] * a["values"][index_i]
    lik_index = np.minimum(classes[:, c], a["lik_scale"].shape[0] - 1)

    # Summed in criterion order, as both engines do, so every sampled aggregate lies in
    # [floor, ceiling] exactly (floating-point addition is monotone). Pieces past a
    # cell's last repeat its last class, so the extremes over all of them are its own.
    floor = np.zeros(s)
    ceiling = np.zeros(s)
    for k in range(c):
        floor = floor + weighted[:, k].min(axis=1)
        ceiling = ceiling + weighted[:, k].max(axis=1)
    return Prepared(
        arrays=a,
        impact=impact,
        likelihood=likelihood,
        mixtures=mixtures,
        cuts=cuts,
        inner=inner,
        first=first,
        weighted=np.ascontiguousarray(weighted),
        lik_scale=np.ascontiguousarray(a["lik_scale"][lik_index]),
        lik_index=np.ascontiguousarray(lik_index),
        floor=floor,
        ceiling=ceiling,
    )
