import threading

import pytest
from sqlalchemy import func, select

from tests.helpers import SMALL_REGISTER, seed_small_register
from weerbaar.domain.enums import ScenarioKind
from weerbaar.errors import (
    ConflictError,
    DuplicateError,
    NotFoundError,
    ReferencedError,
    ValidationError,
)
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.records import (
    create_record,
    delete_record,
    get_record,
    list_records,
    update_record,
)
from weerbaar.services.trail_check import verify_trail
from weerbaar.storage.tables import audit_entries


def test_create_read_list_and_filter(ctx: Context) -> None:
    seed_small_register(ctx)
    found = get_record(ctx.db, entity_name="scenarios", key="attack-station")
    assert found.version == 1
    assert found.record.kind is ScenarioKind.THREAT
    assert found.record.actors == ("lone-actor",)
    assert [
        s.key for s in list_records(ctx.db, entity_name="scenarios", where={"theme": "terrorism"})
    ] == ["attack-station"]
    assert list_records(ctx.db, entity_name="scenarios", where={"theme": "cyber"}) == []
    assert [
        s.key for s in list_records(ctx.db, entity_name="scenarios", where={"actors": "lone-actor"})
    ] == ["attack-station"]
    with pytest.raises(ValidationError, match="not a field"):
        list_records(ctx.db, entity_name="scenarios", where={"colour": "red"})


def test_every_write_is_audited_with_before_and_after(ctx: Context) -> None:
    seed_small_register(ctx)
    update_record(
        ctx,
        entity_name="scenarios",
        key="attack-station",
        changes={"title": "Attack on Utrecht Centraal"},
    )
    delete_record(ctx, entity_name="scenarios", key="attack-station")
    entries = recent_entries(ctx.db, entity="scenarios", key="attack-station")
    assert [e.action for e in entries] == ["delete", "update", "create"]
    assert entries[0].after is None and entries[2].before is None
    assert '"title":"Attack on Utrecht Centraal"' in (entries[1].after or "")
    assert all(e.actor == "test:analyst" for e in entries)
    report = verify_trail(ctx.db)
    assert (report.entries, report.findings) == (len(SMALL_REGISTER) + 2, [])


def test_failed_write_leaves_no_trace(ctx: Context) -> None:
    seed_small_register(ctx)
    with pytest.raises(ValidationError) as caught:
        update_record(
            ctx,
            entity_name="scenarios",
            key="attack-station",
            changes={"kind": "hazard", "theme": "nowhere"},
        )
    reasons = " ".join(str(i) for i in caught.value.issues)
    assert "unknown reference" in reasons
    assert get_record(ctx.db, entity_name="scenarios", key="attack-station").version == 1
    with ctx.db.transaction() as connection:
        count = connection.execute(select(func.count()).select_from(audit_entries)).scalar()
    assert count == len(SMALL_REGISTER)


def test_duplicates_missing_and_referenced(ctx: Context) -> None:
    seed_small_register(ctx)
    with pytest.raises(DuplicateError):
        create_record(ctx, entity_name="organisations", raw=dict(SMALL_REGISTER[0][1]))
    with pytest.raises(NotFoundError):
        update_record(ctx, entity_name="themes", key="nope", changes={"name": "x"})
    with pytest.raises(ReferencedError, match="scenario attack-station"):
        delete_record(ctx, entity_name="themes", key="terrorism")
    with pytest.raises(ReferencedError, match="organisation nctv"):
        delete_record(ctx, entity_name="organisations", key="min-jenv")
    with pytest.raises(ValidationError, match="key cannot change"):
        update_record(ctx, entity_name="themes", key="terrorism", changes={"key": "terror"})


def test_stale_edit_is_refused_and_nothing_is_lost(ctx: Context) -> None:
    seed_small_register(ctx)
    first = get_record(ctx.db, entity_name="scenarios", key="attack-station")
    second = get_record(ctx.db, entity_name="scenarios", key="attack-station")
    update_record(
        ctx,
        entity_name="scenarios",
        key="attack-station",
        changes={"title": "First editor's title"},
        expected_version=first.version,
    )
    with pytest.raises(ConflictError) as caught:
        update_record(
            ctx,
            entity_name="scenarios",
            key="attack-station",
            changes={"narrative": "Second editor's story"},
            expected_version=second.version,
        )
    assert "attack-station" in str(caught.value) and "version 2" in str(caught.value)
    now = get_record(ctx.db, entity_name="scenarios", key="attack-station")
    assert now.version == 2
    assert now.record.title == "First editor's title"
    assert now.record.narrative == "A lone actor attacks travellers at rush hour."
    with pytest.raises(ConflictError):
        delete_record(ctx, entity_name="scenarios", key="attack-station", expected_version=1)


def test_concurrent_edits_one_wins_one_conflicts(ctx: Context) -> None:
    seed_small_register(ctx)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(name: str) -> None:
        barrier.wait()
        try:
            update_record(
                ctx,
                entity_name="scenarios",
                key="attack-station",
                changes={"title": f"title by {name}"},
                expected_version=1,
            )
            outcomes[name] = "saved"
        except ConflictError:
            outcomes[name] = "conflict"

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(n for n, o in outcomes.items() if o == "saved")
    now = get_record(ctx.db, entity_name="scenarios", key="attack-station")
    assert (now.version, now.record.title) == (2, f"title by {winner}")
    assert verify_trail(ctx.db).intact
