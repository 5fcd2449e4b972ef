"""The audit trail as one reader sees it: entries of deleted records judged with the
records they required, references read by the last state of deleted records, hidden
and missing keys alike, and numbers that count only what the reader sees."""

from __future__ import annotations

import json

import pytest

from tests.helpers import seed_scored_round
from weerbaar.domain.access import Subject
from weerbaar.reference.access import roles
from weerbaar.services.audit import TrailEntry, recent_entries, trail_page
from weerbaar.services.context import Context
from weerbaar.services.declassify import declassify
from weerbaar.services.records import create_record, delete_record, update_record
from weerbaar.storage.db import Database

SECRET_SCORE = "r-2019/attack-station/2.1"
OUTSIDER = Subject("outsider", roles()["analyst"], "min-jenv", "stg-g")
INSIDER = Subject("insider", roles()["analyst"], "nctv", "stg-c")


def who(org: str, clearance: str, role: str = "viewer") -> Subject:
    return Subject(f"{role}-{clearance}-{org}", roles()[role], org, clearance)


def everything(db: Database, subject: Subject | None) -> str:
    """The whole trail as ``subject`` sees it, as one text to search for leaks."""
    shown = recent_entries(db, limit=100_000, subject=subject)
    return json.dumps([[e.entity, e.key, e.before, e.after] for e in shown])


def keys_of(db: Database, subject: Subject | None, entity: str) -> list[tuple[str, str]]:
    shown = recent_entries(db, entity=entity, limit=100_000, subject=subject)
    return [(e.action, e.key) for e in shown]


@pytest.fixture
def marked(ctx: Context) -> Context:
    """The small scored round, with the railway-station attack made NCTV's secret."""
    seed_scored_round(ctx)
    update_record(
        ctx,
        entity_name="scenarios",
        key="attack-station",
        changes={"classification": "stg-c", "owned_by": "nctv"},
    )
    return ctx


def _delete_attack_station(ctx: Context) -> None:
    """Its scores first (they refer to it), then the scenario itself."""
    for entity_name, key in (
        ("impact_scores", "r-2019/attack-station/2.1"),
        ("impact_scores", "r-2019/attack-station/5.3"),
        ("likelihood_scores", "r-2019/attack-station"),
        ("scenarios", "attack-station"),
    ):
        delete_record(ctx, entity_name=entity_name, key=key)


def test_a_deleted_score_of_a_hidden_scenario_stays_hidden(marked: Context, db: Database) -> None:
    delete_record(marked, entity_name="impact_scores", key=SECRET_SCORE)
    assert [k for _, k in keys_of(db, OUTSIDER, "impact_scores") if "attack" in k] == []
    assert "attack-station" not in everything(db, OUTSIDER)
    assert ("delete", SECRET_SCORE) in keys_of(db, INSIDER, "impact_scores")


def test_a_deleted_scenario_under_a_secret_theme_stays_hidden(ctx: Context, db: Database) -> None:
    seed_scored_round(ctx)
    update_record(
        ctx,
        entity_name="themes",
        key="floods",
        changes={"classification": "stg-g", "owned_by": "nctv"},
    )
    for key in ("r-2019/lek-dike/2.1", "r-2019/lek-dike/3.1", "r-2019/lek-dike/5.3"):
        delete_record(ctx, entity_name="impact_scores", key=key)
    delete_record(ctx, entity_name="likelihood_scores", key="r-2019/lek-dike")
    delete_record(ctx, entity_name="scenarios", key="lek-dike")

    below = who("nctv", "stg-c")  # the theme's organisation, not cleared for its level
    other = who("min-jenv", "stg-g")  # cleared, but the theme is not shared with them
    for subject in (below, other, who("min-jenv", "public")):
        seen = everything(db, subject)
        assert "lek-dike" not in seen and "Lexmond" not in seen, subject.username
    assert ("delete", "lek-dike") in keys_of(db, who("nctv", "stg-g"), "scenarios")


def test_a_deleted_record_is_judged_by_its_deleted_parents_last_state(
    marked: Context, db: Database
) -> None:
    _delete_attack_station(marked)
    assert "attack-station" not in everything(db, OUTSIDER)
    # Those who could see it see its whole history, the deletes of its scores included.
    scores = keys_of(db, INSIDER, "impact_scores")
    assert ("delete", SECRET_SCORE) in scores and ("create", SECRET_SCORE) in scores
    assert [a for a, _ in keys_of(db, INSIDER, "scenarios") if _ == "attack-station"] == [
        "delete",
        "update",
        "create",
    ]


def test_a_chain_of_deleted_records_is_judged_to_its_end(ctx: Context, db: Database) -> None:
    seed_scored_round(ctx)
    create_record(
        ctx,
        entity_name="themes",
        raw={
            "key": "covert",
            "name": "Heimelijk",
            "name_en": "Covert",
            "tier": "strengthened",
            "classification": "stg-g",
            "owned_by": "nctv",
        },
    )
    create_record(
        ctx,
        entity_name="scenarios",
        raw={
            "key": "covert-op",
            "title": "Covert operation",
            "kind": "threat",
            "theme": "covert",
            "narrative": "Agents act unseen.",
        },
    )
    create_record(
        ctx,
        entity_name="impact_scores",
        raw={"round": "r-2019", "scenario": "covert-op", "criterion": "2.1", "expected": "C"},
    )
    delete_record(ctx, entity_name="impact_scores", key="r-2019/covert-op/2.1")
    delete_record(ctx, entity_name="scenarios", key="covert-op")
    delete_record(ctx, entity_name="themes", key="covert")

    for subject in (who("nctv", "stg-c"), who("min-jenv", "stg-g")):
        seen = everything(db, subject)
        assert "covert" not in seen and "unseen" not in seen, subject.username
    cleared = who("nctv", "stg-g")
    assert ("delete", "r-2019/covert-op/2.1") in keys_of(db, cleared, "impact_scores")
    assert ("delete", "covert-op") in keys_of(db, cleared, "scenarios")


