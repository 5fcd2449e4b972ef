"""Numba kernels of the cascade engine. Importing this module imports Numba (slow): only
:mod:`weerbaar.cascade.engine` does, through :func:`weerbaar.cascade.engine.load_kernel`.

One run is Dijkstra's algorithm on the failure hour (see :mod:`weerbaar.cascade`), with
a bucket (calendar) queue [1]_ instead of one heap over every pending node. Hours are
cut into buckets of equal width; the bucket of an hour is
``⌊(hour − first source hour) · scale⌋``, which never decreases when the hour grows
(rounding is monotone), so every hour in a lower bucket is lower. The buckets ahead
have lists of nodes in a ring of :data:`RING`; an hour past the ring's reach (a late
source, an edge longer than foreseen) waits in a *far* list until the ring gets near
it. Opening a bucket sorts its nodes by ``(hour, node)`` and appends them to the
*run*; a node pushed into a bucket already opened goes into a small heap instead, and
the next node to settle is the smaller of the run's head and the heap's top. So the
nodes settle in exactly the order of one heap over all of them, smallest hour first
and ties by the smaller node, for any hours, not only whole ones; the bucket width
only changes the cost. It is chosen once per call from a sample of the edges (see
:func:`bucket_scale`), so that a bucket holds a few nodes when a run reaches much of
the graph (:func:`buckets_per_edge`) and that small runs pass few empty buckets
(:data:`FEW_BUCKETS`).

Lists are lazy: a node is listed again only when a better hour moves it to another
bucket, and a listing whose node settled meanwhile, or whose bucket or hour is no
longer the node's, is skipped when it comes up. A list is a chain of blocks of
:data:`_BLOCK` nodes, so opening a bucket reads memory in order, not one cell per
node at a random place.

On a graph much larger than the cache most of a run's time is spent waiting for memory:
nodes settle in the order of their hours, which has nothing to do with where their
edges and state lie. So an edge's six fields are one 48-byte record of the network
(the arrays are views of its fields), and a node's fail hour, the latest return of a
supply it waits for (``restore``), the end of its own outage as a source and its end
hour ``e`` share one 32-byte row of ``state``: one cache line for all it needs. The
run is kept at least :data:`_LOOKAHEAD` nodes ahead of the one settling, and memory is
asked for along it with prefetch hints in three steps a few nodes apart (where a node's
edges start; its edges, row and restart; the rows of its dependents), so each miss has
the work of several nodes to arrive in. Hints change no value, only when the loads start. An edge
into a node that settled earlier changes nothing (its hour can only be lower, and
``restore`` is read only when a node settles), so such edges are passed over on the
hour alone.

Per-node state lives in arrays of length ``n`` that a run leaves "dirty" only at the
nodes it reached (the *touched* list, which is exactly the affected nodes). When many
runs share a workspace (ensemble members, criticality sources) only those are reset,
so one run costs in proportion to its reach, not to ``n``. Workspaces are made by
:func:`workspaces`, in NumPy. A node is settled when its end hour is finite.

The uniforms of a Monte Carlo member are the counter-based SplitMix64 bits of
:mod:`weerbaar.compute.rng` (same constants): item ``i`` (an edge or a node), slot
``k`` and member ``r`` use counter ``(4·r + k)·2³² + i`` and the top 53 bits of the
hash. Slots: 0 = does the edge transmit, 1 = edge lag, 2 = edge buffer, 3 = node
restart. A number is computed only when the run needs it and only when its range has
width (or its strength is below 1), and depends on nothing but the seed and those
indices: members are the same for any thread count and order.
:func:`weerbaar.cascade.sampling.uniforms` computes the same numbers in NumPy.

Ensemble members are dealt round-robin to a fixed number of slices (see
:func:`ensemble_members`); each slice sums its members' per-node tallies in member
order, and the slices are summed in slice order, so every float sum has one order
whatever the thread count. Each thread runs whole slices, one member after the other,
in one workspace of its own. A call may run a contiguous part of the slices, so that
parts can run on other machines and be put together to the same bits.

The hash is :func:`weerbaar.compute.jit.mix` (one SplitMix64 for both engines),
inlined here. Numba freezes module-level constants and inlined functions into the
cached machine code and checks only this file's timestamp: after changing the
constants in :mod:`weerbaar.compute.rng` or ``mix``, touch this file (the tests
that compare the kernel's draws with :func:`weerbaar.cascade.sampling.uniforms` would
catch a stale cache).

References
----------
.. [1] R. Brown, "Calendar queues: a fast O(1) priority queue implementation for the
   simulation event set problem", Communications of the ACM 31(10), 1988,
   doi:10.1145/63039.63045.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
from llvmlite import ir  # type: ignore[import-untyped,unused-ignore]
from numba import prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from weerbaar.compute.jit import jit, mix
from weerbaar.compute.rng import GOLDEN

__all__ = [
    "FEW_BUCKETS",
    "RING",
    "bucket_scale",
    "buckets_per_edge",
    "criticality_sources",
    "ensemble_members",
    "single_run",
    "summary",
    "workspaces",
]

_GOLDEN = np.uint64(GOLDEN)
_U32 = np.uint64(32)
_U11 = np.uint64(11)
_U4 = np.uint64(4)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2⁻⁵³

SLOT_TRANSMIT = 0
SLOT_LAG = 1
SLOT_BUFFER = 2
SLOT_RESTART = 3

RING = 65536
"""Buckets ahead that have a list of their own (a power of two)."""
_MASK = RING - 1
_SAMPLE = 4096  # edges looked at to choose the width
FEW_BUCKETS = 256.0
"""Buckets spanned by the longest lag plus buffer of the sampled edges for runs that
reach a few nodes (the ranking's): fewer empty buckets to pass."""

_FAR_HOUR = 4.0e18  # past this many buckets every hour shares one (far) bucket
_FAR_BUCKET = 4_000_000_000_000_000_000
_NONE = 1 << 62  # no far listing
_FAR = RING  # the far list's place in ``head`` and ``fill``
_BLOCK = 32  # nodes per block of a list
_AHEAD = 4  # nodes between the steps of fetching ahead along the run
_LOOKAHEAD = 4 * _AHEAD  # nodes the run shows ahead at least, while there are more


def buckets_per_edge(n: int) -> float:
    """Buckets spanned by the longest lag plus buffer of the sampled edges for runs
    that may reach most of ``n`` nodes: a bucket then holds a few nodes, sorted by
    insertion, and the ring still holds all that one edge can reach."""
    return min(max(n / 32.0, FEW_BUCKETS), RING / 2.0)


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
        array_type = signature.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        if array_type.ndim == 1:  # strides honoured: a field of a record array
            item = cgutils.get_item_pointer(  # type: ignore[no-untyped-call]
                context, builder, array_type, array, [index]
            )
        else:  # the flat memory under it
            item = builder.gep(array.data, [index])
        address = builder.bitcast(item, ir.IntType(8).as_pointer())
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
a bad address is ignored by the CPU, it does not fault). A 2-D array is indexed as
the flat memory under it."""


@jit(cache=True)
def bucket_scale(lag_high: Any, buffer_high: Any, buckets: float) -> float:
    """Buckets per hour: ``buckets`` over the longest lag plus buffer of at most
    :data:`_SAMPLE` edges spread evenly over the graph (1 if all are 0)."""
    m = lag_high.shape[0]
    step = max(1, m // _SAMPLE)
    longest = 0.0
    for j in range(0, m, step):
        longest = max(longest, lag_high[j] + buffer_high[j])
    return buckets / longest if longest > 0.0 else 1.0


@jit(inline="always", cache=True)
def _bucket(hour: float, base: float, scale: float) -> int:
    x = (hour - base) * scale
    if x < _FAR_HOUR:
        return int(x)
    return _FAR_BUCKET


@jit(inline="always", cache=True)
def _less(ka: float, na: int, kb: float, nb: int) -> bool:
    return ka < kb or (ka == kb and na < nb)


@jit(inline="always", cache=True)
def _heap_push(hk: Any, hn: Any, size: int, key: float, node: int) -> None:
    """Insert (key, node) into the binary heap of ``size`` pairs (room checked by the
    caller)."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        pk = hk[parent]
        pn = hn[parent]
        if _less(key, node, pk, pn):
            hk[i] = pk
            hn[i] = pn
            i = parent
        else:
            break
    hk[i] = key
    hn[i] = node


