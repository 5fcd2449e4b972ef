"""Random dependency graphs shaped like vital infrastructure, for tests and benchmarks.

Three tiers of processes: a few hundred *national* hubs (power transmission, telecom
backbones, payments: thousands of dependents each), *regional* processes (a few per
mille: distribution, water boards, hospitals) and *local* ones (the rest). The
out-degree is heavy-tailed within each tier (Pareto weights), so that a few processes
supply very many. Regional and local suppliers serve dependents of their own region
(processes are laid out in contiguous regions); national ones serve everyone.

Durations follow the common shape of the sector studies: lags 0-12 h (most near 0),
buffers 0-72 h with ranges (5 % without any buffer, 10 % below a day, the rest one
to three days: emergency power and stock), restarts 1-48 h
(most a few hours), strengths mostly ≥ 0.5. People served and cost per hour are
heavy-tailed and highest for the hubs.

Everything is vectorised (no Python loop over nodes or edges): a million processes
and five million dependencies take a few seconds and some hundreds of MB.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from weerbaar.cascade.network import Network
from weerbaar.compute.rng import make_generator
from weerbaar.errors import Issue, ValidationError

__all__ = ["REGIONS", "synthetic_network"]

REGIONS = 40
"""Regions the processes are laid out in (contiguous index ranges)."""

_HUB_SHARE = 0.15  # of the edges: supplied by national hubs
_REGIONAL_SHARE = 0.30  # by regional processes; the rest by local ones
_NO_BUFFER = 0.05  # of the edges: no buffer at all
_SHORT_BUFFER = 0.10  # a buffer of 1-24 h; the rest bridge 24-72 h (stock, emergency power)


def _weighted_pick(
    rng: np.random.Generator, weights: NDArray[np.float64], size: int
) -> NDArray[np.int64]:
    """``size`` indices drawn with probability proportional to ``weights``, in index
    order (a multinomial count per index, repeated: no search per draw)."""
    counts = rng.multinomial(size, weights / weights.sum())
    return np.repeat(np.arange(len(weights), dtype=np.int64), counts)


def _tiers(n: int) -> tuple[int, int]:
    """(hubs, regional processes) for ``n`` processes."""
    hubs = int(min(300, max(1, n // 200)))
    regional = int(max(1, min(n - hubs, n // 100)))
    return hubs, regional


def synthetic_network(n: int, m: int, *, seed: int) -> Network:
    """A random infrastructure-like network of ``n`` processes and about ``m``
    dependencies (self-loops and parallel edges are dropped, so a few fewer).

    Nodes ``0 … hubs−1`` are the national hubs, then the regional processes, then the
    local ones (see the module docstring). The same ``seed`` gives the same network.
    """
    if n < 2 or m < 0:
        raise ValidationError(
            [Issue(place="synthetic_network", field="", reason="needs n ≥ 2 and m ≥ 0")]
        )
    rng, _ = make_generator(seed)
    hubs, regional = _tiers(n)
    tier = np.full(n, 2, dtype=np.int8)
    tier[:hubs] = 0
    tier[hubs : hubs + regional] = 1
    # Spread the regional processes over the regions: shuffle local and regional
    # positions after the hubs so each region gets its share of each.
    rest = rng.permutation(np.arange(hubs, n))
    tier[rest] = tier[hubs:].copy()
    region_size = max(1, -(-(n - hubs) // REGIONS))
    region = np.zeros(n, dtype=np.int64)
    region[hubs:] = (np.arange(hubs, n) - hubs) // region_size

    draw = int(m * 1.15) + 16  # room for the self-loops and parallel edges dropped below
    kind = rng.random(draw)
    supplier = np.empty(draw, dtype=np.int64)
    from_hub = kind < _HUB_SHARE
    from_regional = (kind >= _HUB_SHARE) & (kind < _HUB_SHARE + _REGIONAL_SHARE)
    from_local = ~(from_hub | from_regional)
    for mask, members in (
        (from_hub, np.flatnonzero(tier == 0)),
        (from_regional, np.flatnonzero(tier == 1)),
        (from_local, np.flatnonzero(tier == 2)),
    ):
        if len(members) == 0:
            members = np.arange(n)
        weights = rng.pareto(1.5, len(members)) + 1.0
        supplier[mask] = members[_weighted_pick(rng, weights, int(mask.sum()))]
    # Dependents: anywhere for hubs, in the supplier's region otherwise.
    dependent = rng.integers(0, n, draw)
    local = tier[supplier] > 0
    first = hubs + region[supplier[local]] * region_size
    width = np.minimum(region_size, n - first)
    dependent[local] = first + (rng.random(int(local.sum())) * width).astype(np.int64)
    keep = supplier != dependent
    pairs = np.sort(supplier[keep] * n + dependent[keep])
    distinct = np.ones(len(pairs), dtype=bool)
    distinct[1:] = pairs[1:] != pairs[:-1]
    pairs = pairs[distinct]
    if len(pairs) > m:
        drop = rng.choice(len(pairs), len(pairs) - m, replace=False)
        kept = np.ones(len(pairs), dtype=bool)
        kept[drop] = False
        pairs = pairs[kept]
    supplier = pairs // n
    dependent = pairs % n
    k = len(pairs)

    lag_low = np.where(rng.random(k) < 0.6, 0.0, rng.exponential(2.0, k).clip(0.0, 12.0))
    lag_high = np.minimum(lag_low + rng.exponential(0.5, k), 12.0)
    kind = rng.random(k)
    buffer_low = np.where(
        kind < _NO_BUFFER,
        0.0,
        np.where(
            kind < _NO_BUFFER + _SHORT_BUFFER, rng.uniform(1.0, 24.0, k), rng.uniform(24.0, 72.0, k)
        ),
    )
    buffer_high = np.minimum(buffer_low * rng.uniform(1.0, 1.25, k), 72.0)
    strength = np.where(rng.random(k) < 0.8, rng.uniform(0.5, 1.0, k), rng.uniform(0.05, 0.5, k))
    strength = np.maximum(strength, 0.01)
    restart_low = np.exp(rng.uniform(0.0, np.log(24.0), n)) * np.where(tier == 2, 0.5, 1.0)
    restart_low = restart_low.clip(1.0, 48.0)
    restart_high = np.minimum(restart_low * rng.uniform(1.0, 2.0, n), 48.0)
    scale = np.where(tier == 0, 1e5, np.where(tier == 1, 1e4, 3e2))
    people = np.round(scale * (rng.pareto(1.3, n) + 1.0))
    cost_per_hour = people * rng.uniform(5.0, 50.0, n)
    return Network.from_edges(
        n,
        supplier,
        dependent,
        lag=(lag_low, lag_high),
        buffer=(buffer_low, buffer_high),
        strength=strength,
        restart=(restart_low, restart_high),
        people=people,
        cost_per_hour=cost_per_hour,
    )
