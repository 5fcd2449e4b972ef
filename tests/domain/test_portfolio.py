import datetime as dt
from collections.abc import Sequence
from typing import TypeVar, cast

from weerbaar.domain.entities.strategy import Measure, Organisation, Scenario, Theme
from weerbaar.domain.enums import MeasureKind, MeasureStatus, OrgKind, ScenarioKind, Tier
from weerbaar.domain.fields import Value
from weerbaar.domain.portfolio import (
    CoverageState,
    build_portfolio,
    covers,
    effort,
    linked_to_no_risk,
    ministry_of,
)
from weerbaar.domain.register import ENTITIES

R = TypeVar("R")


def build(record: type[R], **values: Value) -> R:
    """A record as the register builds it (mypy does not see the records' fields)."""
    spec = next(e for e in ENTITIES if e.record is record)
    return cast(R, spec.build(values))


TODAY = dt.date(2021, 6, 1)


def org(key: str, kind: OrgKind = OrgKind.AGENCY, parent: str | None = None) -> Organisation:
    return build(Organisation, key=key, name=key.upper(), kind=kind, parent=parent)


ORGS = {
    o.key: o
    for o in (
        org("min-jenv", OrgKind.MINISTRY),
        org("nctv", parent="min-jenv"),
        org("ncsc", parent="nctv"),  # two steps below the ministry
        org("min-ienw", OrgKind.MINISTRY),
        org("gem-utrecht", OrgKind.MUNICIPALITY),
    )
}


def theme(key: str) -> Theme:
    return build(Theme, key=key, name=key, name_en=key.title(), tier=Tier.STRENGTHENED)


def scenario(key: str, theme: str) -> Scenario:
    return build(Scenario, key=key, title=key, kind=ScenarioKind.HAZARD, theme=theme, narrative="-")


def measure(
    key: str,
    *,
    owner: str = "min-jenv",
    theme: str | None = None,
    scenarios: Sequence[str] = (),
    status: MeasureStatus = MeasureStatus.IN_PROGRESS,
    due_on: dt.date | None = None,
    budget: float | None = None,
) -> Measure:
    return build(
        Measure,
        key=key,
        title=f"Measure {key}",
        kind=MeasureKind.THEME_SPECIFIC if theme else MeasureKind.GENERIC,
        status=status,
        owner=owner,
        theme=theme,
        scenarios=tuple(scenarios),
        due_on=due_on,
        budget=budget,
    )


def stalled(m: Measure) -> bool:
    return m.status is MeasureStatus.STOPPED or (
        m.due_on is not None and m.due_on < TODAY and m.status is not MeasureStatus.COMPLETED
    )


def by_theme(t: Theme, scenarios: set[str], measures: Sequence[Measure]) -> list[Measure]:
    return [m for m in measures if m.theme == t.key or scenarios.intersection(m.scenarios)]


def test_a_measure_covers_the_scenarios_it_lists_else_its_themes_scenarios() -> None:
    dike = scenario("dike", "floods")
    storm = scenario("storm", "floods")
    listed = measure("m1", theme="floods", scenarios=["dike"])
    assert covers(listed, dike) and not covers(listed, storm)  # the list narrows the theme
    whole = measure("m2", theme="floods")
    assert covers(whole, dike) and covers(whole, storm)
    other = measure("m3", theme="cyber")
    assert not covers(other, dike)
    generic = measure("m4")
    assert not covers(generic, dike) and linked_to_no_risk(generic)
    assert not linked_to_no_risk(measure("m5", scenarios=["dike"]))
    assert not linked_to_no_risk(whole)


def test_effort_counts_for_the_nearest_ministry_up_the_parent_chain() -> None:
    assert ministry_of("min-jenv", ORGS) == "min-jenv"
    assert ministry_of("nctv", ORGS) == "min-jenv"
    assert ministry_of("ncsc", ORGS) == "min-jenv"
    assert ministry_of("gem-utrecht", ORGS) == "gem-utrecht"  # no ministry above it
    assert ministry_of("unknown", ORGS) == "unknown"
    looped = {
        "a": org("a", parent="b"),
        "b": org("b", parent="a"),
    }
    assert ministry_of("a", looped) == "a"  # a broken chain ends, it does not hang


def test_effort_sums_measures_stalled_and_budgets() -> None:
    items = [
        measure("m1", budget=1_000_000),
        measure("m2", budget=250_000.5, status=MeasureStatus.STOPPED),
        measure("m3", due_on=dt.date(2020, 1, 1)),  # overdue
        measure("m4", due_on=dt.date(2020, 1, 1), status=MeasureStatus.COMPLETED),
    ]
    got = effort("min-jenv", items, stalled)
    assert (got.measures, got.stalled, got.budget, got.unbudgeted) == (4, 2, 1_250_000.5, 2)


def test_the_portfolio_states_matrix_effort_and_lists() -> None:
    themes = [theme("floods"), theme("cyber")]
    scenarios = [
        scenario("dike", "floods"),
        scenario("storm", "floods"),
        scenario("ransomware", "cyber"),
        scenario("outage", "cyber"),
    ]
    measures = [
        measure("dike-works", owner="min-ienw", scenarios=["dike"], budget=5e6),
        measure("flood-plan", owner="gem-utrecht", theme="floods", budget=1e5),
        measure("cert", owner="ncsc", scenarios=["ransomware"], status=MeasureStatus.STOPPED),
        measure("late", owner="nctv", scenarios=["ransomware"], due_on=dt.date(2021, 1, 1)),
        measure("awareness", owner="nctv"),
    ]
    p = build_portfolio(
        themes=themes,
        scenarios=scenarios,
        measures=measures,
        organisations=ORGS,
        is_stalled=stalled,
        theme_measures=by_theme,
        risk_rank={"ransomware": 1, "dike": 2},
    )
    assert [c.scenario.key for c in p.coverage] == ["ransomware", "dike", "outage", "storm"]
    assert [c.rank for c in p.coverage] == [1, 2, None, None]
    state = {c.scenario.key: c.state for c in p.coverage}
    assert state == {
        "ransomware": CoverageState.STALLED,
        "dike": CoverageState.COVERED,
        "outage": CoverageState.NONE,
        "storm": CoverageState.COVERED,
    }
    assert [c.scenario.key for c in p.uncovered] == ["outage"]
    assert [c.scenario.key for c in p.only_stalled] == ["ransomware"]
    assert [m.key for m in p.unlinked] == ["awareness"]
    # Columns by label: GEM-UTRECHT, MIN-IENW, MIN-JENV.
    assert p.ministries == ("gem-utrecht", "min-ienw", "min-jenv")
    assert p.matrix == ((0, 0, 2), (1, 1, 0), (0, 0, 0), (1, 0, 0))
    assert [m.key for m in p.cell("dike", "min-ienw")] == ["dike-works"]
    assert p.cell("nowhere", "min-ienw") == ()
    jenv = next(e for e in p.by_ministry if e.key == "min-jenv")
    assert (jenv.measures, jenv.stalled, jenv.budget) == (3, 2, 0)
    floods = next(e for e in p.by_theme if e.key == "floods")
    assert (floods.measures, floods.stalled, floods.budget) == (2, 0, 5.1e6)
    cyber = next(e for e in p.by_theme if e.key == "cyber")
    assert (cyber.measures, cyber.stalled) == (2, 2)


def test_an_empty_register_gives_an_empty_portfolio() -> None:
    p = build_portfolio(
        themes=[],
        scenarios=[],
        measures=[],
        organisations={},
        is_stalled=stalled,
        theme_measures=by_theme,
    )
    assert p.coverage == () and p.ministries == () and p.matrix == ()
