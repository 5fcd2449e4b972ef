"""The Python face of the cascade engine: one run, a Monte Carlo ensemble, and the
criticality ranking of every process as a single source.

Numba is imported on the first call only (the CLI must start fast), with its cache
folder chosen by :func:`weerbaar.compute.numba_cache.configure_numba_cache`.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
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

PERCENTILES = (5.0, 50.0, 95.0)
_ROOM = 64  # queue places beyond one per process; the kernel grows them when short

_state: dict[str, Any] = {}


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


def ensemble(
    network: Network,
    disruption: Disruption,
    *,
    members: int = 100,
    seed: int | None = None,
    keep_times: bool = False,
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
    kernel = load_kernel()
    slices = min(members, SLICES)
    affected = np.zeros(members, dtype=np.int64)
    people_hours = np.zeros(members)
    cost = np.zeros(members)
    end = np.zeros(members)
    longest = np.zeros(members)
    failed = np.zeros((slices, n), dtype=np.int32)
    downtime = np.zeros((slices, n))
    shape = (members, n) if keep_times else (0, 0)
    kept_f = np.full(shape, np.inf, dtype=np.float32)
    kept_e = np.full(shape, np.inf, dtype=np.float32)
    workers = min(slices, thread_count())
    kernel.ensemble_members(
        *_arrays(network), disruption.sources, disruption.start, disruption.duration,
        network.people, network.cost_per_hour, np.uint64(counter_key(used)), members,
        _scale(kernel, network), kernel.workspaces(workers, n, n + _ROOM), affected,
        people_hours, cost, end, longest, failed, downtime, keep_times, kept_f, kept_e,
    )  # fmt: skip
    total_down = downtime[0].copy()
    for row in downtime[1:]:
        total_down += row
    return Ensemble(
        seed=used,
        members=members,
        affected=affected,
        taken_down=affected - len(np.unique(disruption.sources)),
        people_hours=people_hours,
        cost=cost,
        end=end,
        longest=longest,
        fail_probability=failed.sum(axis=0, dtype=np.int64) / members,
        mean_downtime=total_down / members,
        f=kept_f if keep_times else None,
        e=kept_e if keep_times else None,
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


def criticality(
    network: Network,
    *,
    hours: float = 24.0,
    min_strength: float = 0.5,
    threads: int | None = None,
) -> Criticality:
    """Rank every process by what its own outage of ``hours`` does (deterministic runs).

    A process none of whose transmitting out-edges has a buffer below ``hours`` takes
    nothing down: its figures are its own outage, filled in without a simulation. The
    others run in a parallel compiled loop, each from a workspace reset only where the
    previous source reached.
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
    if len(todo):
        kernel = load_kernel()
        td = np.zeros(len(todo), dtype=np.int64)
        ph = np.zeros(len(todo))
        co = np.zeros(len(todo))
        with _threads(threads) as count:
            slices = max(1, min(len(todo), 4 * count))
            kernel.criticality_sources(
                *_arrays(network), network.people, network.cost_per_hour, todo, duration,
                threshold, _scale(kernel, network, wide=False), kernel.workspaces(slices, n, _ROOM),
                td, ph, co,
            )  # fmt: skip
        taken_down[todo] = td
        people_hours[todo] = ph
        cost[todo] = co
    return Criticality(
        hours=duration,
        min_strength=threshold,
        taken_down=taken_down,
        people_hours=people_hours,
        cost=cost,
        simulated=len(todo),
    )
