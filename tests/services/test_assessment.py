import math
from pathlib import Path

import pytest

from tests.helpers import seed_scored_round, seed_small_register
from weerbaar import formats
from weerbaar.errors import ConflictError, ReferencedError, ValidationError
from weerbaar.services.assessment import assess_round
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, delete_record
from weerbaar.services.scoring import record_score
from weerbaar.services.transfer import import_register
from weerbaar.storage.repository import Repository


def test_point_assessment_hand_computed(ctx: Context) -> None:
    seed_scored_round(ctx)
    result = assess_round(ctx.db, round_key="r-2019", draws=0)
    lek = result.result("lek-dike")
    attack = result.result("attack-station")
    assert lek is not None and attack is not None
    # 400 deaths → Chigh (9√3), €13 bn → D (27), 5.3 C (9); equal weights over 16.
    assert math.isclose(lek.impact, (9 * math.sqrt(3) + 27 + 9) / 16)
    assert str(lek.likelihood.expected) == "C"
    assert lek.likelihood_position == 3.0
    # B (3) and Dhigh (27√3).
    assert math.isclose(attack.impact, (3 + 27 * math.sqrt(3)) / 16)
    assert attack.likelihood_position == 4.0
    risks = {r.scenario.key: r.risk for r in result.results}
    assert math.isclose(risks["attack-station"], attack.impact * 1000)
    assert [r.scenario.key for r in result.results] == ["attack-station", "lek-dike"]
    assert result.results[0].rank == 1 and result.results[1].rank == 2
    assert result.unscored == ()
    assert "400 people → Chigh" in next(c.resolved.rule for c in lek.criteria if c.code == "2.1")


def test_preference_profile_changes_the_aggregate(ctx: Context) -> None:
    seed_scored_round(ctx)
    equal = assess_round(ctx.db, round_key="r-2019", weights="equal").result("lek-dike")
    egal = assess_round(ctx.db, round_key="r-2019", weights="egalitarian").result("lek-dike")
    assert equal is not None and egal is not None
    assert not math.isclose(equal.impact, egal.impact)
    with pytest.raises(ValidationError, match="unknown weight set"):
        assess_round(ctx.db, round_key="r-2019", weights="nihilist")


def test_newest_round_is_the_default(ctx: Context) -> None:
    seed_scored_round(ctx)
    assert assess_round(ctx.db).round.key == "r-2019"


def test_bad_scores_are_refused_and_nothing_written(ctx: Context) -> None:
    seed_scored_round(ctx)
    cases: list[tuple[dict[str, object], str]] = [
        ({"criterion": "6.5", "expected": "C"}, "has no criterion '6.5'"),
        ({"criterion": "2.2", "expected": "F"}, "bad class"),
        ({"criterion": "2.2", "quantity": -3}, "below the minimum"),
        ({"criterion": "2.2", "quantity": 30, "quantity_low": 50}, "above quantity"),
        ({"criterion": "2.2", "expected": "C", "lowest": "D"}, "above the expected"),
        ({"criterion": "5.2", "quantity": 1000}, "qualitative"),
        ({"criterion": "5.1", "quantity": 1000}, "give the duration"),
        ({"criterion": "2.2", "expected": "C", "quantity": 100}, "not both"),
        ({"criterion": "2.2"}, "give the expected class or the expected quantity"),
    ]
    for extra, message in cases:
        raw = {"round": "r-2019", "scenario": "lek-dike", **extra}
        with pytest.raises(ValidationError, match=message):
            create_record(ctx, entity_name="impact_scores", raw=raw)
    likelihood_cases: list[tuple[dict[str, object], str]] = [
        ({"expected": "X"}, "not a likelihood class"),
        ({"probability": 1.5}, "above the maximum"),
        ({"expected": "C", "horizon_years": 5}, "horizon goes with a probability"),
    ]
    for extra, message in likelihood_cases:
        raw = {"round": "r-2019", "scenario": "attack-station", **extra}
        with pytest.raises(ValidationError, match=message):
            create_record(ctx, entity_name="likelihood_scores", raw={**raw})


def test_score_command_service_creates_then_replaces(ctx: Context) -> None:
    seed_scored_round(ctx)
    saved, resolved = record_score(
        ctx, scenario="lek-dike", criterion="2.2", value="2500", low="1000", high="6000"
    )
    assert saved.version == 1 and saved.record.key == "r-2019/lek-dike/2.2"
    assert str(resolved.expected) == "C" and "2,500 people → C" in resolved.rule
    saved, resolved = record_score(ctx, scenario="lek-dike", criterion="2.2", value="Dhigh")
    assert saved.version == 2 and saved.record.quantity is None
    assert str(resolved.expected) == "Dhigh"
    with pytest.raises(ConflictError):
        record_score(ctx, scenario="lek-dike", criterion="2.2", value="D", expected_version=1)
    saved, resolved = record_score(
        ctx, scenario="lek-dike", criterion="likelihood", value="0.002", extra={"horizon_years": 1}
    )
    assert str(resolved.expected) == "C"


def test_a_kept_assessment_is_reused_until_the_register_changes(ctx: Context) -> None:
    seed_scored_round(ctx)
    first = assess_round(ctx.db, round_key="r-2019", draws=200, seed=3)
    assert assess_round(ctx.db, round_key="r-2019", draws=200, seed=3) is first
    assert assess_round(ctx.db, round_key="r-2019", draws=200, seed=4) is not first
    before = first.result("lek-dike")
    assert before is not None
    record_score(ctx, scenario="lek-dike", criterion="2.1", value="E")
    after = assess_round(ctx.db, round_key="r-2019", draws=200, seed=3).result("lek-dike")
    assert after is not None and after.impact > before.impact


def test_scored_scenario_cannot_be_deleted(ctx: Context) -> None:
    seed_scored_round(ctx)
    with pytest.raises(ReferencedError, match=r"impact score r-2019/lek-dike/2\.1"):
        delete_record(ctx, entity_name="scenarios", key="lek-dike")


def test_a_round_without_scores_assesses_to_nothing(ctx: Context) -> None:
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
    result = assess_round(ctx.db, round_key="empty", draws=1000)
    assert result.results == ()
    assert result.unscored == ("attack-station",)


def test_scores_import_from_csv_all_or_nothing(ctx: Context, tmp_path: Path) -> None:
    seed_scored_round(ctx)
    path = tmp_path / "impact_scores.csv"
    path.write_text(
        "round,scenario,criterion,expected,quantity,quantity_low\n"
        "r-2019,lek-dike,2.2,,3000,1000\n"
        "r-2019,lek-dike,9.9,C,,\n"
        "r-2019,ghost,2.1,C,,\n"
        "r-2019,lek-dike,2.3,F,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        import_register(ctx, doc=formats.read(path))
    problems = [str(i) for i in caught.value.issues]
    assert [p.split(",")[0] for p in problems] == [
        "impact_scores.csv line 3",
        "impact_scores.csv line 4",
        "impact_scores.csv line 5",
    ]
    assert assess_round(ctx.db, round_key="r-2019").result("lek-dike") is not None
    with ctx.db.transaction() as connection:
        assert Repository(connection).count("impact_scores") == 5
    path.write_text(
        "round,scenario,criterion,expected,quantity,quantity_low\nr-2019,lek-dike,2.2,,3000,1000\n",
        encoding="utf-8",
    )
    assert import_register(ctx, doc=formats.read(path)).created["impact_scores"] == 1
