"""The NumPy engines: the whole computation written with array operations.

One pipeline, two sources of uniforms:

* :func:`counter_uniforms` — the counter-based bits of :mod:`weerbaar.compute.rng`,
  exactly those the compiled kernel uses; with it this is the *reference* the kernel is
  tested against (same seed, same numbers).
* :func:`generator_uniforms` — ``Generator.random`` per block of draws, each block
  seeded from ``SeedSequence(seed).spawn``; the straightforward baseline.

Per chunk of draws the pipeline samples every latent score with the triangular inverse
CDF (a pooled cell with its mixture's, :func:`latent_values`), looks its class up with
``searchsorted(side="right")``, sums weight × class value over the criteria (in
criterion order, as the kernel does), ranks the scenarios by risk,
and keeps the aggregated impacts of a batch of scenarios for exact percentiles
(``numpy.partition``). Memory is bounded by the chunk (``chunk · S · (C + 1)`` values
per temporary) and the batch (:data:`KEEP_VALUES`); a second pass recomputes the
impacts when all scenarios do not fit one batch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from weerbaar.compute.rng import counter_bits, spawn_seeds, split_bits
from weerbaar.simulation.compiled import Tallies
from weerbaar.simulation.model import F64
from weerbaar.simulation.ranking import OrderStatistics, ranks_descending, risk_keys
from weerbaar.simulation.sampling import GRID, Prepared, Triangles, inverse_cdf, mixture_inverse

__all__ = [
    "GENERATOR_BLOCK",
    "KEEP_VALUES",
    "TEMP_VALUES",
    "Uniforms",
    "aggregated_impact",
    "counter_uniforms",
    "default_chunk",
    "generator_uniforms",
    "latent_values",
    "run_numpy",
]

Uniforms = Callable[[int, int], F64]
"""``source(d0, d1)``: uniforms in [0, 1) for draws ``d0 … d1−1``, shape (n, S, C + 1)."""

TEMP_VALUES = 1 << 20
"""Default chunk: about this many (draw, scenario, slot) values (8 MiB) per temporary."""
KEEP_VALUES = 1 << 24
"""At most this many kept impacts (128 MiB of float64) per scenario batch."""
GENERATOR_BLOCK = 128
"""Draws per independently seeded block of the generator source (chunks are rounded up
to a multiple of it, so no block is generated twice)."""


def default_chunk(scenarios: int, criteria: int) -> int:
    """Draws per chunk so that a temporary holds about :data:`TEMP_VALUES` values."""
    return max(1, TEMP_VALUES // (scenarios * (criteria + 1)))


def counter_uniforms(key: int, scenarios: int, criteria: int) -> Uniforms:
    """The kernel's uniforms: ``k · 2⁻³²`` from the counter-based bits.

    Slot pair ``p`` (of ``P = ⌈(C + 1)/2⌉``) of scenario ``s`` in draw ``d`` has counter
    ``(s·P + p)·2³² + d``; its high 32 bits serve slot ``2p`` and its low 32 bits slot
    ``2p + 1`` (slot ``C`` is the likelihood). A scenario's numbers do not depend on the
    number of draws, and adding draws extends the run.
    """
    slots = criteria + 1
    pairs = (slots + 1) // 2

    def source(d0: int, d1: int) -> F64:
        draws = np.arange(d0, d1, dtype=np.uint64)[:, None, None]
        rows = np.arange(scenarios * pairs, dtype=np.uint64).reshape(1, scenarios, pairs)
        high, low = split_bits(counter_bits(key, (rows << np.uint64(32)) + draws))
        both = np.stack([high, low], axis=-1).reshape(d1 - d0, scenarios, 2 * pairs)
        return both[..., :slots].astype(np.float64) * GRID

    return source


def generator_uniforms(seed: int, scenarios: int, criteria: int, draws: int) -> Uniforms:
    """``Generator.random`` uniforms, one spawned child seed per block of
    :data:`GENERATOR_BLOCK` draws (so chunking does not change them)."""
    children = spawn_seeds(seed, -(-draws // GENERATOR_BLOCK))

    def source(d0: int, d1: int) -> F64:
        parts = []
        for block in range(d0 // GENERATOR_BLOCK, -(-d1 // GENERATOR_BLOCK)):
            first = block * GENERATOR_BLOCK
            rng = np.random.Generator(np.random.PCG64(children[block]))
            u = rng.random((min(GENERATOR_BLOCK, draws - first), scenarios, criteria + 1))
            parts.append(u[max(d0 - first, 0) : d1 - first])
        return np.concatenate(parts, axis=0)

    return source


def _subset(t: Triangles, rows: slice) -> Triangles:
    return Triangles(
        t.low[rows], t.mode[rows], t.high[rows], t.split[rows], t.left[rows], t.right[rows]
    )


def latent_values(prep: Prepared, u: F64, rows: slice) -> F64:
    """The latent values ``(n, S', C + 1)`` the uniforms ``u`` of the scenarios in
    ``rows`` (a slice with step 1) give: each cell's triangular inverse CDF, or its
    mixture's where it is pooled; slot ``C`` is the likelihood."""
    c = prep.criteria
    x = np.empty(u.shape)
    x[..., :c] = inverse_cdf(u[..., :c], _subset(prep.impact, rows))
    x[..., c] = inverse_cdf(u[..., c], _subset(prep.likelihood, rows))
    m = prep.mixtures
    if m.count:
        start, stop, _ = rows.indices(prep.scenarios)
        cells = np.flatnonzero((m.scenario >= start) & (m.scenario < stop))
        if cells.size:
            part = m.take(cells)
            at = (slice(None), part.scenario - start, part.slot)
            x[at] = mixture_inverse(u[at], part)
    return x


def aggregated_impact(prep: Prepared, x: F64) -> F64:
    """Aggregated impact ``(n, S')`` from the latent values ``x`` (:func:`latent_values`)."""
    a = prep.arrays
    total = np.zeros(x.shape[:2])
    for c in range(prep.criteria):
        index = np.searchsorted(a["thresholds"][c], x[..., c], side="right")
        total = total + a["weights"][c] * a["values"][index]
    return total


def run_numpy(
    prep: Prepared, source: Uniforms, draws: int, chunk: int, plan: OrderStatistics
) -> Tallies:
    """Tallies of ``draws`` draws from ``source``, ``chunk`` draws at a time."""
    a = prep.arrays
    s, c, levels = prep.scenarios, prep.criteria, prep.lik_classes
    batch = max(1, KEEP_VALUES // draws)
    kept = np.empty((min(s, batch), draws))
    lik_counts = np.zeros(s * levels, dtype=np.int64)
    rank_sum = np.zeros(s, dtype=np.int64)
    top5 = np.zeros(s, dtype=np.int64)
    top10 = np.zeros(s, dtype=np.int64)
    offsets = np.arange(s) * levels
    for d0 in range(0, draws, chunk):
        d1 = min(d0 + chunk, draws)
        x = latent_values(prep, source(d0, d1), slice(None))
        impact = aggregated_impact(prep, x)
        lik = np.searchsorted(a["lik_thresholds"], x[..., c], side="right")
        lik_counts += np.bincount((lik + offsets).ravel(), minlength=s * levels)
        ranks = ranks_descending(risk_keys(impact * a["lik_scale"][lik]))
        rank_sum += ranks.sum(axis=0)
        top5 += (ranks <= 5).sum(axis=0)
        top10 += (ranks <= 10).sum(axis=0)
        if s <= batch:
            kept[:, d0:d1] = impact.T

    stats = np.empty((s, len(plan.needed)))
    for s0 in range(0, s, batch):
        rows = slice(s0, min(s, s0 + batch))
        part = kept[: rows.stop - s0]
        if s > batch:  # second pass: recompute this batch's impacts
            for d0 in range(0, draws, chunk):
                d1 = min(d0 + chunk, draws)
                x = latent_values(prep, source(d0, d1)[:, rows], rows)
                part[:, d0:d1] = aggregated_impact(prep, x).T
        part.partition(plan.needed, axis=1)
        stats[rows] = part[:, plan.needed]
    return Tallies(
        lik_counts=lik_counts.reshape(s, levels),
        rank_sum=rank_sum,
        top5=top5,
        top10=top10,
        impact_stats=stats,
    )
