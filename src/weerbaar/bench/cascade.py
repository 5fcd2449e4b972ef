"""``weerbaar bench cascade``: the cascade engine's figures against two baselines.

(a) the floor: ``scipy.sparse.csgraph.breadth_first_order`` on the same CSR arrays
from the same sources (through a virtual super-source with an edge to each), the least
any traversal of the reached part must cost; (b) the event-driven networkx reference
(:mod:`weerbaar.cascade.oracle`), graph building included on both sides. When the
reference would take over a minute at full size it runs on a smaller graph of the same
density from the same generator, and ours runs on that same graph for the ratio.

Each figure is printed with its baseline from the same run, the ratio and MET or
MISSED against its target: one run at most 3× the floor; 100 ensemble members in
under 10 s, beside a baseline of one floor per member on as many threads as the
members ran on (so the ratio shows what a member costs beyond a plain traversal).

With an executor (``--dask``) the ensemble and the ranking run as pieces on its
workers, and their figures say so; the rest stays on this machine.

Peak memory is the resident-set high-water mark of the full-size part (generation,
CSR build, run, floor, ensemble, ranking), measured by :mod:`.memory`.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped,unused-ignore]
from scipy.sparse import csgraph  # type: ignore[import-untyped,unused-ignore]

from weerbaar.bench.memory import peak_rss, reset_peak
from weerbaar.cascade.engine import (
    SLICES,
    criticality,
    ensemble,
    kernel_seconds,
    load_kernel,
    run,
    thread_count,
)
from weerbaar.cascade.network import Disruption, Network
from weerbaar.cascade.oracle import oracle_run, to_networkx
from weerbaar.cascade.synthetic import synthetic_network

__all__ = ["HUB_SOURCES", "REFERENCE_BUDGET", "REPEATS", "CascadeBench", "bench_cascade"]

HUB_SOURCES = 10
"""The disruption hits the processes with the most dependents, this many."""
REFERENCE_BUDGET = 60.0
"""Seconds the networkx reference may take before it runs on a smaller graph."""
REPEATS = 3
"""The one run and the BFS floor are each timed this many times; the best counts."""
_PROBE = 20_000  # nodes of the graph that predicts the reference's time
_TARGET_RUN_FLOOR = 3.0
_TARGET_SPEEDUP = 30.0
_TARGET_ENSEMBLE = 10.0
ENSEMBLE_TARGET_MEMBERS = 100
_TARGET_PEAK = 4 * 2**30


@dataclass
class CascadeBench:
    """Figures of one :func:`bench_cascade` (seconds, bytes)."""

    nodes: int
    edges: int
    members: int
    hours: float
    rank_hours: float
    seed: int
    generate_seconds: float = 0.0
    build_seconds: float = 0.0
    numba_seconds: float = 0.0
    compile_seconds: float = 0.0
    run_seconds: float = 0.0
    reached: int = 0
    floor_seconds: float = 0.0
    floor_reached: int = 0
    reference_nodes: int = 0
    reference_edges: int = 0
    reference_build_seconds: float = 0.0
    reference_seconds: float = 0.0
    ours_small_seconds: float = 0.0
    reference_predicted: float = 0.0
    ensemble_seconds: float = 0.0
    threads: int = 1
    ensemble_p50_affected: float = 0.0
    rank_seconds: float = 0.0
    simulated: int = 0
    peak_bytes: int = 0
    peak_source: str = ""
    grid: dict[str, float] = field(default_factory=dict)
    grid_name: str = ""
    scheduler: str = ""  # the Dask scheduler the ensemble and the ranking ran on

    def format(self) -> str:
        """The report as lines of text."""

        def verdict(ok: bool) -> str:
            return "MET" if ok else "MISSED"

        ratio_floor = self.run_seconds / self.floor_seconds
        # The target is for 100 members; members run independently, so time scales.
        per_target = self.ensemble_seconds * ENSEMBLE_TARGET_MEMBERS / max(self.members, 1)
        # The ensemble's baseline: one BFS floor per member, on as many threads.
        ensemble_floor = self.floor_seconds * self.members / max(self.threads, 1)
        speedup = (self.reference_build_seconds + self.reference_seconds) / self.ours_small_seconds
        full = self.reference_nodes == self.nodes
        on = (
            f"on Dask at {self.scheduler}"
            if self.scheduler
            else f"on {self.threads} thread{'s' if self.threads != 1 else ''}"
        )
        where = (
            "on the full graph"
            if full
            else f"on a smaller graph\n{' ' * 27}of {self.reference_nodes:,} nodes and "
            f"{self.reference_edges:,} edges\n{' ' * 27}(full size predicted "
            f"{self.reference_predicted:,.0f} s)"
        )
        rows = [
            f"Cascade engine: {self.nodes:,} processes, {self.edges:,} dependencies, "
            f"seed {self.seed}",
            f"  graph generation         {self.generate_seconds:.2f} s",
            f"  CSR build (graph load)   {self.build_seconds:.2f} s",
            f"  Numba import             {self.numba_seconds:.2f} s",
            f"  kernel compile/load      {self.compile_seconds:.2f} s (first calls, tiny graph)",
            f"  one run                  {self.run_seconds * 1e3:,.0f} ms (best of {REPEATS}): "
            f"{HUB_SOURCES} hubs down {self.hours:g} h",
            f"                           reach {self.reached:,} processes",
            f"  (a) BFS floor            {self.floor_seconds * 1e3:,.0f} ms (best of {REPEATS}): "
            "scipy breadth_first_order",
            f"                           from a super-source reaches {self.floor_reached:,}",
            f"      run / floor          {ratio_floor:.1f}× (target ≤ {_TARGET_RUN_FLOOR:g}×): "
            f"{verdict(ratio_floor <= _TARGET_RUN_FLOOR)}",
            f"  (b) networkx reference   {self.reference_build_seconds:.2f} s build + "
            f"{self.reference_seconds:.2f} s run {where}",
            f"      ours on that graph   {self.ours_small_seconds * 1e3:,.1f} ms (CSR build + run)",
            f"      speed-up             {speedup:,.0f}× incl. graph load (target ≥ "
            f"{_TARGET_SPEEDUP:g}×): {verdict(speedup >= _TARGET_SPEEDUP)}",
            f"  ensemble                 {self.ensemble_seconds:.2f} s for {self.members} members "
            f"{on}",
            f"      baseline             {ensemble_floor:.2f} s: one BFS floor per member on as "
            "many threads",
            f"      ensemble / baseline  {self.ensemble_seconds / ensemble_floor:.1f}×",
            f"      {f'per {ENSEMBLE_TARGET_MEMBERS} members':<21}{per_target:.2f} s (target < "
            f"{_TARGET_ENSEMBLE:g} s): {verdict(per_target < _TARGET_ENSEMBLE)}",
            f"                           P50 reach {self.ensemble_p50_affected:,.0f} processes",
            f"  criticality ranking      {self.rank_seconds:.2f} s, each process down "
            f"{self.rank_hours:g} h{f' ({on})' if self.scheduler else ''}",
            f"                           {self.simulated:,} sources simulated",
            f"  peak memory (RSS)        {self.peak_bytes / 2**20:,.0f} MiB "
            f"(target < 4 GiB): {verdict(self.peak_bytes < _TARGET_PEAK)}",
            f"                           {self.peak_source}",
        ]
        if self.grid:
            g = self.grid
            rows += [
                f"Power grid {self.grid_name}: {g['nodes']:,.0f} buses, {g['edges']:,.0f} "
                f"dependencies (load {g['load']:.2f} s)",
                f"  one run                  {g['run'] * 1e3:,.1f} ms: busiest bus down "
                f"{self.hours:g} h: {g['reached']:,.0f} buses",
                f"  ensemble                 {g['ensemble']:.2f} s for {self.members} members",
                f"  criticality ranking      {g['rank']:.2f} s; {g['simulated']:,.0f} sources "
                "simulated",
            ]
        return "\n".join(rows)


def _hubs(network: Network) -> Disruption:
    return Disruption.at(np.argsort(-network.out_degree(), kind="stable")[:HUB_SOURCES], hours=0.0)


def _floor(network: Network, sources: np.ndarray) -> tuple[float, int]:
    """Seconds and reach of a BFS from a virtual node with an edge to every source."""
    n, m = network.n, network.m
    indptr = np.concatenate([network.indptr, [m + len(sources)]])
    indices = np.concatenate([network.dependent, sources.astype(np.int32)])
    graph = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n + 1, n + 1))
    started = time.perf_counter()
    order = csgraph.breadth_first_order(graph, n, directed=True, return_predecessors=False)
    return time.perf_counter() - started, len(order) - 1


def _reference(report: CascadeBench, hours: float) -> None:
    """Time the networkx reference (on a smaller graph if it would take too long)."""

    def measure(network: Network, disruption: Disruption) -> tuple[float, float]:
        started = time.perf_counter()
        graph = to_networkx(network)
        built = time.perf_counter() - started
        items = list(
            zip(
                disruption.sources.tolist(),
                disruption.start.tolist(),
                disruption.duration.tolist(),
                strict=True,
            )
        )
        started = time.perf_counter()
        oracle_run(graph, items)
        return built, time.perf_counter() - started

    density = report.edges / report.nodes
    probe_n = min(_PROBE, report.nodes)
    probe = synthetic_network(probe_n, int(probe_n * density), seed=report.seed)
    built, ran = measure(probe, _sized(probe, hours))
    predicted = (built + ran) * report.nodes / probe_n
    report.reference_predicted = predicted
    size = (
        report.nodes
        if predicted <= REFERENCE_BUDGET
        else max(probe_n, int(report.nodes * REFERENCE_BUDGET / 2 / predicted))
    )
    network = synthetic_network(size, int(size * density), seed=report.seed)
    disruption = _sized(network, hours)
    report.reference_nodes, report.reference_edges = network.n, network.m
    report.reference_build_seconds, report.reference_seconds = measure(network, disruption)
    supplier = network.supplier
    best = np.inf
    for _ in range(3):
        started = time.perf_counter()
        again = Network.from_edges(
            network.n, supplier, network.dependent,
            lag=(network.lag_low, network.lag_high),
            buffer=(network.buffer_low, network.buffer_high),
            strength=network.strength, restart=(network.restart_low, network.restart_high),
            people=network.people, cost_per_hour=network.cost_per_hour,
        )  # fmt: skip
        run(again, disruption)
        best = min(best, time.perf_counter() - started)
    report.ours_small_seconds = best


def _sized(network: Network, hours: float) -> Disruption:
    hubs = _hubs(network).sources
    return Disruption.at(hubs, hours=hours)


def bench_cascade(
    nodes: int = 1_000_000,
    edges: int = 5_000_000,
    members: int = 100,
    hours: float = 168.0,
    rank_hours: float = 24.0,
    seed: int = 0,
    grid: str | None = "case9241pegase",
    executor: Executor | None = None,
    scheduler: str = "",
) -> CascadeBench:
    """Time the cascade engine on a synthetic graph (and a real grid) against baselines;
    the ensemble and the ranking on ``executor`` when one is given (at ``scheduler``)."""
    report = CascadeBench(
        nodes=nodes,
        edges=edges,
        members=members,
        hours=hours,
        rank_hours=rank_hours,
        seed=seed,
        scheduler=scheduler,
    )
    report.numba_seconds = kernel_seconds()
    started = time.perf_counter()
    load_kernel()
    tiny = synthetic_network(50, 200, seed=seed)
    run(tiny, _sized(tiny, hours))
    # With an executor its workers load the kernels here too, not in the timed runs.
    ensemble(tiny, _sized(tiny, hours), members=2, seed=seed, executor=executor)
    criticality(tiny, hours=rank_hours, executor=executor)
    report.compile_seconds = time.perf_counter() - started

    reset = reset_peak()
    started = time.perf_counter()
    network = synthetic_network(nodes, edges, seed=seed)
    report.generate_seconds = time.perf_counter() - started
    report.edges = network.m
    supplier = network.supplier
    started = time.perf_counter()
    Network.from_edges(
        network.n, supplier, network.dependent,
        lag=(network.lag_low, network.lag_high), buffer=(network.buffer_low, network.buffer_high),
        strength=network.strength, restart=(network.restart_low, network.restart_high),
        people=network.people, cost_per_hour=network.cost_per_hour,
    )  # fmt: skip
    report.build_seconds = time.perf_counter() - started
    del supplier
    disruption = _sized(network, hours)
    report.run_seconds = np.inf
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run(network, disruption)
        report.run_seconds = min(report.run_seconds, time.perf_counter() - started)
        report.reached = result.affected_count
        del result
    report.floor_seconds, report.floor_reached = min(
        _floor(network, disruption.sources) for _ in range(REPEATS)
    )
    report.threads = min(thread_count(), members, SLICES)
    started = time.perf_counter()
    spread = ensemble(network, disruption, members=members, seed=seed, executor=executor)
    report.ensemble_seconds = time.perf_counter() - started
    report.ensemble_p50_affected = float(spread.percentiles("affected")[1])
    del spread
    started = time.perf_counter()
    ranking = criticality(network, hours=rank_hours, executor=executor)
    report.rank_seconds = time.perf_counter() - started
    report.simulated = ranking.simulated
    del ranking, network
    report.peak_bytes, report.peak_source = peak_rss(reset)

    _reference(report, hours)
    if grid:
        _grid(report, grid, hours, executor)
    return report


def _grid(report: CascadeBench, name: str, hours: float, executor: Executor | None) -> None:
    from weerbaar.cascade.grids import power_grid_network

    started = time.perf_counter()
    network = power_grid_network(name, seed=report.seed)
    load = time.perf_counter() - started
    busiest = Disruption.at([int(np.argmax(network.out_degree()))], hours=hours)
    started = time.perf_counter()
    result = run(network, busiest)
    ran = time.perf_counter() - started
    started = time.perf_counter()
    ensemble(network, busiest, members=report.members, seed=report.seed, executor=executor)
    spread = time.perf_counter() - started
    started = time.perf_counter()
    ranking = criticality(network, hours=report.rank_hours, executor=executor)
    rank = time.perf_counter() - started
    report.grid_name = name
    report.grid = {
        "nodes": network.n,
        "edges": network.m,
        "load": load,
        "run": ran,
        "reached": result.affected_count,
        "ensemble": spread,
        "rank": rank,
        "simulated": ranking.simulated,
    }
