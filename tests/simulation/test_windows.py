"""The pilot's windows: exact order statistics whichever path a scenario takes."""

import numpy as np
import pytest

from weerbaar.compute.rng import counter_key
from weerbaar.simulation import compiled, windows
from weerbaar.simulation.compiled import Tallies, load_kernel, run_compiled
from weerbaar.simulation.model import UncertainAssessment
from weerbaar.simulation.ranking import order_statistics
from weerbaar.simulation.sampling import prepare
from weerbaar.simulation.uncertainty import propagate

from .builders import random_assessment
from .test_uncertainty import same

FIELDS = ("lik_counts", "rank_sum", "top5", "top10", "impact_stats")


def equal(a: Tallies, b: Tallies) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in FIELDS)


def both(a: UncertainAssessment, draws: int, seed: int) -> tuple[Tallies, Tallies]:
    prep, key, plan = prepare(a), counter_key(seed), order_statistics(draws)
    return (
        run_compiled(prep, key, draws, draws, plan),
        run_compiled(prep, key, draws, draws, plan, windowed=False),
    )


@pytest.mark.parametrize(
    ("pilot", "draws", "point_share"),
    [(256, 4000, 0.2), (64, 3001, 0.9), (16, 2000, 0.0), (8, 777, 0.5)],
)
def test_windows_give_the_two_pass_result(
    monkeypatch: pytest.MonkeyPatch, pilot: int, draws: int, point_share: float
) -> None:
    # Small pilots miss and overflow often, so both paths run side by side.
    monkeypatch.setattr(compiled, "PILOT_DRAWS", pilot)
    a = random_assessment(40, 5, seed=pilot, point_share=point_share)
    windowed, two_pass = both(a, draws, seed=3)
    assert equal(windowed, two_pass)
    reference = propagate(a, draws=draws, seed=3, engine="numpy")
    assert same(reference, propagate(a, draws=draws, seed=3, engine="compiled"))


def test_a_pilot_windows_every_scenario_and_its_windows_hold_the_statistics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compiled, "PILOT_DRAWS", 2048)
    a = random_assessment(30, 4, seed=5, point_share=0.0)
    prep, draws = prepare(a), 40_000
    plan = order_statistics(draws)
    width = prep.ceiling - prep.floor
    inverse_width = np.divide(compiled.BINS, width, out=np.zeros_like(width), where=width > 0)
    pilot = np.zeros((prep.scenarios, compiled.BINS), dtype=np.int64)
    mode = np.full(prep.scenarios, windows.HISTOGRAM, dtype=np.int64)
    load_kernel().pass_histogram(
        np.uint64(counter_key(1)), prep.cuts, prep.inner, prep.weighted, prep.floor,
        inverse_width, np.arange(prep.scenarios), 0, 2048, pilot,
    )  # fmt: skip
    planned = windows.plan_windows(pilot, 2048, draws, plan, mode, 2, 10**9)
    assert np.all(planned.mode == windows.WINDOWED)
    # Ascending and disjoint (an overlapped window is left empty: its last bin comes
    # before its first).
    assert np.all(planned.high[:, :-1] < planned.low[:, 1:])
    assert np.all(planned.high >= planned.low - 1)
    # Even on a lumpy distribution, windows keep fewer impacts than there are draws.
    assert planned.size < draws * prep.scenarios
    windowed, two_pass = both(a, draws, seed=1)
    assert equal(windowed, two_pass)


def test_overlapping_windows_merge_into_the_later_one() -> None:
    # Every pilot draw in one bin: all three windows are that bin.
    pilot = np.zeros((1, compiled.BINS), dtype=np.int64)
    pilot[0, 7] = 1000
    plan = order_statistics(10_000)
    mode = np.array([windows.HISTOGRAM])
    planned = windows.plan_windows(pilot, 1000, 10_000, plan, mode, 2, budget=10**9)
    assert planned.low.tolist() == [[7, 7, 7]]
    assert planned.high.tolist() == [[6, 6, 7]]
    assert planned.room[0, :2].tolist() == [0, 0] and planned.room[0, 2] > 10_000 / 2


