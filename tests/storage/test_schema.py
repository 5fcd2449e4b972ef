import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from tests.helpers import trail_config
from weerbaar.errors import NotInitialisedError
from weerbaar.storage.db import Database
from weerbaar.storage.tables import metadata


def test_migrations_build_exactly_the_declared_schema(db: Database) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_state_is_reported(db: Database) -> None:
    current, head = db.schema_state()
    assert current == head
    db.upgrade()
    assert db.schema_state() == (head, head)


def test_uninitialised_database_is_refused_clearly(sqlite_url: str) -> None:
    database = Database(sqlite_url, trail=trail_config())
    with pytest.raises(NotInitialisedError, match="weerbaar init"):
        database.require_schema()
    database.dispose()


def test_schema_head_constant_is_alembics_head(db: Database) -> None:
    from alembic.script import ScriptDirectory

    from weerbaar.storage.db import SCHEMA_HEAD, _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(db.engine))
    assert script.get_current_head() == SCHEMA_HEAD


def test_records_of_an_older_schema_become_public_and_unowned(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from weerbaar.storage.db import _alembic_config
    from weerbaar.storage.repository import Repository

    database = Database(db_url, trail=trail_config())
    command.upgrade(_alembic_config(database.engine), "0002")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (key, name, kind, version) "
                "VALUES ('nctv', 'NCTV', 'agency', 1)"
            )
        )
    database.upgrade()
    with database.transaction() as connection:
        (org,) = Repository(connection).fetch("organisations")
    assert (org.classification, org.owned_by, org.shared_with) == ("public", None, ())
    database.dispose()


def test_old_sessions_end_and_old_tokens_keep_writing_for_a_year(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import select, text

    from weerbaar.storage.db import _alembic_config
    from weerbaar.storage.tables import api_tokens, web_sessions

    database = Database(db_url, trail=trail_config())
    config = _alembic_config(database.engine)
    config.attributes["trail_keys"] = database._keys_for_upgrade()
    command.upgrade(config, "0008")
    made = "2026-03-01T10:00:00.000000+00:00"
    with database.engine.begin() as connection:
        for statement in (
            "INSERT INTO organisations (key, name, kind, version, classification) "
            "VALUES ('nctv', 'NCTV', 'agency', 1, 'public')",
            "INSERT INTO users (username, display_name, password_hash, role, organisation, "
            "clearance, disabled, created_at, version) VALUES ('anna', 'Anna', 'x', "
            f"'analyst', 'nctv', 'public', false, '{made}', 1)",
            "INSERT INTO api_tokens (id, username, name, secret_hash, created_at, revoked) "
            f"VALUES ('0123456789abcdef', 'anna', 'etl', '{'0' * 64}', '{made}', false)",
            "INSERT INTO web_sessions (id_hash, username, csrf_token, created_at, expires_at) "
            f"VALUES ('{'1' * 64}', 'anna', 'c', '{made}', '2999-01-01T00:00:00+00:00')",
        ):
            connection.execute(text(statement))
    database.upgrade()
    with database.transaction() as connection:
        (token,) = connection.execute(select(api_tokens)).all()
        sessions = connection.execute(select(web_sessions)).all()
    assert (token.scope, token.expires_at) == ("write", "2027-03-01T10:00:00.000000+00:00")
    assert (token.last_used_at, token.last_used_address) == (None, None)
    assert sessions == []
    database.dispose()


def test_notification_languages_migrate_up_and_down_keeping_the_rows(db_url: str) -> None:
    """0014: channels and notifications made before it were English, and stay so
    until an administrator chooses; a downgrade drops the language and keeps them."""
    from alembic import command
    from sqlalchemy import insert, inspect, select, text

    from weerbaar.storage.db import _alembic_config
    from weerbaar.storage.tables import notification_channels, notifications

    database = Database(db_url, trail=trail_config())
    config = _alembic_config(database.engine)
    config.attributes["trail_keys"] = database._keys_for_upgrade()
    command.upgrade(config, "0013")
    made = "2026-03-01T10:00:00.000000+00:00"
    with database.engine.begin() as connection:
        for statement in (
            "INSERT INTO organisations (key, name, kind, version, classification) "
            "VALUES ('nctv', 'NCTV', 'agency', 1, 'public')",
            "INSERT INTO notification_channels (id, organisation, kind, target, active, "
            f"created_at) VALUES (1, 'nctv', 'email', 'a@nctv.example', true, '{made}')",
            "INSERT INTO notifications (id, channel_id, organisation, change, kind, target, "
            "subject, body, text, status, attempts, next_attempt_at, created_at) VALUES "
            "(1, 1, 'nctv', 'tp-1', 'email', 'a@nctv.example', 's', '{}', 't', 'sent', 1, "
            f"'{made}', '{made}')",
        ):
            connection.execute(text(statement))

    def columns(table: str) -> set[str]:
        with database.engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns(table)}

    for _round in range(2):
        command.upgrade(config, "head")
        with database.transaction() as connection:
            channel = connection.execute(select(notification_channels)).one()
            sent = connection.execute(select(notifications)).one()
        assert (channel.target, channel.language) == ("a@nctv.example", "en")
        assert (sent.subject, sent.language) == ("s", "en")
        command.downgrade(config, "0013")
        assert "language" not in columns("notification_channels")
        assert "language" not in columns("notifications")
        with database.engine.connect() as connection:
            kept = connection.execute(text("SELECT target FROM notification_channels")).all()
        assert [tuple(r) for r in kept] == [("a@nctv.example",)]
    command.upgrade(config, "head")
    # A language weerbaar does not speak is refused by the database too.
    refused = insert(notification_channels).values(
        organisation="nctv",
        kind="email",
        target="b@nctv.example",
        active=True,
        created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        language="de",
    )
    with pytest.raises(IntegrityError, match="language_known"), database.engine.begin() as c:
        c.execute(refused)
    database.dispose()
