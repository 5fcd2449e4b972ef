import math

import pytest

from weerbaar.domain.classes import ClassScore
from weerbaar.errors import ValidationError
from weerbaar.method.aggregation import medal_ranking, rank_by, weighted_sum
from weerbaar.method.classes import describe_position, impact_position
from weerbaar.method.weights import custom, resolve
from weerbaar.reference.method import editions, profiles, scales_sets

SCHEME = scales_sets()["weerbaar-calibrated"].classes
GRA = editions()["gra-2019"]
NRB = editions()["nrb-2008"]


def c(text: str) -> ClassScore:
    return ClassScore.parse(text)


def test_equal_weights_hand_computed() -> None:
    weights = resolve(profiles()["equal"], GRA)
    assert len(weights.weights) == 16
    scores = {"2.1": c("C"), "3.1": c("D"), "5.3": c("B")}
    assert math.isclose(weighted_sum(scores, weights, SCHEME), (9 + 27 + 3) / 16)


def test_high_mark_is_root_three_up() -> None:
    weights = custom(
        "one", {code.code: (1.0 if code.code == "2.1" else 0.0) for code in GRA.criteria}, GRA
    )
    assert math.isclose(weighted_sum({"2.1": c("Chigh")}, weights, SCHEME), 9 * math.sqrt(3))
    assert math.isclose(impact_position(9 * math.sqrt(3)) or 0, 3.5)


def test_impact_position_read_back_on_the_three_axis() -> None:
    assert impact_position(1) == 1.0
    assert math.isclose(impact_position(81) or 0, 5.0)
    assert impact_position(0) is None
    assert describe_position(3.0) == "C"
    assert describe_position(3.4) == "C–D"


def test_profiles_sum_to_one_on_every_edition() -> None:
    for profile in profiles().values():
        for edition in (GRA, NRB):
            weights = resolve(profile, edition)
            assert set(weights.weights) == {x.code for x in edition.criteria}
            assert math.isclose(sum(weights.weights.values()), 1.0)


def test_interest_profile_shares_weight_within_interest() -> None:
    weights = resolve(profiles()["egalitarian"], GRA)
    assert math.isclose(weights.weights["2.1"], 0.35 / 3)
    assert math.isclose(weights.weights["4.1"], 0.2)


def test_custom_weight_set_errors_name_the_problem() -> None:
    good = {x.code: 1 / 16 for x in GRA.criteria}
    assert math.isclose(sum(custom("mine", good, GRA).weights.values()), 1.0)
    with pytest.raises(ValidationError, match="sum to"):
        custom("mine", {**good, "2.1": 0.5}, GRA)
    with pytest.raises(ValidationError, match=r"no criterion 6\.5"):
        custom("mine", {**good, "6.5": 0.0}, GRA)
    with pytest.raises(ValidationError, match="no weight given"):
        custom("mine", {k: v for k, v in good.items() if k != "2.1"}, GRA)
    with pytest.raises(ValidationError, match="negative"):
        custom("mine", {**good, "2.1": -0.1}, GRA)


def test_medal_method_ranks_by_counts_of_the_worst_classes() -> None:
    ranking = medal_ranking(
        {
            "one-e": {"2.1": c("E"), "3.1": c("A")},
            "many-d": {"2.1": c("D"), "3.1": c("D"), "5.1": c("D")},
            "d-high": {"2.1": c("Dhigh")},
            "nothing": {"2.1": c("X")},
        }
    )
    assert [(r.key, r.rank) for r in ranking] == [
        ("one-e", 1),
        ("many-d", 2),
        ("d-high", 3),
        ("nothing", 4),
    ]


def test_competition_ranking_shares_ties() -> None:
    assert [(r.key, r.rank) for r in rank_by({"a": 3, "b": 5, "c": 3})] == [
        ("b", 1),
        ("a", 2),
        ("c", 2),
    ]
