"""Numba kernels of the cascade engine. Importing this module imports Numba (slow): only
:mod:`weerbaar.cascade.engine` does, through :func:`weerbaar.cascade.engine.load_kernel`.

One run is Dijkstra's algorithm on the failure hour (see :mod:`weerbaar.cascade`): an
indexed 4-ary heap of ``(hour, node)`` pairs in two flat arrays plus each node's slot
(``pos``, −1 when not in the heap). A node whose hour improves moves up in place
(decrease-key) instead of being pushed again, so the heap never holds more than ``n``
pairs, and a 4-ary heap is half as deep as a binary one, which matters because every
level is a cache miss on a large graph. Ties pop the smaller node first. The heap is
empty again after every run, and ``pos`` all −1.

Per-node state lives in flat arrays of length ``n`` that a run leaves "dirty" only at
the nodes it reached (the *touched* list, which is exactly the affected nodes). When
many runs share a workspace (ensemble members, criticality sources) only those are
reset, so one run costs in proportion to its reach, not to ``n``. A node is settled
when its end hour ``e`` is finite (``e`` is ``+inf`` until then).

The uniforms of a Monte Carlo member are the counter-based SplitMix64 bits of
:mod:`weerbaar.simulation.rng` (same constants): item ``i`` (an edge or a node), slot
``k`` and member ``r`` use counter ``(4·r + k)·2³² + i`` and the top 53 bits of the
hash. Slots: 0 = does the edge transmit, 1 = edge lag, 2 = edge buffer, 3 = node
restart. A number is computed only when the run needs it (an edge out of a settled
node, a node being settled) and only when its range has width (or its strength is
below 1), and depends on nothing but the seed and those indices: members are the same
for any thread count and order. :func:`weerbaar.cascade.sampling.uniforms` computes the
same numbers in NumPy.

Ensemble members are dealt round-robin to a fixed number of slices (see
:func:`ensemble_members`); each slice sums its members' per-node tallies in member
order, and the slices are summed in slice order, so every float sum has one order
whatever the thread count.

Numba freezes module-level constants into the cached machine code and checks only this
file's timestamp: after changing the constants in :mod:`weerbaar.simulation.rng`, touch
this file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from numba import njit, prange

from weerbaar.simulation.rng import GOLDEN, MIX1, MIX2

__all__ = ["criticality_sources", "ensemble_members", "single_run"]

_GOLDEN = np.uint64(GOLDEN)
_MIX1 = np.uint64(MIX1)
_MIX2 = np.uint64(MIX2)
_U30 = np.uint64(30)
_U27 = np.uint64(27)
_U31 = np.uint64(31)
_U32 = np.uint64(32)
_U11 = np.uint64(11)
_U4 = np.uint64(4)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2⁻⁵³

SLOT_TRANSMIT = 0
SLOT_LAG = 1
SLOT_BUFFER = 2
SLOT_RESTART = 3

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(**options: Any) -> Callable[[_F], _F]:
    """``numba.njit`` with a type mypy can follow."""
    decorator: Callable[[_F], _F] = njit(**options)
    return decorator


@_jit(inline="always", cache=True)
def _uniform(key: Any, member: int, item: int, slot: int) -> float:
    """The uniform in [0, 1) of (seed key, member, item, slot)."""
    counter = ((np.uint64(member) * _U4 + np.uint64(slot)) << _U32) + np.uint64(item)
    z = key + counter * _GOLDEN
    z = (z ^ (z >> _U30)) * _MIX1
    z = (z ^ (z >> _U27)) * _MIX2
    z = z ^ (z >> _U31)
    return float(z >> _U11) * _TO_UNIT


@_jit(inline="always", cache=True)
def _less(ka: float, na: int, kb: float, nb: int) -> bool:
    return ka < kb or (ka == kb and na < nb)


@_jit(cache=True)
def _sift_up(hk: Any, hn: Any, pos: Any, i: int, key: float, node: int) -> None:
    """Place (key, node) at slot ``i`` or above: an insert, or a decrease of its key."""
    while i > 0:
        parent = (i - 1) >> 2
        pk = hk[parent]
        pn = hn[parent]
        if _less(key, node, pk, pn):
            hk[i] = pk
            hn[i] = pn
            pos[pn] = i
            i = parent
        else:
            break
    hk[i] = key
    hn[i] = node
    pos[node] = i


@_jit(cache=True)
def _sift_down(hk: Any, hn: Any, pos: Any, size: int, key: float, node: int) -> None:
    """Place (key, node), the former last pair, from the root down (after a pop)."""
    i = 0
    while True:
        first = 4 * i + 1
        if first >= size:
            break
        best = first
        last = min(first + 4, size)
        for child in range(first + 1, last):
            if _less(hk[child], hn[child], hk[best], hn[best]):
                best = child
        if _less(hk[best], hn[best], key, node):
            hk[i] = hk[best]
            hn[i] = hn[best]
            pos[hn[best]] = i
            i = best
        else:
            break
    hk[i] = key
    hn[i] = node
    pos[node] = i


@_jit(cache=True)
def _cascade(
    indptr: Any,
    dependent: Any,
    lag_low: Any,
    lag_high: Any,
    buffer_low: Any,
    buffer_high: Any,
    strength: Any,
    restart_low: Any,
    restart_high: Any,
    sources: Any,
    start: Any,
    duration: Any,
    min_strength: float,
    randomised: bool,
    key: Any,
    member: int,
    f: Any,
    e: Any,
    restore: Any,
    src_end: Any,
    cause: Any,
    touched: Any,
    hk: Any,
    hn: Any,
    pos: Any,
) -> int:
    """One run into the (clean) workspace; returns the touched count.

    Deterministic (``randomised`` False): midpoints, and an edge transmits when its
    strength is ≥ ``min_strength``. Member ``member``: uniform draws in the ranges, and
    an edge transmits with probability equal to its strength.
    """
    inf = np.inf
    count = 0
    size = 0
    for i in range(sources.shape[0]):
        s = sources[i]
        if f[s] == inf:
            touched[count] = s
            count += 1
        if start[i] < f[s]:
            f[s] = start[i]
            if pos[s] < 0:
                size += 1
                _sift_up(hk, hn, pos, size - 1, start[i], s)
            else:
                _sift_up(hk, hn, pos, pos[s], start[i], s)
        end = start[i] + duration[i]
        if end > src_end[s]:
            src_end[s] = end
    while size > 0:
        t = hk[0]
        u = hn[0]
        pos[u] = -1
        size -= 1
        if size > 0:
            _sift_down(hk, hn, pos, size, hk[size], hn[size])
        eu = src_end[u]
        back = restore[u]
        if back > -inf:
            lo = restart_low[u]
            hi = restart_high[u]
            if randomised:
                r = lo + _uniform(key, member, u, SLOT_RESTART) * (hi - lo) if hi > lo else lo
            else:
                r = (lo + hi) * 0.5
            if back + r > eu:
                eu = back + r
        e[u] = eu
        down = eu - t
        for j in range(indptr[u], indptr[u + 1]):
            if down <= buffer_low[j]:
                continue  # the buffer bridges the outage whatever is drawn in its range
            v = dependent[j]
            if e[v] != inf:
                continue
            lo = buffer_low[j]
            hi = buffer_high[j]
            if randomised:
                p = strength[j]
                if p < 1.0 and _uniform(key, member, j, SLOT_TRANSMIT) >= p:
                    continue
                b = lo + _uniform(key, member, j, SLOT_BUFFER) * (hi - lo) if hi > lo else lo
            else:
                if strength[j] < min_strength:
                    continue
                b = (lo + hi) * 0.5
            if down > b:
                lo = lag_low[j]
                hi = lag_high[j]
                if randomised:
                    lag = lo + _uniform(key, member, j, SLOT_LAG) * (hi - lo) if hi > lo else lo
                else:
                    lag = (lo + hi) * 0.5
                back = eu + lag
                if back > restore[v]:
                    restore[v] = back
                tv = t + lag + b
                if tv < f[v]:
                    if f[v] == inf:
                        touched[count] = v
                        count += 1
                    f[v] = tv
                    cause[v] = u
                    if pos[v] < 0:
                        size += 1
                        _sift_up(hk, hn, pos, size - 1, tv, v)
                    else:
                        _sift_up(hk, hn, pos, pos[v], tv, v)
    return count


@_jit(cache=True)
def _reset(
    count: int, touched: Any, f: Any, e: Any, restore: Any, src_end: Any, cause: Any
) -> None:
    """Clean the workspace at the nodes of the last run."""
    for i in range(count):
        v = touched[i]
        f[v] = np.inf
        e[v] = np.inf
        restore[v] = -np.inf
        src_end[v] = -np.inf
        cause[v] = -1


@_jit(cache=True)
def _summary(count: int, touched: Any, f: Any, e: Any, people: Any, cost: Any) -> Any:
    """(people-hours, cost, last end hour, longest outage) of the last run."""
    people_hours = 0.0
    total = 0.0
    end = -np.inf
    longest = 0.0
    for i in range(count):
        v = touched[i]
        down = e[v] - f[v]
        people_hours += people[v] * down
        total += cost[v] * down
        end = max(end, e[v])
        longest = max(longest, down)
    return people_hours, total, end, longest


@_jit(cache=True)
def single_run(
    indptr: Any,
    dependent: Any,
    lag_low: Any,
    lag_high: Any,
    buffer_low: Any,
    buffer_high: Any,
    strength: Any,
    restart_low: Any,
    restart_high: Any,
    sources: Any,
    start: Any,
    duration: Any,
    min_strength: float,
    f: Any,
    e: Any,
    cause: Any,
) -> int:
    """The deterministic run into ``f``, ``e``, ``cause`` (filled with +inf, +inf, −1 by
    the caller); returns the number of affected nodes."""
    n = f.shape[0]
    restore = np.full(n, -np.inf)
    src_end = np.full(n, -np.inf)
    touched = np.empty(n, dtype=np.int32)
    hk = np.empty(n, dtype=np.float64)
    hn = np.empty(n, dtype=np.int32)
    pos = np.full(n, -1, dtype=np.int32)
    count = _cascade(
        indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
        restart_low, restart_high, sources, start, duration, min_strength, False,
        np.uint64(0), 0, f, e, restore, src_end, cause, touched, hk, hn, pos,
    )  # fmt: skip
    return int(count)


@_jit(cache=True, parallel=True)
def ensemble_members(
    indptr: Any,
    dependent: Any,
    lag_low: Any,
    lag_high: Any,
    buffer_low: Any,
    buffer_high: Any,
    strength: Any,
    restart_low: Any,
    restart_high: Any,
    sources: Any,
    start: Any,
    duration: Any,
    people: Any,
    cost: Any,
    key: Any,
    members: int,
    affected: Any,
    people_hours: Any,
    total_cost: Any,
    end: Any,
    longest: Any,
    failed: Any,
    downtime: Any,
    keep: bool,
    kept_f: Any,
    kept_e: Any,
) -> None:
    """Run members ``0 … members−1``; member ``r`` goes to slice ``r mod slices``
    (``slices = failed.shape[0]``), whose rows of ``failed`` (int32 counts) and
    ``downtime`` (summed hours) collect its per-node tallies. With ``keep``, row ``r``
    of ``kept_f``/``kept_e`` (float32, filled with +inf by the caller) gets the hours."""
    n = indptr.shape[0] - 1
    slices = failed.shape[0]
    for c in prange(slices):
        f = np.full(n, np.inf)
        e = np.full(n, np.inf)
        restore = np.full(n, -np.inf)
        src_end = np.full(n, -np.inf)
        cause = np.full(n, -1, dtype=np.int32)
        touched = np.empty(n, dtype=np.int32)
        hk = np.empty(n, dtype=np.float64)
        hn = np.empty(n, dtype=np.int32)
        pos = np.full(n, -1, dtype=np.int32)
        for r in range(c, members, slices):
            count = _cascade(
                indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
                restart_low, restart_high, sources, start, duration, 0.5, True, key, r,
                f, e, restore, src_end, cause, touched, hk, hn, pos,
            )  # fmt: skip
            affected[r] = count
            people_hours[r], total_cost[r], end[r], longest[r] = _summary(
                count, touched, f, e, people, cost
            )
            for i in range(count):
                v = touched[i]
                failed[c, v] += 1
                downtime[c, v] += e[v] - f[v]
                if keep:
                    kept_f[r, v] = f[v]
                    kept_e[r, v] = e[v]
            _reset(count, touched, f, e, restore, src_end, cause)


@_jit(cache=True, parallel=True)
def criticality_sources(
    indptr: Any,
    dependent: Any,
    lag_low: Any,
    lag_high: Any,
    buffer_low: Any,
    buffer_high: Any,
    strength: Any,
    restart_low: Any,
    restart_high: Any,
    people: Any,
    cost: Any,
    todo: Any,
    hours: float,
    min_strength: float,
    slices: int,
    taken_down: Any,
    people_hours: Any,
    total_cost: Any,
) -> None:
    """For each node ``todo[k]`` alone down from hour 0 for ``hours``: the processes it
    takes down, people-hours and cost into position ``k`` of the outputs."""
    n = indptr.shape[0] - 1
    jobs = todo.shape[0]
    for c in prange(slices):
        f = np.full(n, np.inf)
        e = np.full(n, np.inf)
        restore = np.full(n, -np.inf)
        src_end = np.full(n, -np.inf)
        cause = np.full(n, -1, dtype=np.int32)
        touched = np.empty(n, dtype=np.int32)
        hk = np.empty(n, dtype=np.float64)
        hn = np.empty(n, dtype=np.int32)
        pos = np.full(n, -1, dtype=np.int32)
        source = np.empty(1, dtype=np.int64)
        start = np.zeros(1)
        duration = np.full(1, hours)
        for k in range(c, jobs, slices):
            source[0] = todo[k]
            count = _cascade(
                indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
                restart_low, restart_high, source, start, duration, min_strength, False,
                np.uint64(0), 0, f, e, restore, src_end, cause, touched, hk, hn, pos,
            )  # fmt: skip
            taken_down[k] = count - 1
            people_hours[k], total_cost[k], _, _ = _summary(count, touched, f, e, people, cost)
            _reset(count, touched, f, e, restore, src_end, cause)
