import pytest

from weerbaar.domain.access import Marking, Subject, can_read, write_problems
from weerbaar.reference import classification_levels, roles

LEVELS = classification_levels()


def subject(role: str = "analyst", org: str = "aivd", clearance: str = "stg-c") -> Subject:
    return Subject("u", roles()[role], org, clearance)


@pytest.mark.parametrize(
    ("marking", "expected"),
    [
        (Marking("public", None), True),
        (Marking("stg-c", None), True),
        (Marking("stg-g", None), False),  # above the clearance
        (Marking("dep-v", "aivd"), True),
        (Marking("dep-v", "mivd"), False),  # another organisation's
        (Marking("dep-v", "mivd", ("nctv", "aivd")), True),  # shared
        (Marking("stg-g", "aivd"), False),  # own, but above the clearance
        (Marking("top-secret", None), False),  # unknown level: never readable
    ],
)
def test_clearance_and_need_to_know_both_apply(marking: Marking, expected: bool) -> None:
    assert can_read(subject(), marking, LEVELS) is expected


def test_levels_are_ordered_as_the_data_says() -> None:
    assert LEVELS.keys == ("public", "dep-v", "stg-c", "stg-g")
    assert LEVELS.rank("stg-g") > LEVELS.rank("public")
    assert "Stg. Geheim" in LEVELS.label("stg-g")


def test_role_decides_what_may_be_written() -> None:
    assert write_problems(subject(), "scenarios", None, Marking("public", None), LEVELS) == []
    assert write_problems(subject("viewer"), "scenarios", None, Marking("public", None), LEVELS)
    problems = write_problems(subject(), "measures", None, Marking("public", None), LEVELS)
    assert problems == ["role 'analyst' may not change measures"]
    assert (
        write_problems(subject("coordinator"), "measures", None, Marking("public", None), LEVELS)
        == []
    )


def test_nobody_writes_a_record_out_of_or_into_someone_elses_sight() -> None:
    mine, theirs = Marking("dep-v", "aivd"), Marking("dep-v", "mivd")
    assert write_problems(subject(), "scenarios", mine, theirs, LEVELS)  # give it away
    assert write_problems(subject(), "scenarios", theirs, mine, LEVELS)  # take it over
    too_high = Marking("stg-g", "aivd")
    assert write_problems(subject(), "scenarios", None, too_high, LEVELS)
    assert write_problems(subject(), "scenarios", mine, None, LEVELS) == []  # delete own
