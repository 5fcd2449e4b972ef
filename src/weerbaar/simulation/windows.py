"""Windows of histogram bins that hold a run's order statistics, chosen by a pilot.

The compiled engine needs a few order statistics of each scenario's aggregated impact
over all draws (:func:`~weerbaar.simulation.ranking.order_statistics`). Counting every
impact in a histogram and then recomputing every impact to keep those in the bins
found costs a second full pass. Instead, a *pilot* histogram of the first ``n`` draws
places each percentile ``p``: the share of the run's draws below a value differs from
the pilot's by about ``√(p(1 − p)/n)`` (the binomial standard error of a sample
quantile's rank [1]_). Per percentile, the bins between :data:`SPREAD` such errors
below and above the pilot's estimate form a *window*. The main pass counts, per
window, the impacts below it and in it, and keeps those in it; order statistic ``k``
is then exactly the ``(k − below)``-th smallest kept impact whenever
``below ≤ k < below + inside`` and none was dropped for want of room.

That check is on counts, not on probabilities: a scenario whose window missed or
overflowed goes through the two passes instead, so the result is the same as theirs
in every case. A narrow window keeps few impacts but misses more often; at three
standard errors about one scenario in a hundred of the benchmark misses, and its two
passes cost less than wider windows would.

References
----------
.. [1] H. A. David, H. N. Nagaraja, *Order Statistics*, 3rd ed., Wiley 2003, §7.1
   (distribution-free confidence intervals for quantiles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from weerbaar.simulation.ranking import OrderStatistics

__all__ = [
    "HISTOGRAM",
    "SETTLED",
    "SPREAD",
    "WINDOWED",
    "Requests",
    "Windows",
    "plan_windows",
    "requests",
]

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
B = NDArray[np.bool_]

HISTOGRAM = 0
"""A scenario whose impacts the first pass counts in a histogram (two passes)."""
WINDOWED = 1
"""A scenario whose impacts the first pass counts, and keeps, in windows."""
SETTLED = 2
"""A scenario with a single possible impact: nothing to count."""

SPREAD = 3.0
"""Half-width of a window in standard errors of the pilot's rank."""
ROOM = 1.25
"""Room kept per window and worker group, over its expected share of the pilot's count
(and :data:`SLACK` more, for the windows the pilot saw few impacts in)."""
SLACK = 16


@dataclass(frozen=True, slots=True)
class Windows:
    """Per scenario and percentile (``W`` of them): the window's first and last bin,
    the room for kept impacts per worker group and where each group keeps them."""

    mode: I64  # (S,) HISTOGRAM, WINDOWED or SETTLED
    low: I64  # (S, W)
    high: I64  # (S, W)
    room: I64  # (S, W) per group
    start: I64  # (G, S, W) offsets into the kept impacts
    size: int  # kept impacts in all

    @classmethod
    def none(cls, mode: I64, windows: int, groups: int) -> Windows:
        """No scenario windowed (the pilot is skipped)."""
        s = mode.shape[0]
        zero = np.zeros((s, windows), dtype=np.int64)
        return cls(mode, zero, zero, zero, np.zeros((groups, s, windows), np.int64), 0)


