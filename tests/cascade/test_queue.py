"""The kernel's bucket queue settles nodes in exactly the order of one heap over all of
them, whatever the bucket width, the room it starts with or how far apart the hours
are: every run here equals the networkx reference to the last bit."""

import numpy as np
import pytest

from weerbaar.cascade import Disruption, Network, ensemble
from weerbaar.cascade.engine import load_kernel
from weerbaar.cascade.oracle import oracle_run, to_networkx
from weerbaar.cascade.synthetic import synthetic_network

from .test_engine import ENSEMBLE_OUTPUTS, random_disruption, random_network


def kernel_run(
    net: Network, disruption: Disruption, *, scale: float, room: int, min_strength: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """f, e, cause and count of the compiled run with the given buckets per hour and
    queue room."""
    kernel = load_kernel()
    f = np.full(net.n, np.inf)
    e = np.full(net.n, np.inf)
    workspace = tuple(part[0] for part in kernel.workspaces(1, net.n, room))
    count = kernel.single_run(
        net.indptr, net.dependent, net.lag_low, net.lag_high, net.buffer_low,
        net.buffer_high, net.strength, net.restart_low, net.restart_high,
        disruption.sources, disruption.start, disruption.duration, min_strength, scale,
        f, e, workspace,
    )  # fmt: skip
    return f, e, workspace[1], int(count)


def assert_equals_reference(
    net: Network, disruption: Disruption, *, scale: float, room: int, min_strength: float = 0.5
) -> int:
    f, e, cause, count = kernel_run(
        net, disruption, scale=scale, room=room, min_strength=min_strength
    )
    items = list(
        zip(
            disruption.sources.tolist(),
            disruption.start.tolist(),
            disruption.duration.tolist(),
            strict=True,
        )
    )
    ref = oracle_run(to_networkx(net), items, min_strength=min_strength)
    hit = np.flatnonzero(np.isfinite(f))
    assert sorted(int(v) for v in ref.f) == hit.tolist()  # type: ignore[call-overload]
    assert count == len(hit)
    assert [float(f[v]) for v in hit] == [ref.f[int(v)] for v in hit]
    assert [float(e[v]) for v in hit] == [ref.e[int(v)] for v in hit]
    expected = [-1 if ref.cause[int(v)] is None else ref.cause[int(v)] for v in hit]
    assert cause[hit].tolist() == expected
    assert np.all(np.isinf(e[~np.isfinite(f)])) and np.all(cause[~np.isfinite(f)] == -1)
    return count


@pytest.mark.parametrize("trial", range(40))
@pytest.mark.parametrize(
    ("scale", "room"),
    [
        (1.0, 64),  # about one bucket per hour
        (1e-9, 64),  # every hour in one bucket: the open bucket's heap does all
        (1e6, 64),  # far more buckets than the ring: most pushes wait in the far list
        (3.0, 1),  # no room at first: the queue grows and the run starts again
    ],
)
def test_every_bucket_width_settles_in_heap_order(trial: int, scale: float, room: int) -> None:
    rng = np.random.default_rng(500 + trial)
    n = int(rng.integers(2, 80))
    net = random_network(rng, n, int(rng.integers(0, 5 * n)), ties=trial % 2 == 0)
    threshold = float(rng.choice([0.3, 0.5, 1.0]))
    assert_equals_reference(
        net, random_disruption(rng, n), scale=scale, room=room, min_strength=threshold
    )


def test_sources_far_apart_and_far_in_the_future() -> None:
    # Outages starting before zero, weeks later and so far ahead that every bucket
    # number past the largest one shares the last: each is reached in its turn.
    rng = np.random.default_rng(77)
    net = random_network(rng, 60, 240, ties=True)
    disruption = Disruption.of(
        [(0, -40.0, 30.0), (5, 0.0, 12.0), (9, 900.0, 50.0), (14, 1e15, 20.0), (20, 1e300, 9.0)]
    )
    for scale in (1.0, 50.0, 1e4):
        assert assert_equals_reference(net, disruption, scale=scale, room=64) > 5


def test_zero_lag_zero_buffer_loops_in_one_bucket() -> None:
    # Everything fails at the same hour: ties settle the smaller node first, and nodes
    # pushed into the open bucket after it was sorted still come in order.
    rng = np.random.default_rng(3)
    n = 50
    pairs = np.unique(rng.integers(0, n, (300, 2)), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    net = Network.from_edges(n, pairs[:, 0], pairs[:, 1], restart=rng.integers(0, 3, n) * 1.0)
    disruption = Disruption.of([(7, 0.0, 4.0), (31, 0.0, 6.0)])
    for scale in (1e-9, 1.0, 1e9):
        assert assert_equals_reference(net, disruption, scale=scale, room=2) > 10


def test_default_width_on_a_synthetic_graph() -> None:
    net = synthetic_network(4000, 20000, seed=8)
    kernel = load_kernel()
    hubs = np.argsort(-net.out_degree(), kind="stable")[:4]
    disruption = Disruption.at(hubs, hours=150.0)
    scale = kernel.bucket_scale(net.lag_high, net.buffer_high, kernel.buckets_per_edge(net.n))
    assert assert_equals_reference(net, disruption, scale=scale, room=net.n) > 1000


def test_parallel_ensemble_equals_serial_to_the_last_bit() -> None:
    import numba

    net = synthetic_network(20000, 100000, seed=6)
    hubs = Disruption.at(np.argsort(-net.out_degree(), kind="stable")[:5], hours=120.0)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = ensemble(net, hubs, members=37, seed=4, keep_times=True)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined,unused-ignore]
        parallel = ensemble(net, hubs, members=37, seed=4, keep_times=True)
    finally:
        numba.set_num_threads(before)
    for name in ENSEMBLE_OUTPUTS:
        assert np.array_equal(getattr(serial, name), getattr(parallel, name)), name
    assert serial.affected.min() > 100
