"""Cascades over the register's vital processes: hand-checked on a four-process graph,
scored on the round's criteria, written to a scenario, and bounded by need-to-know."""

from __future__ import annotations

import pytest

from tests.helpers import seed_scored_round
from weerbaar.domain.access import Subject
from weerbaar.domain.classes import ClassScore
from weerbaar.errors import NotFoundError, ValidationError
from weerbaar.method.scales import MatrixScale, QuantityScale
from weerbaar.reference.access import roles
from weerbaar.reference.method import editions, scales_for
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.infrastructure.graph import load_graph
from weerbaar.services.infrastructure.ranking import rank_processes
from weerbaar.services.infrastructure.runs import run_cascade
from weerbaar.services.infrastructure.scores import write_scores
from weerbaar.services.infrastructure.starts import Start, resolve_starts
from weerbaar.services.records import create_record, list_records, update_record
from weerbaar.storage.db import Database

PROCESSES = [
    {"key": "grid", "name": "Grid", "sector": "energy", "category": "A", "people_served": 1e6,
     "restart_hours": 2, "cost_per_hour": 1000, "region": "Utrecht"},
    {"key": "water", "name": "Water", "sector": "drinking water", "category": "A",
     "people_served": 5e5, "basic_need": "yes", "restart_hours": 4, "cost_per_hour": 200,
     "region": "Utrecht"},
    {"key": "telecom", "name": "Telecom", "sector": "telecom", "category": "B",
     "people_served": 8e5, "cost_per_hour": 300},
    {"key": "hospital", "name": "Hospital", "sector": "health", "category": "B",
     "people_served": 2e5, "basic_need": "yes", "restart_hours": 1, "cost_per_hour": 50},
]  # fmt: skip
DEPENDENCIES = [
    {"supplier": "grid", "dependent": "water", "kind": "electricity", "lag_hours": 1,
     "buffer_hours": 6},
    {"supplier": "grid", "dependent": "telecom", "kind": "electricity", "buffer_hours": 2},
    # Weak: the hospital has its own generators most of the time.
    {"supplier": "telecom", "dependent": "hospital", "kind": "telecom", "strength": 0.3},
]  # fmt: skip


@pytest.fixture
def grid(ctx: Context) -> Context:
    seed_scored_round(ctx)
    for raw in PROCESSES:
        create_record(ctx, entity_name="vital_processes", raw=raw)
    for raw in DEPENDENCIES:
        create_record(ctx, entity_name="dependencies", raw=raw)
    return ctx


def test_a_ten_hour_grid_outage_by_hand(grid: Context, db: Database) -> None:
    report = run_cascade(db, [Start("grid", 10.0)])
    rows = {a.process: a for a in report.affected}
    # water: down at 0 + lag 1 + buffer 6; back when the grid is back (10) + lag 1 +
    # restart 4. telecom: down at its buffer, back with the grid (no restart).
    # The hospital's dependency (strength 0.3) does not pass the outage on.
    assert [(a.process, a.fails_at, a.recovers_at, a.cause) for a in report.affected] == [
        ("grid", 0.0, 10.0, None),
        ("telecom", 2.0, 10.0, "grid"),
        ("water", 7.0, 15.0, "grid"),
    ]
    assert report.taken_down == 2
    assert rows["water"].person_hours == 5e5 * 8
    assert report.cost == pytest.approx(1000 * 10 + 200 * 8 + 300 * 8)
    assert report.end == 15.0


def test_impact_classes_come_from_the_rounds_catalogue(grid: Context, db: Database) -> None:
    report = run_cascade(db, [Start("grid", 10.0)])
    assert report.edition == "gra-2019"  # the newest round's
    scales = scales_for(editions()["gra-2019"])
    daily_life, basic_needs, costs = (scales.scale(c) for c in ("5.1", "2.3", "3.1"))
    assert isinstance(daily_life, MatrixScale) and isinstance(basic_needs, MatrixScale)
    assert isinstance(costs, QuantityScale)
    by_code = {i.code: i for i in report.impacts}
    assert set(by_code) == {"5.1", "2.3", "3.1"}
    # 5.1: the worst single process: the grid (1,000,000 people for 10 h).
    assert (by_code["5.1"].process, by_code["5.1"].quantity) == ("grid", 1e6)
    assert by_code["5.1"].days == pytest.approx(10 / 24)
    assert by_code["5.1"].expected == str(daily_life.classify(1e6, 10 / 24).score)
    # 2.3 counts only processes meeting basic needs: the water company, 8 h.
    assert by_code["2.3"].process == "water"
    assert by_code["2.3"].days == pytest.approx(8 / 24)
    assert by_code["2.3"].expected == str(basic_needs.classify(5e5, 8 / 24).score)
    assert by_code["3.1"].quantity == report.cost
    assert by_code["3.1"].rule == costs.classify(report.cost).rule


def test_a_long_outage_reaches_a_higher_class(grid: Context, db: Database) -> None:
    short = {i.code: i for i in run_cascade(db, [Start("grid", 10.0)]).impacts}
    long = {i.code: i for i in run_cascade(db, [Start("grid", 24 * 40.0)]).impacts}
    assert long["5.1"].days == pytest.approx(40)
    assert ClassScore.parse(long["5.1"].expected) > ClassScore.parse(short["5.1"].expected)


