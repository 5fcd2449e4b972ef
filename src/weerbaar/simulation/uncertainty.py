"""Monte Carlo propagation of expert ranges: impact and likelihood bands, rank robustness.

The method (NRA §5.1-5.4): every criterion score and the likelihood is an expert range
LL / EV / UL, read as a triangular distribution (low, mode, high) on its latent axis
[1]_. Per draw and scenario each latent score is sampled, turned into a class (the
number of thresholds at or below it) and into the class value (×3 per class); the
aggregated impact is the weighted sum of the class values (the MCA "weighted sum" [2]_);
the risk used for ranking is that impact times the likelihood's relative probability.
Over the draws this gives P5/P50/P95 bands of impact and likelihood and how often each
scenario ranks in the top 5 and top 10 ("rank acceptability" [3]_), and its mean rank.

Three implementations:

``engine="compiled"``
    a fused Numba kernel on all cores, counter-based uniforms
    (:mod:`weerbaar.simulation.compiled`);
``engine="numpy"``
    the same computation, same uniforms, with NumPy arrays — the reference the kernel
    is tested against: both give the same result for the same seed;
``engine="auto"`` (default)
    the kernel when ``S·C·draws ≥`` :data:`AUTO_COMPILED_SCORES`, NumPy below (where
    Numba's import and cache load would cost more than they save). Since both agree,
    the choice never changes a result.

:func:`propagate_plain` is the straightforward NumPy baseline (``Generator`` uniforms,
one spawned seed per block of draws); it samples the same distributions but, having
other uniforms, gives other numbers within Monte Carlo error.

Ties in risk count as the better rank (see :mod:`weerbaar.simulation.ranking`).

A cell may carry the experts' pooled distribution instead of a single range
(:class:`~weerbaar.simulation.model.Pool`, a linear opinion pool); every engine samples
it exactly from the same single uniform (:mod:`weerbaar.simulation.sampling`), so it
keeps the reproducibility by seed and the equality of the engines.
:func:`latent_draws` gives the latent values one cell takes in a run, and
:func:`scenario_draws` every draw's aggregated impact and likelihood position.

References
----------
.. [1] D. Vose, *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley 2008, §10.4
   (three-point estimates as triangular distributions).
.. [2] Ministerie van BZK, *Leidraad Methode Nationale Risicobeoordeling* (2009),
   §5.4.1-5.4.2 (class values, weighted sum); NRA method notes §5.1-5.4.
.. [3] R. Lahdelma, J. Hokkanen, P. Salminen, "SMAA - Stochastic multiobjective
   acceptability analysis", EJOR 106(1), 137-143, 1998 (rank acceptability indices).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from weerbaar.compute.checks import check_positive
from weerbaar.compute.rng import counter_key, resolve_seed
from weerbaar.errors import Issue, ValidationError
from weerbaar.simulation.compiled import Tallies, run_compiled
from weerbaar.simulation.model import (
    F64,
    ScenarioDraws,
    UncertainAssessment,
    UncertaintyResult,
)
from weerbaar.simulation.numpy_engine import (
    GENERATOR_BLOCK,
    aggregated_impact,
    counter_uniforms,
    default_chunk,
    generator_uniforms,
    latent_values,
    run_numpy,
)
from weerbaar.simulation.ranking import OrderStatistics, order_statistics, percentiles_from_counts
from weerbaar.simulation.sampling import Prepared, prepare

__all__ = [
    "AUTO_COMPILED_SCORES",
    "MAX_DRAWS",
    "MAX_SCENARIO_DRAWS",
    "Engine",
    "latent_draws",
    "propagate",
    "propagate_plain",
    "scenario_draws",
]

Engine = Literal["auto", "numpy", "compiled"]

AUTO_COMPILED_SCORES = 20_000_000
"""``engine="auto"`` uses the kernel from this many sampled scores (S·C·draws) up."""
MAX_DRAWS = 1 << 32
"""Draw indices are the low 32 bits of the generator's counter."""
MAX_SCENARIO_DRAWS = 50_000_000
"""At most this many draws × scenarios from :func:`scenario_draws`: it keeps every
value, two float64 arrays of this size (800 MB) at most."""


