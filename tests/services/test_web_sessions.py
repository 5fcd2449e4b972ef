"""Browser sessions end when idle for too long and at their absolute end; their owner
lists and ends them, an administrator anyone's; starting and ending one is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import seed_small_register
from weerbaar.config import SignInSettings
from weerbaar.errors import ForbiddenError, NotFoundError
from weerbaar.services import accounts
from weerbaar.services.accounts import User
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.web_sessions import (
    end_sessions,
    list_sessions,
    resolve_session,
    sign_out,
    start_session,
)
from weerbaar.storage.db import Database

PASSWORD = "a long enough passphrase"
SETTINGS = SignInSettings(session_idle=dt.timedelta(minutes=30), session_max=dt.timedelta(hours=2))
START = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)


def _user(operator: Context, name: str, role: str = "analyst") -> User:
    return accounts.add_user(
        operator,
        username=name,
        password=PASSWORD,
        role=role,
        organisation="nctv",
        clearance="dep-v",
    )


def _as(db: Database, user: User, at: dt.datetime = START) -> Context:
    return Context(db, f"web:{user.username}@10.0.0.1", clock=lambda: at, subject=user.subject())


def _start(db: Database, user: User, at: dt.datetime = START, device: str = "Firefox") -> str:
    made = start_session(db, user, address="10.0.0.1", device=device, settings=SETTINGS, now=at)
    return made.cookie


@pytest.fixture
def anna(ctx: Context) -> User:
    seed_small_register(ctx)
    return _user(ctx, "anna")


def test_a_session_ends_when_left_idle(db: Database, anna: User) -> None:
    cookie = _start(db, anna)
    minute = dt.timedelta(minutes=1)
    at = START
    for _ in range(4):  # in use every 25 minutes: it stays
        at += 25 * minute
        assert resolve_session(db, cookie, settings=SETTINGS, now=at) is not None
    assert resolve_session(db, cookie, settings=SETTINGS, now=at + 30 * minute) is None


def test_a_session_ends_at_its_absolute_end_however_busy(db: Database, anna: User) -> None:
    cookie = _start(db, anna)
    at = START
    while at < START + SETTINGS.session_max - dt.timedelta(minutes=10):
        at += dt.timedelta(minutes=10)
        assert resolve_session(db, cookie, settings=SETTINGS, now=at) is not None
    assert resolve_session(db, cookie, settings=SETTINGS, now=START + SETTINGS.session_max) is None


def test_the_owner_lists_and_ends_their_sessions(db: Database, anna: User) -> None:
    here = _start(db, anna, device="Firefox on Linux")
    there = _start(db, anna, START + dt.timedelta(minutes=1), device="Edge on Windows")
    mine = _as(db, anna, START + dt.timedelta(minutes=2))
    listed = list_sessions(mine)
    assert [s.device for s in listed] == ["Edge on Windows", "Firefox on Linux"]
    assert {s.address for s in listed} == {"10.0.0.1"}
    current = resolve_session(db, here, settings=SETTINGS, now=START + dt.timedelta(minutes=2))
    assert current is not None
    assert end_sessions(mine, username="anna", keep=current.id) == 1
    assert resolve_session(db, there, settings=SETTINGS, now=START) is None
    assert [s.id for s in list_sessions(mine)] == [current.id]
    assert end_sessions(mine, session_id=current.id) == 1
    assert list_sessions(mine) == []


def test_another_accounts_session_is_as_if_it_did_not_exist(
    ctx: Context, db: Database, anna: User
) -> None:
    bert = _user(ctx, "bert")
    _start(db, bert)
    (berts,) = list_sessions(_as(db, bert))
    with pytest.raises(NotFoundError) as other:
        end_sessions(_as(db, anna), session_id=berts.id)
    with pytest.raises(NotFoundError) as missing:
        end_sessions(_as(db, anna), session_id="0123456789abcdef")
    assert str(other.value).replace(berts.id, "ID") == str(missing.value).replace(
        "0123456789abcdef", "ID"
    )
    with pytest.raises(ForbiddenError):
        list_sessions(_as(db, anna), "bert")
    with pytest.raises(ForbiddenError):
        end_sessions(_as(db, anna), username="bert")
    admin = _as(db, _user(ctx, "ada", "administrator"))
    assert [s.id for s in list_sessions(admin, "bert")] == [berts.id]
    assert end_sessions(admin, session_id=berts.id) == 1
    assert list_sessions(admin, "bert") == []


def test_sign_in_sign_out_and_ending_are_audited_without_the_cookie(
    db: Database, anna: User
) -> None:
    cookie = _start(db, anna)
    (session,) = list_sessions(_as(db, anna))
    sign_out(db, cookie, actor="web:anna@10.0.0.1")
    other = _start(db, anna)
    (second,) = list_sessions(_as(db, anna))
    end_sessions(_as(db, anna), session_id=second.id)
    entries = recent_entries(db, entity="web_sessions")
    assert [(e.action, e.key) for e in reversed(entries)] == [
        ("sign-in", session.id),
        ("sign-out", session.id),
        ("sign-in", second.id),
        ("end", second.id),
    ]
    for entry in entries:
        assert cookie not in f"{entry.before}{entry.after}"
        assert other not in f"{entry.before}{entry.after}"


def test_a_failed_sign_in_is_audited_without_what_was_typed(db: Database, anna: User) -> None:
    from weerbaar.errors import UnauthenticatedError

    with pytest.raises(UnauthenticatedError):
        accounts.authenticate(db, "anna", "wrong passphrase!", "10.0.0.9")
    with pytest.raises(UnauthenticatedError):
        accounts.authenticate(db, "my secret password", "x", "10.0.0.9")
    entries = recent_entries(db, entity="sign_ins")
    assert [(e.action, e.key) for e in reversed(entries)] == [
        ("sign-in-fail", "anna"),
        ("sign-in-fail", accounts.UNKNOWN_ACCOUNT),
    ]
    assert all("my secret password" not in f"{e.actor}{e.after}" for e in entries)
    assert all("wrong passphrase" not in f"{e.after}" for e in entries)
