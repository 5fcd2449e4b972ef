"""Assessing a round: every scored scenario's classes, aggregated impact, likelihood,
position in the risk diagram and ranks, and optionally how sure we are of them.

The method's rules are in :mod:`weerbaar.method`; the sampling in
:mod:`weerbaar.simulation`. This module reads the register and joins the two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from weerbaar.compute.checks import check_positive
from weerbaar.compute.rng import resolve_seed
from weerbaar.domain.access import Subject
from weerbaar.domain.catalogue import Edition
from weerbaar.domain.entities.scores import ImpactScore, LikelihoodScore
from weerbaar.domain.entities.strategy import Round, Scenario
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.method.aggregation import medal_ranking, rank_by, weighted_sum
from weerbaar.method.classes import impact_position
from weerbaar.method.resolve import (
    Resolved,
    impact_values,
    likelihood_position,
    resolve_impact,
    resolve_likelihood,
    thresholds,
)
from weerbaar.method.scales import Scales
from weerbaar.method.weights import WeightSet, custom, resolve
from weerbaar.reference.method import editions, profiles, scales_for
from weerbaar.services.kept import Kept, sight_key
from weerbaar.services.rounds import newest_round
from weerbaar.services.sessions.conclusion import pooled_ranges
from weerbaar.services.visibility import visibility
from weerbaar.simulation.model import (
    F64,
    Pool,
    ScenarioDraws,
    UncertainAssessment,
    UncertaintyResult,
)
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

LIKELIHOOD = "likelihood"
"""The criterion name of a scenario's likelihood in pooled ranges."""

PooledRanges = Mapping[tuple[str, str], Sequence[tuple[float, Resolved]]]
"""Experts' ranges per (scenario, criterion code or :data:`LIKELIHOOD`): each expert's
weight and resolved score (its latent triangle is what is pooled)."""


@dataclass(frozen=True, slots=True)
class CriterionResult:
    code: str
    resolved: Resolved
    value: float  # the expected class's value


@dataclass(frozen=True, slots=True)
class Band:
    """What the Monte Carlo run says of one scenario."""

    impact: tuple[float, float, float]  # P5, P50, P95 of the aggregated impact value
    likelihood: tuple[float, float, float]  # P5, P50, P95 of the likelihood position
    top5: float
    top10: float
    mean_rank: float


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    scenario: Scenario
    criteria: tuple[CriterionResult, ...]
    likelihood: Resolved
    impact: float
    impact_position: float | None
    impact_range: tuple[float, float]  # aggregated impact of all lowest, all highest classes
    likelihood_position: float
    risk: float  # impact × relative probability (10 per likelihood class): for ranking
    rank: int  # by risk; 1 = highest
    impact_rank: int
    medal_rank: int
    band: Band | None = None


@dataclass(frozen=True, slots=True)
class RoundAssessment:
    round: Round
    edition: Edition
    scales: Scales
    weights: WeightSet
    results: tuple[ScenarioResult, ...]  # by rank
    unscored: tuple[str, ...]  # scenarios with no score in this round
    incomplete: tuple[str, ...]  # scenarios with impact scores but no likelihood, or vice versa
    draws: int = 0
    seed: int | None = None
    pooled: tuple[tuple[str, str], ...] = ()  # (scenario, criterion) sampled from pools

    def result(self, scenario: str) -> ScenarioResult | None:
        return next((r for r in self.results if r.scenario.key == scenario), None)


@dataclass(frozen=True, slots=True)
class RiskDraws:
    """Every Monte Carlo draw of a round's scored scenarios, as class positions.

    The draws are those whose percentiles are the bands of
    ``assess_round(round_key=…, draws=draws, seed=seed)`` (equal weights, no pools).
    The arrays are read-only: a result may be shared by several callers.
    """

    round: Round
    scenarios: tuple[str, ...]  # scenario keys, the columns' order
    impact_class: F64  # (draws, S) impact class position (1 + log3 impact; 0 for X)
    likelihood_class: F64  # (draws, S) likelihood class position (A = 1, A-high = 1.5, …)
    seed: int
    draws: int


