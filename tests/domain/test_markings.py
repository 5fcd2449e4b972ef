"""TLP and PAP markings read as classification and need-to-know, and back, with the
shipped table: the strictest wins, TLP:RED never becomes public, and what leaves
marked comes back no less restricted."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from weerbaar.domain.access import Marking
from weerbaar.reference.access import classification_levels
from weerbaar.reference.markings import marking_table

TABLE = marking_table()
LEVELS = classification_levels()
LABELS = sorted(TABLE.rules) + sorted(TABLE.stix_ids) + ["TLP:AMBER", 'tlp:"red"', "osint"]

markings = st.builds(
    Marking,
    st.sampled_from(LEVELS.keys),
    st.sampled_from([None, "nctv", "aivd"]),
    st.sampled_from([(), ("min-jenv",)]),
)


def _at_least_as_strict(stricter: Marking, than: Marking) -> bool:
    if LEVELS.rank(stricter.classification) < LEVELS.rank(than.classification):
        return False
    if than.owned_by is None:
        return True
    return stricter.owned_by == than.owned_by and set(stricter.shared_with) <= set(than.shared_with)


def test_the_common_markings_read_as_documented() -> None:
    base = Marking("public", "nctv", ("min-jenv",))
    assert TABLE.incoming(base, ["tlp:clear"], LEVELS) == base
    assert TABLE.incoming(base, ["TLP:GREEN"], LEVELS) == Marking("dep-v", "nctv", ("min-jenv",))
    assert TABLE.incoming(base, ["tlp:amber"], LEVELS) == Marking("dep-v", "nctv", ("min-jenv",))
    assert TABLE.incoming(base, ["tlp:amber+strict"], LEVELS) == Marking("dep-v", "nctv", ())
    assert TABLE.incoming(base, ["tlp:green", "tlp:red"], LEVELS) == Marking("stg-c", "nctv", ())
    stix_red = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
    assert TABLE.incoming(base, [stix_red], LEVELS) == Marking("stg-c", "nctv", ())
    refused = TABLE.incoming(Marking("public", None), ["tlp:amber"], LEVELS)
    assert isinstance(refused, str) and "TLP:AMBER" in refused


@given(markings, st.lists(st.sampled_from(LABELS), max_size=4))
def test_the_strictest_wins_and_red_is_never_public(base: Marking, labels: list[str]) -> None:
    result = TABLE.incoming(base, labels, LEVELS)
    if isinstance(result, str):
        assert base.owned_by is None
        return
    assert _at_least_as_strict(result, base)
    for label in labels:
        name = TABLE.known(label)
        if name is not None:
            assert LEVELS.rank(result.classification) >= LEVELS.rank(
                TABLE.rules[name].classification
            )
    if any(TABLE.known(label) == "tlp:red" for label in labels):
        assert result.classification != "public" and result.shared_with == ()


@given(markings)
def test_what_leaves_marked_comes_back_no_less_restricted(marking: Marking) -> None:
    name = TABLE.outgoing(marking, LEVELS)
    assert name.startswith("tlp:")
    owner = marking.owned_by or "nctv"
    back = TABLE.incoming(Marking("public", owner, marking.shared_with), [name], LEVELS)
    assert not isinstance(back, str)
    # TLP reads no higher than TLP:RED's level: above it, the strictest TLP marking.
    ceiling = max(LEVELS.rank(rule.classification) for rule in TABLE.rules.values())
    wanted = min(LEVELS.rank(marking.classification), ceiling)
    assert LEVELS.rank(back.classification) >= wanted
    if LEVELS.rank(marking.classification) > ceiling:
        assert name == TABLE.export_order[-1]
    if marking.owned_by is not None:
        assert back.owned_by == marking.owned_by
        assert set(back.shared_with) <= set(marking.shared_with)
    if marking.classification == "public" and marking.owned_by is None:
        assert name == "tlp:clear"