def test_a_budget_too_small_for_any_window_leaves_the_two_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pilot = np.ones((3, compiled.BINS), dtype=np.int64)
    mode = np.array([windows.HISTOGRAM, windows.SETTLED, windows.HISTOGRAM])
    plan = order_statistics(10_000)
    planned = windows.plan_windows(pilot, compiled.BINS, 10_000, plan, mode, 2, budget=0)
    assert planned.mode.tolist() == [windows.HISTOGRAM, windows.SETTLED, windows.HISTOGRAM]
    assert planned.size == 0


def test_requests_settle_only_windows_that_hold_every_statistic_whole() -> None:
    # One window per percentile; 100 draws, so P5, P50, P95 need order statistics
    # 4, 5, 49, 50, 94, 95.
    plan = order_statistics(100)
    assert plan.needed.tolist() == [4, 5, 49, 50, 94, 95]
    start = np.zeros((1, 3, 3), dtype=np.int64)
    planned = windows.Windows(
        mode=np.array([windows.WINDOWED, windows.WINDOWED, windows.HISTOGRAM]),
        low=np.zeros((3, 3), dtype=np.int64),
        high=np.zeros((3, 3), dtype=np.int64),
        room=np.full((3, 3), 10, dtype=np.int64),
        start=start,
        size=0,
    )
    below = np.array([[[3, 45, 90], [3, 45, 90], [3, 45, 90]]])
    inside = np.array([[[4, 10, 8], [4, 11, 8], [4, 10, 8]]])
    asked = windows.requests(planned, below, inside, plan)
    # Scenario 1's middle window dropped an impact (11 > room 10); scenario 2 has no
    # windows.
    assert asked.settled.tolist() == [True, False, False]
    assert asked.scenario.tolist() == [0, 0, 0]
    assert asked.window.tolist() == [0, 1, 2]
    assert asked.first.tolist() == [0, 2, 4, 6]
    assert asked.rank.tolist() == [1, 2, 4, 5, 4, 5]
    assert asked.stat.tolist() == [0, 1, 2, 3, 4, 5]


def test_a_missed_window_leaves_its_scenario_to_the_two_passes() -> None:
    plan = order_statistics(100)
    planned = windows.Windows.none(np.array([windows.WINDOWED]), 3, 1)
    below = np.array([[[6, 45, 90]]])  # statistic 4 lies below the first window
    inside = np.array([[[4, 10, 8]]])
    planned = windows.Windows(
        planned.mode, planned.low, planned.high, np.full((1, 3), 10), planned.start, 0
    )
    assert windows.requests(planned, below, inside, plan).settled.tolist() == [False]


@pytest.mark.parametrize("draws", [255, 256, 257, 513])
def test_windows_agree_with_the_reference_at_block_edges(
    monkeypatch: pytest.MonkeyPatch, draws: int
) -> None:
    monkeypatch.setattr(compiled, "PILOT_DRAWS", 32)
    a = random_assessment(9, 4, seed=2)
    assert same(
        propagate(a, draws=draws, seed=3, engine="numpy"),
        propagate(a, draws=draws, seed=3, engine="compiled"),
    )


@pytest.mark.parametrize("seed", range(4))
def test_select_finds_each_rank_among_ties(seed: int) -> None:
    select = load_kernel()._select
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n = int(rng.integers(1, 80))
        values = rng.integers(0, int(rng.integers(1, 6)), n).astype(np.float64)
        if seed % 2:
            values += rng.random(n)
        ranks = np.sort(rng.integers(0, n, 3))
        work, lo, found = values.copy(), 0, []
        for rank in ranks:
            found.append(select(work, lo, n, int(rank)))
            lo = int(rank)
        assert found == np.sort(values)[ranks].tolist()
        assert np.array_equal(np.sort(work), np.sort(values))