def weight_set(name_or_weights: str | Mapping[str, object], edition: Edition) -> WeightSet:
    """A shipped profile by name, or a user's weights per criterion (checked)."""
    if isinstance(name_or_weights, str):
        found = profiles().get(name_or_weights)
        if found is None:
            known = ", ".join(profiles())
            raise ValidationError(
                [
                    Issue(
                        "--weights",
                        "",
                        said(
                            "unknown weight set %(name)s; known: %(known)s",
                            name=repr(name_or_weights),
                            known=known,
                        ),
                    )
                ],
                summary=said("bad weight set"),
            )
        return resolve(found, edition)
    return custom("custom", name_or_weights, edition)


def _load(
    db: Database, round_key: str | None, subject: Subject | None
) -> tuple[Round, list[Scenario], list[Any], list[Any]]:
    """The round and what ``subject`` may see of it: hidden scenarios and scores are
    left out before anything is aggregated or ranked, so no result betrays them."""
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        if round_key:
            seen.require("rounds", round_key)
            round_: Round = repo.require("rounds", round_key)
        else:
            round_ = newest_round(repo, seen)
        scenarios = seen.filter("scenarios", repo.fetch("scenarios"))
        impacts = seen.filter(
            "impact_scores", repo.fetch("impact_scores", where={"round": round_.key})
        )
        likelihoods = seen.filter(
            "likelihood_scores", repo.fetch("likelihood_scores", where={"round": round_.key})
        )
    return round_, scenarios, impacts, likelihoods


def assess_round(
    db: Database,
    *,
    round_key: str | None = None,
    weights: str | Mapping[str, object] = "equal",
    draws: int = 0,
    seed: int | None = None,
    subject: Subject | None = None,
    pools: PooledRanges | None = None,
    pooled: bool = False,
) -> RoundAssessment:
    """Assess every scenario scored in the round (the newest round by default).

    With ``draws`` > 0, each scenario also gets its uncertainty band from a Monte
    Carlo run over the scores' ranges (reproducible with the reported seed).

    ``pools`` gives, for some (scenario, criterion code or ``"likelihood"``), the
    experts' weighted ranges: the Monte Carlo then samples that cell from their linear
    opinion pool (the weights normalised per cell) instead of the round's single
    range, so that the experts' disagreement widens the bands. The point values and
    ranks stay the round's scores. A scenario not assessed in the round, a criterion
    not in its catalogue, a negative weight or no weight at all are refused.

    ``pooled`` takes those pools from the round's concluded expert sessions (the
    experts' ranges of the last scoring round, each with the weight the chair gave the
    expert), as far as ``subject`` sees the scores they set.
    """
    if pooled and pools is None:
        if round_key is None:
            with db.transaction() as connection:
                round_key = newest_round(
                    Repository(connection), visibility(connection, subject)
                ).key
        pools = pooled_ranges(db, round_key=round_key, subject=subject)
    if pools is not None or not isinstance(weights, str) or (draws > 0 and seed is None):
        return _assess(db, round_key, weights, draws, seed, subject, pools)
    key = sight_key(db, subject, round_key, weights, draws, seed)
    return _kept.get(key, lambda: _assess(db, round_key, weights, draws, seed, subject))


_kept: Kept[RoundAssessment] = Kept(64)


@dataclass(frozen=True, slots=True)
class _Read:
    """A round's scored scenarios as ``subject`` sees them, before ranking."""

    round: Round
    edition: Edition
    scales: Scales
    weight: WeightSet
    rows: list[ScenarioResult]  # in the register's order of scenarios; ranks not set
    unscored: tuple[str, ...]
    incomplete: tuple[str, ...]


def _read(
    db: Database,
    round_key: str | None,
    weights: str | Mapping[str, object],
    subject: Subject | None,
) -> _Read:
    round_, scenarios, impacts, likelihoods = _load(db, round_key, subject)
    edition = editions()[round_.edition]
    scales = scales_for(edition)
    weight = weight_set(weights, edition)
    by_scenario: dict[str, list[ImpactScore]] = {}
    for score in impacts:
        by_scenario.setdefault(score.scenario, []).append(score)
    likelihood_of: dict[str, LikelihoodScore] = {s.scenario: s for s in likelihoods}
    scored = [s for s in scenarios if s.key in by_scenario and s.key in likelihood_of]
    unscored = tuple(
        s.key for s in scenarios if s.key not in by_scenario and s.key not in likelihood_of
    )
    incomplete = tuple(
        s.key for s in scenarios if (s.key in by_scenario) != (s.key in likelihood_of)
    )
    rows = [
        _score(scenario, by_scenario[scenario.key], likelihood_of[scenario.key], scales, weight)
        for scenario in scored
    ]
    return _Read(round_, edition, scales, weight, rows, unscored, incomplete)


