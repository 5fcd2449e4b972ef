import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from weerbaar.errors import ValidationError
from weerbaar.simulation import compiled, numpy_engine, uncertainty
from weerbaar.simulation.model import UncertainAssessment, UncertaintyResult
from weerbaar.simulation.uncertainty import Engine, propagate, propagate_plain

from .builders import point_assessment, random_assessment

FIELDS = ("impact", "likelihood", "top5", "top10", "mean_rank")
ENGINES: tuple[Engine, ...] = ("numpy", "compiled")


def same(a: UncertaintyResult, b: UncertaintyResult) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in FIELDS) and a.seed == b.seed


def test_hand_computed_point_scores() -> None:
    # Scenario 0: classes A (1) and B (3) → 0.25·1 + 0.75·3 = 2.5; likelihood B (pos 2, ×10)
    # → risk 25. Scenario 1: B and A → 0.25·3 + 0.75·1 = 1.5; likelihood A → risk 1.5.
    assessment = point_assessment([[0.5, 2.0], [1.5, 0.2]], [1.5, 0.5], [0.25, 0.75])
    for engine in ENGINES:
        result = propagate(assessment, draws=50, seed=3, engine=engine)
        assert result.impact.tolist() == [[2.5, 2.5, 2.5], [1.5, 1.5, 1.5]]
        assert result.likelihood.tolist() == [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]]
        assert result.mean_rank.tolist() == [1.0, 2.0]
        assert result.top5.tolist() == [1.0, 1.0]
        assert result.top10.tolist() == [1.0, 1.0]
        assert (result.seed, result.draws) == (3, 50)


def test_a_tie_counts_as_the_better_rank() -> None:
    # Same classes in another order, equal weights: equal risks, both rank 1.
    assessment = point_assessment([[0.5, 2.0], [2.0, 0.5], [0.5, 0.5]], [0.5] * 3, [0.5, 0.5])
    for engine in ENGINES:
        result = propagate(assessment, draws=10, seed=0, engine=engine)
        assert result.mean_rank.tolist() == [1.0, 1.0, 3.0]


