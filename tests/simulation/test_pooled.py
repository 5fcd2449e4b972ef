"""Pooled cells: a linear opinion pool of experts' triangular ranges, sampled from the
same single uniform per cell. The samples reproduce the analytic mixture (mean and
quantiles within sampling error), both engines count the same classes for them, the
run repeats by seed, disagreement widens the bands, and bad pools are refused."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.optimize import brentq

from weerbaar.errors import ValidationError
from weerbaar.simulation.model import F64, Pool, UncertainAssessment
from weerbaar.simulation.uncertainty import Engine, latent_draws, propagate

from .builders import point_assessment, random_assessment

ENGINES: tuple[Engine, ...] = ("numpy", "compiled")
FIELDS = ("impact", "likelihood", "top5", "top10", "mean_rank")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

# Three experts who disagree, with unequal weights (one range is a left-skewed
# triangle, one symmetric, one right-skewed; two of them overlap).
WEIGHTS = np.array([0.5, 0.3, 0.2])
LOW = np.array([0.4, 1.3, 2.2])
MODE = np.array([1.1, 2.6, 2.4])
HIGH = np.array([1.6, 3.4, 4.9])


def triangle_cdf(x: float, a: float, m: float, b: float) -> float:
    if x <= a:
        return 0.0
    if x >= b:
        return 1.0
    if x <= m:
        return (x - a) ** 2 / ((b - a) * (m - a))
    return 1.0 - (b - x) ** 2 / ((b - a) * (b - m))


def triangle_pdf(x: float, a: float, m: float, b: float) -> float:
    if x < a or x > b:
        return 0.0
    if x < m:
        return 2 * (x - a) / ((b - a) * (m - a))
    if x > m:
        return 2 * (b - x) / ((b - a) * (b - m))
    return 2 / (b - a)


class Mixture:
    """The analytic mixture Σ w_k Triangular(a_k, m_k, b_k)."""

    def __init__(self, weights: F64, low: F64, mode: F64, high: F64) -> None:
        self.parts = [
            (float(w), float(a), float(m), float(b))
            for w, a, m, b in zip(weights, low, mode, high, strict=True)
        ]

    def cdf(self, x: float) -> float:
        return sum(w * triangle_cdf(x, a, m, b) for w, a, m, b in self.parts)

    def pdf(self, x: float) -> float:
        return sum(w * triangle_pdf(x, a, m, b) for w, a, m, b in self.parts)

    def mean(self) -> float:
        return sum(w * (a + m + b) / 3 for w, a, m, b in self.parts)

    def sd(self) -> float:
        second = sum(
            w * ((a * a + m * m + b * b - a * m - a * b - m * b) / 18 + ((a + m + b) / 3) ** 2)
            for w, a, m, b in self.parts
        )
        return math.sqrt(second - self.mean() ** 2)

    def quantile(self, q: float) -> float:
        low = min(a for _, a, _, _ in self.parts)
        high = max(b for _, _, _, b in self.parts)
        return float(brentq(lambda x: self.cdf(x) - q, low, high, xtol=1e-12))


def misfit(sample: F64, mixture: Mixture, sigmas: float = 5.0) -> list[str]:
    """Where ``sample`` departs from ``mixture`` by more than ``sigmas`` standard
    errors: of the mean (σ/√n), and of each quantile (√(q(1−q)/n) / f(x_q))."""
    n = sample.size
    found = []
    bound = sigmas * mixture.sd() / math.sqrt(n)
    if abs(sample.mean() - mixture.mean()) > bound:
        found.append(f"mean {sample.mean()} vs {mixture.mean()} (±{bound})")
    for q in QUANTILES:
        x_q = mixture.quantile(q)
        bound = sigmas * math.sqrt(q * (1 - q) / n) / mixture.pdf(x_q)
        got = float(np.quantile(sample, q))
        if abs(got - x_q) > bound:
            found.append(f"P{q * 100:g} {got} vs {x_q} (±{bound})")
    return found


def pooled(base: UncertainAssessment, *pools: Pool) -> UncertainAssessment:
    return dataclasses.replace(base, pools=pools)


def base_assessment() -> UncertainAssessment:
    # Two scenarios, two criteria; the pooled cell is criterion 1 of scenario 0.
    return point_assessment([[0.5, 2.0], [1.5, 0.2]], [1.5, 0.5], [0.25, 0.75])


def test_a_pooled_cell_reproduces_the_analytic_mixture() -> None:
    a = pooled(base_assessment(), Pool(0, 1, WEIGHTS, LOW, MODE, HIGH))
    mixture = Mixture(WEIGHTS, LOW, MODE, HIGH)
    n = 400_000
    sample = latent_draws(a, scenario=0, criterion=1, draws=n, seed=20_240_611)
    assert sample.shape == (n,)
    assert LOW.min() <= sample.min() and sample.max() <= HIGH.max()
    assert misfit(sample, mixture) == []
    # The check can fail: the same sample is far from the pool with equal weights,
    # and from one with the weights of the first and last expert swapped.
    assert len(misfit(sample, Mixture(np.full(3, 1 / 3), LOW, MODE, HIGH))) >= 3
    assert len(misfit(sample, Mixture(WEIGHTS[::-1].copy(), LOW, MODE, HIGH))) >= 3
    # The only expert below 1.3 has weight 0.5, and its range reaches 1.3 with
    # probability 1 − 0.3²/(1.2 · 0.5) = 0.85: its share of the draws is 0.425.
    below = float((sample < 1.3).mean())
    assert abs(below - 0.425) <= 5 * math.sqrt(0.425 * 0.575 / n)


def test_a_pooled_likelihood_reproduces_the_analytic_mixture_too() -> None:
    weights, low = np.array([0.7, 0.3]), np.array([0.0, 1.2])
    mode, high = np.array([0.3, 1.9]), np.array([0.9, 2.0])
    a = pooled(base_assessment(), Pool(1, None, weights, low, mode, high))
    sample = latent_draws(a, scenario=1, criterion=None, draws=300_000, seed=7)
    assert misfit(sample, Mixture(weights, low, mode, high)) == []


def fine_scale(base: UncertainAssessment, step: float) -> UncertainAssessment:
    """One criterion of weight 1 whose class value is the threshold just below the
    latent value: the aggregated impact is the latent value rounded down to ``step``."""
    cuts = np.arange(0.0, 6.0 + step / 2, step)
    return dataclasses.replace(
        base,
        low=base.low[:, :1],
        mode=base.mode[:, :1],
        high=base.high[:, :1],
        thresholds=cuts[None, :],
        values=np.concatenate([[0.0], cuts]),
        weights=np.array([1.0]),
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_the_engines_bands_of_a_pooled_cell_are_the_mixtures_quantiles(engine: Engine) -> None:
    # Through the whole engine: P5, P50 and P95 of the aggregated impact of a pooled
    # criterion on a fine scale lie within sampling error (plus one step) of the
    # analytic mixture's quantiles.
    step = 0.005
    a = pooled(fine_scale(base_assessment(), step), Pool(0, 0, WEIGHTS, LOW, MODE, HIGH))
    n = 200_000
    result = propagate(a, draws=n, seed=99, engine=engine)
    mixture = Mixture(WEIGHTS, LOW, MODE, HIGH)
    for got, q in zip(result.impact[0], (0.05, 0.5, 0.95), strict=True):
        x_q = mixture.quantile(q)
        bound = 5 * math.sqrt(q * (1 - q) / n) / mixture.pdf(x_q) + step
        assert abs(got - x_q) <= bound, (q, got, x_q, bound)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_engines_count_the_classes_of_the_latent_draws(engine: Engine) -> None:
    # The classes the engine counts are exactly those of latent_draws' values.
    a = pooled(
        random_assessment(6, 3, seed=4),
        Pool(2, 1, WEIGHTS, LOW, MODE, HIGH),
        Pool(2, None, WEIGHTS[::-1].copy(), LOW, MODE, HIGH),
    )
    n = 5_001
    result = propagate(a, draws=n, seed=12, engine=engine)
    lik = latent_draws(a, scenario=2, criterion=None, draws=n, seed=12)
    positions = a.lik_positions[np.searchsorted(a.lik_thresholds, lik, side="right")]
    np.testing.assert_allclose(result.likelihood[2], np.percentile(positions, [5, 50, 95]))
    assert len(np.unique(positions)) > 2  # the pool spreads it over several classes
    impact = np.zeros(n)
    for c in range(3):
        x = latent_draws(a, scenario=2, criterion=c, draws=n, seed=12)
        impact = impact + a.weights[c] * a.values[np.searchsorted(a.thresholds[c], x, "right")]
    np.testing.assert_allclose(result.impact[2], np.percentile(impact, [5, 50, 95]), rtol=1e-12)


def random_pools(a: UncertainAssessment, count: int, seed: int) -> tuple[Pool, ...]:
    """Pools of 1-5 experts on random cells, with point ranges, ranges starting on a
    threshold and experts of weight 0 among them."""
    rng = np.random.default_rng(seed)
    s, c = a.low.shape
    cells: set[tuple[int, int]] = set()
    out: list[Pool] = []
    while len(out) < count:
        scenario, slot = int(rng.integers(s)), int(rng.integers(c + 1))
        if (scenario, slot) in cells:
            continue
        cells.add((scenario, slot))
        k = int(rng.integers(1, 6))
        cuts = a.lik_thresholds if slot == c else a.thresholds[slot]
        mode = rng.uniform(cuts[0] - 0.5, cuts[-1] + 0.5, k)
        low = mode - rng.uniform(0, 1.5, k)
        high = mode + rng.uniform(0, 1.5, k)
        point = rng.random(k) < 0.3
        low[point] = mode[point]
        high[point] = mode[point]
        low[0] = min(cuts[2], mode[0])
        weights = rng.random(k)
        weights[rng.random(k) < 0.2] = 0.0
        weights[0] += 0.1
        out.append(
            Pool(scenario, None if slot == c else slot, weights / weights.sum(), low, mode, high)
        )
    return tuple(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_both_engines_give_equal_results_with_pools(seed: int) -> None:
    a = random_assessment(15, 4, seed=seed)
    a = pooled(a, *random_pools(a, 25, seed))
    numpy_result = propagate(a, draws=3_001, seed=seed, engine="numpy", chunk=500)
    compiled_result = propagate(a, draws=3_001, seed=seed, engine="compiled", chunk=1_000)
    for field in FIELDS:
        assert np.array_equal(getattr(numpy_result, field), getattr(compiled_result, field))
    plain = propagate(dataclasses.replace(a, pools=()), draws=3_001, seed=seed, engine="numpy")
    assert not np.array_equal(plain.impact, numpy_result.impact)  # the pools were used


def test_same_seed_same_results_other_seed_other_results() -> None:
    base = random_assessment(8, 3, seed=3)
    a = pooled(base, *random_pools(base, 6, 3))
    first = propagate(a, draws=2_000, seed=5, engine="numpy")
    again = propagate(a, draws=2_000, seed=5, engine="numpy")
    other = propagate(a, draws=2_000, seed=6, engine="numpy")
    assert all(np.array_equal(getattr(first, f), getattr(again, f)) for f in FIELDS)
    assert not all(np.array_equal(getattr(first, f), getattr(other, f)) for f in FIELDS)
    pool = a.pools[0]

    def cell(seed: int) -> F64:
        return latent_draws(
            a, scenario=pool.scenario, criterion=pool.criterion, draws=1_000, seed=seed
        )

    assert np.array_equal(cell(5), cell(5))
    assert not np.array_equal(cell(5), cell(6))
    # Another seed for None: a fresh one, reported, and repeating it repeats the run.
    fresh = propagate(a, draws=500, seed=None, engine="numpy")
    repeated = propagate(a, draws=500, seed=fresh.seed, engine="numpy")
    assert all(np.array_equal(getattr(fresh, f), getattr(repeated, f)) for f in FIELDS)


def test_a_pool_of_one_expert_with_the_cells_own_range_changes_nothing() -> None:
    a = random_assessment(6, 3, seed=8)
    own = Pool(1, 2, np.array([1.0]), a.low[1, 2:3], a.mode[1, 2:3], a.high[1, 2:3])
    lik = Pool(4, None, np.array([1.0]), a.lik_low[4:5], a.lik_mode[4:5], a.lik_high[4:5])
    for engine in ENGINES:
        plain = propagate(a, draws=4_000, seed=1, engine=engine)
        same = propagate(pooled(a, own, lik), draws=4_000, seed=1, engine=engine)
        assert all(np.array_equal(getattr(plain, f), getattr(same, f)) for f in FIELDS)


@pytest.mark.parametrize("engine", ENGINES)
def test_disagreeing_experts_widen_the_band(engine: Engine) -> None:
    # The concluded range of scenario 0's criterion 1 is a point in class B; the
    # experts range from class X to class B.
    base = base_assessment()
    experts = Pool(
        0, 1, np.array([0.4, 0.35, 0.25]), np.array([-0.5, 0.2, 1.5]),
        np.array([-0.2, 0.5, 2.0]), np.array([0.1, 0.9, 2.5]),
    )  # fmt: skip
    single = propagate(base, draws=10_000, seed=4, engine=engine)
    pool = propagate(pooled(base, experts), draws=10_000, seed=4, engine=engine)
    assert single.impact[0, 2] - single.impact[0, 0] == 0.0
    assert pool.impact[0, 2] - pool.impact[0, 0] >= 0.75 * 3.0 - 0.75 * 0.0
    assert pool.impact[0, 0] == 0.25 * 1 + 0.75 * 0  # P5: criterion 1 in class X
    assert np.array_equal(pool.impact[1], single.impact[1])  # other scenario untouched


def bad(pool: object) -> str:
    a = dataclasses.replace(base_assessment(), pools=(pool,))  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        propagate(a, draws=10, seed=0, engine="numpy")
    return str(caught.value)


def expert(weights: list[float], low: list[float], mode: list[float], high: list[float]) -> Pool:
    return Pool(0, 1, np.array(weights), np.array(low), np.array(mode), np.array(high))


@pytest.mark.parametrize(
    ("pool", "message"),
    [
        (expert([0.5, -0.1, 0.6], [0, 0, 0], [1, 1, 1], [2, 2, 2]), "expert 1: negative weight"),
        (expert([0.5, 0.4], [0, 0], [1, 1], [2, 2]), "sum to 0.9, not 1"),
        (expert([0.5, 0.5], [0, 1.5], [1, 1], [2, 2]), "expert 1: low 1.5 is above mode 1.0"),
        (expert([0.5, 0.5], [0, 0], [1, 3], [2, 2]), "expert 1: mode 3.0 is above high 2.0"),
        (expert([0.5, 0.5], [0, 0, 0], [1, 1], [2, 2]), "one length ≥ 1"),
        (expert([], [], [], []), "one length ≥ 1"),
        (expert([0.5, 0.5], [0, math.nan], [1, 1], [2, 2]), "pools[0].low[1]: not a finite"),
        (Pool(2, 1, np.ones(1), np.zeros(1), np.ones(1), np.ones(1)), "not a scenario index"),
        (Pool(0, 2, np.ones(1), np.zeros(1), np.ones(1), np.ones(1)), "not a criterion index"),
        (Pool(0, True, np.ones(1), np.zeros(1), np.ones(1), np.ones(1)), "not a criterion index"),
        ("not a pool", "pools[0]: not a Pool"),
    ],
)
def test_bad_pools_are_refused(pool: object, message: str) -> None:
    assert message in bad(pool)


def test_two_pools_for_one_cell_are_refused() -> None:
    one = expert([1.0], [0], [1], [2])
    a = dataclasses.replace(base_assessment(), pools=(one, one))
    with pytest.raises(ValidationError, match=r"scenario 0, criterion 1 already has pools\[0\]"):
        propagate(a, draws=10, seed=0)
    with pytest.raises(ValidationError, match="not a scenario index"):
        latent_draws(
            dataclasses.replace(base_assessment(), pools=(Pool(-1, None, *[np.ones(1)] * 4),)),
            scenario=0,
            criterion=None,
            draws=10,
            seed=0,
        )