def _assess(
    db: Database,
    round_key: str | None,
    weights: str | Mapping[str, object],
    draws: int,
    seed: int | None,
    subject: Subject | None,
    pools: PooledRanges | None = None,
) -> RoundAssessment:
    read = _read(db, round_key, weights, subject)
    rows, weight = read.rows, read.weight
    risk_rank = {r.key: r.rank for r in rank_by({row.scenario.key: row.risk for row in rows})}
    impact_rank = {r.key: r.rank for r in rank_by({row.scenario.key: row.impact for row in rows})}
    medal = {
        r.key: r.rank
        for r in medal_ranking(
            {row.scenario.key: {c.code: c.resolved.expected for c in row.criteria} for row in rows}
        )
    }
    pooled = pool_ranges(pools or {}, rows, weight, read.round)
    bands: dict[str, Band] = {}
    used_seed = None
    if draws > 0 and rows:
        uncertain = replace(encode(rows, weight, read.scales), pools=pooled)
        outcome = _propagate(uncertain, draws=draws, seed=seed)
        used_seed = outcome.seed
        for i, row in enumerate(rows):
            p5, p50, p95 = (float(v) for v in outcome.impact[i])
            l5, l50, l95 = (float(v) for v in outcome.likelihood[i])
            bands[row.scenario.key] = Band(
                impact=(p5, p50, p95),
                likelihood=(l5, l50, l95),
                top5=float(outcome.top5[i]),
                top10=float(outcome.top10[i]),
                mean_rank=float(outcome.mean_rank[i]),
            )
    results = tuple(
        sorted(
            (
                replace(
                    row,
                    rank=risk_rank[row.scenario.key],
                    impact_rank=impact_rank[row.scenario.key],
                    medal_rank=medal[row.scenario.key],
                    band=bands.get(row.scenario.key),
                )
                for row in rows
            ),
            key=lambda r: (r.rank, r.scenario.key),
        )
    )
    return RoundAssessment(
        read.round,
        read.edition,
        read.scales,
        weight,
        results,
        read.unscored,
        read.incomplete,
        draws,
        used_seed,
        pooled=tuple(sorted(pools or {})) if draws > 0 and rows else (),
    )


def _score(
    scenario: Scenario,
    impacts: list[ImpactScore],
    likelihood: LikelihoodScore,
    scales: Scales,
    weight: WeightSet,
) -> ScenarioResult:
    """One scenario's point assessment; its ranks are filled in once all are known."""
    scheme = scales.classes
    criteria = []
    for score in impacts:
        resolved = resolve_impact(score, scales.scale(score.criterion), scheme)
        criteria.append(CriterionResult(score.criterion, resolved, scheme.value(resolved.expected)))
    criteria.sort(key=lambda c: [int(p) for p in c.code.split(".")])
    lik = resolve_likelihood(
        likelihood, scales.likelihood, scenario.horizon_years, scheme.high_from
    )
    impact = weighted_sum({c.code: c.resolved.expected for c in criteria}, weight, scheme)
    span = (
        weighted_sum({c.code: c.resolved.lowest for c in criteria}, weight, scheme),
        weighted_sum({c.code: c.resolved.highest for c in criteria}, weight, scheme),
    )
    lik_pos = likelihood_position(lik.expected, scheme.high_offset)
    return ScenarioResult(
        scenario=scenario,
        criteria=tuple(criteria),
        likelihood=lik,
        impact=impact,
        impact_position=impact_position(impact, ratio=scheme.ratio()),
        impact_range=span,
        likelihood_position=lik_pos,
        risk=impact * 10.0 ** (lik_pos - 1),
        rank=0,
        impact_rank=0,
        medal_rank=0,
    )


