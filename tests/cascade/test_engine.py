"""The compiled engine against the networkx reference, and the ensemble's and the
ranking's own promises."""

import numpy as np
import pytest

from weerbaar.cascade import Disruption, Network, criticality, ensemble, run
from weerbaar.cascade.oracle import oracle_run, to_networkx
from weerbaar.cascade.sampling import SLOT_BUFFER, SLOT_LAG, SLOT_TRANSMIT, uniforms
from weerbaar.cascade.synthetic import synthetic_network

# Every per-member and per-process output of an ensemble kept with keep_times.
ENSEMBLE_OUTPUTS = (
    "affected",
    "taken_down",
    "people_hours",
    "cost",
    "end",
    "longest",
    "fail_probability",
    "mean_downtime",
    "f",
    "e",
)


def random_network(rng: np.random.Generator, n: int, m: int, *, ties: bool) -> Network:
    pairs = np.unique(rng.integers(0, n, (m, 2)), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    k = len(pairs)

    def durations(size: int, top: float) -> tuple[np.ndarray, np.ndarray]:
        # Integer hours make ties (equal fail hours, outage equal to buffer) common.
        low = rng.integers(0, int(top), size).astype(float) if ties else rng.uniform(0, top, size)
        return low, low + rng.choice([0.0, 1.0, 2.0], size)

    return Network.from_edges(
        n,
        pairs[:, 0],
        pairs[:, 1],
        lag=durations(k, 4),
        buffer=durations(k, 6),
        strength=rng.choice([0.2, 0.5, 0.7, 1.0], k),
        restart=durations(n, 5),
        people=rng.integers(0, 100, n).astype(float),
        cost_per_hour=rng.uniform(0, 10, n),
    )


def random_disruption(rng: np.random.Generator, n: int) -> Disruption:
    k = int(rng.integers(1, 4))
    return Disruption(
        sources=rng.integers(0, n, k),
        start=rng.integers(0, 5, k).astype(float),
        duration=rng.integers(0, 30, k).astype(float),
    )


@pytest.mark.parametrize("trial", range(60))
def test_compiled_run_equals_networkx_reference(trial: int) -> None:
    rng = np.random.default_rng(trial)
    n = int(rng.integers(2, 60))
    net = random_network(rng, n, int(rng.integers(0, 4 * n)), ties=trial % 2 == 0)
    disruption = random_disruption(rng, n)
    threshold = float(rng.choice([0.3, 0.5, 1.0]))
    ours = run(net, disruption, min_strength=threshold)
    items = list(
        zip(disruption.sources.tolist(), disruption.start, disruption.duration, strict=True)
    )
    ref = oracle_run(to_networkx(net), items, min_strength=threshold)
    hit = np.flatnonzero(np.isfinite(ours.f)).tolist()
    assert sorted(int(v) for v in ref.f) == hit  # type: ignore[call-overload]
    for v in hit:  # the same arithmetic in the same order: equal to the last bit
        assert ours.f[v] == ref.f[v]
        assert ours.e[v] == ref.e[v]
        assert ours.cause[v] == (-1 if ref.cause[v] is None else ref.cause[v])
    assert ours.affected_count == len(ref.f)


def test_reference_on_a_synthetic_graph() -> None:
    net = synthetic_network(3000, 15000, seed=4)
    hubs = np.argsort(-net.out_degree(), kind="stable")[:5]
    ours = run(net, Disruption.at(hubs, hours=120.0))
    ref = oracle_run(to_networkx(net), [(int(h), 0.0, 120.0) for h in hubs])
    assert ours.affected_count == len(ref.f) > 100
    nodes = np.fromiter(ref.f, dtype=np.int64)
    assert np.array_equal(ours.f[nodes], [ref.f[v] for v in nodes])
    assert np.array_equal(ours.e[nodes], [ref.e[v] for v in nodes])
    assert ours.cause[nodes].tolist() == [
        -1 if ref.cause[v] is None else ref.cause[v] for v in nodes
    ]


def test_ensemble_is_reproducible_and_thread_independent() -> None:
    import numba

    net = synthetic_network(5000, 25000, seed=2)
    hubs = Disruption.at(np.argsort(-net.out_degree())[:3], hours=96.0)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = ensemble(net, hubs, members=20, seed=11, keep_times=True)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined,unused-ignore]
        two = ensemble(net, hubs, members=20, seed=11, keep_times=True)
    finally:
        numba.set_num_threads(before)
    other = ensemble(net, hubs, members=20, seed=12)
    assert one.seed == 11
    for name in ("affected", "people_hours", "cost", "end", "longest"):
        assert np.array_equal(getattr(one, name), getattr(two, name))
    assert np.array_equal(one.fail_probability, two.fail_probability)
    assert np.array_equal(one.mean_downtime, two.mean_downtime)
    assert one.f is not None and two.f is not None
    assert np.array_equal(one.f, two.f)
    assert not np.array_equal(one.affected, other.affected)
    assert len(set(one.affected.tolist())) > 1  # members differ from each other
    # The per-node tallies agree with the kept hours.
    assert one.f is not None and one.e is not None
    down = np.isfinite(one.f)
    assert np.array_equal(one.fail_probability, down.mean(axis=0))
    assert np.array_equal(one.affected, down.sum(axis=1))
    p5, p50, p95 = one.percentiles("affected")
    assert p5 <= p50 <= p95


