import pytest
from argon2 import PasswordHasher, extract_parameters, profiles
from sqlalchemy import select

from tests.helpers import make_token, open_session, seed_small_register
from weerbaar.config import SignInSettings
from weerbaar.domain.access import Subject
from weerbaar.errors import (
    ConflictError,
    DuplicateError,
    ForbiddenError,
    RateLimitedError,
    UnauthenticatedError,
    ValidationError,
)
from weerbaar.reference.access import roles
from weerbaar.services import accounts, api_tokens, web_sessions
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.storage import tables
from weerbaar.storage.db import Database
from weerbaar.storage.tables import users

PASSWORD = "a long enough passphrase"


def add(ctx: Context, name: str = "anna", role: str = "analyst", **kw: str) -> accounts.User:
    return accounts.add_user(
        ctx,
        username=name,
        password=kw.pop("password", PASSWORD),
        role=role,
        organisation=kw.pop("organisation", "nctv"),
        clearance=kw.pop("clearance", "dep-v"),
    )


def test_password_is_stored_as_argon2_and_never_audited(ctx: Context, db: Database) -> None:
    seed_small_register(ctx)
    add(ctx)
    with db.transaction() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    entry = recent_entries(db, entity="users")[0]
    assert entry.action == "create" and entry.after is not None
    assert "argon2" not in entry.after and PASSWORD not in entry.after
    assert accounts.authenticate(db, "anna", PASSWORD, "127.0.0.1").role == "analyst"


def test_the_service_hashes_at_rfc_9106_cost(
    ctx: Context, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run hashes cheaply (tests/conftest.py); the service's own hasher is put back.
    assert accounts.PASSWORD_PARAMETERS == profiles.RFC_9106_LOW_MEMORY
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher.from_parameters(accounts.PASSWORD_PARAMETERS)
    )
    seed_small_register(ctx)
    add(ctx)
    with db.transaction() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert extract_parameters(stored) == profiles.RFC_9106_LOW_MEMORY
    assert accounts.authenticate(db, "anna", PASSWORD, "127.0.0.1").role == "analyst"


def test_bad_accounts_are_refused_with_every_reason(ctx: Context) -> None:
    seed_small_register(ctx)
    with pytest.raises(ValidationError) as caught:
        accounts.add_user(
            ctx,
            username="Anna!",
            password=PASSWORD,
            role="king",
            organisation="nowhere",
            clearance="cosmic",
        )
    fields = {issue.field for issue in caught.value.issues}
    assert fields == {"username", "role", "organisation", "clearance"}
    with pytest.raises(ValidationError, match="bad password"):
        add(ctx, password="short")
    add(ctx)
    with pytest.raises(DuplicateError):
        add(ctx)


def test_wrong_passwords_are_limited_per_account(ctx: Context, db: Database) -> None:
    seed_small_register(ctx)
    add(ctx)
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(UnauthenticatedError):
            accounts.authenticate(db, "anna", "wrong password!", "10.0.0.1")
    with pytest.raises(RateLimitedError):
        accounts.authenticate(db, "anna", PASSWORD, "10.0.0.2")  # even the right one, for now
    with pytest.raises(UnauthenticatedError):
        accounts.authenticate(db, "nobody", PASSWORD, "10.0.0.3")


def test_sessions_and_tokens_are_stored_hashed_and_end_with_the_account(
    ctx: Context, db: Database
) -> None:
    seed_small_register(ctx)
    user = add(ctx)
    cookie, csrf = open_session(db, user)
    token = make_token(ctx, "anna", "etl")
    with db.transaction() as connection:
        stored = {r.id_hash for r in connection.execute(select(tables.web_sessions))}
        secrets = {r.secret_hash for r in connection.execute(select(tables.api_tokens))}
    assert cookie not in stored and not any(token.endswith(s) for s in secrets)
    found = web_sessions.resolve_session(db, cookie, settings=SignInSettings())
    assert found is not None and found.csrf_token == csrf
    assert api_tokens.resolve_token(db, token, "127.0.0.1") is not None
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert api_tokens.resolve_token(db, forged, "127.0.0.1") is None
    accounts.set_disabled(ctx, "anna")
    assert web_sessions.resolve_session(db, cookie, settings=SignInSettings()) is None
    assert api_tokens.resolve_token(db, token, "127.0.0.1") is None
    with pytest.raises(UnauthenticatedError):
        accounts.authenticate(db, "anna", PASSWORD, "127.0.0.1")


def test_new_password_ends_sessions_and_edits_are_versioned(ctx: Context, db: Database) -> None:
    seed_small_register(ctx)
    user = add(ctx)
    cookie, _ = open_session(db, user)
    accounts.set_password(ctx, "anna", "another long passphrase")
    assert web_sessions.resolve_session(db, cookie, settings=SignInSettings()) is None
    assert accounts.authenticate(db, "anna", "another long passphrase", "x").version == 2
    with pytest.raises(ConflictError):
        accounts.set_password(ctx, "anna", "third long passphrase", expected_version=1)


def test_only_administrators_manage_other_accounts(ctx: Context, db: Database) -> None:
    seed_small_register(ctx)
    add(ctx)
    analyst = Context(db, "web:anna", subject=Subject("anna", roles()["analyst"], "nctv", "dep-v"))
    with pytest.raises(ForbiddenError):
        add(analyst, "bert")
    with pytest.raises(ForbiddenError):
        accounts.set_disabled(analyst, "anna")
    accounts.set_password(analyst, "anna", "my own new passphrase")  # one's own is fine
