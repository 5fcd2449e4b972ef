"""Small graphs whose fail and end hours are worked out by hand in the comments."""

import numpy as np
import pytest

from weerbaar.cascade import CascadeRun, Disruption, Network, run


def hours(result: CascadeRun, node: int) -> tuple[float, float]:
    return float(result.f[node]), float(result.e[node])


def test_chain_adds_lag_and_buffer_and_waits_for_restart() -> None:
    # 0 -> 1 (lag 1, buffer 0), 1 -> 2 (lag 0, buffer 2), 2 -> 3 (lag 2, buffer 1); restart 1.
    # 0 down [0, 5): D 5 > 0, so 1 fails at 0+1+0 = 1, back when 0 is back + lag: 6, +1 = 7.
    # 1: D 6 > 2, 2 fails at 1+0+2 = 3, back 7+0 = 7, +1 = 8.
    # 2: D 5 > 1, 3 fails at 3+2+1 = 6, back 8+2 = 10, +1 = 11.
    net = Network.from_edges(4, [0, 1, 2], [1, 2, 3], lag=[1, 0, 2], buffer=[0, 2, 1], restart=1.0)
    r = run(net, Disruption.of([(0, 0.0, 5.0)]))
    assert [hours(r, v) for v in range(4)] == [(0, 5), (1, 7), (3, 8), (6, 11)]
    assert r.cause.tolist() == [-1, 0, 1, 2]
    assert r.affected_count == 4
    assert r.taken_down == 3
    assert r.end == 11
    assert r.longest == 6
    assert r.affected().tolist() == [0, 1, 2, 3]


def test_diamond_recovery_waits_for_both_branches() -> None:
    # 0 -> 1 (lag 1), 0 -> 2 (lag 4), 1 -> 3, 2 -> 3 (lag 0, buffer 0); restarts 0 but 1: 3, 2: 0.
    # 0 down [0, 10). 1 fails at 1, back 11 + 3 = 14. 2 fails at 4, back 14 + 0 = 14.
    # 3 fails at 1 (via 1) and is settled at 1, before 2 fails at 4, so only 1 counts:
    # restore 14 -> e = 14.
    net = Network.from_edges(
        4, [0, 0, 1, 2], [1, 2, 3, 3], lag=[1, 4, 0, 0], restart=[0.0, 3.0, 0.0, 0.0]
    )
    r = run(net, Disruption.of([(0, 0.0, 10.0)]))
    assert hours(r, 1) == (1, 14)
    assert hours(r, 2) == (4, 14)
    assert hours(r, 3) == (1, 14)
    assert r.cause[3] == 1


def test_diamond_waits_for_the_longer_branch_settled_first() -> None:
    # 0 -> 1 (lag 0), 0 -> 2 (lag 0), 1 -> 3 (buffer 2), 2 -> 3 (buffer 3); restart of 2 is 6.
    # 0 down [0, 4). 1 fails at 0, back 4. 2 fails at 0, back 4 + 6 = 10.
    # 1 (D 4 > 2): 3 at 2, restore 4. 2 (D 10 > 3): 3 at 3 (not earlier), restore 10.
    # 3 settles at 2 with restore max(4, 10) = 10: down [2, 10).
    net = Network.from_edges(
        4, [0, 0, 1, 2], [1, 2, 3, 3], buffer=[0, 0, 2, 3], restart=[0.0, 0.0, 6.0, 0.0]
    )
    r = run(net, Disruption.of([(0, 0.0, 4.0)]))
    assert hours(r, 3) == (2, 10)
    assert r.cause[3] == 1


def test_zero_lag_zero_buffer_cycle_terminates() -> None:
    # 0 -> 1 -> 2 -> 0, no lag, no buffer, restart 1. Source 0 down [0, 5).
    # 1 fails at 0, back 5 + 1 = 6; 2 fails at 0, back 6 + 1 = 7; 0 is already settled,
    # so the loop does not extend its outage: 0 is back at 5 (documented consequence).
    net = Network.from_edges(3, [0, 1, 2], [1, 2, 0], restart=1.0)
    r = run(net, Disruption.of([(0, 0.0, 5.0)]))
    assert [hours(r, v) for v in range(3)] == [(0, 5), (0, 6), (0, 7)]