def encode(
    rows: Sequence[ScenarioResult], weight: WeightSet, scales: Scales
) -> UncertainAssessment:
    """The scored scenarios as the arrays the uncertainty engine samples."""
    codes = list(weight.weights)
    column = {code: i for i, code in enumerate(codes)}
    shape = (len(rows), len(codes))
    low, mode, high = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    lik = np.zeros((3, len(rows)))
    for i, row in enumerate(rows):
        for c in row.criteria:
            j = column[c.code]
            low[i, j], mode[i, j], high[i, j] = c.resolved.latent
        lik[:, i] = row.likelihood.latent
    cuts = np.array(thresholds(scales.classes.high_from))
    offset = scales.classes.high_offset
    positions = np.array([1.0] + [k + h * offset for k in range(1, 6) for h in (0, 1)])
    return UncertainAssessment(
        low=low,
        mode=mode,
        high=high,
        thresholds=np.tile(cuts, (len(codes), 1)),
        values=np.array(impact_values(scales.classes)),
        weights=np.array([weight.weights[c] for c in codes]),
        lik_low=lik[0],
        lik_mode=lik[1],
        lik_high=lik[2],
        lik_thresholds=cuts,
        lik_positions=positions,
        lik_scale=10.0 ** (positions - 1),
    )


def pool_ranges(
    pools: PooledRanges, rows: Sequence[ScenarioResult], weight: WeightSet, round_: Round
) -> tuple[Pool, ...]:
    """The experts' ranges as the engine's pools, in the cells :func:`encode` makes
    of ``rows`` and ``weight``; each cell's weights normalised to sum to 1.

    Raises
    ------
    ValidationError
        For a scenario not among ``rows``, a criterion not in the weight set's
        catalogue, a cell without experts, a weight that is not a number or negative,
        weights that add up to 0, or a range that is not lowest ≤ expected ≤ highest.
    """
    scenario_of = {row.scenario.key: i for i, row in enumerate(rows)}
    column = {code: j for j, code in enumerate(weight.weights)}
    issues: list[Issue] = []
    made: list[Pool] = []
    for (scenario, criterion), experts in pools.items():
        place = f"pools[{scenario!r}, {criterion!r}]"
        before = len(issues)
        if scenario not in scenario_of:
            issues.append(
                Issue(
                    place,
                    "scenario",
                    said(
                        "scenario %(scenario)s is not assessed in round %(round)s",
                        scenario=repr(scenario),
                        round=repr(round_.key),
                    ),
                )
            )
        if criterion != LIKELIHOOD and criterion not in column:
            issues.append(
                Issue(
                    place,
                    "criterion",
                    said(
                        "edition %(edition)s has no criterion %(criterion)s",
                        edition=repr(round_.edition),
                        criterion=repr(criterion),
                    ),
                )
            )
        if not experts:
            issues.append(Issue(place, "", said("no experts' ranges to pool")))
        weights: list[float] = []
        corners: list[tuple[float, float, float]] = []
        for k, (given, resolved) in enumerate(experts):
            where = f"{place}[{k}]"
            if not isinstance(given, int | float) or isinstance(given, bool):
                issues.append(
                    Issue(
                        where,
                        "weight",
                        said("weight must be a number, got %(raw)s", raw=repr(given)),
                    )
                )
                continue
            if not math.isfinite(given) or given < 0:
                issues.append(
                    Issue(
                        where,
                        "weight",
                        said("weight must not be negative, got %(raw)s", raw=repr(given)),
                    )
                )
                continue
            low, mode, high = (float(v) for v in resolved.latent)
            if not (math.isfinite(low) and math.isfinite(high) and low <= mode <= high):
                issues.append(
                    Issue(
                        where,
                        "range",
                        said(
                            "the range is not lowest ≤ expected ≤ highest: %(range)s",
                            range=repr(resolved.latent),
                        ),
                    )
                )
                continue
            weights.append(float(given))
            corners.append((low, mode, high))
        total = math.fsum(weights)
        if len(issues) == before and experts and total <= 0:
            issues.append(Issue(place, "weight", said("the experts' weights add up to 0")))
        if len(issues) > before:
            continue
        low, mode, high = np.array(corners).T
        made.append(
            Pool(
                scenario=scenario_of[scenario],
                criterion=None if criterion == LIKELIHOOD else column[criterion],
                weights=np.array(weights) / total,
                low=low,
                mode=mode,
                high=high,
            )
        )
    if issues:
        raise ValidationError(issues, summary=said("bad pooled ranges"))
    return tuple(made)


