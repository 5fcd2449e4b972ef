"""Numba kernels of the cascade engine. Importing this module imports Numba (slow): only
:mod:`weerbaar.cascade.engine` does, through :func:`weerbaar.cascade.engine.load_kernel`.

One run is Dijkstra's algorithm on the failure hour (see :mod:`weerbaar.cascade`): an
indexed 4-ary heap of ``(hour, node)`` pairs in two flat arrays plus each node's slot
(``pos``, −1 when not in the heap). A node whose hour improves moves up in place
(decrease-key) instead of being pushed again, so the heap never holds more than ``n``
pairs, and a 4-ary heap is half as deep as a binary one, which matters because every
level is a cache miss on a large graph. Ties pop the smaller node first. The heap is
empty again after every run, and ``pos`` all −1.

On a graph much larger than the cache most of a run's time is spent waiting for memory
(a node's edges and its dependents' state lie at random places), so the run asks for
them ahead with prefetch hints: the edges and state of the node now at the top of the
heap while the current one is settled, and the state of all of a node's dependents
before its edge loop. Hints change no value, only when the loads start.

Per-node state lives in flat arrays of length ``n`` that a run leaves "dirty" only at
the nodes it reached (the *touched* list, which is exactly the affected nodes). When
many runs share a workspace (ensemble members, criticality sources) only those are
reset, so one run costs in proportion to its reach, not to ``n``. A node is settled
when its end hour ``e`` is finite (``e`` is ``+inf`` until then).

The uniforms of a Monte Carlo member are the counter-based SplitMix64 bits of
:mod:`weerbaar.compute.rng` (same constants): item ``i`` (an edge or a node), slot
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

The hash is :func:`weerbaar.compute.jit.mix` (one SplitMix64 for both engines),
inlined here. Numba freezes module-level constants and inlined functions into the
cached machine code and checks only this file's timestamp: after changing the
constants in :mod:`weerbaar.compute.rng` or ``mix``, touch this file (the tests
that compare the kernel's draws with :func:`weerbaar.cascade.sampling.uniforms` would
catch a stale cache).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
from llvmlite import ir  # type: ignore[import-untyped,unused-ignore]
from numba import prange, types
from numba.extending import intrinsic

from weerbaar.compute.jit import jit, mix
from weerbaar.compute.rng import GOLDEN

__all__ = ["criticality_sources", "ensemble_members", "single_run"]

_GOLDEN = np.uint64(GOLDEN)
_U32 = np.uint64(32)
_U11 = np.uint64(11)
_U4 = np.uint64(4)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2⁻⁵³

SLOT_TRANSMIT = 0
SLOT_LAG = 1
SLOT_BUFFER = 2
SLOT_RESTART = 3


@jit(inline="always", cache=True)
def _uniform(key: Any, member: int, item: int, slot: int) -> float:
    """The uniform in [0, 1) of (seed key, member, item, slot)."""
    counter = ((np.uint64(member) * _U4 + np.uint64(slot)) << _U32) + np.uint64(item)
    return float(mix(key + counter * _GOLDEN) >> _U11) * _TO_UNIT


def _prefetch_intrinsic(typingctx: Any, array: Any, index: Any) -> Any:
    """Typing and code of :func:`_prefetch`: LLVM's ``llvm.prefetch`` (read, keep in
    all cache levels, data) at the address of ``array[index]``."""
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        address = builder.bitcast(builder.gep(data, [args[1]]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        name = "llvm.prefetch.p0"
        function = builder.module.globals.get(name)
        if function is None:
            kind = ir.FunctionType(ir.VoidType(), [address.type, i32, i32, i32])
            function = ir.Function(builder.module, kind, name)
        builder.call(function, [address, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


_prefetch = cast(Callable[[Any, int], None], intrinsic(_prefetch_intrinsic))
"""``_prefetch(array, index)`` asks the CPU to start loading ``array[index]`` into cache
and returns at once: a hint only, it changes no value. No bounds check (a prefetch of
a bad address is ignored by the CPU, it does not fault)."""


@jit(inline="always", cache=True)
def _less(ka: float, na: int, kb: float, nb: int) -> bool:
    return ka < kb or (ka == kb and na < nb)


@jit(cache=True)
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


@jit(cache=True)
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


@jit(cache=True)
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
            # The new top is most often the next node settled: start fetching its
            # state and edges now, so those cache misses overlap this node's work.
            w = hn[0]
            _prefetch(src_end, w)
            _prefetch(restore, w)
            _prefetch(restart_low, w)
            k = indptr[w]
            _prefetch(buffer_low, k)
            _prefetch(dependent, k)
            _prefetch(strength, k)
            _prefetch(buffer_high, k)
            _prefetch(lag_low, k)
            _prefetch(lag_high, k)
        # Its edges are in cache by now (fetched when it became the top); ask for the
        # state of all its dependents at once, before the loop below needs them one by
        # one: on a large graph these are cache misses at random places.
        for j in range(indptr[u], indptr[u + 1]):
            v = dependent[j]
            _prefetch(e, v)
            _prefetch(f, v)
            _prefetch(restore, v)
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


@jit(cache=True)
def _workspace(n: int) -> Any:
    """The clean per-run arrays besides ``f``, ``e`` and ``cause``: ``restore``,
    ``src_end``, ``touched`` and the heap ``hk``, ``hn``, ``pos``."""
    return (
        np.full(n, -np.inf),
        np.full(n, -np.inf),
        np.empty(n, dtype=np.int32),
        np.empty(n, dtype=np.float64),
        np.empty(n, dtype=np.int32),
        np.full(n, -1, dtype=np.int32),
    )


@jit(cache=True)
def _close(
    count: int,
    touched: Any,
    f: Any,
    e: Any,
    restore: Any,
    src_end: Any,
    cause: Any,
    people: Any,
    cost: Any,
    tally: bool,
    failed: Any,
    downtime: Any,
) -> Any:
    """(people-hours, cost, last end hour, longest outage) of the last run; with
    ``tally`` also add 1 to ``failed[v]`` and its hours down to ``downtime[v]`` at its
    nodes; then clean the workspace there. One pass, because on a large graph every
    node visited is a cache miss; the sums run in ``touched`` order as before."""
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
        if tally:
            failed[v] += 1
            downtime[v] += down
        f[v] = np.inf
        e[v] = np.inf
        restore[v] = -np.inf
        src_end[v] = -np.inf
        cause[v] = -1
    return people_hours, total, end, longest


@jit(cache=True)
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
    restore, src_end, touched, hk, hn, pos = _workspace(n)
    count = _cascade(
        indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
        restart_low, restart_high, sources, start, duration, min_strength, False,
        np.uint64(0), 0, f, e, restore, src_end, cause, touched, hk, hn, pos,
    )  # fmt: skip
    return int(count)


@jit(cache=True, parallel=True)
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
        cause = np.full(n, -1, dtype=np.int32)
        restore, src_end, touched, hk, hn, pos = _workspace(n)
        for r in range(c, members, slices):
            count = _cascade(
                indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
                restart_low, restart_high, sources, start, duration, 0.5, True, key, r,
                f, e, restore, src_end, cause, touched, hk, hn, pos,
            )  # fmt: skip
            affected[r] = count
            if keep:
                for i in range(count):
                    v = touched[i]
                    kept_f[r, v] = f[v]
                    kept_e[r, v] = e[v]
            people_hours[r], total_cost[r], end[r], longest[r] = _close(
                count, touched, f, e, restore, src_end, cause, people, cost, True,
                failed[c], downtime[c],
            )  # fmt: skip


@jit(cache=True, parallel=True)
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
        cause = np.full(n, -1, dtype=np.int32)
        restore, src_end, touched, hk, hn, pos = _workspace(n)
        source = np.empty(1, dtype=np.int64)
        start = np.zeros(1)
        duration = np.full(1, hours)
        no_failed = np.zeros(0, dtype=np.int32)  # no tallies in a ranking
        no_downtime = np.zeros(0)
        for k in range(c, jobs, slices):
            source[0] = todo[k]
            count = _cascade(
                indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
                restart_low, restart_high, source, start, duration, min_strength, False,
                np.uint64(0), 0, f, e, restore, src_end, cause, touched, hk, hn, pos,
            )  # fmt: skip
            taken_down[k] = count - 1
            people_hours[k], total_cost[k], _, _ = _close(
                count, touched, f, e, restore, src_end, cause, people, cost, False,
                no_failed, no_downtime,
            )  # fmt: skip
