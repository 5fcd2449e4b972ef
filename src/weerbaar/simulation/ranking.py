"""Ranks by risk, and percentiles from order statistics or class counts.

Ranking rule (both engines): risks are compared as float32 — the float64 risk rounded
to 24 significant bits — so that two aggregates that are equal in exact arithmetic but
were summed in a different order (and so differ in the last float64 bit) count as a
tie. A tie counts as the *better* rank: ``rank = 1 + #{other scenarios with a strictly
higher risk}`` (the "minimum" or competition ranking, 1-2-2-4). Several scenarios may
therefore share rank 5, and the top-5 probabilities of all scenarios may sum to more
than 5.

Percentiles follow the default "linear" rule of ``numpy.percentile`` (Hyndman and
Fan's definition 7 [1]_): with ``h = (n − 1) q``, ``P = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ −
x₍⌊h⌋₎)`` over the sorted sample. Only the order statistics named by
:func:`order_statistics` are needed, which is what lets the engines avoid sorting.

References
----------
.. [1] R. J. Hyndman, Y. Fan, "Sample quantiles in statistical packages", The American
   Statistician 50(4), 361-365, 1996, doi:10.2307/2684934.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from weerbaar.simulation.model import F64

__all__ = [
    "QUANTILES",
    "OrderStatistics",
    "order_statistics",
    "percentiles_from_counts",
    "ranks_descending",
    "risk_keys",
]

QUANTILES = (0.05, 0.5, 0.95)
"""P5, P50 and P95, in the column order of the result arrays."""

I64 = NDArray[np.int64]
F32 = NDArray[np.float32]


def risk_keys(risk: F64) -> F32:
    """The float32 values risks are ranked by (``-0.0`` folded into ``+0.0``)."""
    return risk.astype(np.float32) + np.float32(0.0)


def ranks_descending(keys: F32) -> I64:
    """Competition ranks along the last axis, 1 = highest; ties share the better rank.

    ``keys`` must hold no NaN. Each row is sorted once; the rank of a value is the
    number of values strictly above it, plus one.
    """
    n = keys.shape[-1]
    order = np.argsort(keys, axis=-1, kind="stable")
    ordered = np.take_along_axis(keys, order, axis=-1)
    # Ascending order: the last member of each tie group ends it; every member of the
    # group has (n − 1 − last) values strictly above it.
    last = np.ones(ordered.shape, dtype=bool)
    last[..., :-1] = ordered[..., 1:] != ordered[..., :-1]
    position = np.broadcast_to(np.arange(n), ordered.shape)
    end = np.where(last, position, n)
    end = np.flip(np.minimum.accumulate(np.flip(end, axis=-1), axis=-1), axis=-1)
    ranks = np.empty(keys.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, n - end, axis=-1)
    return ranks


@dataclass(frozen=True, slots=True)
class OrderStatistics:
    """Which order statistics give the percentiles of ``n`` values, and how to mix them.

    ``needed`` are the 0-based order-statistic indices, ascending and unique;
    percentile ``q`` is ``x[below[q]] + weight[q] · (x[above[q]] − x[below[q]])``
    where ``below`` and ``above`` index into ``needed``.
    """

    needed: I64
    below: I64
    above: I64
    weight: F64

    def combine(self, stats: F64) -> F64:
        """Percentiles ``(..., len(QUANTILES))`` from order statistics ``(..., len(needed))``."""
        lo = stats[..., self.below]
        hi = stats[..., self.above]
        # Equal neighbours give that value exactly (no 0 · inf, no rounding).
        return np.where(hi == lo, lo, lo + self.weight * (hi - lo))


def order_statistics(n: int, quantiles: tuple[float, ...] = QUANTILES) -> OrderStatistics:
    """The order statistics that the linear percentile rule needs for ``n`` values."""
    h = (n - 1) * np.asarray(quantiles, dtype=np.float64)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    needed = np.unique(np.concatenate([lo, hi]))
    return OrderStatistics(
        needed=needed,
        below=np.searchsorted(needed, lo),
        above=np.searchsorted(needed, hi),
        weight=h - lo,
    )


def percentiles_from_counts(counts: I64, positions: F64, plan: OrderStatistics) -> F64:
    """Exact percentiles of a sample given as counts per class.

    Parameters
    ----------
    counts
        ``(S, L)``: how many draws of each scenario fell in each of ``L`` classes.
    positions
        ``(L,)``: the value of each class (need not be sorted).
    plan
        From :func:`order_statistics` for the number of draws.
    """
    order = np.argsort(positions, kind="stable")
    cumulative = np.cumsum(counts[:, order], axis=1)
    # Order statistic k lies in the first class whose cumulative count exceeds k.
    where = (cumulative[:, None, :] <= plan.needed[None, :, None]).sum(axis=2)
    stats = positions[order][np.minimum(where, len(order) - 1)]
    return plan.combine(stats)
