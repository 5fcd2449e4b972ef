"""Need-to-know through the services: what another organisation's user sees."""

import json

import pytest

from tests.helpers import seed_scored_round
from weerbaar.domain.access import Subject
from weerbaar.errors import ForbiddenError, NotFoundError
from weerbaar.reference.access import roles
from weerbaar.services.assessment import assess_round
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.declassify import declassify
from weerbaar.services.records import (
    create_record,
    delete_record,
    get_record,
    list_records,
    update_record,
)
from weerbaar.services.search import search
from weerbaar.services.transfer import export_register
from weerbaar.storage.db import Database


def who(org: str, clearance: str = "stg-g", role: str = "analyst") -> Subject:
    return Subject(f"{role}-{org}", roles()[role], org, clearance)


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


def test_a_hidden_scenario_is_absent_from_every_read_path(marked: Context, db: Database) -> None:
    outsider = who("min-jenv")
    with pytest.raises(NotFoundError):
        get_record(db, entity_name="scenarios", key="attack-station", subject=outsider)
    assert [s.key for s in list_records(db, entity_name="scenarios", subject=outsider)] == [
        "lek-dike"
    ]
    assert search(db, "railway", subject=outsider) == []
    exported = json.dumps(export_register(db, subject=outsider))
    assert "attack-station" not in exported and "railway" not in exported.lower()
    # Its scores require it, so they are hidden too, and the ranking is of what is seen.
    scores = list_records(db, entity_name="impact_scores", subject=outsider)
    assert {s.scenario for s in scores} == {"lek-dike"}
    assessed = assess_round(db, subject=outsider)
    assert [r.scenario.key for r in assessed.results] == ["lek-dike"]
    assert assessed.results[0].rank == 1
    assert all("attack-station" not in e.key for e in recent_entries(db, subject=outsider))
    # The owner sees all of it.
    insider = who("nctv")
    assert get_record(db, entity_name="scenarios", key="attack-station", subject=insider)
    assert len(assess_round(db, subject=insider).results) == 2


def test_clearance_below_the_level_hides_even_the_owners_record(
    marked: Context, db: Database
) -> None:
    with pytest.raises(NotFoundError):
        get_record(db, entity_name="scenarios", key="attack-station", subject=who("nctv", "dep-v"))


def _open_up(ctx: Context, key: str) -> None:
    """Make a secret scenario public and the register's: a declassification first, as
    an edit may not lower a classification."""
    declassify(
        ctx,
        entity_name="scenarios",
        key=key,
        to="public",
        reason="Published in the annual report.",
    )
    update_record(ctx, entity_name="scenarios", key=key, changes={"owned_by": None})


def test_references_to_hidden_records_read_as_empty_and_survive_an_edit(
    marked: Context, db: Database
) -> None:
    update_record(
        marked,
        entity_name="actors",
        key="lone-actor",
        changes={"classification": "stg-g", "owned_by": "nctv"},
    )
    _open_up(marked, "attack-station")
    outsider = who("min-jenv")
    seen = get_record(db, entity_name="scenarios", key="attack-station", subject=outsider)
    assert seen.record.actors == ()
    editor = Context(db, "web:outsider", subject=outsider)
    update_record(
        editor,
        entity_name="scenarios",
        key="attack-station",
        changes={"title": "Attack on Utrecht Centraal", "actors": []},
        expected_version=seen.version,
    )
    stored = get_record(db, entity_name="scenarios", key="attack-station")
    assert stored.record.title == "Attack on Utrecht Centraal"
    assert stored.record.actors == ("lone-actor",)  # the hidden reference is kept


def test_writes_need_the_role_and_sight_of_the_record(marked: Context, db: Database) -> None:
    viewer = Context(db, "web:v", subject=who("nctv", role="viewer"))
    with pytest.raises(ForbiddenError, match="may not change scenarios"):
        update_record(viewer, entity_name="scenarios", key="lek-dike", changes={})
    outsider = Context(db, "web:o", subject=who("min-jenv"))
    with pytest.raises(NotFoundError):  # not "forbidden": that would confirm it exists
        update_record(outsider, entity_name="scenarios", key="attack-station", changes={})
    with pytest.raises(ForbiddenError, match="need-to-know"):
        update_record(
            outsider,
            entity_name="scenarios",
            key="lek-dike",
            changes={"owned_by": "nctv", "classification": "dep-v"},
        )
    with pytest.raises(ForbiddenError, match="cannot be created"):
        create_record(
            outsider,
            entity_name="scenarios",
            raw={
                "key": "attack-station",
                "title": "x",
                "kind": "hazard",
                "theme": "floods",
                "narrative": "x",
            },
        )


def test_audit_entries_of_a_once_secret_record_stay_hidden(marked: Context, db: Database) -> None:
    _open_up(marked, "attack-station")
    outsider = who("min-jenv")
    entries = recent_entries(db, entity="scenarios", key="attack-station", subject=outsider)
    # The create (public) is seen; the raise and the declassification have a secret
    # before or after, and the hand-over to the register an owner before.
    assert [e.action for e in entries] == ["create"]
    assert recent_entries(db, entity="users", subject=outsider) == []


def test_a_refused_delete_names_no_hidden_referrer(marked: Context, db: Database) -> None:
    from weerbaar.errors import ReferencedError

    deleter = Context(db, "web:c", subject=who("min-jenv", role="coordinator"))
    with pytest.raises(ReferencedError) as caught:
        delete_record(deleter, entity_name="themes", key="terrorism")
    assert "attack-station" not in str(caught.value)
    assert "other records" in str(caught.value)
