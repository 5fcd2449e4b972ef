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
:mod:`weerbaar.compute.rng` or :func:`weerbaar.compute.jit.mix`, touch this file (the
compiled-equals-reference tests would catch a stale cache).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import prange

from weerbaar.compute.jit import jit, mix
from weerbaar.compute.rng import GOLDEN

__all__ = ["BLOCK", "pass_impact", "pass_rank", "sort_segments"]

BLOCK = 64
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
    bits: Any,
    value: Any,
    impact: Any,
    lik: Any,
) -> None:
    """Aggregated impact of scenario ``s`` for draws ``draw0 … draw0+nb−1`` into
    ``impact``, and (if asked) the likelihood's inner class index into ``lik``."""
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
                bits[d] = mix(base + np.uint64(d) * _GOLDEN)
        for half in range(2):
            slot = 2 * pair + half
            if slot > last:
                break
            m = inner[s, slot]
            if slot < criteria:
                w = weighted[s, slot, 0]
                if m == 0:
                    for d in range(nb):
                        impact[d] += w
                    continue
                if m == 1:  # the common case, in one sweep
                    cut = np.uint64(cuts[s, slot, 0])
                    w1 = weighted[s, slot, 1]
                    if half == 0:
                        for d in range(nb):
                            impact[d] += w1 if (bits[d] >> _U32) >= cut else w
                    else:
                        for d in range(nb):
                            impact[d] += w1 if (bits[d] & _LOW) >= cut else w
                    continue
                # Blend in the weighted class value of each cut point passed: the cut
                # points ascend, so the last one passed decides.
                for d in range(nb):
                    value[d] = w
                for j in range(m):
                    cut = np.uint64(cuts[s, slot, j])
                    w = weighted[s, slot, j + 1]
                    if half == 0:
                        for d in range(nb):
                            value[d] = w if (bits[d] >> _U32) >= cut else value[d]
                    else:
                        for d in range(nb):
                            value[d] = w if (bits[d] & _LOW) >= cut else value[d]
                for d in range(nb):
                    impact[d] += value[d]
            else:
                for d in range(nb):
                    lik[d] = 0
                for j in range(m):
                    cut = np.uint64(cuts[s, slot, j])
                    if half == 0:
                        for d in range(nb):
                            lik[d] += (bits[d] >> _U32) >= cut
                    else:
                        for d in range(nb):
                            lik[d] += (bits[d] & _LOW) >= cut


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
    added to the rank sums and top-5/top-10 counts of group ``g``."""
    n = sorted_keys.shape[0]
    start = 0
    for p in range(n):
        j = n - 1 - p
        if p > 0 and sorted_keys[j] != sorted_keys[j + 1]:
            start = p
        s = positions[j]
        rank = start + 1
        rank_sum[g, s] += rank
        if rank <= 10:
            top10[g, s] += 1
            if rank <= 5:
                top5[g, s] += 1


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
    histogram: Any,
) -> None:
    """First pass over draws ``draw_start … draw_start+draws−1``: likelihood class
    counts, rank sums, top-5/top-10 counts and a histogram of each scenario's impact on
    ``[floor, ceiling]``, each accumulated (``+=``) into row ``g`` of its array by
    worker group ``g`` (integer sums, so the grouping does not change the totals)."""
    n_scen = cuts.shape[0]
    lik_slot = cuts.shape[1] - 1
    groups = histogram.shape[0]
    bins = histogram.shape[2]
    blocks = (draws + BLOCK - 1) // BLOCK
    per_group = (blocks + groups - 1) // groups
    for g in prange(groups):
        bits = np.empty(BLOCK, np.uint64)
        value = np.empty(BLOCK, np.float64)
        impact = np.empty(BLOCK, np.float64)
        lik = np.empty(BLOCK, np.int64)
        risk = np.empty((BLOCK, n_scen), np.float32)
        keys = risk.view(np.uint32)
        index = np.empty(n_scen, np.int64)
        spare_keys = np.empty(n_scen, np.uint32)
        spare_index = np.empty(n_scen, np.int64)
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
                    bits,
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
                for d in range(nb):
                    histogram[g, s, _bin(impact[d], floor[s], inverse_width[s], bins)] += 1
                    risk[d, s] = np.float32(impact[d] * lik_scale[s, lik[d]]) + np.float32(0.0)
            for d in range(nb):
                sorted_keys, positions = _sort_keys(keys[d], index, spare_keys, spare_index, counts)
                _tally_ranks(sorted_keys, positions, g, rank_sum, top5, top10)


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
        bits = np.empty(BLOCK, np.uint64)
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
                bits,
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
def sort_segments(values: Any, start: Any, length: Any) -> None:
    """Sort ``values[start[i] : start[i] + length[i]]`` in place for every ``i``."""
    for i in prange(start.shape[0]):
        a = start[i]
        values[a : a + length[i]].sort()
