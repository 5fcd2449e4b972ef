"""The compiled engine: drives the Numba kernels of :mod:`weerbaar.simulation.kernel`.

Numba is imported on the first call only (``import numba`` alone takes a few tenths of
a second, and the CLI must start fast). The kernels are compiled with ``cache=True``:
the first run on a machine compiles them (tens of seconds) and writes the machine code
to the folder :func:`~weerbaar.compute.numba_cache.configure_numba_cache` chooses;
later processes load it (well under a second).

Percentiles of the aggregated impact are exact without keeping every draw. A pilot
histogram of the first :data:`PILOT_DRAWS` draws places, per percentile, a window of
bins that holds its order statistics with high probability
(:mod:`weerbaar.simulation.windows`); the main pass counts each scenario's impacts
below and in its windows and keeps those in them, and the order statistics are then
selected from the kept impacts. A scenario whose window missed (or whose run is too
short for a pilot) takes two passes instead: the first counts its impacts in a
histogram of :data:`BINS` bins on its possible range, so the bins that hold the needed
order statistics are known, and a second pass recomputes its impacts (the
counter-based uniforms make that free of storage) and keeps only those in these bins.
Either way the order statistics are exact, so the result never depends on which path
a scenario took. Memory: ``threads · S · BINS`` counters, at most :data:`KEEP_VALUES`
impacts kept in windows (about a tenth of the draws of each scenario), and the second
pass's kept values (about ``6 · N / BINS`` per scenario for a smooth distribution) in
scenario batches of at most :data:`KEEP_VALUES` values.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from weerbaar.compute.numba_cache import configure_numba_cache
from weerbaar.simulation.model import F64
from weerbaar.simulation.ranking import OrderStatistics
from weerbaar.simulation.sampling import Prepared
from weerbaar.simulation.windows import (
    HISTOGRAM,
    SETTLED,
    WINDOWED,
    Windows,
    plan_windows,
    requests,
)

__all__ = [
    "BINS",
    "KEEP_VALUES",
    "KERNELS",
    "PILOT_DRAWS",
    "Tallies",
    "kernel_info",
    "load_kernel",
    "run_compiled",
]

I64 = NDArray[np.int64]

BINS = 1024
"""Histogram bins per scenario used to locate the order statistics."""
KEEP_VALUES = 1 << 24
"""At most this many kept impacts (128 MiB of float64) in the windows of the first
pass, and again per second-pass batch."""
PILOT_DRAWS = 8192
"""Draws of the pilot that places the windows (:mod:`weerbaar.simulation.windows`);
runs of fewer than twice as many draws count every scenario in a histogram."""
KERNELS = ("pass_rank", "pass_histogram", "pass_impact", "select_ranks", "sort_segments")
"""The compiled kernels, by name."""

_state: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Tallies:
    """What an engine counted; :func:`weerbaar.simulation.uncertainty.propagate` turns
    it into an :class:`~weerbaar.simulation.model.UncertaintyResult`."""

    lik_counts: I64  # (S, L) draws per likelihood class
    rank_sum: I64  # (S,)
    top5: I64  # (S,) draws ranked ≤ 5
    top10: I64  # (S,)
    impact_stats: F64  # (S, len(plan.needed)) order statistics of the aggregated impact


def load_kernel() -> ModuleType:
    """Import Numba and the kernels (once per process)."""
    module = _state.get("kernel")
    if module is None:
        _state["cache_dir"] = configure_numba_cache(Path(__file__).resolve().parent)
        started = time.perf_counter()
        module = importlib.import_module("weerbaar.simulation.kernel")
        _state["import_seconds"] = time.perf_counter() - started
        _state["kernel"] = module
    return module


def kernel_info() -> dict[str, Any]:
    """Numba's thread count, cache folder, import time and per-kernel cache hits/misses."""
    kernel = load_kernel()
    import numba

    info: dict[str, Any] = {
        "threads": int(numba.get_num_threads()),
        "threading_layer": _threading_layer(numba),
        "cache_dir": _state["cache_dir"],
        "import_seconds": _state["import_seconds"],
    }
    for name in KERNELS:
        stats = getattr(kernel, name).stats
        info[name] = {
            "cache_hits": sum(stats.cache_hits.values()),
            "cache_misses": sum(stats.cache_misses.values()),
        }
    return info


def _threading_layer(numba: Any) -> str:
    try:
        return str(numba.threading_layer())
    except ValueError:  # no parallel region has run yet
        return "not started"


def _targets(
    histogram: I64, done: NDArray[np.bool_], plan: OrderStatistics
) -> tuple[I64, I64, I64, I64]:
    """Per scenario: the distinct bins holding the needed order statistics (``-1`` pads),
    each order statistic's bin slot and rank within its bin, and each bin's count;
    nothing for the scenarios ``done``."""
    s = histogram.shape[0]
    cumulative = np.cumsum(histogram, axis=1)
    k = plan.needed
    bin_of = (cumulative[:, None, :] <= k[None, :, None]).sum(axis=2)  # (S, K)
    # The rows of scenarios done are not counted (all zero): keep their indices valid.
    bin_of = np.minimum(bin_of, histogram.shape[1] - 1)
    rows = np.arange(s)[:, None]
    below = np.where(bin_of > 0, cumulative[rows, np.maximum(bin_of - 1, 0)], 0)
    rank_in_bin = k[None, :] - below
    new = np.ones(bin_of.shape, dtype=bool)
    new[:, 1:] = bin_of[:, 1:] != bin_of[:, :-1]
    slot = np.cumsum(new, axis=1) - 1
    targets = np.full(bin_of.shape, -1, dtype=np.int64)
    targets[np.broadcast_to(rows, slot.shape), slot] = bin_of
    lengths = np.where(targets >= 0, histogram[rows, np.maximum(targets, 0)], 0)
    targets[done] = -1
    lengths[done] = 0
    return targets, slot, rank_in_bin, lengths