def collapsed(assessment: UncertainAssessment) -> UncertainAssessment:
    return dataclasses.replace(
        assessment,
        low=assessment.mode,
        high=assessment.mode,
        lik_low=assessment.lik_mode,
        lik_high=assessment.lik_mode,
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_collapsed_ranges_give_zero_width_bands_at_the_point_estimate(engine: Engine) -> None:
    a = collapsed(random_assessment(25, 6, seed=5))
    result = propagate(a, draws=400, seed=11, engine=engine)
    index = [np.searchsorted(a.thresholds[c], a.mode[:, c], side="right") for c in range(6)]
    point = sum(a.weights[c] * a.values[index[c]] for c in range(6))
    lik = a.lik_positions[np.searchsorted(a.lik_thresholds, a.lik_mode, side="right")]
    np.testing.assert_allclose(result.impact, np.repeat(point[:, None], 3, axis=1), rtol=1e-15)
    assert np.all(result.impact[:, 0] == result.impact[:, 2])
    assert np.array_equal(result.likelihood, np.repeat(lik[:, None], 3, axis=1))
    assert set(np.unique(result.top5)) <= {0.0, 1.0}  # no randomness left in the ranks


@pytest.mark.parametrize("engine", ENGINES)
def test_median_is_the_point_estimate_with_one_symmetric_range(engine: Engine) -> None:
    # Criterion 0 of scenario 0 is Triangular(0.4, 1.2, 2.0): 28 % below threshold 1
    # (class A), 72 % in class B like its mode; a monotone map keeps the median.
    a = point_assessment([[1.2, 0.5, 2.0], [0.5, 0.5, 0.5]], [1.5, 1.5], [0.5, 0.3, 0.2])
    a = dataclasses.replace(a, low=a.low - np.array([[0.8, 0, 0], [0, 0, 0]]))
    a = dataclasses.replace(a, high=a.high + np.array([[0.8, 0, 0], [0, 0, 0]]))
    result = propagate(a, draws=20_001, seed=2, engine=engine)
    point = 0.5 * 3 + 0.3 * 1 + 0.2 * 3
    assert result.impact[0, 1] == point
    assert result.impact[0, 0] == 0.5 * 1 + 0.3 * 1 + 0.2 * 3  # P5 in class A
    assert result.impact[0, 2] == point


@pytest.mark.parametrize("engine", ENGINES)
def test_a_dominating_scenario_always_ranks_first(engine: Engine) -> None:
    rng = np.random.default_rng(4)
    s, c = 12, 4
    mode = rng.uniform(-0.5, 0.6, (s, c))  # ± 0.3 stays below threshold 1 (class B)
    mode[0] = 1.5
    lik = rng.uniform(-0.5, 0.6, s)
    lik[0] = 1.5
    a = point_assessment(mode.tolist(), lik.tolist(), [0.25] * 4)
    a = dataclasses.replace(
        a, low=a.low - 0.3, high=a.high + 0.3, lik_low=lik - 0.3, lik_high=lik + 0.3
    )
    result = propagate(a, draws=3000, seed=9, engine=engine)
    assert result.top5[0] == 1.0
    assert result.mean_rank[0] == 1.0
    assert np.all(result.mean_rank[1:] > 1.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_fixed_seed_repeats_and_none_reports_its_seed(engine: Engine) -> None:
    a = random_assessment(15, 4, seed=1)
    first = propagate(a, draws=500, seed=123, engine=engine)
    assert same(first, propagate(a, draws=500, seed=123, engine=engine))
    assert not np.array_equal(first.impact, propagate(a, draws=500, seed=124, engine=engine).impact)
    fresh = propagate(a, draws=500, seed=None, engine=engine)
    assert same(fresh, propagate(a, draws=500, seed=fresh.seed, engine=engine))


def test_seed_zero_is_a_seed() -> None:
    a = random_assessment(5, 3, seed=1)
    assert same(propagate(a, draws=200, seed=0), propagate(a, draws=200, seed=0))
    assert propagate(a, draws=200, seed=0).seed == 0


@pytest.mark.parametrize(
    ("engine", "chunks"), [("numpy", (1, 7, 64, 1000)), ("compiled", (1, 37, 999))]
)
def test_chunk_size_never_changes_the_result(engine: Engine, chunks: tuple[int, ...]) -> None:
    a = random_assessment(30, 5, seed=8)
    whole = propagate(a, draws=999, seed=5, engine=engine)
    for chunk in chunks:
        assert same(whole, propagate(a, draws=999, seed=5, chunk=chunk, engine=engine))


@pytest.mark.parametrize(
    ("scenarios", "criteria", "point_share"),
    [(60, 7, 0.2), (45, 6, 0.2), (40, 1, 0.0), (30, 5, 0.9), (1, 3, 0.0), (7, 12, 0.5)],
)
def test_compiled_kernel_equals_numpy_reference(
    scenarios: int, criteria: int, point_share: float
) -> None:
    a = random_assessment(scenarios, criteria, seed=scenarios + criteria, point_share=point_share)
    reference = propagate(a, draws=2001, seed=77, engine="numpy")
    assert same(reference, propagate(a, draws=2001, seed=77, engine="compiled"))


def test_compiled_equals_reference_when_risks_crowd_together() -> None:
    # 400 scenarios whose risks all lie in [100, 100.2]: they share their top 16 bits,
    # so the kernel's insertion pass gives up and its full radix sort takes over.
    t = 200
    a = UncertainAssessment(
        low=np.zeros((400, 1)),
        mode=np.full((400, 1), 100.0),
        high=np.full((400, 1), 200.0),
        thresholds=np.arange(t, dtype=float)[None, :] + 0.5,
        values=np.asarray(100.0 + 0.001 * np.arange(t + 1), dtype=np.float64),
        weights=np.ones(1),
        lik_low=np.ones(400),
        lik_mode=np.ones(400),
        lik_high=np.ones(400),
        lik_thresholds=np.array([0.0]),
        lik_positions=np.array([0.0, 1.0]),
        lik_scale=np.array([0.0, 1.0]),
    )
    reference = propagate(a, draws=300, seed=1, engine="numpy")
    assert same(reference, propagate(a, draws=300, seed=1, engine="compiled"))
    assert reference.top5.sum() > 5 * 0.99  # ties at rank 5 may add a little


def test_second_pass_batches_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    a = random_assessment(20, 4, seed=3)
    expected = {e: propagate(a, draws=1000, seed=4, engine=e) for e in ENGINES}
    monkeypatch.setattr(compiled, "KEEP_VALUES", 40)
    monkeypatch.setattr(numpy_engine, "KEEP_VALUES", 3000)
    for engine in ENGINES:
        assert same(expected[engine], propagate(a, draws=1000, seed=4, engine=engine))
    assert same(expected["numpy"], expected["compiled"])


def test_auto_picks_by_size_and_never_changes_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    a = random_assessment(10, 3, seed=2)
    small = propagate(a, draws=300, seed=1)
    monkeypatch.setattr(uncertainty, "AUTO_COMPILED_SCORES", 1)
    assert same(small, propagate(a, draws=300, seed=1))


def test_plain_baseline_agrees_within_monte_carlo_error() -> None:
    a = random_assessment(30, 5, seed=12, point_share=0.0)
    n = 20_000
    counter = propagate(a, draws=n, seed=1, engine="compiled")
    plain = propagate_plain(a, draws=n, seed=1)
    assert same(plain, propagate_plain(a, draws=n, seed=1, chunk=300))
    for p, q in ((counter.top5, plain.top5), (counter.top10, plain.top10)):
        sd = np.sqrt(np.maximum(p * (1 - p), 1 / n) / n)
        assert np.all(np.abs(p - q) <= 5 * sd * np.sqrt(2) + 1e-12)
    assert np.abs(counter.mean_rank - plain.mean_rank).max() < 0.2
    # Medians of discrete sums can jump across a gap in the distribution: compare bands.
    assert np.all(
        (plain.impact[:, 0] <= counter.impact[:, 1]) & (counter.impact[:, 1] <= plain.impact[:, 2])
    )
    assert np.all(
        (plain.likelihood[:, 0] <= counter.likelihood[:, 1])
        & (counter.likelihood[:, 1] <= plain.likelihood[:, 2])
    )


Mutation = Callable[[UncertainAssessment], UncertainAssessment]


def _set(field: str, index: Any, value: float) -> Mutation:
    def mutate(a: UncertainAssessment) -> UncertainAssessment:
        array = np.array(getattr(a, field), dtype=float)
        array[index] = value
        changes: dict[str, Any] = {field: array}
        return dataclasses.replace(a, **changes)

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            _set("low", (2, 1), 99.0),
            r"low\[2, 1\]: scenario 2, criterion 1: low 99.0 is above mode",
        ),
        (
            _set("high", (0, 2), -99.0),
            r"mode\[0, 2\]: scenario 0, criterion 2: mode .* is above high",
        ),
        (_set("thresholds", (1, 3), -50.0), r"thresholds\[1, 2\]: criterion 1: threshold 3"),
        (_set("lik_high", 3, -99.0), r"lik_mode\[3\]: scenario 3: mode .* is above high"),
        (_set("weights", 0, 5.0), r"weights: sum to"),
        (_set("weights", 1, -0.1), r"weights\[1\]: criterion 1: negative weight"),
        (_set("mode", (1, 1), np.nan), r"mode\[1, 1\]: not a finite number"),
        (_set("values", 0, -1.0), r"values\[0\]: negative class value"),
        (
            lambda a: dataclasses.replace(a, mode=a.mode[:, :2]),
            r"mode: shape \(4, 2\) does not match",
        ),
        (
            lambda a: dataclasses.replace(a, values=a.values[:3]),
            r"values: shape \(3,\) does not match",
        ),
        (lambda a: dataclasses.replace(a, lik_scale=a.lik_scale[:2]), r"lik_scale: shape"),
        (lambda a: dataclasses.replace(a, weights=a.weights[:2]), r"weights: shape"),
    ],
)
def test_validation_names_the_place(mutate: Mutation, message: str) -> None:
    a = random_assessment(4, 3, seed=0)
    with pytest.raises(ValidationError, match=message):
        propagate(mutate(a), draws=10, seed=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": 0}, "draws: must be an integer ≥ 1"),
        ({"draws": 2**33}, "draws: at most 2\\*\\*32"),
        ({"draws": 5, "chunk": 0}, "chunk: must be"),
        ({"draws": 5, "engine": "gpu"}, "engine: must be"),
        ({"draws": 5, "seed": -3}, "seed: must be a non-negative integer"),
    ],
)
def test_run_parameters_are_checked(kwargs: dict[str, Any], message: str) -> None:
    kwargs.setdefault("seed", 0)
    with pytest.raises(ValidationError, match=message):
        propagate(random_assessment(3, 2, seed=0), **kwargs)


