"""Assessing a round with the experts' pooled ranges: named cells are sampled from
the linear opinion pool of the experts' ranges (weights normalised per cell), so that
disagreement widens the bands, while the point values and ranks stay the round's."""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers import seed_scored_round
from weerbaar.errors import ValidationError
from weerbaar.method.resolve import Resolved
from weerbaar.services.assessment import LIKELIHOOD, PooledRanges, assess_round
from weerbaar.services.context import Context

DRAWS = 4_000


def concluded(ctx: Context, scenario: str, criterion: str) -> Resolved:
    """The round's own resolved score of one cell."""
    found = assess_round(ctx.db, round_key="r-2019").result(scenario)
    assert found is not None
    if criterion == LIKELIHOOD:
        return found.likelihood
    return next(c.resolved for c in found.criteria if c.code == criterion)


def at(resolved: Resolved, low: float, mode: float, high: float) -> Resolved:
    return dataclasses.replace(resolved, latent=(low, mode, high))


def width(band: tuple[float, float, float]) -> float:
    return band[2] - band[0]


def test_disagreeing_experts_widen_the_bands_and_leave_the_points(ctx: Context) -> None:
    seed_scored_round(ctx)
    money = concluded(ctx, "lek-dike", "3.1")  # €13 bn: a point in class D
    assert money.is_point
    chance = concluded(ctx, "attack-station", LIKELIHOOD)
    pools: PooledRanges = {
        ("lek-dike", "3.1"): [
            (2.0, at(money, 1.0, 1.5, 2.0)),
            (1.0, at(money, 2.5, 3.0, 3.5)),
            (1.0, money),
        ],
        ("attack-station", LIKELIHOOD): [
            (1.0, at(chance, 0.6, 1.0, 1.4)),
            (1.0, chance),
        ],
    }
    single = assess_round(ctx.db, round_key="r-2019", draws=DRAWS, seed=17)
    pooled = assess_round(ctx.db, round_key="r-2019", draws=DRAWS, seed=17, pools=pools)
    lek, lek_pooled = single.result("lek-dike"), pooled.result("lek-dike")
    attack, attack_pooled = single.result("attack-station"), pooled.result("attack-station")
    assert lek and lek_pooled and attack and attack_pooled
    assert lek.band and lek_pooled.band and attack.band and attack_pooled.band
    assert width(lek_pooled.band.impact) > width(lek.band.impact)
    assert lek_pooled.band.impact[0] < lek.band.impact[0]  # experts who scored it lower
    assert width(attack_pooled.band.likelihood) > width(attack.band.likelihood)
    assert attack_pooled.band.likelihood[0] < attack.band.likelihood[0]
    # Untouched cells keep their ranges: attack-station's impact band is unchanged.
    assert attack_pooled.band.impact == attack.band.impact
    # The point assessment is the round's, with or without pools.
    for before, after in ((lek, lek_pooled), (attack, attack_pooled)):
        assert (before.impact, before.risk, before.rank) == (after.impact, after.risk, after.rank)
        assert before.likelihood_position == after.likelihood_position
    assert pooled.seed == 17
    assert pooled.pooled == (("attack-station", LIKELIHOOD), ("lek-dike", "3.1"))
    assert single.pooled == ()
    again = assess_round(ctx.db, round_key="r-2019", draws=DRAWS, seed=17, pools=pools)
    assert [r.band for r in again.results] == [r.band for r in pooled.results]
    other = assess_round(ctx.db, round_key="r-2019", draws=DRAWS, seed=18, pools=pools)
    assert [r.band for r in other.results] != [r.band for r in pooled.results]


def test_weights_are_normalised_per_cell(ctx: Context) -> None:
    seed_scored_round(ctx)
    own = concluded(ctx, "lek-dike", "5.3")
    ranges = [at(own, 1.0, 1.4, 2.0), at(own, 3.0, 3.2, 4.0), own]

    def run(weights: tuple[float, float, float]) -> object:
        pools = {("lek-dike", "5.3"): list(zip(weights, ranges, strict=True))}
        found = assess_round(ctx.db, round_key="r-2019", draws=DRAWS, seed=3, pools=pools)
        return found.result("lek-dike")

    assert run((2.0, 1.0, 1.0)) == run((0.5, 0.25, 0.25))
    assert run((2.0, 1.0, 1.0)) != run((1.0, 1.0, 2.0))


def test_a_pool_of_the_rounds_own_ranges_changes_nothing(ctx: Context) -> None:
    seed_scored_round(ctx)
    plain = assess_round(ctx.db, round_key="r-2019", draws=DRAWS, seed=9)
    pools = {
        ("lek-dike", "5.3"): [(1.0, concluded(ctx, "lek-dike", "5.3"))],
        ("lek-dike", LIKELIHOOD): [(3.0, concluded(ctx, "lek-dike", LIKELIHOOD))],
    }
    same = assess_round(ctx.db, round_key="r-2019", draws=DRAWS, seed=9, pools=pools)
    empty = assess_round(ctx.db, round_key="r-2019", draws=DRAWS, seed=9, pools={})
    assert same.results == plain.results
    assert empty.results == plain.results


def test_bad_pools_are_refused_with_every_problem_named(ctx: Context) -> None:
    seed_scored_round(ctx)
    own = concluded(ctx, "lek-dike", "5.3")
    pools: PooledRanges = {
        ("no-such-scenario", "5.3"): [(1.0, own)],
        ("lek-dike", "9.9"): [(1.0, own)],
        ("lek-dike", "5.3"): [(1.0, own), (-0.5, own)],
        ("lek-dike", "2.1"): [(0.0, own), (0.0, own)],
        ("lek-dike", LIKELIHOOD): [],
        ("attack-station", "2.1"): [("heavy", own)],  # type: ignore[list-item]
        ("attack-station", "5.3"): [(1.0, at(own, 3.0, 2.0, 1.0))],
    }
    with pytest.raises(ValidationError) as caught:
        assess_round(ctx.db, round_key="r-2019", draws=100, seed=1, pools=pools)
    error = caught.value
    assert error.summary == "bad pooled ranges"
    reasons = {(issue.place, issue.reason) for issue in error.issues}
    assert reasons == {
        (
            "pools['no-such-scenario', '5.3']",
            "scenario 'no-such-scenario' is not assessed in round 'r-2019'",
        ),
        ("pools['lek-dike', '9.9']", "edition 'gra-2019' has no criterion '9.9'"),
        ("pools['lek-dike', '5.3'][1]", "weight must not be negative, got -0.5"),
        ("pools['lek-dike', '2.1']", "the experts' weights add up to 0"),
        ("pools['lek-dike', 'likelihood']", "no experts' ranges to pool"),
        ("pools['attack-station', '2.1'][0]", "weight must be a number, got 'heavy'"),
        (
            "pools['attack-station', '5.3'][0]",
            "the range is not lowest ≤ expected ≤ highest: (3.0, 2.0, 1.0)",
        ),
    }
    # Refused without draws too: the pools are checked whether or not they are sampled.
    with pytest.raises(ValidationError, match="not assessed in round"):
        assess_round(ctx.db, round_key="r-2019", pools={("nope", LIKELIHOOD): [(1.0, own)]})
