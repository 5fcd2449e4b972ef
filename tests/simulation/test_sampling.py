import numpy as np

from weerbaar.simulation.ranking import (
    order_statistics,
    percentiles_from_counts,
    ranks_descending,
)
from weerbaar.simulation.sampling import GRID, NEVER, Triangles, class_cuts, inverse_cdf


def tri(low: float, mode: float, high: float) -> Triangles:
    return Triangles.of(np.array([low]), np.array([mode]), np.array([high]))


def test_degenerate_range_gives_exactly_its_value() -> None:
    u = np.linspace(0, 1 - GRID, 11)
    assert np.all(inverse_cdf(u, tri(2.5, 2.5, 2.5)) == 2.5)


def test_inverse_cdf_inverts_the_triangular_cdf() -> None:
    a, m, b = 1.0, 1.5, 4.0
    u = np.linspace(0, 1 - GRID, 1001)
    x = inverse_cdf(u, tri(a, m, b))
    cdf = np.where(
        x < m, (x - a) ** 2 / ((b - a) * (m - a)), 1 - (b - x) ** 2 / ((b - a) * (b - m))
    )
    np.testing.assert_allclose(cdf, u, atol=1e-12)
    assert np.all(np.diff(x) >= 0)
    assert x[0] == a and np.all(x < b)


def test_mode_at_an_end_is_one_sided() -> None:
    u = np.linspace(0, 1 - GRID, 101)
    assert np.all(np.diff(inverse_cdf(u, tri(0.0, 0.0, 1.0))) >= 0)
    np.testing.assert_allclose(inverse_cdf(np.array([0.25]), tri(0.0, 1.0, 1.0)), [0.5])


def test_cut_points_count_like_searchsorted_on_every_edge() -> None:
    rng = np.random.default_rng(3)
    thresholds = np.array([-1.0, 0.0, 0.3, 0.5, 0.5, 1.0, 2.0])
    for a, m, b in [
        (0.0, 0.5, 1.0),
        (0.3, 0.3, 2.0),
        (-2.0, 2.0, 2.0),
        (0.5, 0.5, 0.5),
        (0.0, 0.3, 0.5),
    ]:
        t = tri(a, m, b)
        cuts = class_cuts(t, thresholds[None, :])[0]
        assert np.all(np.diff(cuts) >= 0)
        # Every grid point next to a cut point, plus random ones.
        k = np.concatenate([cuts, cuts - 1, cuts + 1, rng.integers(0, NEVER, 2000)])
        k = k[(k >= 0) & (k < NEVER)]
        x = inverse_cdf(k * GRID, t)
        expected = np.searchsorted(thresholds, x, side="right")
        assert np.array_equal((k[:, None] >= cuts[None, :]).sum(axis=1), expected)


def test_linear_percentiles_match_numpy() -> None:
    rng = np.random.default_rng(1)
    for n in (1, 2, 3, 20, 1001):
        x = rng.normal(size=(4, n))
        plan = order_statistics(n)
        stats = np.sort(x, axis=1)[:, plan.needed]
        np.testing.assert_allclose(
            plan.combine(stats), np.percentile(x, [5, 50, 95], axis=1).T, rtol=1e-13, atol=1e-13
        )


def test_percentiles_from_counts_match_the_expanded_sample() -> None:
    positions = np.array([0.0, 2.0, 1.0, 1.5])  # deliberately not sorted
    counts = np.array([[3, 0, 5, 2], [0, 10, 0, 0], [1, 1, 1, 1]])
    plan = order_statistics(int(counts[0].sum()))
    result = percentiles_from_counts(counts[:1], positions, plan)
    sample = np.repeat(positions, counts[0])
    np.testing.assert_allclose(result[0], np.percentile(sample, [5, 50, 95]))
    plan4 = order_statistics(4)
    np.testing.assert_allclose(
        percentiles_from_counts(counts[2:], positions, plan4)[0],
        np.percentile(positions, [5, 50, 95]),
    )


def test_ranks_share_the_better_rank_on_ties() -> None:
    keys = np.array([[5.0, 7.0, 7.0, 1.0, 5.0, 9.0]], dtype=np.float32)
    assert ranks_descending(keys).tolist() == [[4, 2, 2, 6, 4, 1]]
    rng = np.random.default_rng(0)
    many = rng.integers(0, 20, (50, 30)).astype(np.float32)
    brute = 1 + (many[:, None, :] > many[:, :, None]).sum(axis=2)
    assert np.array_equal(ranks_descending(many), brute)
