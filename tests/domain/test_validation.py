from typing import Any

import pytest

from weerbaar.domain.register import entity
from weerbaar.domain.validation import Reference, check_record, parse_row

REFERENCE = Reference(
    editions=frozenset({"gra-2019"}),
    level_ranges={
        "dtn": (1, 5),
        "atb": (1, 4),
        "sector": (1, 5),
    },
    criterion_kinds={"gra-2019": {"2.1": "quantity", "5.1": "matrix", "5.3": "qualitative"}},
)


class DictLookup:
    def __init__(self, records: dict[tuple[str, str], Any]) -> None:
        self.records = records

    def get(self, entity_name: str, key: str) -> Any | None:
        return self.records.get((entity_name, key))


def parsed(entity_name: str, **raw: object) -> Any:
    record, issues = parse_row(entity(entity_name), raw, "here")
    assert issues == []
    return record


def problems(entity_name: str, record: Any, records: dict[tuple[str, str], Any]) -> list[str]:
    issues = check_record(entity(entity_name), record, DictLookup(records), REFERENCE, "here")
    return [f"{i.field}: {i.reason}" for i in issues]


THEME = parsed("themes", key="cyber", name="Cyber", name_en="Cyber", tier="strengthened")
OTHER = parsed(
    "themes", key="floods", name="Overstroming", name_en="Floods", tier="continued_focus"
)
THREAT = parsed("threats", key="espionage", theme="cyber", name="Spionage")
BASE = {("themes", "cyber"): THEME, ("themes", "floods"): OTHER, ("threats", "espionage"): THREAT}


def test_parse_row_reports_every_field_problem_and_unknown_columns() -> None:
    record, issues = parse_row(
        entity("scenarios"), {"key": "X", "kind": "flood", "colour": "red"}, "row 3"
    )
    assert record is None
    fields = sorted(i.field for i in issues)
    assert fields == ["colour", "key", "kind", "narrative", "theme", "title"]
    assert all(i.place == "row 3" for i in issues)


def test_dangling_references_are_named() -> None:
    scenario = parsed(
        "scenarios", key="s1", title="t", kind="threat", theme="nope", narrative="n", actors="ghost"
    )
    assert problems("scenarios", scenario, BASE) == [
        "theme: unknown reference: no themes 'nope'",
        "actors: unknown reference: no actors 'ghost'",
    ]


def test_hazard_scenarios_have_no_actors() -> None:
    actor = parsed("actors", key="a1", name="A", kind="state", intent="high", capability="high")
    scenario = parsed(
        "scenarios", key="s1", title="t", kind="hazard", theme="cyber", narrative="n", actors="a1"
    )
    assert problems("scenarios", scenario, {**BASE, ("actors", "a1"): actor}) == [
        "actors: only threat scenarios have actors"
    ]


def test_threat_must_belong_to_the_scenario_theme() -> None:
    scenario = parsed(
        "scenarios",
        key="s1",
        title="t",
        kind="threat",
        theme="floods",
        threat="espionage",
        narrative="n",
    )
    assert problems("scenarios", scenario, BASE) == [
        "threat: threat 'espionage' belongs to theme 'cyber', not 'floods'"
    ]


@pytest.mark.parametrize(
    ("system", "level", "ok"),
    [
        ("dtn", 5, True),
        ("dtn", 6, False),
        ("atb", 4, True),
        ("atb", 5, False),
        ("sector", 1, True),
    ],
)
def test_threat_picture_levels_follow_their_system(system: str, level: int, ok: bool) -> None:
    picture = parsed(
        "threat_pictures", key="p1", title="t", system=system, level=level, issued_on="2019-12-01"
    )
    assert (problems("threat_pictures", picture, BASE) == []) is ok


def test_round_edition_must_be_known() -> None:
    cycle = parsed("cycles", key="c1", name="c", starts_on="2019-01-01", ends_on="2022-12-31")
    good = parsed(
        "rounds",
        key="r1",
        cycle="c1",
        name="r",
        held_on="2019-03-01",
        edition="gra-2019",
        status="open",
    )
    bad = parsed(
        "rounds",
        key="r1",
        cycle="c1",
        name="r",
        held_on="2019-03-01",
        edition="nrb-1999",
        status="open",
    )
    records = {**BASE, ("cycles", "c1"): cycle}
    assert problems("rounds", good, records) == []
    assert problems("rounds", bad, records) == [
        "edition: unknown edition 'nrb-1999'; known: gra-2019"
    ]


def test_cycle_cannot_end_before_it_starts() -> None:
    cycle = parsed("cycles", key="c1", name="c", starts_on="2022-01-01", ends_on="2019-12-31")
    assert problems("cycles", cycle, BASE) == ["ends_on: ends before it starts"]


def test_organisation_parent_chain_may_not_loop() -> None:
    a = parsed("organisations", key="org-a", name="A", kind="agency", parent="org-b")
    b = parsed("organisations", key="org-b", name="B", kind="agency", parent="org-a")
    records = {("organisations", "org-a"): a, ("organisations", "org-b"): b}
    assert problems("organisations", a, records) == ["parent: parent chain loops back to 'org-a'"]