def test_references_read_by_the_last_state_of_deleted_records(
    marked: Context, db: Database
) -> None:
    create_record(
        marked,
        entity_name="measures",
        raw={
            "key": "patrols",
            "title": "Patrols",
            "kind": "generic",
            "status": "planned",
            "owner": "nctv",
            "scenarios": ["attack-station", "lek-dike"],
        },
    )
    update_record(marked, entity_name="measures", key="patrols", changes={"scenarios": []})
    _delete_attack_station(marked)

    def referred(subject: Subject) -> list[list[str]]:
        shown = recent_entries(db, entity="measures", key="patrols", subject=subject)
        return [json.loads(e.before or e.after or "{}")["scenarios"] for e in shown]

    # Newest first: the update's before, then the create's after.
    assert referred(OUTSIDER) == [["lek-dike"], ["lek-dike"]]
    assert referred(INSIDER) == [["attack-station", "lek-dike"]] * 2


def test_a_past_under_a_secret_theme_stays_hidden_after_a_move(
    marked: Context, db: Database
) -> None:
    """Made under a theme the reader may not see, the scenario was as secret as that
    theme; moved to an open theme later, only what it became is shown."""
    update_record(
        marked,
        entity_name="themes",
        key="terrorism",
        changes={"classification": "stg-g", "owned_by": "nctv"},
    )
    create_record(
        marked,
        entity_name="scenarios",
        raw={
            "key": "moved",
            "title": "Moved scenario",
            "kind": "threat",
            "theme": "terrorism",
            "narrative": "Written under a secret theme.",
        },
    )
    update_record(
        marked,
        entity_name="scenarios",
        key="moved",
        changes={"theme": "floods", "narrative": "Now under floods."},
    )
    update_record(marked, entity_name="scenarios", key="moved", changes={"title": "Open now"})
    actions = [a for a, k in keys_of(db, OUTSIDER, "scenarios") if k == "moved"]
    assert actions == ["update"]
    assert "secret theme" not in everything(db, OUTSIDER)


def positions(entries: tuple[TrailEntry, ...]) -> list[int]:
    return [e.position for e in entries]


def test_readers_get_positions_in_their_view_not_the_trails_sequence(
    marked: Context, db: Database
) -> None:
    whole = trail_page(db, limit=1000, subject=OUTSIDER)
    assert not whole.more
    assert positions(whole.entries) == list(range(1, len(whole.entries) + 1))
    assert {e.seq for e in whole.entries} == {None}
    assert {e.hash for e in whole.entries} == {None}

    # Paging walks the same view.
    first = trail_page(db, limit=4, subject=OUTSIDER)
    second = trail_page(db, limit=4, offset=4, subject=OUTSIDER)
    assert first.more and first.entries + second.entries == whole.entries[:8]
    assert positions(second.entries) == [5, 6, 7, 8]

    # A write the reader may not see changes nothing of what they are shown.
    update_record(
        marked, entity_name="scenarios", key="attack-station", changes={"title": "Renamed"}
    )
    assert trail_page(db, limit=1000, subject=OUTSIDER) == whole


def test_administrators_and_the_operator_keep_the_chain(marked: Context, db: Database) -> None:
    administrator = Subject("admin", roles()["administrator"], "nctv", "stg-g")
    stored = recent_entries(db, limit=1000)
    for subject in (administrator, None):
        page = trail_page(db, limit=1000, subject=subject)
        assert [(e.seq, e.hash) for e in page.entries][:3] == [(e.seq, e.hash) for e in stored[:3]]
        assert positions(page.entries)[:3] == [1, 2, 3]


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (50, 0), (2, 1)])
def test_a_hidden_key_answers_as_a_missing_one(
    marked: Context, db: Database, limit: int, offset: int
) -> None:
    delete_record(marked, entity_name="impact_scores", key=SECRET_SCORE)
    for entity, key, missing in (
        ("scenarios", "attack-station", "no-such-scenario"),
        ("impact_scores", SECRET_SCORE, "r-2019/no-such-scenario/2.1"),
        ("likelihood_scores", "r-2019/attack-station", "r-2019/no-such-scenario"),
    ):
        hidden = trail_page(
            db, entity=entity, key=key, limit=limit, offset=offset, subject=OUTSIDER
        )
        absent = trail_page(
            db, entity=entity, key=missing, limit=limit, offset=offset, subject=OUTSIDER
        )
        assert hidden == absent, key
        assert trail_page(db, entity=entity, key=key, subject=INSIDER).entries


def test_a_declassification_shows_its_reason_to_those_who_see_both_markings(
    marked: Context, db: Database
) -> None:
    reason = "The threat assessment behind it was published."
    declassify(marked, entity_name="scenarios", key="attack-station", to="dep-v", reason=reason)

    def reasons(subject: Subject) -> list[str | None]:
        page = trail_page(db, entity="scenarios", key="attack-station", subject=subject)
        return [e.note for e in page.entries if e.action == "declassify"]

    assert reasons(INSIDER) == [reason]
    # Readers of the lowered marking alone do not see the act that lowered it.
    assert reasons(who("nctv", "dep-v")) == []