def test_every_problem_is_listed_at_once() -> None:
    a = random_assessment(4, 3, seed=0)
    bad = _set("weights", 1, -0.1)(_set("low", (2, 1), 99.0)(a))
    with pytest.raises(ValidationError) as caught:
        propagate(bad, draws=10, seed=0)
    places = [issue.place for issue in caught.value.issues]
    assert "low[2, 1]" in places and "weights[1]" in places and "weights" in places


def test_scales_without_thresholds_have_one_class() -> None:
    a = random_assessment(6, 3, seed=1)
    bare = dataclasses.replace(
        a,
        thresholds=np.zeros((3, 0)),
        values=np.array([2.0]),
        lik_thresholds=np.zeros(0),
        lik_positions=np.array([1.0]),
        lik_scale=np.array([1.0]),
    )
    for engine in ENGINES:
        result = propagate(bare, draws=100, seed=0, engine=engine)
        assert np.all(result.impact == 2.0) and np.all(result.likelihood == 1.0)
        assert np.all(result.mean_rank == 1.0)


@pytest.mark.parametrize("draws", [1, 2, 64, 65])
def test_engines_agree_at_block_edges(draws: int) -> None:
    a = random_assessment(9, 4, seed=2)
    assert same(
        propagate(a, draws=draws, seed=3, engine="numpy"),
        propagate(a, draws=draws, seed=3, engine="compiled"),
    )


def test_engines_agree_at_benchmark_shape() -> None:
    from weerbaar.simulation.synthetic import synthetic_assessment

    a = synthetic_assessment(1000, 12, seed=4)
    assert same(
        propagate(a, draws=130, seed=8, engine="numpy"),
        propagate(a, draws=130, seed=8, engine="compiled"),
    )
