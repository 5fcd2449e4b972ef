"""The Python face of the cascade engine: one run, a Monte Carlo ensemble, and the
criticality ranking of every process as a single source.

The ensemble and the ranking also run as pieces on any
:class:`concurrent.futures.Executor` (a Dask client's, for one): the members of
whole slices, the sources of a stride of the ranking. Put back together they equal
the local result to the last bit, since every member's draws depend on the seed and
its index only and every slice keeps its own tallies.

Numba is imported on the first call only (the CLI must start fast), with its cache
folder chosen by :func:`weerbaar.compute.numba_cache.configure_numba_cache`.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from weerbaar.cascade.network import Disruption, Network
from weerbaar.compute.checks import check_positive
from weerbaar.compute.numba_cache import configure_numba_cache
from weerbaar.compute.rng import counter_key, resolve_seed
from weerbaar.errors import Issue, ValidationError

__all__ = [
    "MAX_KEPT_CELLS",
    "PIECES",
    "SLICES",
    "CascadeRun",
    "Criticality",
    "Ensemble",
    "criticality",
    "ensemble",
    "kernel_seconds",
    "load_kernel",
    "run",
    "thread_count",
]

F64 = NDArray[np.float64]
F32 = NDArray[np.float32]
I64 = NDArray[np.int64]
I32 = NDArray[np.int32]

MAX_KEPT_CELLS = 200_000_000
"""``keep_times`` refuses ensembles with more members × nodes than this (two float32
arrays of that many cells: 1.6 GB)."""
SLICES = 16
"""Ensemble members are dealt round-robin to at most this many slices, each with its
own per-node tallies; fixed so that the sums do not depend on the thread count."""
PIECES = 4
"""On an executor an ensemble is split into this many pieces of whole slices, and the
ranking's sources are dealt round-robin to as many (fewer when there are fewer). Each
piece carries the whole network and runs on all of its worker's threads: with 16
pieces, shipping a network of 10⁶ edges sixteen times took longer than the ranking."""

PERCENTILES = (5.0, 50.0, 95.0)
_ROOM = 64  # queue places beyond one per process; the kernel grows them when short

_state: dict[str, Any] = {}
# Numba's default threading layer (workqueue) aborts the process when two threads
# start parallel kernels at once, as a Dask worker with several threads would with
# two pieces: a worker runs one piece at a time, on all of its Numba threads.
_launch = threading.Lock()


@contextlib.contextmanager
def _shipping() -> Iterator[None]:
    """The block submitting pieces, without Dask's warning about each large argument:
    the network travels with every piece on purpose, as any executor takes it so."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        yield


def load_kernel() -> ModuleType:
    """Import Numba and the cascade kernels (once per process)."""
    module = _state.get("kernel")
    if module is None:
        configure_numba_cache(Path(__file__).resolve().parent)
        started = time.perf_counter()
        module = importlib.import_module("weerbaar.cascade.kernel")
        _state["import_seconds"] = time.perf_counter() - started
        _state["kernel"] = module
    return module


def kernel_seconds() -> float:
    """Seconds the first :func:`load_kernel` took (Numba import, not compilation)."""
    load_kernel()
    return float(_state["import_seconds"])


def _arrays(network: Network) -> tuple[Any, ...]:
    return (
        network.indptr,
        network.dependent,
        network.lag_low,
        network.lag_high,
        network.buffer_low,
        network.buffer_high,
        network.strength,
        network.restart_low,
        network.restart_high,
    )


def _scale(kernel: ModuleType, network: Network, *, wide: bool = True) -> float:
    """Buckets per hour of the kernel's queue (see :mod:`.kernel`), for runs that may
    reach much of the network (``wide``) or only a few processes each."""
    buckets = kernel.buckets_per_edge(network.n) if wide else kernel.FEW_BUCKETS
    return float(kernel.bucket_scale(network.lag_high, network.buffer_high, buckets))


def _check_strength(min_strength: float) -> float:
    value = float(min_strength)
    if not 0.0 < value <= 1.0:
        raise ValidationError(
            [Issue(place="min_strength", field="", reason=f"must be in (0, 1], not {value!r}")]
        )
    return value


