import numpy as np
import pytest
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample

from weerbaar.errors import ValidationError
from weerbaar.simulation.sensitivity import aggregate, sobol_indices, weight_sensitivity

VALUES = np.array([[1.0, 3.0, 9.0, 27.0], [81.0, 1.0, 1.0, 3.0], [3.0, 3.0, 9.0, 1.0]])
BASE = np.array([0.4, 0.3, 0.2, 0.1])
SPREAD = 0.5
PROBLEM = {
    "num_vars": 4,
    "names": ["w1", "w2", "w3", "w4"],
    "bounds": [[b * (1 - SPREAD), b * (1 + SPREAD)] for b in BASE],
}


def test_same_design_gives_salibs_indices_per_output() -> None:
    n, c = 1024, 4
    x = salib_sample.sample(PROBLEM, n, calc_second_order=False, seed=3)
    y = aggregate(x, VALUES)  # (n·(C+2), S): rows A, A_B^(1…C), B per sample
    grouped = y.reshape(n, c + 2, -1)
    first, total = sobol_indices(
        grouped[:, 0], grouped[:, c + 1], np.moveaxis(grouped[:, 1 : c + 1], 1, 0)
    )
    for s in range(VALUES.shape[0]):
        theirs = salib_analyze.analyze(
            PROBLEM, y[:, s], calc_second_order=False, num_resamples=10, seed=1
        )
        np.testing.assert_allclose(first[s], theirs["S1"], atol=1e-3)
        np.testing.assert_allclose(total[s], theirs["ST"], atol=1e-3)
        np.testing.assert_allclose(first[s], theirs["S1"], atol=1e-12)  # in fact identical


def test_own_sampling_converges_to_salibs_result() -> None:
    n = 2**14
    x = salib_sample.sample(PROBLEM, n, calc_second_order=False, seed=5)
    y = aggregate(x, VALUES)
    ours = weight_sensitivity(VALUES, BASE, samples=n, seed=7, spread=SPREAD)
    for s in range(VALUES.shape[0]):
        theirs = salib_analyze.analyze(
            PROBLEM, y[:, s], calc_second_order=False, num_resamples=10, seed=1
        )
        np.testing.assert_allclose(ours.first_order[s], theirs["S1"], atol=1e-3)
        np.testing.assert_allclose(ours.total_order[s], theirs["ST"], atol=1e-3)
    np.testing.assert_allclose(ours.ranking_influence, ours.total_order.mean(axis=0))


def quadrature_indices(v1: float, v2: float, spread: float) -> tuple[float, float]:
    """S1 and ST of weight 1 for y = (w1 v1 + w2 v2)/(w1 + w2), equal base weights, by
    Gauss-Legendre quadrature of Var(E[y|w1]) and E[Var(y|w2)]."""
    nodes, weights = np.polynomial.legendre.leggauss(200)
    w = 1 - spread + spread * (nodes + 1)  # uniform on [1 − s, 1 + s]
    p = weights / 2
    w1, w2 = np.meshgrid(w, w, indexing="ij")
    y = (w1 * v1 + w2 * v2) / (w1 + w2)
    joint = np.outer(p, p)
    mean = np.sum(joint * y)
    var = np.sum(joint * (y - mean) ** 2)
    given1 = (y * p[None, :]).sum(axis=1)  # E[y | w1]
    first = np.sum(p * (given1 - mean) ** 2) / var
    given2 = (y * p[:, None]).sum(axis=0)  # E[y | w2]; ST1 = 1 − Var(E[y|w2])/V
    total = 1 - np.sum(p * (given2 - mean) ** 2) / var
    return float(first), float(total)


def test_two_criteria_known_answers() -> None:
    values = np.array([[1.0, 3.0], [10.0, 30.0], [5.0, 7.0], [4.0, 4.0], [9.0, 1.0]])
    result = weight_sensitivity(values, np.array([0.5, 0.5]), samples=2**14, seed=1, spread=0.5)
    first, total = quadrature_indices(1.0, 3.0, 0.5)
    # y depends on w1/(w1 + w2) only: both weights matter equally, through an
    # interaction (S1 + S2 < 1, ST1 + ST2 > 1); scale and shift of the values change
    # nothing, nor does which value is larger.
    for s in (0, 1, 2, 4):
        np.testing.assert_allclose(result.first_order[s], [first, first], atol=2e-3)
        np.testing.assert_allclose(result.total_order[s], [total, total], atol=2e-3)
    assert first < 0.5 < total
    np.testing.assert_allclose(result.first_order[1], result.first_order[0], rtol=1e-9)
    # Equal values: the weights cannot matter; defined as 0, without a NaN or a warning.
    assert result.first_order[3].tolist() == [0.0, 0.0]
    assert result.total_order[3].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(
        result.ranking_influence, result.total_order[[0, 1, 2, 4]].mean(axis=0)
    )


def test_a_fixed_weight_has_no_influence() -> None:
    result = weight_sensitivity(VALUES, np.array([0.5, 0.5, 0.0, 0.3]), samples=1024, seed=2)
    assert np.all(result.first_order[:, 2] == 0.0) and np.all(result.total_order[:, 2] == 0.0)
    spread0 = weight_sensitivity(VALUES, BASE, samples=64, seed=2, spread=0.0)
    assert not spread0.total_order.any() and not spread0.ranking_influence.any()


def test_seeded_and_blockwise_results_repeat(monkeypatch: pytest.MonkeyPatch) -> None:
    first = weight_sensitivity(VALUES, BASE, samples=300, seed=0)
    assert np.array_equal(
        first.total_order, weight_sensitivity(VALUES, BASE, samples=300, seed=0).total_order
    )
    from weerbaar.simulation import sensitivity

    monkeypatch.setattr(sensitivity, "_BLOCK_VALUES", 1)  # one scenario per block
    np.testing.assert_allclose(
        weight_sensitivity(VALUES, BASE, samples=300, seed=0).first_order,
        first.first_order,
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    ("values", "weights", "kwargs", "message"),
    [
        (VALUES, BASE[:3], {}, "base_weights: shape"),
        (VALUES, np.array([0.5, -0.1, 0.3, 0.3]), {}, r"base_weights\[1\]: criterion 1"),
        (VALUES, np.zeros(4), {}, "must not all be 0"),
        (VALUES, BASE, {"spread": 1.0}, "spread"),
        (VALUES, BASE, {"samples": 1}, "samples"),
        (np.array([[1.0, np.inf, 1.0, 1.0]]), BASE, {}, r"point_values\[0, 1\]"),
    ],
)
def test_inputs_are_checked(
    values: np.ndarray, weights: np.ndarray, kwargs: dict[str, object], message: str
) -> None:
    options: dict[str, object] = {"samples": 64, "seed": 0, **kwargs}
    with pytest.raises(ValidationError, match=message):
        weight_sensitivity(values, weights, **options)  # type: ignore[arg-type]
