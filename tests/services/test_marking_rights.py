"""Who may change a record's marking, through the services: only its owner (or an
administrator) changes owner, sharing or classification; nobody lowers it by an
edit or an import; declassifying is its own audited act with a reason."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.helpers import seed_small_register
from weerbaar.domain.access import Marking, Subject
from weerbaar.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from weerbaar.formats.raw import RawDocument, RawRow
from weerbaar.reference.access import roles
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.declassify import declassify
from weerbaar.services.records import create_record, get_record, update_record
from weerbaar.services.signal_ingest import ingest
from weerbaar.services.transfer import import_register
from weerbaar.storage.db import Database

KEY = "attack-station"
REASON = "The source was published by the Dutch government in its annual report."
OWNER, SHAREE, OUTSIDER = "aivd", "mivd", "nctv"


def who(org: str, role: str = "analyst", clearance: str = "stg-g") -> Subject:
    return Subject(f"{role}-{org}", roles()[role], org, clearance)


def acting(db: Database, subject: Subject | None) -> Context:
    return Context(
        db=db, actor=f"test:{subject.username if subject else 'operator'}", subject=subject
    )


@pytest.fixture
def shared(ctx: Context, db: Database) -> Database:
    """The small register, with the railway-station attack AIVD's, departmental
    confidential, shared with MIVD."""
    seed_small_register(ctx)
    for org in (OWNER, SHAREE):  # the small register has the NCTV already
        create_record(
            ctx, entity_name="organisations", raw={"key": org, "name": org, "kind": "agency"}
        )
    update_record(
        ctx,
        entity_name="scenarios",
        key=KEY,
        changes={"classification": "dep-v", "owned_by": OWNER, "shared_with": [SHAREE]},
    )
    return db


def marking_of(db: Database) -> tuple[Marking, int]:
    found = get_record(db, entity_name="scenarios", key=KEY)
    return Marking.of(found.record), found.version


STORED = Marking("dep-v", OWNER, (SHAREE,))


@pytest.mark.parametrize(
    "changes",
    [
        {"owned_by": SHAREE, "shared_with": []},
        {"shared_with": [SHAREE, OUTSIDER]},
        {"classification": "public"},
        {"classification": "stg-c"},
    ],
    ids=["take-over", "share-on", "lower", "raise"],
)
def test_a_sharee_cannot_change_the_marking(shared: Database, changes: dict[str, Any]) -> None:
    sharee = acting(shared, who(SHAREE))
    with pytest.raises(ForbiddenError, match="only the owning organisation"):
        update_record(sharee, entity_name="scenarios", key=KEY, changes=changes)
    assert marking_of(shared) == (STORED, 2)
    # The owner still reads its record, and the sharee still edits its content.
    get_record(shared, entity_name="scenarios", key=KEY, subject=who(OWNER))
    saved = update_record(
        sharee, entity_name="scenarios", key=KEY, changes={"title": "Attack on Utrecht Centraal"}
    )
    assert (saved.record.title, Marking.of(saved.record)) == ("Attack on Utrecht Centraal", STORED)


def test_the_owner_raises_and_shares_by_an_edit_but_does_not_lower(shared: Database) -> None:
    owner = acting(shared, who(OWNER))
    update_record(owner, entity_name="scenarios", key=KEY, changes={"classification": "stg-c"})
    update_record(owner, entity_name="scenarios", key=KEY, changes={"shared_with": []})
    with pytest.raises(ForbiddenError, match="declassif"):
        update_record(owner, entity_name="scenarios", key=KEY, changes={"classification": "dep-v"})
    assert marking_of(shared) == (Marking("stg-c", OWNER, ()), 4)


@pytest.mark.parametrize("by", ["owner", "administrator", "operator"])
def test_nobody_lowers_a_classification_by_an_edit(shared: Database, by: str) -> None:
    subject = {
        "owner": who(OWNER),
        "administrator": who(SHAREE, role="administrator"),
        "operator": None,
    }[by]
    with pytest.raises(ForbiddenError, match="declassif"):
        update_record(
            acting(shared, subject),
            entity_name="scenarios",
            key=KEY,
            changes={"classification": "public"},
        )
    assert marking_of(shared) == (STORED, 2)


def test_the_registers_own_records_are_marked_by_administrators_only(shared: Database) -> None:
    coordinator = acting(shared, who(OWNER, role="coordinator"))
    for changes in ({"owned_by": OWNER}, {"classification": "dep-v"}):
        with pytest.raises(ForbiddenError, match="only the owning organisation"):
            update_record(coordinator, entity_name="themes", key="terrorism", changes=changes)
    # An administrator changes any marking they see, an organisation's or the register's.
    admin = acting(shared, who(SHAREE, role="administrator"))
    saved = update_record(
        admin, entity_name="themes", key="terrorism", changes={"classification": "dep-v"}
    )
    assert saved.record.classification == "dep-v"
    update_record(
        admin, entity_name="scenarios", key=KEY, changes={"shared_with": [SHAREE, OUTSIDER]}
    )
    assert marking_of(shared) == (Marking("dep-v", OWNER, (SHAREE, OUTSIDER)), 3)


def test_a_new_record_is_owned_by_its_creators_organisation_or_nobody(shared: Database) -> None:
    sharee = acting(shared, who(SHAREE))
    base = {"title": "x", "kind": "hazard", "theme": "terrorism", "narrative": "x"}
    with pytest.raises(ForbiddenError, match="owned by your organisation"):
        create_record(
            sharee,
            entity_name="scenarios",
            raw={"key": "given", **base, "owned_by": OWNER, "shared_with": [SHAREE]},
        )
    own = create_record(
        sharee, entity_name="scenarios", raw={"key": "own", **base, "owned_by": SHAREE}
    )
    nobodys = create_record(sharee, entity_name="scenarios", raw={"key": "nobodys", **base})
    assert (own.record.owned_by, nobodys.record.owned_by) == (SHAREE, None)


def test_signals_are_not_taken_in_for_another_organisation(shared: Database) -> None:
    sharee = acting(shared, who(SHAREE))
    with ThreadPoolExecutor(1) as threads, pytest.raises(ForbiddenError, match="your organisation"):
        ingest(sharee, [], executor=threads, marking=Marking("dep-v", OWNER, (SHAREE,)))


# ---------------------------------------------------------------- import


# The shared scenario as a CSV file holds it.
STORED_ROW: dict[str, object] = {
    "key": KEY,
    "title": "Attack on a railway station",
    "kind": "threat",
    "theme": "terrorism",
    "threat": "jihadism",
    "narrative": "A lone actor attacks travellers at rush hour.",
    "actors": "lone-actor",
    "classification": "dep-v",
    "owned_by": OWNER,
    "shared_with": SHAREE,
}


def _row(**changes: object) -> RawDocument:
    return RawDocument(
        rows={"scenarios": [RawRow("scenarios.csv line 2", {**STORED_ROW, **changes})]}
    )


@pytest.mark.parametrize(
    "changes",
    [{"owned_by": SHAREE, "shared_with": ""}, {"classification": "public"}],
    ids=["take-over", "lower"],
)
def test_a_sharee_cannot_change_the_marking_by_an_import(
    shared: Database, changes: dict[str, object]
) -> None:
    with pytest.raises(ValidationError) as refused:
        import_register(acting(shared, who(SHAREE)), doc=_row(**changes))
    assert [(i.place, i.reason) for i in refused.value.issues] == [
        (
            "scenarios.csv line 2",
            "only the owning organisation (aivd) changes a record's classification, owner or "
            "sharing",
        )
    ]
    assert marking_of(shared) == (STORED, 2)


def test_an_import_never_lowers_a_classification(shared: Database) -> None:
    for subject in (who(OWNER), None):
        with pytest.raises(ValidationError, match="declassif"):
            import_register(acting(shared, subject), doc=_row(classification="public"))
    assert marking_of(shared) == (STORED, 2)
    # The same row with content changed only is the sharee's to import.
    summary = import_register(acting(shared, who(SHAREE)), doc=_row(title="Attack on a station"))
    assert summary.updated["scenarios"] == 1


def test_an_import_over_a_hidden_record_does_not_describe_it(shared: Database) -> None:
    with pytest.raises(ValidationError) as refused:
        import_register(acting(shared, who(OUTSIDER)), doc=_row(owned_by=OUTSIDER))
    assert [str(i) for i in refused.value.issues] == [
        f"scenarios.csv line 2, column 'key': scenario {KEY!r} cannot be written"
    ]


# ---------------------------------------------------------------- declassify


def test_the_owner_declassifies_with_a_reason_in_the_audit_trail(shared: Database) -> None:
    saved = declassify(
        acting(shared, who(OWNER)),
        entity_name="scenarios",
        key=KEY,
        to="public",
        reason=f"  {REASON}  ",
        expected_version=2,
    )
    assert (saved.record.classification, saved.version) == ("public", 3)
    assert marking_of(shared) == (Marking("public", OWNER, (SHAREE,)), 3)
    entry = recent_entries(shared, entity="scenarios", key=KEY, limit=1)[0]
    assert (entry.action, entry.actor, entry.note) == ("declassify", "test:analyst-aivd", REASON)
    assert '"classification":"dep-v"' in (entry.before or "")
    assert '"classification":"public"' in (entry.after or "")


@pytest.mark.parametrize("by", ["administrator", "operator"])
def test_an_administrator_declassifies_what_they_see(shared: Database, by: str) -> None:
    subject = who(SHAREE, role="administrator") if by == "administrator" else None
    saved = declassify(
        acting(shared, subject), entity_name="scenarios", key=KEY, to="public", reason=REASON
    )
    assert saved.record.classification == "public"


def test_a_sharee_may_not_declassify_and_an_outsider_is_told_nothing(shared: Database) -> None:
    with pytest.raises(ForbiddenError, match=r"only the owning organisation \(aivd\) declassifies"):
        declassify(
            acting(shared, who(SHAREE)),
            entity_name="scenarios",
            key=KEY,
            to="public",
            reason=REASON,
        )
    with pytest.raises(ForbiddenError, match="may not change scenarios"):
        declassify(
            acting(shared, who(OWNER, role="viewer")),
            entity_name="scenarios",
            key=KEY,
            to="public",
            reason=REASON,
        )
    outsider = acting(shared, who(OUTSIDER))
    answers = []
    for key in (KEY, "no-such-scenario"):
        with pytest.raises(NotFoundError) as caught:
            declassify(outsider, entity_name="scenarios", key=key, to="public", reason=REASON)
        answers.append(str(caught.value).replace(key, "?"))
    assert answers[0] == answers[1]
    assert marking_of(shared) == (STORED, 2)


@pytest.mark.parametrize(
    ("to", "reason", "field"),
    [
        ("public", "too short", "reason"),
        ("public", "x" * 2001, "reason"),
        ("stg-c", REASON, "to"),  # raising is an edit
        ("dep-v", REASON, "to"),  # where it is already
        ("zeer-geheim", REASON, "to"),
    ],
    ids=["short-reason", "long-reason", "raise", "same", "unknown-level"],
)
def test_a_declassification_needs_a_reason_and_a_lower_level(
    shared: Database, to: str, reason: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        declassify(
            acting(shared, who(OWNER)), entity_name="scenarios", key=KEY, to=to, reason=reason
        )
    assert [i.field for i in refused.value.issues] == [field]
    assert marking_of(shared) == (STORED, 2)


def test_a_declassification_of_a_version_that_moved_on_is_refused(shared: Database) -> None:
    with pytest.raises(ConflictError):
        declassify(
            acting(shared, who(OWNER)),
            entity_name="scenarios",
            key=KEY,
            to="public",
            reason=REASON,
            expected_version=1,
        )
    assert marking_of(shared) == (STORED, 2)