@dataclass(frozen=True, eq=False)
class CascadeRun:
    """One deterministic run. ``f[v]``/``e[v]``: the hours process ``v`` goes down and
    comes back (both ``+inf`` if it never goes down); ``cause[v]``: the supplier whose
    edge set ``f[v]`` (−1 for a disrupted source and for untouched processes)."""

    f: F64
    e: F64
    cause: I32
    affected_count: int
    taken_down: int  # affected processes that were not disrupted themselves
    people_hours: float
    cost: float
    end: float  # hour the last process is back (−inf if nothing was affected)
    longest: float  # longest single outage in hours

    def affected(self) -> I64:
        """The affected processes in order of failure (ties by index)."""
        hit = np.flatnonzero(np.isfinite(self.f))
        return hit[np.lexsort((hit, self.f[hit]))]

    def downtime(self) -> F64:
        """Hours down per process (0 where not affected)."""
        return np.where(np.isfinite(self.f), self.e - self.f, 0.0)


def run(network: Network, disruption: Disruption, *, min_strength: float = 0.5) -> CascadeRun:
    """The deterministic cascade of ``disruption``: midpoints of every range, and an edge
    transmits when its strength is at least ``min_strength``."""
    disruption.check(network.n)
    threshold = _check_strength(min_strength)
    kernel = load_kernel()
    n = network.n
    f = np.full(n, np.inf)
    e = np.full(n, np.inf)
    workspace = tuple(part[0] for part in kernel.workspaces(1, n, n + _ROOM))
    count = kernel.single_run(
        *_arrays(network), disruption.sources, disruption.start, disruption.duration,
        threshold, _scale(kernel, network), f, e, workspace,
    )  # fmt: skip
    # Hours down, people and cost of the affected processes in process order, so the
    # dot products below add them up in one order, whatever order the run took.
    down = np.empty(count)
    served = np.empty(count)
    paid = np.empty(count)
    _, end, longest = kernel.summary(
        f, e, network.people, network.cost_per_hour, down, served, paid
    )
    return CascadeRun(
        f=f,
        e=e,
        cause=workspace[1],
        affected_count=int(count),
        taken_down=int(count) - len(np.unique(disruption.sources)),
        people_hours=float(served @ down),
        cost=float(paid @ down),
        end=float(end),
        longest=float(longest),
    )


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Monte Carlo members of one disruption: per member summaries, per node tallies."""

    seed: int
    members: int
    affected: I64  # (members,)
    taken_down: I64
    people_hours: F64
    cost: F64
    end: F64
    longest: F64
    fail_probability: F64  # (n,) share of members in which the process went down
    mean_downtime: F64  # (n,) hours down averaged over all members (0 when not down)
    f: F32 | None = None  # (members, n) with keep_times
    e: F32 | None = None

    _SUMMARIES = ("affected", "taken_down", "people_hours", "cost", "end", "longest")

    def percentiles(self, name: str, q: tuple[float, ...] = PERCENTILES) -> F64:
        """Percentiles (default P5, P50, P95) over the members of one summary."""
        if name not in self._SUMMARIES:
            raise ValidationError(
                [Issue(place="summary", field="", reason=f"one of {self._SUMMARIES}, not {name!r}")]
            )
        values = np.asarray(getattr(self, name), dtype=np.float64)
        return np.percentile(values, q)

    def summary(self) -> dict[str, F64]:
        """P5, P50 and P95 of every per-member summary."""
        return {name: self.percentiles(name) for name in self._SUMMARIES}


@dataclass(frozen=True, eq=False)
class _Members:
    """What the members of some slices give, in the places of
    ``kernel.ensemble_members``; ``failed`` and ``downtime`` have a row per slice."""

    affected: I64
    people_hours: F64
    cost: F64
    end: F64
    longest: F64
    failed: I32
    downtime: F64
    f: F32
    e: F32


def _run_slices(
    network: Network,
    disruption: Disruption,
    key: int,
    members: int,
    first: int,
    rows: int,
    slices: int,
    keep_times: bool,
) -> _Members:
    """The members of slices ``first … first + rows − 1`` of ``slices``."""
    kernel = load_kernel()
    n = network.n
    count = sum(len(range(first + c, members, slices)) for c in range(rows))
    affected = np.zeros(count, dtype=np.int64)
    people_hours = np.zeros(count)
    cost = np.zeros(count)
    end = np.zeros(count)
    longest = np.zeros(count)
    failed = np.zeros((rows, n), dtype=np.int32)
    downtime = np.zeros((rows, n))
    shape = (count, n) if keep_times else (0, 0)
    kept_f = np.full(shape, np.inf, dtype=np.float32)
    kept_e = np.full(shape, np.inf, dtype=np.float32)
    workers = min(rows, thread_count())
    kernel.ensemble_members(
        *_arrays(network), disruption.sources, disruption.start, disruption.duration,
        network.people, network.cost_per_hour, np.uint64(key), members, first, slices,
        _scale(kernel, network), kernel.workspaces(workers, n, n + _ROOM), affected,
        people_hours, cost, end, longest, failed, downtime, keep_times, kept_f, kept_e,
    )  # fmt: skip
    return _Members(affected, people_hours, cost, end, longest, failed, downtime, kept_f, kept_e)


def _slices_piece(
    network: Network,
    disruption: Disruption,
    key: int,
    members: int,
    first: int,
    rows: int,
    slices: int,
    keep_times: bool,
) -> _Members:
    """:func:`_run_slices` as a piece on an executor's worker."""
    with _launch:
        return _run_slices(network, disruption, key, members, first, rows, slices, keep_times)


