"""Second factors: who must have one; an app's code works once, within a step of
drift; wrong codes count like wrong passwords; a recovery code works once; the
secret is stored encrypted; an administrator's reset is audited and ends sessions."""

from __future__ import annotations

import dataclasses

import pyotp
import pytest
from sqlalchemy import select

from tests.helpers import open_session, seed_small_register
from weerbaar.config import SignInSettings
from weerbaar.errors import ForbiddenError, RateLimitedError, UnauthenticatedError
from weerbaar.services import accounts
from weerbaar.services.accounts import User
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.second_factors import (
    STEP_SECONDS,
    begin_totp,
    confirm_totp,
    has_factor,
    recovery_codes_left,
    required,
    reset_factors,
    verify,
)
from weerbaar.storage.db import Database
from weerbaar.storage.tables import second_factors

PASSWORD = "a long enough passphrase"
NOW = 1_800_000_000.0  # a moment; codes are computed for it


def _user(ctx: Context, name: str, *, role: str = "analyst", clearance: str = "stg-c") -> User:
    return accounts.add_user(
        ctx,
        username=name,
        password=PASSWORD,
        role=role,
        organisation="nctv",
        clearance=clearance,
    )


def _enrolled(ctx: Context, user: User) -> tuple[pyotp.TOTP, list[str]]:
    app = pyotp.TOTP(begin_totp(ctx, user).secret)
    codes = confirm_totp(ctx, user, app.at(NOW), now=NOW)
    return app, codes


@pytest.fixture
def anna(ctx: Context) -> User:
    seed_small_register(ctx)
    return _user(ctx, "anna")


def test_who_must_have_a_second_factor(ctx: Context) -> None:
    seed_small_register(ctx)
    plain = SignInSettings()
    everyone = dataclasses.replace(plain, second_factor_for_all=True)
    public_analyst = _user(ctx, "pia", clearance="public")
    assert not required(public_analyst, plain) and required(public_analyst, everyone)
    assert required(_user(ctx, "dirk", clearance="dep-v"), plain)
    assert required(_user(ctx, "cora", role="coordinator", clearance="public"), plain)
    assert required(_user(ctx, "ada", role="administrator", clearance="public"), plain)


def test_the_secret_is_stored_encrypted(ctx: Context, anna: User) -> None:
    secret = begin_totp(ctx, anna).secret
    with ctx.db.transaction() as connection:
        stored = connection.execute(select(second_factors.c.secret)).scalar_one()
    assert secret not in stored and secret.lower() not in stored.lower()
    assert not has_factor(ctx.db, "anna")  # not until a code confirms it


def test_a_code_works_once_and_only_near_its_time(ctx: Context, anna: User) -> None:
    app, _ = _enrolled(ctx, anna)
    db = ctx.db
    later = NOW + 4 * STEP_SECONDS
    assert verify(db, "anna", app.at(later), "10.0.0.1", now=later) == "totp"
    with pytest.raises(UnauthenticatedError, match="used before"):
        verify(db, "anna", app.at(later), "10.0.0.1", now=later)
    # One step early or late is allowed for clock drift; two are not.
    assert verify(db, "anna", app.at(later + STEP_SECONDS), "10.0.0.1", now=later + 1) == "totp"
    far = later + 10 * STEP_SECONDS
    with pytest.raises(UnauthenticatedError):
        verify(db, "anna", app.at(far + 2 * STEP_SECONDS), "10.0.0.1", now=far)
    with pytest.raises(UnauthenticatedError):
        verify(db, "anna", "12 34", "10.0.0.1", now=far)


def test_wrong_codes_are_limited_like_wrong_passwords(ctx: Context, anna: User) -> None:
    app, _ = _enrolled(ctx, anna)
    later = NOW + 40 * STEP_SECONDS
    wrong = "000000" if app.at(later) != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(UnauthenticatedError):
            verify(ctx.db, "anna", wrong, "10.0.0.1", now=later)
    with pytest.raises(RateLimitedError):
        verify(ctx.db, "anna", app.at(later), "10.0.0.1", now=later)
    entries = recent_entries(ctx.db, entity="sign_ins", key="anna")
    assert len([e for e in entries if e.action == "sign-in-fail"]) == 5
    assert all(wrong not in f"{e.after}" for e in entries)


def test_a_recovery_code_works_once(ctx: Context, anna: User) -> None:
    _, codes = _enrolled(ctx, anna)
    assert recovery_codes_left(ctx.db, "anna") == 10
    assert verify(ctx.db, "anna", codes[3].upper(), "x", now=NOW + 99) == "recovery code"
    assert recovery_codes_left(ctx.db, "anna") == 9
    with pytest.raises(UnauthenticatedError):
        verify(ctx.db, "anna", codes[3], "x", now=NOW + 99)
    # Setting the app up again gives new codes; the old ones stop working.
    _, new_codes = _enrolled(ctx, anna)
    with pytest.raises(UnauthenticatedError):
        verify(ctx.db, "anna", codes[4], "x", now=NOW + 99)
    assert verify(ctx.db, "anna", new_codes[0], "x", now=NOW + 99) == "recovery code"


def test_only_an_administrator_resets_factors_and_it_is_audited(
    ctx: Context, db: Database, anna: User
) -> None:
    _enrolled(ctx, anna)
    cookie, _ = open_session(db, anna)
    analyst = Context(db, "web:anna@x", subject=anna.subject())
    with pytest.raises(ForbiddenError):
        reset_factors(analyst, "anna")
    admin_user = _user(ctx, "ada", role="administrator")
    admin = Context(db, "web:ada@x", subject=admin_user.subject())
    assert reset_factors(admin, "anna") == 1
    assert not has_factor(db, "anna") and recovery_codes_left(db, "anna") == 0
    from weerbaar.services.web_sessions import resolve_session

    assert resolve_session(db, cookie, settings=SignInSettings()) is None
    entry = recent_entries(db, entity="second_factors", key="anna")[0]
    assert (entry.action, entry.actor) == ("delete", "web:ada@x")
