import numpy as np
import pytest

from weerbaar.errors import ValidationError
from weerbaar.simulation.ranking_sensitivity import rank_displacement, ranking_sensitivity

# Criteria 0 and 1 pull the scenarios in opposite directions, so their relative
# weight decides the order; criterion 2 is the same for every scenario and its weight
# only rescales all impacts alike, which never reorders them.
VALUES = np.array(
    [
        [27.0, 3.0, 9.0],
        [3.0, 27.0, 9.0],
        [12.0, 12.0, 9.0],
        [1.0, 1.0, 9.0],
    ]
)
SCALE = np.ones(4)
BASE = np.array([1 / 3, 1 / 3, 1 / 3])


def test_ranks_follow_the_normalised_weights() -> None:
    ranks = rank_displacement(np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0]]), VALUES, SCALE)
    assert ranks[0].tolist() == [1, 3, 2, 4]
    assert ranks[1].tolist() == [3, 1, 2, 4]


def test_weights_that_reorder_get_the_influence() -> None:
    found = ranking_sensitivity(VALUES, SCALE, BASE, samples=256, seed=11, spread=0.6)
    assert found.moves
    assert found.total_order[0] > 0.2 and found.total_order[1] > 0.2
    assert abs(found.total_order[2]) < 0.05
    assert found.evaluations == 256 * (3 + 2)
    # The scenario in the middle of the tug of war changes place; the last one never.
    assert found.rank_p95[3] == found.rank_p5[3] == 4
    assert found.rank_p95[0] > found.rank_p5[0]


def test_same_seed_same_indices_and_zero_weight_stays_out() -> None:
    base = np.array([0.5, 0.5, 0.0])
    one = ranking_sensitivity(VALUES, SCALE, base, samples=64, seed=5)
    two = ranking_sensitivity(VALUES, SCALE, base, samples=64, seed=5)
    np.testing.assert_array_equal(one.total_order, two.total_order)
    assert one.seed == 5
    assert one.total_order[2] == 0 and one.first_order[2] == 0
    assert one.evaluations == 64 * (2 + 2)


def test_a_ranking_that_cannot_move_gives_zero_indices() -> None:
    values = np.array([[81.0, 27.0], [3.0, 1.0]])  # the first wins under any weights
    found = ranking_sensitivity(values, np.ones(2), np.array([0.5, 0.5]), samples=32, seed=1)
    assert not found.moves
    assert found.total_order.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("values", "scale", "base", "spread", "place"),
    [
        (np.zeros((0, 3)), np.ones(0), BASE, 0.5, "point_values"),
        (VALUES, np.ones(3), BASE, 0.5, "likelihood_scale"),
        (VALUES, SCALE, np.array([0.5, 0.5]), 0.5, "base_weights"),
        (VALUES, SCALE, np.array([0.5, -0.5, 1.0]), 0.5, "base_weights"),
        (VALUES, SCALE, BASE, 1.0, "spread"),
        (np.where(VALUES == 1.0, np.nan, VALUES), SCALE, BASE, 0.5, "point_values"),
    ],
)
def test_bad_input_names_the_argument(values, scale, base, spread, place) -> None:
    with pytest.raises(ValidationError) as caught:
        ranking_sensitivity(values, scale, base, samples=8, seed=1, spread=spread)
    assert any(issue.place == place for issue in caught.value.issues)