@jit(inline="always", cache=True)
def _heap_fix(hk: Any, hn: Any, size: int) -> None:
    """Move the pair at slot ``size`` (the former last one) down from the root."""
    key = hk[size]
    node = hn[size]
    i = 0
    while True:
        best = 2 * i + 1
        if best >= size:
            break
        other = best + 1
        if other < size and _less(hk[other], hn[other], hk[best], hn[best]):
            best = other
        if _less(hk[best], hn[best], key, node):
            hk[i] = hk[best]
            hn[i] = hn[best]
            i = best
        else:
            break
    hk[i] = key
    hn[i] = node


@jit(inline="always", cache=True)
def _list_push(head: Any, fill: Any, blocks: Any, after: Any, used: int, at: int, v: int) -> int:
    """Add node ``v`` to list ``at`` (a ring slot or :data:`_FAR`); returns the blocks
    used, or −1 when none is left."""
    h = head[at]
    if h < 0 or fill[at] == _BLOCK:
        if used == blocks.shape[0]:
            return -1
        after[used] = h
        head[at] = used
        fill[at] = 0
        h = used
        used += 1
    blocks[h, fill[at]] = v
    fill[at] += 1
    return used


@jit(inline="always", cache=True)
def _sift(rk: Any, rn: Any, i: int, size: int) -> None:
    """Move pair ``i`` down the max-heap of the first ``size`` pairs."""
    key = rk[i]
    node = rn[i]
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and _less(rk[child], rn[child], rk[child + 1], rn[child + 1]):
            child += 1
        if _less(key, node, rk[child], rn[child]):
            rk[i] = rk[child]
            rn[i] = rn[child]
            i = child
        else:
            break
    rk[i] = key
    rn[i] = node