@pytest.mark.parametrize(
    ("buffer", "fails"), [(4.0, False), (3.999, True), (4.001, False), (0.0, True)]
)
def test_buffer_equal_to_the_outage_bridges_it(buffer: float, fails: bool) -> None:
    # 0 down [0, 4): 1 fails only if 4 > buffer (strictly), at hour buffer.
    net = Network.from_edges(2, [0], [1], buffer=buffer)
    r = run(net, Disruption.of([(0, 0.0, 4.0)]))
    assert np.isfinite(r.f[1]) == fails
    if fails:
        assert hours(r, 1) == (buffer, 4.0)
    else:
        assert r.f[1] == np.inf and r.e[1] == np.inf


def test_range_midpoint_is_used_deterministically() -> None:
    # buffer (3, 5): midpoint 4 equals the outage of 4 h -> bridged; outage 4.5 -> fails at 4.
    net = Network.from_edges(2, [0], [1], buffer=([3.0], [5.0]))
    assert not np.isfinite(run(net, Disruption.of([(0, 0.0, 4.0)])).f[1])
    assert hours(run(net, Disruption.of([(0, 0.0, 4.5)])), 1) == (4.0, 4.5)


def test_lag_delays_failure_and_return() -> None:
    # 0 -> 1 with lag 3 and buffer 1: 0 down [2, 6) -> 1 fails at 2+3+1 = 6, back 6+3 = 9.
    net = Network.from_edges(2, [0], [1], lag=3.0, buffer=1.0)
    assert hours(run(net, Disruption.of([(0, 2.0, 4.0)])), 1) == (6.0, 9.0)


def test_recovery_order_follows_suppliers() -> None:
    # Star 0 -> 1, 2, 3 with restarts 3, 1, 2 and zero lag: all fail at 0 and come back
    # at 5 + restart: 8, 6, 7, so 2 is back first, then 3, then 1.
    net = Network.from_edges(4, [0, 0, 0], [1, 2, 3], restart=[0.0, 3.0, 1.0, 2.0])
    r = run(net, Disruption.of([(0, 0.0, 5.0)]))
    assert r.e[1:].tolist() == [8.0, 6.0, 7.0]
    assert np.argsort(r.e[1:]).tolist() == [1, 2, 0]


def test_several_sources_and_a_repeated_one() -> None:
    # 0 -> 2 (buffer 1), 1 -> 2 (buffer 1, lag 2). 0 down [0, 3) and again [5, 7) -> one
    # span [0, 7). 1 down [1, 2) (D 1, not > 1: bridged).
    # 0: D 7 > 1: 2 fails at 1, restore 7. 1 settles at 1, before 2 (tie at hour 1: lower
    # index first), D 1 -> nothing. 2 settles at 1: e = 7.
    net = Network.from_edges(3, [0, 1], [2, 2], lag=[0, 2], buffer=1.0)
    r = run(net, Disruption.of([(0, 0.0, 3.0), (1, 1.0, 1.0), (0, 5.0, 2.0)]))
    assert [hours(r, v) for v in range(3)] == [(0, 7), (1, 2), (1, 7)]
    assert r.taken_down == 1
    assert r.cause.tolist() == [-1, -1, 0]


def test_strength_below_threshold_does_not_transmit() -> None:
    net = Network.from_edges(3, [0, 0], [1, 2], strength=[0.4, 0.5])
    r = run(net, Disruption.of([(0, 0.0, 2.0)]))
    assert np.isinf(r.f[1]) and r.f[2] == 0.0
    lenient = run(net, Disruption.of([(0, 0.0, 2.0)]), min_strength=0.3)
    assert lenient.f[1] == 0.0


def test_people_hours_and_cost() -> None:
    # Chain 0 -> 1, restart of 1 is 2: 0 down [0, 4), 1 down [0, 6).
    net = Network.from_edges(
        2, [0], [1], restart=[0.0, 2.0], people=[10.0, 100.0], cost_per_hour=[1.0, 3.0]
    )
    r = run(net, Disruption.of([(0, 0.0, 4.0)]))
    assert r.people_hours == 10 * 4 + 100 * 6
    assert r.cost == 1 * 4 + 3 * 6