def _together(parts: list[_Members], members: int, slices: int, keep_times: bool) -> _Members:
    """The pieces of consecutive slices as if one call had run all of them: every
    member back in its own place, the slices' tallies in slice order."""
    if len(parts) == 1:
        return parts[0]
    places = []
    first = 0
    for part in parts:
        rows = part.failed.shape[0]
        k = np.arange(len(part.affected))
        places.append(first + k % rows + k // rows * slices)
        first += rows
    where = np.concatenate(places)

    def put(name: str) -> Any:
        values = np.concatenate([getattr(part, name) for part in parts])
        whole = np.empty_like(values)
        whole[where] = values
        return whole

    shape = (members, parts[0].failed.shape[1]) if keep_times else (0, 0)
    kept_f = np.empty(shape, dtype=np.float32)
    kept_e = np.empty(shape, dtype=np.float32)
    if keep_times:
        for place, part in zip(places, parts, strict=True):
            kept_f[place] = part.f
            kept_e[place] = part.e
    return _Members(
        affected=put("affected"),
        people_hours=put("people_hours"),
        cost=put("cost"),
        end=put("end"),
        longest=put("longest"),
        failed=np.concatenate([part.failed for part in parts]),
        downtime=np.concatenate([part.downtime for part in parts]),
        f=kept_f,
        e=kept_e,
    )


def ensemble(
    network: Network,
    disruption: Disruption,
    *,
    members: int = 100,
    seed: int | None = None,
    keep_times: bool = False,
    executor: Executor | None = None,
) -> Ensemble:
    """Monte Carlo members: every range drawn uniformly, every edge transmitting with
    probability equal to its strength.

    Parameters
    ----------
    members
        Number of members; member ``r`` depends only on ``seed`` and ``r``.
    seed
        ``None`` draws a fresh one; the one used is reported, and repeats the run.
    keep_times
        Also keep every member's fail and end hours as float32 ``(members, n)`` arrays
        (refused above :data:`MAX_KEPT_CELLS` cells).
    executor
        Run the members as :data:`PIECES` pieces there instead of on this machine's
        threads; the result is the same to the last bit.
    """
    disruption.check(network.n)
    members = check_positive("members", members)
    used = resolve_seed(seed)
    n = network.n
    if keep_times and members * n > MAX_KEPT_CELLS:
        raise ValidationError(
            [
                Issue(
                    place="keep_times",
                    field="",
                    reason=f"{members:,} members × {n:,} processes is above {MAX_KEPT_CELLS:,} "
                    "cells; run without keep_times or with fewer members",
                )
            ]
        )
    slices = min(members, SLICES)
    key = counter_key(used)
    if executor is None:
        parts = [_run_slices(network, disruption, key, members, 0, slices, slices, keep_times)]
    else:
        bounds = np.linspace(0, slices, min(slices, PIECES) + 1).astype(int).tolist()
        with _shipping():
            futures = [
                executor.submit(
                    _slices_piece, network, disruption, key, members, a, b - a, slices, keep_times
                )
                for a, b in pairwise(bounds)
            ]
        parts = [future.result() for future in futures]
    whole = _together(parts, members, slices, keep_times)
    total_down = whole.downtime[0].copy()
    for row in whole.downtime[1:]:
        total_down += row
    return Ensemble(
        seed=used,
        members=members,
        affected=whole.affected,
        taken_down=whole.affected - len(np.unique(disruption.sources)),
        people_hours=whole.people_hours,
        cost=whole.cost,
        end=whole.end,
        longest=whole.longest,
        fail_probability=whole.failed.sum(axis=0, dtype=np.int64) / members,
        mean_downtime=total_down / members,
        f=whole.f if keep_times else None,
        e=whole.e if keep_times else None,
    )


Measure = Literal["people_hours", "taken_down", "cost"]


@dataclass(frozen=True, eq=False)
class Criticality:
    """Every process as the single disrupted source for ``hours`` from hour 0."""

    hours: float
    min_strength: float
    taken_down: I64  # (n,)
    people_hours: F64  # (n,) its own outage included
    cost: F64  # (n,)
    simulated: int  # sources that needed a simulation; the rest cannot take anything down

    def order(self, by: Measure = "people_hours") -> I64:
        """Process indices ranked by ``by``, highest first (ties: lower index first)."""
        if by not in ("people_hours", "taken_down", "cost"):
            raise ValidationError(
                [
                    Issue(
                        place="by", field="", reason=f"people_hours, taken_down or cost, not {by!r}"
                    )
                ]
            )
        values = np.asarray(getattr(self, by), dtype=np.float64)
        return np.lexsort((np.arange(len(values)), -values)).astype(np.int64)


def thread_count() -> int:
    """Threads Numba runs a parallel loop on now (ensemble members share them)."""
    import numba

    return int(numba.get_num_threads())


@contextlib.contextmanager
def _threads(threads: int | None) -> Iterator[int]:
    """Numba's thread count set to ``threads`` (all when None) for the block."""
    import numba

    before = int(numba.get_num_threads())
    if threads is None:
        yield before
        return
    wanted = min(check_positive("threads", threads), int(numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined,unused-ignore]
    numba.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        numba.set_num_threads(before)


def _rank_sources(
    network: Network, todo: I64, duration: float, threshold: float, threads: int | None
) -> tuple[I64, F64, F64]:
    """Taken down, people-hours and cost of every source in ``todo`` alone down."""
    kernel = load_kernel()
    n = network.n
    taken_down = np.zeros(len(todo), dtype=np.int64)
    people_hours = np.zeros(len(todo))
    cost = np.zeros(len(todo))
    with _threads(threads) as count:
        slices = max(1, min(len(todo), 4 * count))
        kernel.criticality_sources(
            *_arrays(network), network.people, network.cost_per_hour, todo, duration,
            threshold, _scale(kernel, network, wide=False), kernel.workspaces(slices, n, _ROOM),
            taken_down, people_hours, cost,
        )  # fmt: skip
    return taken_down, people_hours, cost


def _sources_piece(
    network: Network, todo: I64, duration: float, threshold: float
) -> tuple[I64, F64, F64]:
    """:func:`_rank_sources` as a piece on an executor's worker, on its threads."""
    with _launch:
        return _rank_sources(network, todo, duration, threshold, None)


def criticality(
    network: Network,
    *,
    hours: float = 24.0,
    min_strength: float = 0.5,
    threads: int | None = None,
    executor: Executor | None = None,
) -> Criticality:
    """Rank every process by what its own outage of ``hours`` does (deterministic runs).

    A process none of whose transmitting out-edges has a buffer below ``hours`` takes
    nothing down: its figures are its own outage, filled in without a simulation. The
    others run in a parallel compiled loop, each from a workspace reset only where the
    previous source reached: on ``threads`` of this machine, or as
    :data:`PIECES` pieces on ``executor`` (the same figures to the last bit,
    as every source's run is its own).
    """
    duration = float(hours)
    if not (np.isfinite(duration) and duration >= 0):
        raise ValidationError(
            [Issue(place="hours", field="", reason=f"must be a finite number ≥ 0, not {hours!r}")]
        )
    threshold = _check_strength(min_strength)
    n = network.n
    buffer = (network.buffer_low + network.buffer_high) * 0.5
    reaching = (network.strength >= threshold) & (buffer < duration)
    can_spread = np.zeros(n, dtype=bool)
    can_spread[network.supplier[reaching]] = True
    todo = np.flatnonzero(can_spread)
    taken_down = np.zeros(n, dtype=np.int64)
    people_hours = network.people * duration
    cost = network.cost_per_hour * duration
    found: list[tuple[I64, tuple[I64, F64, F64]]] = []
    if len(todo) and executor is None:
        found = [(todo, _rank_sources(network, todo, duration, threshold, threads))]
    elif len(todo) and executor is not None:
        pieces = min(len(todo), PIECES)
        parts = [todo[p::pieces] for p in range(pieces)]
        with _shipping():
            futures = [
                executor.submit(_sources_piece, network, part, duration, threshold)
                for part in parts
            ]
        found = [(part, future.result()) for part, future in zip(parts, futures, strict=True)]
    for part, (td, ph, co) in found:
        taken_down[part] = td
        people_hours[part] = ph
        cost[part] = co
    return Criticality(
        hours=duration,
        min_strength=threshold,
        taken_down=taken_down,
        people_hours=people_hours,
        cost=cost,
        simulated=len(todo),
    )