@jit(cache=True)
def _sort_run(rk: Any, rn: Any, runs: int) -> None:
    """Sort the first ``runs`` pairs of ``rk``/``rn`` by (hour, node), in place: by
    insertion when short (the common case), else by heapsort."""
    if runs > 24:
        for i in range(runs // 2 - 1, -1, -1):
            _sift(rk, rn, i, runs)
        for last in range(runs - 1, 0, -1):
            key = rk[last]
            node = rn[last]
            rk[last] = rk[0]
            rn[last] = rn[0]
            rk[0] = key
            rn[0] = node
            _sift(rk, rn, 0, last)
        return
    for i in range(1, runs):
        key = rk[i]
        node = rn[i]
        j = i
        while j > 0 and _less(key, node, rk[j - 1], rn[j - 1]):
            rk[j] = rk[j - 1]
            rn[j] = rn[j - 1]
            j -= 1
        rk[j] = key
        rn[j] = node


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
    scale: float,
    state: Any,
    cause: Any,
    touched: Any,
    head: Any,
    fill: Any,
    blocks: Any,
    after: Any,
    hk: Any,
    hn: Any,
    rk: Any,
    rn: Any,
) -> int:
    """One run into the (clean) workspace; returns the touched count, or −1 − count if
    the queue ran out of room (the caller cleans up, grows it and runs again).

    Row ``state[v]`` holds the fail hour, the ``restore`` hour, the end of a source's
    own outage and the end hour ``e``. The queue: ``head``/``fill`` (first block and
    its fill per list, all −1/0 when clean), ``blocks``/``after`` (the lists' blocks
    of :data:`_BLOCK` nodes and the block after each), ``hk``/``hn`` (the heap of
    nodes pushed into opened buckets) and ``rk``/``rn`` (the run: hours and nodes of
    the opened buckets, sorted). A run leaves ``head`` all −1 again.

    Deterministic (``randomised`` False): midpoints, and an edge transmits when its
    strength is ≥ ``min_strength``. Member ``member``: uniform draws in the ranges, and
    an edge transmits with probability equal to its strength.
    """
    inf = np.inf
    room = hk.shape[0]
    count = 0
    if sources.shape[0] == 0:
        return 0
    base = start[0]
    for i in range(sources.shape[0]):
        base = min(base, start[i])
    current = 0  # the last bucket opened
    size = 0  # pairs in its heap
    used = 0  # blocks handed out
    listed = 0  # nodes in the ring's lists
    far_min = _NONE  # lowest bucket in the far list
    for i in range(sources.shape[0]):
        s = sources[i]
        old = state[s, 0]
        if old == inf:
            touched[count] = s
            count += 1
        tv = start[i]
        if tv < old:
            state[s, 0] = tv
            b = _bucket(tv, base, scale)
            if b <= current:
                if size == room:
                    return -1 - count
                _heap_push(hk, hn, size, tv, s)
                size += 1
            elif old == inf or _bucket(old, base, scale) != b:
                if b - current < RING:
                    used = _list_push(head, fill, blocks, after, used, b & _MASK, s)
                    listed += 1
                else:
                    used = _list_push(head, fill, blocks, after, used, _FAR, s)
                    far_min = min(far_min, b)
                if used < 0:
                    return -1 - count
        end = start[i] + duration[i]
        if end > state[s, 2]:
            state[s, 2] = end
    at = 0  # next place in the run: the opened buckets' nodes, sorted
    runs = 0  # end of the run
    while True:
        while runs - at < _LOOKAHEAD and (listed > 0 or head[_FAR] >= 0):
            # Open the next bucket that lists a node (the ring up to the far list's
            # lowest bucket, then the far list itself) and add its nodes to the run,
            # so the run always shows the next few nodes to settle.
            x = current + 1
            limit = x
            if listed > 0:
                limit = min(current + RING, far_min)
                while x < limit and head[x & _MASK] < 0:
                    x += 1
            if x < limit:
                current = x
            else:
                current = far_min
                far_min = _NONE
                h = head[_FAR]
                n_in = fill[_FAR]
                head[_FAR] = -1
                while h >= 0:
                    for i in range(n_in):
                        v = blocks[h, i]
                        if state[v, 3] == inf:
                            b = _bucket(state[v, 0], base, scale)
                            if b - current < RING:
                                used = _list_push(head, fill, blocks, after, used, b & _MASK, v)
                                listed += 1
                            else:
                                used = _list_push(head, fill, blocks, after, used, _FAR, v)
                                far_min = min(far_min, b)
                            if used < 0:
                                return -1 - count
                    h = after[h]
                    n_in = _BLOCK
            if at > 0:
                # Move what is left of the run to the front: the room is reused.
                for i in range(at, runs):
                    rk[i - at] = rk[i]
                    rn[i - at] = rn[i]
                runs -= at
                at = 0
            opened = runs
            slot = current & _MASK
            h = head[slot]
            n_in = fill[slot]
            head[slot] = -1
            while h >= 0:
                nxt = after[h]
                if nxt >= 0:
                    _prefetch(blocks, nxt * _BLOCK)
                for i in range(n_in):
                    _prefetch(state, 4 * blocks[h, i])
                listed -= n_in
                for i in range(n_in):
                    v = blocks[h, i]
                    tv = state[v, 0]
                    if state[v, 3] == inf and _bucket(tv, base, scale) == current:
                        if runs == room:
                            return -1 - count
                        rk[runs] = tv
                        rn[runs] = v
                        runs += 1
                h = nxt
                n_in = _BLOCK
            _sort_run(rk[opened:runs], rn[opened:runs], runs - opened)
        if at == runs and size == 0:
            return count
        if size > 0 and (at == runs or _less(hk[0], hn[0], rk[at], rn[at])):
            # A node pushed into a bucket after it was opened comes first.
            t = hk[0]
            u = hn[0]
            size -= 1
            if size > 0:
                _heap_fix(hk, hn, size)
        else:
            t = rk[at]
            u = rn[at]
            at += 1
            # The run is the order in which nodes will most likely settle: fetch ahead
            # along it in three steps a few nodes apart (where a node's edges start;
            # its edges, row and restart; its dependents' rows, whose places are in
            # the edges fetched before), so each miss has several nodes' work to
            # arrive in.
            if at + 3 * _AHEAD < runs:
                _prefetch(indptr, rn[at + 3 * _AHEAD])
            if at + 2 * _AHEAD < runs:
                x = rn[at + 2 * _AHEAD]
                _prefetch(state, 4 * x)
                _prefetch(restart_low, x)
                _prefetch(restart_high, x)
                # An edge's fields share one row of the network's edge records
                # (:data:`weerbaar.cascade.network.EDGE_ROW`): its first and last field
                # name every cache line the row spans.
                k = indptr[x]
                _prefetch(buffer_low, k)
                _prefetch(dependent, k)
            if at + _AHEAD < runs:
                x = rn[at + _AHEAD]
                for j in range(indptr[x], indptr[x + 1]):
                    _prefetch(state, 4 * dependent[j])
        if state[u, 3] != inf or t != state[u, 0]:
            continue  # settled already, or listed again with a better hour
        first = indptr[u]
        last = indptr[u + 1]
        eu = state[u, 2]
        back = state[u, 1]
        if back > -inf:
            lo = restart_low[u]
            hi = restart_high[u]
            if randomised:
                r = lo + _uniform(key, member, u, SLOT_RESTART) * (hi - lo) if hi > lo else lo
            else:
                r = (lo + hi) * 0.5
            if back + r > eu:
                eu = back + r
        state[u, 3] = eu
        down = eu - t
        for j in range(first, last):
            if down <= buffer_low[j]:
                continue  # the buffer bridges the outage whatever is drawn in its range
            v = dependent[j]
            fv = state[v, 0]
            if fv < t:
                continue  # settled before u: nothing of it can change
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
                if back > state[v, 1]:
                    state[v, 1] = back
                tv = t + lag + b
                if tv < fv:
                    if fv == inf:
                        touched[count] = v
                        count += 1
                    state[v, 0] = tv
                    cause[v] = u
                    nb = _bucket(tv, base, scale)
                    if nb <= current:
                        if size == room:
                            return -1 - count
                        _heap_push(hk, hn, size, tv, v)
                        size += 1
                    elif fv == inf or _bucket(fv, base, scale) != nb:
                        if nb - current < RING:
                            used = _list_push(head, fill, blocks, after, used, nb & _MASK, v)
                            listed += 1
                        else:
                            used = _list_push(head, fill, blocks, after, used, _FAR, v)
                            far_min = min(far_min, nb)
                        if used < 0:
                            return -1 - count