def test_fixed_ranges_and_full_strength_make_every_member_the_run() -> None:
    rng = np.random.default_rng(5)
    net = random_network(rng, 80, 300, ties=False)
    fixed = Network.from_edges(
        net.n,
        net.supplier,
        net.dependent,
        lag=net.lag_low,
        buffer=net.buffer_low,
        strength=1.0,
        restart=net.restart_high,
        people=net.people,
        cost_per_hour=net.cost_per_hour,
    )
    disruption = Disruption.of([(0, 0.0, 20.0), (7, 3.0, 12.0)])
    single = run(fixed, disruption)
    spread = ensemble(fixed, disruption, members=7, seed=3, keep_times=True)
    assert spread.f is not None and spread.e is not None
    assert np.array_equal(spread.f, np.broadcast_to(single.f.astype(np.float32), spread.f.shape))
    assert np.array_equal(spread.e, np.broadcast_to(single.e.astype(np.float32), spread.e.shape))
    assert np.all(spread.affected == single.affected_count)
    assert np.allclose(spread.people_hours, single.people_hours)
    assert np.array_equal(spread.fail_probability, np.isfinite(single.f).astype(float))


def test_member_draws_match_the_numpy_uniforms() -> None:
    # A star from 0 with lag and buffer ranges and partial strengths: leaf v fails in
    # member r at lag + buffer when the edge transmits and the buffer is below 50 h.
    k = 40
    rng = np.random.default_rng(9)
    lag = (rng.uniform(0, 2, k), rng.uniform(2, 4, k))
    buffer = (rng.uniform(0, 30, k), rng.uniform(30, 60, k))
    strength = rng.uniform(0.2, 1.0, k)
    net = Network.from_edges(
        k + 1,
        np.zeros(k, dtype=int),
        np.arange(1, k + 1),
        lag=lag,
        buffer=buffer,
        strength=strength,
    )
    members, seed = 6, 21
    spread = ensemble(
        net, Disruption.of([(0, 0.0, 50.0)]), members=members, seed=seed, keep_times=True
    )
    assert spread.f is not None
    r = np.arange(members)[:, None]
    j = np.arange(k)[None, :]
    transmits = uniforms(seed, r, j, SLOT_TRANSMIT) < strength
    b = buffer[0] + uniforms(seed, r, j, SLOT_BUFFER) * (buffer[1] - buffer[0])
    lagged = lag[0] + uniforms(seed, r, j, SLOT_LAG) * (lag[1] - lag[0])
    fails = transmits & (b < 50.0)
    expected = np.where(fails, lagged + b, np.inf).astype(np.float32)
    assert 0 < fails.sum() < fails.size
    assert np.array_equal(spread.f[:, 1:], expected)


@pytest.mark.parametrize("trial", range(6))
def test_criticality_equals_one_run_per_source(trial: int) -> None:
    rng = np.random.default_rng(100 + trial)
    n = int(rng.integers(5, 70))
    net = random_network(rng, n, 3 * n, ties=trial % 2 == 0)
    hours = float(rng.choice([4.0, 10.0, 24.0]))
    ranking = criticality(net, hours=hours, threads=1 + trial % 2)
    for v in range(n):
        single = run(net, Disruption.of([(v, 0.0, hours)]))
        assert ranking.taken_down[v] == single.taken_down
        assert ranking.people_hours[v] == pytest.approx(single.people_hours, rel=1e-12)
        assert ranking.cost[v] == pytest.approx(single.cost, rel=1e-12)
    assert 0 < ranking.simulated <= n
    order = ranking.order("taken_down")
    assert sorted(order.tolist()) == list(range(n))
    ranked = ranking.taken_down[order]
    assert np.all(ranked[:-1] >= ranked[1:])
    ties = ranked[:-1] == ranked[1:]
    assert np.all(order[:-1][ties] < order[1:][ties])


def test_synthetic_network_is_seeded_and_heavy_tailed() -> None:
    a = synthetic_network(20000, 100000, seed=1)
    b = synthetic_network(20000, 100000, seed=1)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.buffer_low, b.buffer_low)
    assert 0.97 * 100000 <= a.m <= 100000
    degree = a.out_degree()
    assert degree.max() > 50 * np.median(degree)
    assert np.all(a.buffer_high <= 72.0) and np.all(a.lag_high <= 12.0)
    assert np.all((a.restart_low >= 1.0) & (a.restart_high <= 48.0))