def _batches(lengths: I64) -> list[I64]:
    """Scenarios with kept values, grouped so each group keeps ≤ KEEP_VALUES values (a
    scenario keeps at most N values, so a single one may exceed it)."""
    per_scenario = lengths.sum(axis=1)
    todo = np.flatnonzero(per_scenario)
    groups: list[I64] = []
    current: list[int] = []
    size = 0
    for s in todo:
        n = int(per_scenario[s])
        if current and size + n > KEEP_VALUES:
            groups.append(np.asarray(current, dtype=np.int64))
            current, size = [], 0
        current.append(int(s))
        size += n
    if current:
        groups.append(np.asarray(current, dtype=np.int64))
    return groups


def _chunks(draws: int, chunk: int) -> list[tuple[int, int]]:
    return [(start, min(chunk, draws - start)) for start in range(0, draws, chunk)]


def run_compiled(
    prep: Prepared,
    key: int,
    draws: int,
    chunk: int,
    plan: OrderStatistics,
    *,
    windowed: bool = True,
) -> Tallies:
    """The compiled engine over ``draws`` draws, ``chunk`` per kernel call; with
    ``windowed`` false every scenario takes the two passes (the same result, slower:
    a baseline for ``weerbaar bench assess``).

    A pilot's windows split each worker group's share of a call's draws: with a
    ``chunk`` smaller than ``threads · BLOCK`` one group takes every draw of a call,
    its windows overflow and their scenarios take the two passes."""
    kernel = load_kernel()
    import numba

    s = prep.scenarios
    groups = int(numba.get_num_threads())
    width = prep.ceiling - prep.floor
    inverse_width = np.divide(BINS, width, out=np.zeros_like(width), where=width > 0)
    ukey = np.uint64(key)
    scores = (ukey, prep.cuts, prep.inner, prep.weighted)
    mode = np.where(prep.ceiling == prep.floor, SETTLED, HISTOGRAM).astype(np.int64)
    windows = Windows.none(mode, len(plan.below), groups)
    if windowed and draws >= 2 * PILOT_DRAWS:
        pilot = np.zeros((s, BINS), dtype=np.int64)
        todo = np.flatnonzero(mode == HISTOGRAM)
        kernel.pass_histogram(*scores, prep.floor, inverse_width, todo, 0, PILOT_DRAWS, pilot)
        windows = plan_windows(pilot, PILOT_DRAWS, draws, plan, mode, groups, KEEP_VALUES)
    lik_counts = np.zeros((groups, s, prep.lik_classes), dtype=np.int64)
    rank_sum = np.zeros((groups, s), dtype=np.int64)
    top5 = np.zeros((groups, s), dtype=np.int64)
    top10 = np.zeros((groups, s), dtype=np.int64)
    histogram = np.zeros((groups, s, BINS), dtype=np.int32)
    below = np.zeros_like(windows.start)
    inside = np.zeros_like(windows.start)
    kept = np.empty(windows.size, dtype=np.float64)
    for start, n in _chunks(draws, chunk):
        kernel.pass_rank(
            *scores, prep.lik_scale, prep.lik_index, prep.floor, inverse_width, start, n,
            lik_counts, rank_sum, top5, top10, windows.mode, histogram, windows.low,
            windows.high, windows.start, windows.room, below, inside, kept,
        )  # fmt: skip
    counts = histogram.sum(axis=0, dtype=np.int64)
    del histogram

    stats = np.repeat(prep.floor[:, None], len(plan.needed), axis=1)
    asked = requests(windows, below, inside, plan)
    if len(asked.rank):
        found = np.empty(len(asked.rank), dtype=np.float64)
        kernel.select_ranks(
            kept, windows.start, inside, asked.scenario, asked.window, asked.first,
            asked.rank, found,
        )  # fmt: skip
        stats[asked.asked_of(), asked.stat] = found
    del kept
    missed = np.flatnonzero((windows.mode == WINDOWED) & ~asked.settled)
    if len(missed):
        for start, n in _chunks(draws, chunk):
            kernel.pass_histogram(*scores, prep.floor, inverse_width, missed, start, n, counts)
    done = (windows.mode == SETTLED) | asked.settled
    if done.all():  # nothing left for the second pass
        targets = slot = rank_in_bin = lengths = np.zeros((s, len(plan.needed)), np.int64)
    else:
        targets, slot, rank_in_bin, lengths = _targets(counts, done, plan)

    for batch in _batches(lengths):
        sizes = lengths[batch].ravel()
        starts = np.zeros_like(lengths)
        starts[batch] = (np.cumsum(sizes) - sizes).reshape(len(batch), -1)
        values = np.empty(int(sizes.sum()), dtype=np.float64)
        filled = np.zeros_like(lengths)
        for start, n in _chunks(draws, chunk):
            kernel.pass_impact(
                *scores, prep.floor, inverse_width, BINS, batch, start, n, targets, starts,
                filled, values,
            )  # fmt: skip
        if not np.array_equal(filled[batch], lengths[batch]):  # pragma: no cover - a bug
            raise AssertionError("second pass disagrees with the histogram of the first")
        kernel.sort_segments(values, starts[batch].ravel(), sizes)
        rows = batch[:, None]
        picked = starts[rows, slot[batch]] + rank_in_bin[batch]
        stats[batch] = values[picked]
    return Tallies(
        lik_counts=lik_counts.sum(axis=0),
        rank_sum=rank_sum.sum(axis=0),
        top5=top5.sum(axis=0),
        top10=top10.sum(axis=0),
        impact_stats=stats,
    )