@jit(cache=True)
def _clean(count: int, touched: Any, state: Any, cause: Any) -> None:
    """Reset the workspace rows of the first ``count`` touched nodes."""
    for i in range(count):
        v = touched[i]
        state[v, 0] = np.inf
        state[v, 1] = -np.inf
        state[v, 2] = -np.inf
        state[v, 3] = np.inf
        cause[v] = -1


@jit(cache=True)
def _run(
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
    scale: float,
    workspace: Any,
) -> Any:
    """:func:`_cascade` into ``workspace``, run again in a larger queue until it fits;
    returns the touched count and the workspace (the same, or one with more room)."""
    while True:
        state, cause, touched, head, fill, blocks, after, hk, hn, rk, rn = workspace
        count = _cascade(
            indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
            restart_low, restart_high, sources, start, duration, min_strength, randomised,
            key, member, scale, state, cause, touched, head, fill, blocks, after, hk, hn, rk,
            rn,
        )  # fmt: skip
        if count >= 0:
            return count, workspace
        _clean(-1 - count, touched, state, cause)
        head[:] = -1
        room = 2 * hk.shape[0]
        more = 2 * room // _BLOCK + RING + 2
        workspace = (
            state, cause, touched, head, fill, np.empty((more, _BLOCK), dtype=np.int32),
            np.empty(more, dtype=np.int64), np.empty(room), np.empty(room, dtype=np.int32),
            np.empty(room), np.empty(room, dtype=np.int32),
        )  # fmt: skip