def propagate(
    assessment: UncertainAssessment,
    *,
    draws: int,
    seed: int | None,
    chunk: int | None = None,
    engine: Engine = "auto",
) -> UncertaintyResult:
    """Sample every range ``draws`` times and summarise impact, likelihood and ranks.

    Parameters
    ----------
    assessment
        S scenarios × C criteria of triangular ranges, thresholds, class values,
        weights, and the likelihood's ranges and scales (see
        :class:`~weerbaar.simulation.model.UncertainAssessment`).
    draws
        Monte Carlo draws, ≥ 1.
    seed
        A non-negative integer, or ``None`` for a fresh one; the seed used is in the
        result, and passing it again repeats the run exactly.
    chunk
        Draws per chunk. It bounds the NumPy engine's memory (default: about 2²⁰
        values per temporary) and sets the draws per kernel call of the compiled engine
        (default: all). It never changes the result.
    engine
        ``"auto"``, ``"numpy"`` or ``"compiled"``; equal results for equal seeds.

    Returns
    -------
    UncertaintyResult
        P5/P50/P95 of the aggregated impact and of the likelihood class position per
        scenario; probability of ranking in the top 5 and top 10 by risk (ties count as
        the better rank); mean rank.

    Raises
    ------
    ValidationError
        For inconsistent arrays (each issue names the array, scenario and criterion),
        ``draws < 1``, a negative seed or an unknown engine.

    Notes
    -----
    Percentiles use NumPy's default linear rule and are exact for the sample (no
    binning). Uniforms lie on a 2⁻³² grid, so class probabilities are those of the
    triangular distribution to within 2⁻³² ≈ 2.3e-10, far below Monte Carlo error.
    """
    draws = _check_draws(draws)
    if chunk is not None:
        chunk = check_positive("chunk", chunk)
    if engine not in ("auto", "numpy", "compiled"):
        raise ValidationError(
            [
                Issue(
                    place="engine",
                    field="",
                    reason=f"must be 'auto', 'numpy' or 'compiled', not {engine!r}",
                )
            ]
        )
    prep = prepare(assessment)
    if prep.scenarios * ((prep.criteria + 2) // 2) >= MAX_DRAWS:
        raise ValidationError(
            [Issue(place="low", field="", reason="too many scenarios × criteria")]
        )
    used = resolve_seed(seed)
    key = counter_key(used)
    plan = order_statistics(draws)
    if engine == "auto":
        scores = prep.scenarios * prep.criteria * draws
        engine = "compiled" if scores >= AUTO_COMPILED_SCORES else "numpy"
    if engine == "compiled":
        tallies = run_compiled(prep, key, draws, chunk or draws, plan)
    else:
        source = counter_uniforms(key, prep.scenarios, prep.criteria)
        size = chunk or default_chunk(prep.scenarios, prep.criteria)
        tallies = run_numpy(prep, source, draws, size, plan)
    return _result(prep, tallies, used, draws, plan)


def propagate_plain(
    assessment: UncertainAssessment, *, draws: int, seed: int | None, chunk: int | None = None
) -> UncertaintyResult:
    """The straightforward NumPy baseline of :func:`propagate`.

    ``Generator.random`` uniforms (one ``SeedSequence.spawn`` child per block of 128
    draws; ``chunk`` is rounded up to whole blocks and does not change the result),
    then the same inverse CDF, ``searchsorted``, weighted sum and ranking with
    broadcast arrays. Same distributions as :func:`propagate`, other random numbers.
    """
    draws = check_positive("draws", draws)
    if chunk is not None:
        chunk = check_positive("chunk", chunk)
    prep = prepare(assessment)
    used = resolve_seed(seed)
    plan = order_statistics(draws)
    source = generator_uniforms(used, prep.scenarios, prep.criteria, draws)
    size = chunk or default_chunk(prep.scenarios, prep.criteria)
    size = -(-size // GENERATOR_BLOCK) * GENERATOR_BLOCK
    return _result(prep, run_numpy(prep, source, draws, size, plan), used, draws, plan)


def latent_draws(
    assessment: UncertainAssessment,
    *,
    scenario: int,
    criterion: int | None,
    draws: int,
    seed: int,
) -> F64:
    """The latent values one cell takes in the first ``draws`` draws of
    :func:`propagate` with ``seed``: criterion ``criterion`` of scenario ``scenario``,
    or its likelihood when ``criterion`` is ``None``.

    The same uniforms and the same inverse CDF (of the cell's range, or of its pooled
    mixture) as the engines; the class a value falls in is the class the engines count.
    """
    draws = _check_draws(draws)
    prep = prepare(assessment)
    slot = prep.criteria if criterion is None else criterion
    if not 0 <= scenario < prep.scenarios or not 0 <= slot <= prep.criteria:
        raise ValidationError(
            [Issue(place="scenario", field="", reason="no such scenario or criterion")]
        )
    source = counter_uniforms(counter_key(resolve_seed(seed)), prep.scenarios, prep.criteria)
    rows = slice(scenario, scenario + 1)
    size = default_chunk(1, prep.criteria)
    out = np.empty(draws)
    for d0 in range(0, draws, size):
        d1 = min(d0 + size, draws)
        out[d0:d1] = latent_values(prep, source(d0, d1)[:, rows], rows)[:, 0, slot]
    return out


def scenario_draws(assessment: UncertainAssessment, *, draws: int, seed: int) -> ScenarioDraws:
    """Every draw's aggregated impact and likelihood class position per scenario.

    :func:`propagate` only summarises the draws; a rule that combines a scenario's
    impact and likelihood (a tier, say) has to be applied draw by draw, to the very
    draws a run's bands come from, for its outcome to be consistent with those bands.
    This gives them: the same uniforms, inverse CDFs, class look-ups and weighted sum
    as ``propagate(assessment, draws=draws, seed=seed, engine="numpy")`` (and so as
    the compiled engine), so the percentiles of each column are that run's bands.

    Parameters
    ----------
    assessment
        S scenarios × C criteria of ranges, as for :func:`propagate`.
    draws
        Monte Carlo draws, ≥ 1.
    seed
        A non-negative integer; the run it names is the one reproduced.

    Returns
    -------
    ScenarioDraws
        ``impact`` and ``likelihood``, each ``(draws, S)``; the likelihood as the
        position of the sampled class in ``lik_positions``.

    Raises
    ------
    ValidationError
        For inconsistent arrays, ``draws < 1``, a negative seed, or more than
        :data:`MAX_SCENARIO_DRAWS` draws × scenarios (every value is kept in memory).
    """
    draws = _check_draws(draws)
    prep = prepare(assessment)
    if draws * prep.scenarios > MAX_SCENARIO_DRAWS:
        raise ValidationError(
            [
                Issue(
                    place="draws",
                    field="",
                    reason=(
                        f"at most {MAX_SCENARIO_DRAWS} draws × scenarios are kept, "
                        f"not {draws} × {prep.scenarios}"
                    ),
                )
            ]
        )
    if prep.scenarios * ((prep.criteria + 2) // 2) >= MAX_DRAWS:
        raise ValidationError(
            [Issue(place="low", field="", reason="too many scenarios × criteria")]
        )
    used = resolve_seed(seed)
    source = counter_uniforms(counter_key(used), prep.scenarios, prep.criteria)
    size = default_chunk(prep.scenarios, prep.criteria)
    a = prep.arrays
    impact = np.empty((draws, prep.scenarios))
    likelihood = np.empty((draws, prep.scenarios))
    for d0 in range(0, draws, size):
        d1 = min(d0 + size, draws)
        x = latent_values(prep, source(d0, d1), slice(None))
        impact[d0:d1] = aggregated_impact(prep, x)
        lik = np.searchsorted(a["lik_thresholds"], x[..., prep.criteria], side="right")
        likelihood[d0:d1] = a["lik_positions"][lik]
    return ScenarioDraws(seed=used, draws=draws, impact=impact, likelihood=likelihood)


def _check_draws(draws: int) -> int:
    draws = check_positive("draws", draws)
    if draws > MAX_DRAWS:
        raise ValidationError(
            [Issue(place="draws", field="", reason=f"at most 2**32, not {draws}")]
        )
    return draws


def _result(
    prep: Prepared, tallies: Tallies, seed: int, draws: int, plan: OrderStatistics
) -> UncertaintyResult:
    return UncertaintyResult(
        seed=seed,
        draws=draws,
        impact=plan.combine(tallies.impact_stats),
        likelihood=percentiles_from_counts(tallies.lik_counts, prep.arrays["lik_positions"], plan),
        top5=tallies.top5 / draws,
        top10=tallies.top10 / draws,
        mean_rank=tallies.rank_sum / np.float64(draws),
    )