def plan_windows(
    pilot: I64,
    pilot_draws: int,
    draws: int,
    plan: OrderStatistics,
    mode: I64,
    groups: int,
    budget: int,
) -> Windows:
    """Windows from the ``pilot`` histogram ``(S, BINS)`` of the first ``pilot_draws``
    draws, for the ``HISTOGRAM`` scenarios of ``mode``. Scenarios are windowed while
    their room fits in ``budget`` kept impacts (the narrowest first); the rest keep
    the two passes."""
    s, bins = pilot.shape
    cumulative = np.cumsum(pilot, axis=1)
    lowest = plan.needed[plan.below]  # (W,) first order statistic of each percentile
    highest = plan.needed[plan.above]
    p = (lowest + 0.5) / draws
    error = SPREAD * np.sqrt(pilot_draws * p * (1.0 - p)) + 1.0
    first = np.floor(lowest * pilot_draws / draws - error)
    last = np.ceil((highest + 1) * pilot_draws / draws + error)
    ranks = np.clip(np.stack([first, last]), 0, pilot_draws - 1).astype(np.int64)  # (2, W)
    # The bin holding the pilot's order statistic r: the number of bins ending at or
    # below r, found in all rows at once by shifting row i's counts up by i · (n + 1).
    row = np.arange(s, dtype=np.int64)[:, None, None]
    flat = (cumulative + row[:, :, 0] * (pilot_draws + 1)).ravel()
    asked = ranks[None, :, :] + row * (pilot_draws + 1)  # (S, 2, W)
    held = np.searchsorted(flat, asked, side="right") - row * bins
    held = np.minimum(held, bins - 1)  # the rows of scenarios not in the pilot are zero
    low, high = held[:, 0].copy(), held[:, 1].copy()
    # Overlapping windows merge into the later one; the earlier is left empty (last
    # bin before its first), so that a scenario's windows ascend and are disjoint.
    for w in range(low.shape[1] - 1):
        overlap = low[:, w + 1] <= high[:, w]
        low[overlap, w + 1] = low[overlap, w]
        high[overlap, w] = low[overlap, w] - 1
    empty = high < low
    before = np.where(low > 0, np.take_along_axis(cumulative, np.maximum(low - 1, 0), 1), 0)
    count = np.take_along_axis(cumulative, np.maximum(high, 0), axis=1) - before
    room = np.ceil(count * (draws / pilot_draws) * ROOM / groups).astype(np.int64) + SLACK
    room[empty] = 0

    candidate = mode == HISTOGRAM
    need = np.where(candidate, groups * room.sum(axis=1), 0)
    order = np.argsort(need, kind="stable")
    fits = np.zeros(s, dtype=bool)
    fits[order] = np.cumsum(need[order]) <= budget
    windowed = candidate & fits
    mode = np.where(windowed, WINDOWED, mode)
    room = np.where(windowed[:, None], room, 0)
    sizes = np.broadcast_to(room, (groups, *room.shape)).transpose(1, 2, 0).ravel()
    start = (np.cumsum(sizes) - sizes).reshape(s, room.shape[1], groups).transpose(2, 0, 1)
    return Windows(mode, low, high, room, np.ascontiguousarray(start), int(sizes.sum()))


@dataclass(frozen=True, slots=True)
class Requests:
    """The order statistics the windows settle. Segment ``j`` is window
    ``window[j]`` of scenario ``scenario[j]``; its requests ``first[j] … first[j+1]−1``
    ask for the ``rank[i]``-th smallest (from 0, ascending within a segment) of the
    window's kept impacts, order statistic ``stat[i]`` of that scenario."""

    settled: B  # (S,) every needed order statistic is in a request
    scenario: I64  # (J,)
    window: I64  # (J,)
    first: I64  # (J + 1,)
    rank: I64  # (R,)
    stat: I64  # (R,)

    def asked_of(self) -> I64:
        """The scenario of each request."""
        return np.repeat(self.scenario, np.diff(self.first))


def requests(windows: Windows, below: I64, inside: I64, plan: OrderStatistics) -> Requests:
    """What the counts ``below`` and ``inside`` (each ``(G, S, W)``) of the first pass
    settle: per needed order statistic, the first window that holds it whole."""
    total_below = below.sum(axis=0)
    total_inside = inside.sum(axis=0)
    whole: B = np.all(inside <= windows.room[None], axis=0)  # (S, W) nothing dropped
    k = plan.needed[None, :, None]  # (1, K, 1)
    covers: B = (
        whole[:, None, :]
        & (total_below[:, None, :] <= k)
        & (k < (total_below + total_inside)[:, None, :])
    )  # (S, K, W)
    settled: B = (windows.mode == WINDOWED) & np.all(np.any(covers, axis=2), axis=1)
    scenario, stat = np.nonzero(np.broadcast_to(settled[:, None], covers.shape[:2]))
    window = covers[scenario, stat].argmax(axis=1)
    rank = plan.needed[stat] - total_below[scenario, window]
    segment = scenario * covers.shape[2] + window
    order = np.lexsort((rank, segment))
    used, count = np.unique(segment[order], return_counts=True)
    first = np.zeros(len(used) + 1, dtype=np.int64)
    np.cumsum(count, out=first[1:])
    seg_s, seg_w = np.divmod(used, covers.shape[2])
    return Requests(
        settled=settled,
        scenario=seg_s.astype(np.int64),
        window=seg_w.astype(np.int64),
        first=first,
        rank=rank[order].astype(np.int64),
        stat=stat[order].astype(np.int64),
    )