@jit(cache=True)
def _close(
    count: int,
    touched: Any,
    state: Any,
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
    node visited is a cache miss; the sums run in ``touched`` order."""
    people_hours = 0.0
    total = 0.0
    end = -np.inf
    longest = 0.0
    for i in range(count):
        v = touched[i]
        ev = state[v, 3]
        down = ev - state[v, 0]
        people_hours += people[v] * down
        total += cost[v] * down
        end = max(end, ev)
        longest = max(longest, down)
        if tally:
            failed[v] += 1
            downtime[v] += down
        state[v, 0] = np.inf
        state[v, 1] = -np.inf
        state[v, 2] = -np.inf
        state[v, 3] = np.inf
        cause[v] = -1
    return people_hours, total, end, longest


def workspaces(copies: int, n: int, room: int) -> tuple[Any, ...]:
    """``copies`` clean workspaces for runs on ``n`` nodes, stacked on a first axis:
    ``state``, ``cause``, ``touched`` and the queue ``head``, ``fill``, ``blocks``,
    ``after``, ``hk``, ``hn`` (see :func:`_cascade`) with room for ``room`` nodes.

    Made by NumPy, outside the kernels: NumPy asks the kernel for huge pages, so a
    fresh workspace of a large graph costs a few page faults instead of thousands.
    The queue's blocks and heap are left uninitialised, so their memory is only
    touched as far as runs use it."""
    state = np.empty((copies, n, 4))
    state[:, :, 0::3] = np.inf
    state[:, :, 1:3] = -np.inf
    blocks = 2 * room // _BLOCK + RING + 2
    return (
        state,
        np.full((copies, n), -1, dtype=np.int32),
        np.empty((copies, n), dtype=np.int32),
        np.full((copies, RING + 1), -1, dtype=np.int64),
        np.zeros((copies, RING + 1), dtype=np.int64),
        np.empty((copies, blocks, _BLOCK), dtype=np.int32),
        np.empty((copies, blocks), dtype=np.int64),
        np.empty((copies, room)),
        np.empty((copies, room), dtype=np.int32),
        np.empty((copies, room)),
        np.empty((copies, room), dtype=np.int32),
    )


@jit(inline="always", cache=True)
def _copy(workspaces: Any, w: int) -> Any:
    """Workspace ``w`` of stacked ones (views, no copy)."""
    state, cause, touched, head, fill, blocks, after, hk, hn, rk, rn = workspaces
    return (
        state[w], cause[w], touched[w], head[w], fill[w], blocks[w], after[w], hk[w], hn[w],
        rk[w], rn[w],
    )  # fmt: skip


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
    scale: float,
    f: Any,
    e: Any,
    workspace: Any,
) -> int:
    """The deterministic run into ``f`` and ``e`` and the workspace's ``cause`` (all of
    a clean workspace, see :func:`workspaces`; ``f`` and ``e`` filled with +inf by
    the caller); returns the number of affected nodes."""
    n = f.shape[0]
    count, workspace = _run(
        indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
        restart_low, restart_high, sources, start, duration, min_strength, False,
        np.uint64(0), 0, scale, workspace,
    )  # fmt: skip
    state, touched = workspace[0], workspace[2]
    if 8 * count > n:  # most nodes: one pass in memory order beats a jump per node
        for v in range(n):
            f[v] = state[v, 0]
            e[v] = state[v, 3]
    else:
        for i in range(count):
            v = touched[i]
            f[v] = state[v, 0]
            e[v] = state[v, 3]
    return int(count)


@jit(cache=True)
def summary(f: Any, e: Any, people: Any, cost: Any, down: Any, served: Any, paid: Any) -> Any:
    """Of a finished run, in one pass: the affected count, the last end hour and the
    longest outage; the first ``count`` places of ``down``, ``served`` and ``paid``
    get the hours down, people and cost per hour of the affected nodes in node order,
    the order in which the caller's dot products add them up."""
    count = 0
    end = -np.inf
    longest = 0.0
    for v in range(f.shape[0]):
        if f[v] < np.inf:
            hours = e[v] - f[v]
            down[count] = hours
            served[count] = people[v]
            paid[count] = cost[v]
            end = max(end, e[v])
            longest = max(longest, hours)
            count += 1
    return count, end, longest


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
    first: int,
    slices: int,
    scale: float,
    workspaces: Any,
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
    """Run the members of slices ``first … first + rows − 1`` of ``slices`` (``rows =
    failed.shape[0]``): member ``r`` of ``0 … members−1`` goes to slice ``r mod slices``,
    whose row of ``failed`` (int32 counts) and ``downtime`` (summed hours) collects its
    per-node tallies. Each of the stacked ``workspaces`` (see :func:`workspaces`) is
    one thread's: thread ``w`` runs rows ``w, w + workers, …`` there, one member after
    the other.

    Round ``j`` of row ``c`` (member ``first + c + j·slices``) writes place
    ``j·rows + c`` of the per-member outputs and, with ``keep``, of the rows of
    ``kept_f``/``kept_e`` (float32, filled with +inf by the caller). The places run
    without gaps, and with all the slices (``first = 0``, ``rows = slices``) place
    ``r`` is member ``r``."""
    rows = failed.shape[0]
    workers = workspaces[0].shape[0]
    for w in prange(workers):
        workspace = _copy(workspaces, w)
        for c in range(w, rows, workers):
            for j, r in enumerate(range(first + c, members, slices)):
                i = j * rows + c
                count, workspace = _run(
                    indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
                    restart_low, restart_high, sources, start, duration, 0.5, True, key, r,
                    scale, workspace,
                )  # fmt: skip
                state, cause, touched = workspace[0], workspace[1], workspace[2]
                affected[i] = count
                if keep:
                    for t in range(count):
                        v = touched[t]
                        kept_f[i, v] = state[v, 0]
                        kept_e[i, v] = state[v, 3]
                people_hours[i], total_cost[i], end[i], longest[i] = _close(
                    count, touched, state, cause, people, cost, True, failed[c], downtime[c],
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
    scale: float,
    workspaces: Any,
    taken_down: Any,
    people_hours: Any,
    total_cost: Any,
) -> None:
    """For each node ``todo[k]`` alone down from hour 0 for ``hours``: the processes it
    takes down, people-hours and cost into position ``k`` of the outputs. Slice ``c``
    of as many as there are stacked ``workspaces`` takes ``k = c, c + slices, …``."""
    jobs = todo.shape[0]
    slices = workspaces[0].shape[0]
    for c in prange(slices):
        workspace = _copy(workspaces, c)
        source = np.empty(1, dtype=np.int64)
        start = np.zeros(1)
        duration = np.full(1, hours)
        no_failed = np.zeros(0, dtype=np.int32)  # no tallies in a ranking
        no_downtime = np.zeros(0)
        for k in range(c, jobs, slices):
            source[0] = todo[k]
            count, workspace = _run(
                indptr, dependent, lag_low, lag_high, buffer_low, buffer_high, strength,
                restart_low, restart_high, source, start, duration, min_strength, False,
                np.uint64(0), 0, scale, workspace,
            )  # fmt: skip
            taken_down[k] = count - 1
            people_hours[k], total_cost[k], _, _ = _close(
                count, workspace[2], workspace[0], workspace[1], people, cost, False,
                no_failed, no_downtime,
            )  # fmt: skip
