"""The cascade semantics of :mod:`weerbaar.cascade`, event-driven on a ``networkx``
graph with :mod:`heapq`: one Python object per process and dependency.

It is written for clarity, not speed, and shares no code with the compiled kernel, so
the two check each other (the tests require equal hours to within 1e-9 on many random
graphs); it is also the baseline of ``weerbaar bench cascade``. The arithmetic is the
kernel's, in the same order (midpoint ``(low + high) · 0.5``, fail hour
``f_u + lag + buffer``), so the hours agree to the last bit.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from weerbaar.cascade.network import Network
from weerbaar.errors import Issue, ValidationError

__all__ = ["OracleRun", "oracle_run", "to_networkx"]


@dataclass(frozen=True, slots=True)
class OracleRun:
    """Fail hour, end hour and cause of every affected process (others are absent)."""

    f: dict[Hashable, float]
    e: dict[Hashable, float]
    cause: dict[Hashable, Hashable | None]


def _mid(value: Any) -> float:
    """The deterministic value of an attribute given as a number or a (low, high) pair."""
    if isinstance(value, tuple):
        low, high = value
        return (float(low) + float(high)) * 0.5
    return float(value)


def to_networkx(network: Network) -> nx.DiGraph[int]:
    """The network as a ``networkx.DiGraph``.

    Edge attributes ``lag``, ``buffer`` (``(low, high)`` pairs) and ``strength``; node
    attributes ``restart`` (a pair), ``people`` and ``cost``. A DiGraph holds one edge
    per ordered pair, so a network with parallel edges is refused.
    """
    supplier = network.supplier.tolist()
    dependent = network.dependent.tolist()
    if len(set(zip(supplier, dependent, strict=True))) != network.m:
        raise ValidationError(
            [Issue(place="network", field="", reason="parallel edges: a DiGraph cannot hold them")]
        )
    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(
        (v, {"restart": (lo, hi), "people": p, "cost": c})
        for v, lo, hi, p, c in zip(
            range(network.n),
            network.restart_low.tolist(),
            network.restart_high.tolist(),
            network.people.tolist(),
            network.cost_per_hour.tolist(),
            strict=True,
        )
    )
    graph.add_edges_from(
        (u, v, {"lag": (ll, lh), "buffer": (bl, bh), "strength": s})
        for u, v, ll, lh, bl, bh, s in zip(
            supplier,
            dependent,
            network.lag_low.tolist(),
            network.lag_high.tolist(),
            network.buffer_low.tolist(),
            network.buffer_high.tolist(),
            network.strength.tolist(),
            strict=True,
        )
    )
    return graph


def oracle_run(
    graph: nx.DiGraph[Any],
    sources: Iterable[tuple[Hashable, float, float]],
    *,
    min_strength: float = 0.5,
) -> OracleRun:
    """The deterministic cascade of ``(source, start hour, duration hours)`` triples.

    Nodes must be mutually comparable (ties in fail hour settle the smaller first).
    """
    f: dict[Hashable, float] = {}
    restore: dict[Hashable, float] = {}
    source_end: dict[Hashable, float] = {}
    cause: dict[Hashable, Hashable | None] = {}
    e: dict[Hashable, float] = {}
    queue: list[tuple[float, Any]] = []
    for node, start, duration in sources:
        if start < f.get(node, math.inf):
            f[node] = start
            cause[node] = None
            heapq.heappush(queue, (start, node))
        source_end[node] = max(source_end.get(node, -math.inf), start + duration)
    while queue:
        t, u = heapq.heappop(queue)
        if u in e or t != f[u]:
            continue
        end = source_end.get(u, -math.inf)
        if u in restore:
            end = max(end, restore[u] + _mid(graph.nodes[u].get("restart", 0.0)))
        e[u] = end
        down = end - t
        for v, edge in graph.succ[u].items():
            if v in e or edge.get("strength", 1.0) < min_strength:
                continue
            buffer = _mid(edge.get("buffer", 0.0))
            if down > buffer:
                lag = _mid(edge.get("lag", 0.0))
                restore[v] = max(restore.get(v, -math.inf), end + lag)
                hour = t + lag + buffer
                if hour < f.get(v, math.inf):
                    f[v] = hour
                    cause[v] = u
                    heapq.heappush(queue, (hour, v))
    return OracleRun(f=f, e=e, cause=cause)