def _propagate(
    uncertain: UncertainAssessment, *, draws: int, seed: int | None
) -> UncertaintyResult:
    from weerbaar.simulation.uncertainty import propagate

    result: UncertaintyResult = propagate(uncertain, draws=draws, seed=seed)
    return result


def _scenario_draws(uncertain: UncertainAssessment, *, draws: int, seed: int) -> ScenarioDraws:
    from weerbaar.simulation.uncertainty import scenario_draws

    result: ScenarioDraws = scenario_draws(uncertain, draws=draws, seed=seed)
    return result


def ranks_by_profile(
    db: Database, *, round_key: str | None = None, subject: Subject | None = None
) -> dict[str, dict[str, int]]:
    """Each scenario's risk rank under every shipped weight set: a ranking that holds
    under all of them is robust to the choice of preference profile."""
    out: dict[str, dict[str, int]] = {}
    for name in profiles():
        found = assess_round(db, round_key=round_key, weights=name, subject=subject)
        for result in found.results:
            out.setdefault(result.scenario.key, {})[name] = result.rank
    return out


def risk_draws(
    db: Database,
    *,
    round_key: str | None = None,
    draws: int,
    seed: int,
    subject: Subject | None = None,
) -> RiskDraws:
    """Every draw's impact and likelihood class position of each scored scenario.

    A rule on classes (a tier, say) applied to the bands alone cannot say how often
    it holds, since a scenario's impact and likelihood vary together draw by draw.
    These are the draws of ``assess_round(db, round_key=round_key, draws=draws,
    seed=seed, subject=subject)`` (equal weights, no pooled ranges): the same
    scenarios, read with the same visibility, sampled from the same uniforms, so the
    percentiles of each column are that assessment's bands, in positions.

    Parameters
    ----------
    db
        The register.
    round_key
        The round; the newest one ``subject`` sees by default.
    draws
        Monte Carlo draws, ≥ 1.
    seed
        A non-negative integer; the assessment run with it is the one reproduced.
    subject
        Whose sight: scenarios and scores hidden from them are left out before
        anything is sampled.

    Returns
    -------
    RiskDraws
        One column per scored scenario, in the register's order; none (arrays of
        shape ``(draws, 0)``) when no scenario is scored in the round.

    Raises
    ------
    ValidationError
        For ``draws < 1``, a negative seed, or more draws × scenarios than
        :data:`weerbaar.simulation.uncertainty.MAX_SCENARIO_DRAWS`.
    """
    draws = check_positive("draws", draws)
    seed = resolve_seed(seed)
    key = sight_key(db, subject, round_key, draws, seed)
    return _kept_draws.get(key, lambda: _risk_draws(db, round_key, draws, seed, subject))


def _values(found: RiskDraws) -> int:
    return found.impact_class.size + found.likelihood_class.size


# Bounded by values rather than entries: one result may hold millions of them.
_kept_draws: Kept[RiskDraws] = Kept(1 << 24, _values)


def _risk_draws(
    db: Database, round_key: str | None, draws: int, seed: int, subject: Subject | None
) -> RiskDraws:
    read = _read(db, round_key, "equal", subject)
    keys = tuple(row.scenario.key for row in read.rows)
    if read.rows:
        sampled = _scenario_draws(
            encode(read.rows, read.weight, read.scales), draws=draws, seed=seed
        )
        impact = _impact_positions(sampled.impact, read.scales.classes.ratio())
        likelihood = sampled.likelihood
    else:
        impact = np.zeros((draws, 0))
        likelihood = np.zeros((draws, 0))
    impact.setflags(write=False)
    likelihood.setflags(write=False)
    return RiskDraws(read.round, keys, impact, likelihood, seed, draws)


def _impact_positions(values: F64, ratio: float) -> F64:
    """:func:`~weerbaar.method.classes.impact_position` of every value; 0.0 for X (0)."""
    # The draws take few distinct values (sums of class values), so each distinct one
    # goes through impact_position itself: a draw on a class boundary then gets the
    # very position the point assessment gives, which NumPy's vectorised log, where it
    # differs from math.log in the last bit, would not guarantee.
    distinct, where = np.unique(values.ravel(), return_inverse=True)
    positions = np.array([_position(float(v), ratio) for v in distinct], dtype=np.float64)
    return positions[where].reshape(values.shape)


def _position(value: float, ratio: float) -> float:
    found = impact_position(value, ratio=ratio)
    return 0.0 if found is None else found
