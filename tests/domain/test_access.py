import pytest

from weerbaar.domain.access import (
    LOWERING_IS_DECLASSIFYING,
    Marking,
    Subject,
    can_read,
    declassify_problems,
    write_problems,
)
from weerbaar.reference.access import classification_levels, roles

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


# ---------------------------------------------------------------- who sets the marking

SHARED = Marking("dep-v", "mivd", ("aivd",))  # mivd's, shared with the subject's aivd


@pytest.mark.parametrize(
    "after",
    [
        Marking("dep-v", "aivd", ()),  # take it over
        Marking("dep-v", "mivd", ()),  # unshare the owner's other readers: here, itself
        Marking("dep-v", "mivd", ("aivd", "nctv")),  # share it on
        Marking("stg-c", "mivd", ("aivd",)),  # raise it
        Marking("public", "mivd", ("aivd",)),  # lower it
        Marking("public", None, ()),  # make it the register's
    ],
    ids=["take-over", "unshare", "share-on", "raise", "lower", "give-to-register"],
)
def test_a_sharee_edits_content_but_never_the_marking(after: Marking) -> None:
    problems = write_problems(subject(), "scenarios", SHARED, after, LEVELS)
    assert any("only the owning organisation" in p for p in problems), problems
    # The same record with its marking unchanged (sharing listed in another order)
    # is the sharee's to edit.
    reordered = Marking("dep-v", "mivd", ("aivd",))
    assert write_problems(subject(), "scenarios", SHARED, reordered, LEVELS) == []


def test_a_sharee_cannot_delete_what_it_does_not_own() -> None:
    problems = write_problems(subject(), "scenarios", SHARED, None, LEVELS)
    assert problems == ["only the owning organisation (mivd) deletes a record"]
    mine = Marking("dep-v", "aivd", ("mivd",))
    assert write_problems(subject(), "scenarios", mine, None, LEVELS) == []
    registers = Marking("public", None)
    assert write_problems(subject(), "scenarios", registers, None, LEVELS) == []
    admin = subject("administrator", clearance="stg-g")
    assert write_problems(admin, "scenarios", SHARED, None, LEVELS) == []


def test_the_owner_raises_shares_and_hands_over_but_lowers_only_by_declassifying() -> None:
    mine = Marking("dep-v", "aivd")
    assert write_problems(subject(), "scenarios", mine, Marking("stg-c", "aivd"), LEVELS) == []
    shared = Marking("dep-v", "aivd", ("nctv",))
    assert write_problems(subject(), "scenarios", mine, shared, LEVELS) == []
    lowered = write_problems(subject(), "scenarios", mine, Marking("public", "aivd"), LEVELS)
    assert lowered == [LOWERING_IS_DECLASSIFYING]
    assert "declassif" in lowered[0]


def test_lowering_is_no_edit_even_for_administrators_and_the_operator() -> None:
    # mivd's, shared with the administrator's organisation so that they see it.
    secret, open_ = Marking("stg-c", "mivd", ("nctv",)), Marking("public", "mivd", ("nctv",))
    admin = subject("administrator", org="nctv", clearance="stg-g")
    assert write_problems(admin, "scenarios", secret, open_, LEVELS) == [LOWERING_IS_DECLASSIFYING]
    assert write_problems(None, "scenarios", secret, open_, LEVELS) == [LOWERING_IS_DECLASSIFYING]
    # Anything else about the marking is theirs to change.
    handed = Marking("stg-c", "nctv", ("mivd",))
    assert write_problems(admin, "scenarios", secret, handed, LEVELS) == []
    assert write_problems(None, "scenarios", secret, handed, LEVELS) == []


def test_only_an_administrator_sets_the_marking_of_the_registers_own_records() -> None:
    registers = Marking("public", None)
    for after in (Marking("dep-v", None), Marking("public", "aivd")):
        problems = write_problems(subject("coordinator"), "scenarios", registers, after, LEVELS)
        assert any("only the owning organisation" in p for p in problems), problems
        assert write_problems(subject("administrator"), "scenarios", registers, after, LEVELS) == []


def test_a_new_record_is_the_creators_organisations_or_the_registers() -> None:
    assert write_problems(subject(), "scenarios", None, Marking("dep-v", "aivd"), LEVELS) == []
    assert write_problems(subject(), "scenarios", None, Marking("dep-v", None), LEVELS) == []
    given_away = Marking("dep-v", "mivd", ("aivd",))  # readable by the creator, not theirs
    problems = write_problems(subject(), "scenarios", None, given_away, LEVELS)
    assert problems == [
        "a new record is owned by your organisation (aivd) or by nobody, not by mivd"
    ]
    assert write_problems(subject("administrator"), "scenarios", None, given_away, LEVELS) == []


def test_a_use_case_that_decides_the_marking_may_move_it_but_not_give_a_new_record_away() -> None:
    state = Marking("stg-c", None)
    lowered = Marking("public", None)
    coordinator = subject("coordinator")
    assert write_problems(coordinator, "level_states", state, lowered, LEVELS)
    assert (
        write_problems(
            coordinator, "level_states", state, lowered, LEVELS, marking_by_use_case=True
        )
        == []
    )
    given_away = Marking("dep-v", "mivd", ("aivd",))
    assert write_problems(
        coordinator, "threat_pictures", None, given_away, LEVELS, marking_by_use_case=True
    )


def test_declassifying_is_for_the_owner_whose_role_writes_and_for_administrators() -> None:
    mine, shared, registers = Marking("stg-c", "aivd"), SHARED, Marking("dep-v", None)
    assert declassify_problems(subject(), "scenarios", mine) == []
    assert declassify_problems(subject("viewer"), "scenarios", mine) == [
        "role 'viewer' may not change scenarios"
    ]
    assert declassify_problems(subject(), "scenarios", shared)
    assert declassify_problems(subject("coordinator"), "scenarios", registers)
    for admin in (subject("administrator", org="nctv"), None):
        assert declassify_problems(admin, "scenarios", shared) == []
        assert declassify_problems(admin, "scenarios", registers) == []
