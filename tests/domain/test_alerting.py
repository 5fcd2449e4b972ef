"""Planning level changes: the measures each change switches, and the requests that
may not be made."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weerbaar.domain.alerting import (
    AdviceMatrix,
    Current,
    Level,
    LevelError,
    LevelScale,
    PreAgreed,
    Request,
    Scope,
    ScopeKind,
    affected,
    plan,
)
from weerbaar.reference.alerting import level_scales

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def scale(scope: ScopeKind = ScopeKind.SECTOR, levels: int = 4) -> LevelScale:
    return LevelScale(
        key="atb",
        name="ATb",
        name_en="Alert system",
        scope=scope,
        levels=tuple(Level(i, f"N{i}", f"E{i}", "") for i in range(1, levels + 1)),
        standard_measures=True,
        theme=None,
        verified=True,
        source="test",
    )


WATER = Scope("atb", "drinking water")
MEASURES = (
    PreAgreed("access", "Access control", "atb", "drinking water", 2, "vitens"),
    PreAgreed("sampling", "Sampling", "atb", "Drinking Water", 3, "evides"),
    PreAgreed("patrols", "Patrols", "atb", "drinking water", 3, "politie"),
    PreAgreed("airport", "Airport patrols", "atb", "airports", 2, "kmar"),
    PreAgreed("everyone", "National briefing", "atb", None, 4, "nctv"),
    PreAgreed("other-scale", "Other", "cyber", None, 1, "ncsc"),
)


def request(level: int, at: dt.datetime = T0, rationale: str | None = "reason") -> Request:
    return Request(WATER, level, at, rationale)


def test_raising_switches_on_exactly_the_measures_of_the_scope_up_to_the_level() -> None:
    t = plan(scale(), Current(1, T0, "p0"), (), MEASURES, request(3, T0 + dt.timedelta(hours=1)))
    assert [m.key for m in t.activate] == ["access", "patrols", "sampling"]
    assert t.deactivate == ()
    assert t.raised and not t.lowered


def test_a_measure_for_every_scope_of_the_scale_applies_at_its_level() -> None:
    t = plan(scale(), Current(3, T0, "p0"), ("access", "patrols", "sampling"), MEASURES, request(4))
    assert [m.key for m in t.activate] == ["everyone"]


def test_lowering_switches_off_what_no_longer_applies() -> None:
    active = ("access", "patrols", "sampling")
    t = plan(scale(), Current(3, T0, "p0"), active, MEASURES, request(2))
    assert t.activate == ()
    assert t.deactivate == ("patrols", "sampling")
    assert t.lowered


def test_a_measure_active_but_no_longer_agreed_is_switched_off_by_the_next_change() -> None:
    t = plan(scale(), Current(2, T0, "p0"), ("access", "withdrawn"), MEASURES, request(2))
    assert t.deactivate == ("withdrawn",)


def test_a_level_outside_the_scale_is_refused() -> None:
    with pytest.raises(LevelError, match="run from 1 to 4") as caught:
        plan(scale(), None, (), MEASURES, request(5))
    assert caught.value.field == "level"


@pytest.mark.parametrize("rationale", [None, "", "   "])
def test_a_change_needs_a_rationale(rationale: str | None) -> None:
    with pytest.raises(LevelError, match="needs a rationale") as caught:
        plan(scale(), Current(1, T0, "p0"), (), MEASURES, request(2, rationale=rationale))
    assert caught.value.field == "rationale"


def test_the_same_level_again_needs_no_rationale() -> None:
    t = plan(scale(), Current(2, T0, "p0"), ("access",), MEASURES, request(2, rationale=None))
    assert t.activate == () and t.deactivate == ()


def test_a_change_dated_before_the_last_one_is_refused() -> None:
    with pytest.raises(LevelError, match="earlier than the last change") as caught:
        plan(scale(), Current(1, T0, "p0"), (), MEASURES, request(2, T0 - dt.timedelta(seconds=1)))
    assert caught.value.field == "at"


def test_a_time_without_zone_is_refused() -> None:
    with pytest.raises(LevelError, match="time zone"):
        plan(scale(), None, (), MEASURES, request(2, dt.datetime(2026, 11, 1, 12)))


def test_a_sector_scale_needs_a_sector_and_a_national_one_refuses_it() -> None:
    with pytest.raises(LevelError, match="per sector"):
        plan(scale(), None, (), MEASURES, Request(Scope("atb"), 2, T0, "r"))
    with pytest.raises(LevelError, match="national level"):
        plan(scale(ScopeKind.NATIONAL), None, (), MEASURES, request(2))


def test_levels_parse_by_number_and_by_either_name() -> None:
    dtn = level_scales()["dtn"]
    assert dtn.parse("4") == dtn.parse("substantieel") == dtn.parse("Substantial") == 4
    with pytest.raises(LevelError, match="not a level of dtn"):
        dtn.parse("severe")


def test_affected_organisations_include_those_whose_measures_start_higher() -> None:
    assert affected(WATER, MEASURES) == ("evides", "nctv", "politie", "vitens")


def test_scope_keys_are_register_keys_even_for_long_names() -> None:
    long = Scope("sector", "a sector with a name far longer than any key may be " * 2)
    assert len(long.key) <= 64
    assert long.key != Scope("sector", "a sector with a name far longer").key
    assert WATER.key == "atb-drinking-water"


def test_advice_matrix_reads_severity_by_likelihood() -> None:
    matrix = AdviceMatrix(("low", "high"), ("unlikely", "likely"), ((1, 2), (3, 4)))
    assert matrix.advise("high", "unlikely") == 3
    assert matrix.advise("1", "2") == 2
    with pytest.raises(LevelError, match="unknown severity"):
        matrix.advise("extreme", "likely")


def test_shipped_scales_are_ordered_and_the_terrorism_level_has_five_levels() -> None:
    scales = level_scales()
    assert [lv.name for lv in scales["dtn"].levels] == [
        "Minimaal",
        "Beperkt",
        "Aanzienlijk",
        "Substantieel",
        "Kritiek",
    ]
    assert not scales["dtn"].standard_measures
    assert [lv.name_en for lv in scales["atb"].levels] == [
        "Standard",
        "Low threat",
        "Moderate threat",
        "High threat",
    ]
    assert scales["bb"].advice is not None and scales["bb"].scope is ScopeKind.SITE


@given(
    before=st.integers(1, 4),
    after=st.integers(1, 4),
)
def test_after_any_change_the_active_set_is_exactly_what_applies(before: int, after: int) -> None:
    active = {m.key for m in MEASURES if m.applies(WATER, before)}
    t = plan(scale(), Current(before, T0, "p0"), active, MEASURES, request(after))
    now = (active - set(t.deactivate)) | {m.key for m in t.activate}
    assert now == {m.key for m in MEASURES if m.applies(WATER, after)}
