from sqlalchemy import delete, update

from tests.helpers import SMALL_REGISTER, seed_small_register
from weerbaar.services.audit import verify_trail
from weerbaar.services.context import Context
from weerbaar.storage.tables import audit_entries


def test_untouched_trail_verifies(ctx: Context) -> None:
    assert verify_trail(ctx.db) == (0, None)
    seed_small_register(ctx)
    assert verify_trail(ctx.db) == (len(SMALL_REGISTER), None)


def test_edited_entry_is_named(ctx: Context) -> None:
    seed_small_register(ctx)
    with ctx.db.transaction() as connection:
        connection.execute(
            update(audit_entries).where(audit_entries.c.seq == 3).values(actor="someone-else")
        )
    _, broken = verify_trail(ctx.db)
    assert broken is not None and broken.seq == 3 and "altered" in broken.reason


def test_deleted_entry_is_named(ctx: Context) -> None:
    seed_small_register(ctx)
    with ctx.db.transaction() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq == 4))
    _, broken = verify_trail(ctx.db)
    assert broken is not None and broken.seq == 4 and "missing" in broken.reason


def test_deleted_newest_entry_is_noticed(ctx: Context) -> None:
    seed_small_register(ctx)
    last = len(SMALL_REGISTER)
    with ctx.db.transaction() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq == last))
    _, broken = verify_trail(ctx.db)
    assert broken is not None and broken.seq == last
