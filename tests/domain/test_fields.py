import datetime as dt

import pytest

from weerbaar.domain.enums import Tier
from weerbaar.domain.fields import FieldKind, FieldSpec, FieldValueError, coerce

KEY = FieldSpec("key", FieldKind.KEY, True)
REFS = FieldSpec("actors", FieldKind.REFS, False, target="actors")
DATE = FieldSpec("held_on", FieldKind.DATE, True)
TIER = FieldSpec("tier", FieldKind.ENUM, True, enum=Tier)
YEARS = FieldSpec("horizon_years", FieldKind.INT, True, minimum=1, maximum=30, default=5)
TEXT = FieldSpec("name", FieldKind.TEXT, True)


@pytest.mark.parametrize("raw", ["ab", "lek-dike-breach", "a1", "a" * 64])
def test_good_keys(raw: str) -> None:
    assert coerce(KEY, raw) == raw


@pytest.mark.parametrize("raw", ["a", "A-b", "1abc", "a_b", "a" * 65, "é-key", "", None, 12])
def test_bad_keys(raw: object) -> None:
    with pytest.raises(FieldValueError):
        coerce(KEY, raw)


def test_refs_split_and_reject_repeats() -> None:
    assert coerce(REFS, "a-one; b-two") == ("a-one", "b-two")
    assert coerce(REFS, ["a-one"]) == ("a-one",)
    assert coerce(REFS, None) == ()
    with pytest.raises(FieldValueError, match="twice"):
        coerce(REFS, "a-one;a-one")


def test_dates() -> None:
    assert coerce(DATE, "2019-06-07") == dt.date(2019, 6, 7)
    assert coerce(DATE, dt.datetime(2019, 6, 7)) == dt.date(2019, 6, 7)
    for bad in ("07-06-2019", "2019-02-30", 20190607, dt.datetime(2019, 6, 7, 12)):
        with pytest.raises(FieldValueError):
            coerce(DATE, bad)


def test_enum_returns_member_and_lists_allowed_values() -> None:
    assert coerce(TIER, " strengthened ") is Tier.STRENGTHENED
    with pytest.raises(FieldValueError, match="continued_focus"):
        coerce(TIER, "versterkt")


def test_integers_with_bounds_and_default() -> None:
    assert coerce(YEARS, "7") == 7
    assert coerce(YEARS, 7.0) == 7
    assert coerce(YEARS, None) == 5
    for bad in ("0", 31, "5.5", True, "five"):
        with pytest.raises(FieldValueError):
            coerce(YEARS, bad)


def test_text_required_and_clean() -> None:
    assert coerce(TEXT, "  Doden ") == "Doden"
    with pytest.raises(FieldValueError, match="required"):
        coerce(TEXT, "   ")
    with pytest.raises(FieldValueError, match="control"):
        coerce(TEXT, "a\x00b")
    with pytest.raises(FieldValueError, match="too long"):
        coerce(TEXT, "x" * 20_001)
