"""Numba kernels of the compiled engine. Importing this module imports Numba (slow):
only :mod:`weerbaar.simulation.compiled` does, and only when the engine is used.

The uniforms are the counter-based SplitMix64 bits of :mod:`weerbaar.compute.rng`,
recomputed here with :func:`weerbaar.compute.jit.mix`: one 64-bit hash per (draw,
scenario, pair of slots), its high 32 bits for the even slot and its low 32 bits for
the odd one (slots ``0 … C−1`` are the criteria, slot ``C`` the likelihood). The
counter of draw ``d``, scenario ``s`` and pair ``p`` is ``(s·P + p)·2³² + d`` with
``P = ⌈(C + 1)/2⌉``. A draw's numbers depend on nothing but the seed and its indices,
so the result is the same for any number of threads and any chunking, and equal to the
NumPy reference (:mod:`weerbaar.simulation.numpy_engine`).

Per score the kernel does one half-hash, a comparison with each cut point inside the
range (:mod:`weerbaar.simulation.sampling`) and one add. Loops over a block of draws
are innermost so that LLVM vectorises them.

Numba freezes module-level constants and inlined functions into the cached machine
code and checks only this file's timestamp: after changing the constants in
:mod:`weerbaar.compute.rng` or :mod:`weerbaar.simulation.windows`, or
:func:`weerbaar.compute.jit.mix`, touch this file (the compiled-equals-reference tests
would catch a stale cache).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import prange

from weerbaar.compute.jit import jit, mix
from weerbaar.compute.rng import GOLDEN
from weerbaar.simulation.windows import HISTOGRAM, WINDOWED

__all__ = [
    "BLOCK",
    "pass_histogram",
    "pass_impact",
    "pass_rank",
    "select_ranks",
    "sort_segments",
]

BLOCK = 256
"""Draws handled together per scenario (the length of the vectorised loops)."""

_GOLDEN = np.uint64(GOLDEN)
_LOW = np.uint64(0xFFFFFFFF)
_U32 = np.uint64(32)


@jit(inline="always", cache=True)
def _needs_hash(inner: Any, s: int, pair: int, last: int) -> bool:
    """Whether slot pair ``pair`` has a slot ≤ ``last`` with a cut point inside its range."""
    a = 2 * pair
    return (a <= last and inner[s, a] > 0) or (a + 1 <= last and inner[s, a + 1] > 0)


@jit(inline="always", cache=True)
def _score(
    key: Any,
    s: int,
    draw0: int,
    nb: int,
    cuts: Any,
    inner: Any,
    weighted: Any,
    with_likelihood: bool,
    upper: Any,
    lower: Any,
    value: Any,
    impact: Any,
    lik: Any,
) -> None:
    """Aggregated impact of scenario ``s`` for draws ``draw0 … draw0+nb−1`` into
    ``impact``, and (if asked) the likelihood's inner class index into ``lik``. The
    uniforms of a pair of slots go to ``upper`` (even slot) and ``lower`` (odd)."""
    n_slots = cuts.shape[1]
    criteria = n_slots - 1
    pairs = (n_slots + 1) // 2
    last = criteria if with_likelihood else criteria - 1
    for d in range(nb):
        impact[d] = 0.0
    for pair in range(pairs):
        if _needs_hash(inner, s, pair, last):
            # Counter (s·P + pair)·2³² + draw: consecutive draws are consecutive terms
            # of the stream, so the loop steps by the constant γ.
            row = np.uint64(s * pairs + pair)
            base = key + ((row << _U32) + np.uint64(draw0)) * _GOLDEN
            for d in range(nb):
                bits = mix(base + np.uint64(d) * _GOLDEN)
                upper[d] = bits >> _U32
                lower[d] = bits & _LOW
        for half in range(2):
            slot = 2 * pair + half
            if slot > last:
                break
            u = upper if half == 0 else lower
            m = inner[s, slot]
            if slot < criteria:
                _add_class_value(u, nb, m, cuts[s, slot], weighted[s, slot], value, impact)
            else:
                for d in range(nb):
                    lik[d] = 0
                for j in range(m):
                    cut = np.uint64(cuts[s, slot, j])
                    for d in range(nb):
                        lik[d] += u[d] >= cut


@jit(inline="always", cache=True)
def _add_class_value(
    u: Any, nb: int, m: int, cuts: Any, weighted: Any, value: Any, impact: Any
) -> None:
    """Add the weighted class value of each uniform ``u[d]`` to ``impact[d]``: that of
    the last of the ``m`` ascending cut points it reaches (``weighted[0]`` below them
    all). Up to four cut points (nearly every cell) are passed in one sweep, so each
    value stays in a register rather than going through ``value``."""
    w0 = weighted[0]
    if m == 0:
        for d in range(nb):
            impact[d] += w0
    elif m == 1:
        c0 = np.uint64(cuts[0])
        w1 = weighted[1]
        for d in range(nb):
            impact[d] += w1 if u[d] >= c0 else w0
    elif m == 2:
        c0, c1 = np.uint64(cuts[0]), np.uint64(cuts[1])
        w1, w2 = weighted[1], weighted[2]
        for d in range(nb):
            x = u[d]
            v = w1 if x >= c0 else w0
            impact[d] += w2 if x >= c1 else v
    elif m == 3:
        c0, c1, c2 = np.uint64(cuts[0]), np.uint64(cuts[1]), np.uint64(cuts[2])
        w1, w2, w3 = weighted[1], weighted[2], weighted[3]
        for d in range(nb):
            x = u[d]
            v = w1 if x >= c0 else w0
            v = w2 if x >= c1 else v
            impact[d] += w3 if x >= c2 else v
    elif m == 4:
        c0, c1 = np.uint64(cuts[0]), np.uint64(cuts[1])
        c2, c3 = np.uint64(cuts[2]), np.uint64(cuts[3])
        w1, w2, w3, w4 = weighted[1], weighted[2], weighted[3], weighted[4]
        for d in range(nb):
            x = u[d]
            v = w1 if x >= c0 else w0
            v = w2 if x >= c1 else v
            v = w3 if x >= c2 else v
            impact[d] += w4 if x >= c3 else v
    else:
        for d in range(nb):
            value[d] = w0
        for j in range(m):
            c = np.uint64(cuts[j])
            w = weighted[j + 1]
            for d in range(nb):
                value[d] = w if u[d] >= c else value[d]
        for d in range(nb):
            impact[d] += value[d]


@jit(inline="always", cache=True)
def _bin(x: float, floor: float, inverse_width: float, bins: int) -> int:
    b = int((x - floor) * inverse_width)
    return min(max(b, 0), bins - 1)


@jit(inline="always", cache=True)
def _radix_pass(
    src_k: Any, src_i: Any, dst_k: Any, dst_i: Any, counts: Any, offset: int, shift: int, mask: int
) -> bool:
    """One stable counting-sort pass on the digit ``(key >> shift) & mask``, whose
    counts are at ``counts[offset:]``; False (nothing moved) when all keys share it."""
    n = src_k.shape[0]
    if counts[offset + ((src_k[0] >> shift) & mask)] == n:
        return False
    total = 0
    for b in range(mask + 1):
        c = counts[offset + b]
        counts[offset + b] = total
        total += c
    for i in range(n):
        k = src_k[i]
        b = offset + ((k >> shift) & mask)
        at = counts[b]
        counts[b] = at + 1
        dst_k[at] = k
        dst_i[at] = src_i[i]
    return True


@jit(inline="always", cache=True)
def _sort_keys(keys: Any, index: Any, spare_keys: Any, spare_index: Any, counts: Any) -> Any:
    """Sort non-negative float32 bit patterns ascending, carrying their positions.

    Returns the (keys, positions) pair of arrays holding the result: ``keys`` and
    ``index``, or ``spare_keys`` and ``spare_index``. Two radix passes on bits 15-22
    and 23-30 (bit 31, the sign, is 0) order the keys by their top 16 bits; an
    insertion sort then orders the runs that share them (keys within 2⁻⁷ of each
    other: short runs, so nearly linear). Should that need more than ``4 n`` moves, a
    full LSD radix sort (bits 0-7, 8-14, 15-22, 23-30; correct from any starting
    order) finishes instead, so the cost stays linear.
    """
    n = keys.shape[0]
    counts[:] = 0
    for i in range(n):
        k = keys[i]
        counts[512 + ((k >> 15) & 255)] += 1
        counts[768 + ((k >> 23) & 255)] += 1
        index[i] = i
    src_k, src_i, dst_k, dst_i = keys, index, spare_keys, spare_index
    if _radix_pass(src_k, src_i, dst_k, dst_i, counts, 512, 15, 255):
        src_k, dst_k = dst_k, src_k
        src_i, dst_i = dst_i, src_i
    if _radix_pass(src_k, src_i, dst_k, dst_i, counts, 768, 23, 255):
        src_k, dst_k = dst_k, src_k
        src_i, dst_i = dst_i, src_i
    budget = 4 * n
    for i in range(1, n):
        k = src_k[i]
        if k < src_k[i - 1]:
            x = src_i[i]
            j = i - 1
            while j >= 0 and src_k[j] > k:
                src_k[j + 1] = src_k[j]
                src_i[j + 1] = src_i[j]
                j -= 1
            src_k[j + 1] = k
            src_i[j + 1] = x
            budget -= i - 1 - j
            if budget < 0:
                break
    if budget < 0:
        counts[:] = 0
        for i in range(n):
            k = src_k[i]
            counts[k & 255] += 1
            counts[256 + ((k >> 8) & 127)] += 1
            counts[512 + ((k >> 15) & 255)] += 1
            counts[768 + ((k >> 23) & 255)] += 1
        if _radix_pass(src_k, src_i, dst_k, dst_i, counts, 0, 0, 255):
            src_k, dst_k = dst_k, src_k
            src_i, dst_i = dst_i, src_i
        if _radix_pass(src_k, src_i, dst_k, dst_i, counts, 256, 8, 127):
            src_k, dst_k = dst_k, src_k
            src_i, dst_i = dst_i, src_i
        if _radix_pass(src_k, src_i, dst_k, dst_i, counts, 512, 15, 255):
            src_k, dst_k = dst_k, src_k
            src_i, dst_i = dst_i, src_i
        if _radix_pass(src_k, src_i, dst_k, dst_i, counts, 768, 23, 255):
            src_k, dst_k = dst_k, src_k
            src_i, dst_i = dst_i, src_i
    return src_k, src_i


@jit(inline="always", cache=True)
def _tally_ranks(
    sorted_keys: Any, positions: Any, g: int, rank_sum: Any, top5: Any, top10: Any
) -> None:
    """Walk down from the largest key: competition ranks (ties share the better rank),
    added to the rank sums (``rank_sum[s]``) and top-5/top-10 counts of group ``g``.
    Past rank 10 only the rank sums change, in a loop of their own."""
    n = sorted_keys.shape[0]
    start = 0
    p = 0
    while p < n:
        j = n - 1 - p
        if p > 0 and sorted_keys[j] != sorted_keys[j + 1]:
            start = p
            if start >= 10:
                break
        s = positions[j]
        rank_sum[s] += start + 1
        top10[g, s] += 1
        if start < 5:
            top5[g, s] += 1
        p += 1
    for q in range(p, n):
        j = n - 1 - q
        if sorted_keys[j] != sorted_keys[j + 1]:
            start = q
        rank_sum[positions[j]] += start + 1


@jit(inline="always", cache=True)
def _window(
    impact: Any,
    where: Any,
    region: Any,
    hit: Any,
    nb: int,
    g: int,
    s: int,
    floor: Any,
    inverse_width: Any,
    bins: int,
    window_low: Any,
    window_high: Any,
    window_start: Any,
    room: Any,
    below: Any,
    inside: Any,
    kept: Any,
    windows: int,
) -> None:
    """Count (and keep) scenario ``s``'s impacts of one block against its windows,
    which ascend and are disjoint: an impact's region is ``2w`` below window ``w`` (and
    above the one before) and ``2w + 1`` in it. The counts are vectorised; an impact
    in a window (a few percent of them) is kept in a scalar loop."""
    for d in range(nb):
        where[d] = _bin(impact[d], floor[s], inverse_width[s], bins)
        region[d] = 0
    for w in range(windows):
        low = window_low[s, w]
        high = window_high[s, w]
        for d in range(nb):
            region[d] += (where[d] >= low) + (where[d] > high)
    hits = 0
    for w in range(windows):
        under = 0
        for d in range(nb):
            under += region[d] <= 2 * w
        below[g, s, w] += under
    # The draws in a window are listed without a branch (a branch per draw would be
    # mispredicted on every hit), then kept.
    for d in range(nb):
        hit[hits] = d
        hits += region[d] & 1
    for i in range(hits):
        d = hit[i]
        w = region[d] >> 1
        at = inside[g, s, w]
        if at < room[s, w]:
            kept[window_start[g, s, w] + at] = impact[d]
        inside[g, s, w] = at + 1


@jit(parallel=True, cache=True)
def pass_rank(
    key: Any,
    cuts: Any,
    inner: Any,
    weighted: Any,
    lik_scale: Any,
    lik_index: Any,
    floor: Any,
    inverse_width: Any,
    draw_start: int,
    draws: int,
    lik_counts: Any,
    rank_sum: Any,
    top5: Any,
    top10: Any,
    mode: Any,
    histogram: Any,
    window_low: Any,
    window_high: Any,
    window_start: Any,
    room: Any,
    below: Any,
    inside: Any,
    kept: Any,
) -> None:
    """First pass over draws ``draw_start … draw_start+draws−1``: likelihood class
    counts, rank sums, top-5/top-10 counts, and each scenario's impacts in bins of
    ``[floor, ceiling]``, each accumulated (``+=``) into row ``g`` of its array by
    worker group ``g`` (integer sums, so the grouping does not change the totals).

    A scenario of ``mode`` :data:`HISTOGRAM` counts its impacts per bin; one of
    ``mode`` :data:`WINDOWED` counts, per window ``w``, the impacts below bin
    ``window_low[s, w]`` and those in bins ``window_low[s, w] … window_high[s, w]``,
    and keeps the first ``room[s, w]`` of the latter at ``kept[window_start[g, s, w]:]``
    (the count goes on past the room, so an overflow shows). A scenario's windows
    ascend and are disjoint."""
    n_scen = cuts.shape[0]
    lik_slot = cuts.shape[1] - 1
    groups = histogram.shape[0]
    bins = histogram.shape[2]
    windows = window_low.shape[1]
    blocks = (draws + BLOCK - 1) // BLOCK
    per_group = (blocks + groups - 1) // groups
    for g in prange(groups):
        upper = np.empty(BLOCK, np.uint64)
        lower = np.empty(BLOCK, np.uint64)
        value = np.empty(BLOCK, np.float64)
        impact = np.empty(BLOCK, np.float64)
        lik = np.empty(BLOCK, np.int64)
        where = np.empty(BLOCK, np.int64)
        region = np.empty(BLOCK, np.int64)
        hit = np.empty(BLOCK, np.int64)
        risk = np.empty((BLOCK, n_scen), np.float32)
        keys = risk.view(np.uint32)
        index = np.empty(n_scen, np.int32)
        spare_keys = np.empty(n_scen, np.uint32)
        spare_index = np.empty(n_scen, np.int32)
        ranks = np.zeros(n_scen, np.int64)
        counts = np.empty(1024, np.int64)
        for block in range(g * per_group, min(blocks, (g + 1) * per_group)):
            first = block * BLOCK
            nb = min(BLOCK, draws - first)
            for s in range(n_scen):
                _score(
                    key,
                    s,
                    draw_start + first,
                    nb,
                    cuts,
                    inner,
                    weighted,
                    True,
                    upper,
                    lower,
                    value,
                    impact,
                    lik,
                )
                # Few likelihood classes are possible per scenario: count each with a
                # vectorised comparison rather than a scattered increment per draw.
                for j in range(inner[s, lik_slot] + 1):
                    hits = 0
                    for d in range(nb):
                        hits += lik[d] == j
                    lik_counts[g, s, lik_index[s, j]] += hits
                if mode[s] == HISTOGRAM:
                    for d in range(nb):
                        histogram[g, s, _bin(impact[d], floor[s], inverse_width[s], bins)] += 1
                elif mode[s] == WINDOWED:
                    _window(
                        impact, where, region, hit, nb, g, s, floor, inverse_width, bins,
                        window_low, window_high, window_start, room, below, inside, kept,
                        windows,
                    )  # fmt: skip
                for d in range(nb):
                    risk[d, s] = np.float32(impact[d] * lik_scale[s, lik[d]]) + np.float32(0.0)
            for d in range(nb):
                sorted_keys, positions = _sort_keys(keys[d], index, spare_keys, spare_index, counts)
                _tally_ranks(sorted_keys, positions, g, ranks, top5, top10)
        for s in range(n_scen):
            rank_sum[g, s] += ranks[s]


@jit(parallel=True, cache=True)
def pass_impact(
    key: Any,
    cuts: Any,
    inner: Any,
    weighted: Any,
    floor: Any,
    inverse_width: Any,
    bins: int,
    scenarios: Any,
    draw_start: int,
    draws: int,
    targets: Any,
    segment_start: Any,
    filled: Any,
    out: Any,
) -> None:
    """Second pass, for the listed ``scenarios``: recompute each impact and keep those
    that fall in one of the scenario's target histogram bins (``targets[s, :]``, ``-1``
    = none) at ``out[segment_start[s, t] + filled[s, t]]``."""
    n_targets = targets.shape[1]
    for i in prange(scenarios.shape[0]):
        s = scenarios[i]
        upper = np.empty(BLOCK, np.uint64)
        lower = np.empty(BLOCK, np.uint64)
        value = np.empty(BLOCK, np.float64)
        impact = np.empty(BLOCK, np.float64)
        lik = np.empty(BLOCK, np.int64)
        slot_of_bin = np.full(bins, -1, np.int64)
        for t in range(n_targets):
            if targets[s, t] >= 0:
                slot_of_bin[targets[s, t]] = t
        for first in range(0, draws, BLOCK):
            nb = min(BLOCK, draws - first)
            _score(
                key,
                s,
                draw_start + first,
                nb,
                cuts,
                inner,
                weighted,
                False,
                upper,
                lower,
                value,
                impact,
                lik,
            )
            for d in range(nb):
                t = slot_of_bin[_bin(impact[d], floor[s], inverse_width[s], bins)]
                if t >= 0:
                    out[segment_start[s, t] + filled[s, t]] = impact[d]
                    filled[s, t] += 1


@jit(parallel=True, cache=True)
def pass_histogram(
    key: Any,
    cuts: Any,
    inner: Any,
    weighted: Any,
    floor: Any,
    inverse_width: Any,
    scenarios: Any,
    draw_start: int,
    draws: int,
    histogram: Any,
) -> None:
    """For the listed ``scenarios``: count each impact of draws ``draw_start …
    draw_start+draws−1`` in its bin, ``histogram[s, bin] += 1``."""
    bins = histogram.shape[1]
    for i in prange(scenarios.shape[0]):
        s = scenarios[i]
        upper = np.empty(BLOCK, np.uint64)
        lower = np.empty(BLOCK, np.uint64)
        value = np.empty(BLOCK, np.float64)
        impact = np.empty(BLOCK, np.float64)
        lik = np.empty(BLOCK, np.int64)
        for first in range(0, draws, BLOCK):
            nb = min(BLOCK, draws - first)
            _score(
                key,
                s,
                draw_start + first,
                nb,
                cuts,
                inner,
                weighted,
                False,
                upper,
                lower,
                value,
                impact,
                lik,
            )
            for d in range(nb):
                histogram[s, _bin(impact[d], floor[s], inverse_width[s], bins)] += 1


@jit(inline="always", cache=True)
def _select(a: Any, lo: int, hi: int, k: int) -> Any:
    """The value of rank ``k`` in ``a[lo:hi]`` (``lo ≤ k < hi``, ranks counted from
    ``lo``), moved to ``a[k]`` with no larger value before it and no smaller after
    (Hoare's FIND [1]_ with a median-of-three pivot).

    .. [1] C. A. R. Hoare, "Algorithm 65: Find", CACM 4(7), 321-322, 1961."""
    hi -= 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < a[lo]:
            a[mid], a[lo] = a[lo], a[mid]
        if a[hi] < a[lo]:
            a[hi], a[lo] = a[lo], a[hi]
        if a[hi] < a[mid]:
            a[hi], a[mid] = a[mid], a[hi]
        pivot = a[mid]
        i = lo
        j = hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return a[k]


@jit(parallel=True, cache=True)
def select_ranks(
    kept: Any,
    window_start: Any,
    inside: Any,
    scenario: Any,
    window: Any,
    first: Any,
    rank: Any,
    out: Any,
) -> None:
    """For each window ``j`` (of scenario ``scenario[j]``): move its worker groups'
    kept impacts next to each other, then ``out[i]`` is the ``rank[i]``-th smallest of
    them for the requests ``first[j] … first[j+1]−1`` (ranks ascending). Each window's
    groups keep their impacts one after another in ``kept``, group 0 first."""
    groups = inside.shape[0]
    for j in prange(scenario.shape[0]):
        s = scenario[j]
        w = window[j]
        a = window_start[0, s, w]
        n = inside[0, s, w]
        for g in range(1, groups):
            at = window_start[g, s, w]
            for i in range(inside[g, s, w]):
                kept[a + n + i] = kept[at + i]
            n += inside[g, s, w]
        # After a selection, the values up to its rank are the smallest: the next,
        # higher rank is found among the rest (the very next one is their minimum).
        lo = a
        for i in range(first[j], first[j + 1]):
            k = a + rank[i]
            if i > first[j] and k == lo + 1:
                at = k
                for x in range(k + 1, a + n):
                    if kept[x] < kept[at]:
                        at = x
                kept[k], kept[at] = kept[at], kept[k]
                out[i] = kept[k]
            else:
                out[i] = _select(kept, lo, a + n, k)
            lo = k


@jit(parallel=True, cache=True)
def sort_segments(values: Any, start: Any, length: Any) -> None:
    """Sort ``values[start[i] : start[i] + length[i]]`` in place for every ``i``."""
    for i in prange(start.shape[0]):
        a = start[i]
        values[a : a + length[i]].sort()
