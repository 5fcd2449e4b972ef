"""A round's Monte Carlo draws as class positions: the draws of its assessment's bands,
with the same scenarios and the same sight."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import seed_scored_round, seed_small_register
from weerbaar.domain.access import Subject
from weerbaar.errors import ValidationError
from weerbaar.method.classes import impact_position
from weerbaar.reference.access import roles
from weerbaar.services.assessment import RiskDraws, assess_round, risk_draws
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, update_record
from weerbaar.services.scoring import record_score
from weerbaar.storage.db import Database

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
DRAWS = 2001
ORDER = (100, 1000, 1900)  # (DRAWS − 1) · 5 %, 50 %, 95 %
SEED = 17


def who(org: str, clearance: str = "stg-g") -> Subject:
    return Subject(f"analyst-{org}", roles()["analyst"], org, clearance)


def position(value: float, ratio: float) -> float:
    found = impact_position(value, ratio=ratio)
    return 0.0 if found is None else found


@sqlite_only
def test_the_draws_are_those_of_the_assessments_bands(demo_register: Database) -> None:
    assessed = assess_round(demo_register, draws=DRAWS, seed=SEED)
    found = risk_draws(demo_register, draws=DRAWS, seed=SEED)
    assert found.round.key == assessed.round.key
    assert (found.seed, found.draws) == (SEED, DRAWS)
    scored = [r.scenario.key for r in assessed.results]
    assert len(scored) > 10
    assert sorted(found.scenarios) == sorted(scored)
    assert found.impact_class.shape == found.likelihood_class.shape == (DRAWS, len(scored))
    ratio = assessed.scales.classes.ratio()
    for column, key in enumerate(found.scenarios):
        result = assessed.result(key)
        assert result is not None and result.band is not None
        impacts = found.impact_class[:, column]
        low, middle, high = (position(v, ratio) for v in result.band.impact)
        assert low <= float(np.median(impacts)) <= high, key
        # With 2001 draws P5, P50 and P95 are single order statistics, and a position
        # grows with the impact: the bands' positions are the columns' own, exactly.
        assert np.sort(impacts)[list(ORDER)].tolist() == [low, middle, high], key
        np.testing.assert_allclose(
            np.percentile(found.likelihood_class[:, column], (5, 50, 95)),
            result.band.likelihood,
            rtol=1e-12,
        )


@sqlite_only
def test_a_hidden_scenario_is_no_column(demo_register: Database) -> None:
    outsider = who("min-jenv")
    before = risk_draws(demo_register, draws=200, seed=1, subject=outsider)
    secret = before.scenarios[0]
    update_record(
        Context(db=demo_register, actor="test:setup"),
        entity_name="scenarios",
        key=secret,
        changes={"classification": "stg-c", "owned_by": "nctv"},
    )
    seen = risk_draws(demo_register, draws=200, seed=1, subject=outsider)
    assert secret not in seen.scenarios
    assessed = assess_round(demo_register, draws=200, seed=1, subject=outsider)
    assert sorted(seen.scenarios) == sorted(r.scenario.key for r in assessed.results)
    assert seen.impact_class.shape == (200, len(assessed.results))
    insider = risk_draws(demo_register, draws=200, seed=1, subject=who("nctv", "stg-c"))
    assert secret in insider.scenarios


def test_a_round_without_scores_has_no_columns(ctx: Context) -> None:
    seed_small_register(ctx)
    create_record(
        ctx,
        entity_name="rounds",
        raw={
            "key": "empty",
            "cycle": "nss-2019",
            "name": "Empty",
            "held_on": "2020-01-01",
            "edition": "rbra-2022",
            "status": "open",
        },
    )
    found = risk_draws(ctx.db, round_key="empty", draws=40, seed=2)
    assert found.scenarios == ()
    assert found.impact_class.shape == found.likelihood_class.shape == (40, 0)
    with pytest.raises(ValidationError, match="draws: must be an integer ≥ 1"):
        risk_draws(ctx.db, round_key="empty", draws=0, seed=2)


@pytest.mark.parametrize(
    ("draws", "seed", "message"),
    [(0, 1, "draws: must be"), (-4, 1, "draws: must be"), (10, -1, "seed: must be")],
)
def test_bad_run_parameters_are_refused(ctx: Context, draws: int, seed: int, message: str) -> None:
    seed_scored_round(ctx)
    with pytest.raises(ValidationError, match=message):
        risk_draws(ctx.db, draws=draws, seed=seed)


def test_kept_draws_are_reused_until_the_register_changes(ctx: Context) -> None:
    seed_scored_round(ctx)
    first = risk_draws(ctx.db, round_key="r-2019", draws=300, seed=5)
    assert risk_draws(ctx.db, round_key="r-2019", draws=300, seed=5) is first
    assert risk_draws(ctx.db, round_key="r-2019", draws=300, seed=6) is not first
    with pytest.raises(ValueError, match="read-only"):
        first.impact_class[0, 0] = 0.0
    column = first.scenarios.index("lek-dike")
    record_score(ctx, scenario="lek-dike", criterion="2.1", value="E")
    after: RiskDraws = risk_draws(ctx.db, round_key="r-2019", draws=300, seed=5)
    assert after is not first
    assert np.all(after.impact_class[:, column] >= first.impact_class[:, column])
    assert np.any(after.impact_class[:, column] > first.impact_class[:, column])