def test_an_ensemble_is_reproducible_and_brackets_the_run(grid: Context, db: Database) -> None:
    update_record(
        grid,
        entity_name="dependencies",
        key="grid/water",
        changes={"buffer_hours": 4, "buffer_hours_high": 12},
    )
    one = run_cascade(db, [Start("grid", 10.0)], members=300, seed=7)
    two = run_cascade(db, [Start("grid", 10.0)], members=300, seed=7)
    assert one == two and one.seed == 7 and one.members == 300
    water = next(a for a in one.affected if a.process == "water")
    # Its buffer is 4…12 h against a 10 h outage: down in about 3/4 of the members.
    assert 0.6 < (water.fail_probability or 0) < 0.9
    hospital = [a for a in one.affected if a.process == "hospital"]
    assert hospital == []  # not in the deterministic run, even if some members hit it
    for impact in one.impacts:
        assert impact.quantity_low is not None and impact.quantity_high is not None
        assert impact.quantity_low <= impact.quantity <= impact.quantity_high
        assert impact.lowest is not None and impact.highest is not None
        low, mid, high = map(ClassScore.parse, (impact.lowest, impact.expected, impact.highest))
        assert low <= mid <= high


def test_starts_name_processes_or_sectors_with_a_region(grid: Context, db: Database) -> None:
    graph = load_graph(db)
    assert resolve_starts(graph, ["energy"], hours=5) == [Start("grid", 5.0)]
    assert [s.process for s in resolve_starts(graph, ["Telecom", "water"], hours=1)] == [
        "telecom",
        "water",
    ]
    assert resolve_starts(graph, ["drinking water"], hours=2, region="Utrecht") == [
        Start("water", 2.0)
    ]
    with pytest.raises(ValidationError) as refused:
        resolve_starts(graph, ["gas", "grid"], hours=-1, region="Limburg")
    reasons = " | ".join(i.reason for i in refused.value.issues)
    assert "'gas' is neither a vital process nor a sector" in reasons
    assert "≥ 0" in reasons and "Limburg" in reasons


def test_scores_are_written_together_with_the_run_in_the_note(grid: Context, db: Database) -> None:
    report = run_cascade(db, [Start("grid", 48.0)], members=50, seed=1)
    saved = write_scores(grid, report, scenario="lek-dike", round_key="r-2019")
    assert sorted(v.record.criterion for v in saved) == ["2.3", "3.1", "5.1"]
    costs = next(v.record for v in saved if v.record.criterion == "3.1")
    assert costs.quantity == report.cost  # it replaced the 13e9 the round held
    assert costs.expected is None and "cascade run" in (costs.note or "")
    assert "seed 1" in (costs.note or "")
    entries = [e for e in recent_entries(db) if e.entity == "impact_scores"]
    assert {e.key for e in entries[:3]} == {f"r-2019/lek-dike/{c}" for c in ("2.3", "3.1", "5.1")}


def test_writing_scores_to_a_round_of_another_edition_is_refused(
    grid: Context, db: Database
) -> None:
    report = run_cascade(db, [Start("grid", 48.0)], edition="nrb-2008")
    before = len(list_records(db, entity_name="impact_scores"))
    with pytest.raises(ValidationError, match="edition"):
        write_scores(grid, report, scenario="lek-dike", round_key="r-2019")
    assert len(list_records(db, entity_name="impact_scores")) == before


def test_the_ranking_puts_the_grid_first(grid: Context, db: Database) -> None:
    ranked = rank_processes(db, hours=10)
    assert [r.process for r in ranked][:1] == ["grid"]
    assert ranked[0].taken_down == 2
    by_count = rank_processes(db, hours=10, by="taken_down", limit=2)
    assert [r.rank for r in by_count] == [1, 2] and by_count[0].process == "grid"


def test_a_reader_computes_over_what_they_may_see(grid: Context, db: Database) -> None:
    update_record(
        grid,
        entity_name="vital_processes",
        key="water",
        changes={"classification": "stg-c", "owned_by": "nctv"},
    )
    outsider = Subject("analyst-x", roles()["analyst"], "min-jenv", "stg-g")
    graph = load_graph(db, subject=outsider)
    assert "water" not in graph.index
    assert all("water" not in (d.supplier, d.dependent) for d in graph.dependencies)
    report = run_cascade(db, [Start("grid", 10.0)], subject=outsider)
    assert [a.process for a in report.affected] == ["grid", "telecom"]
    assert "water" not in str(report)
    with pytest.raises(NotFoundError) as hidden:
        run_cascade(db, [Start("water", 10.0)], subject=outsider)
    with pytest.raises(NotFoundError) as missing:
        run_cascade(db, [Start("no-such", 10.0)], subject=outsider)
    assert str(hidden.value).replace("water", "X") == str(missing.value).replace("no-such", "X")
    assert "water" not in [r.process for r in rank_processes(db, subject=outsider)]


def test_an_empty_register_gives_an_empty_ranking(db: Database) -> None:
    assert rank_processes(db) == []
    with pytest.raises(ValidationError, match="at least one"):
        resolve_starts(load_graph(db), [], hours=1)
