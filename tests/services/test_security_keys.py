"""Security keys (WebAuthn): a key is added only with the answer to this session's
own challenge; a signature counts once, from a key of this account, made for this
site; a wrong, replayed or cloned one is refused, counted and audited; reset removes
keys with the other factors. The key is a software one (tests/soft_authenticator.py)
so each check runs on real signatures."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.helpers import seed_small_register
from tests.soft_authenticator import SoftKey
from weerbaar.config import SignInSettings
from weerbaar.errors import UnauthenticatedError
from weerbaar.services import accounts
from weerbaar.services.accounts import User
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.second_factors import (
    factor_kinds,
    has_factor,
    recovery_codes_left,
    reset_factors,
)
from weerbaar.services.security_keys import (
    RelyingParty,
    authentication_options,
    list_keys,
    register_key,
    registration_options,
    verify_key,
)
from weerbaar.services.web_sessions import start_session
from weerbaar.storage.tables import second_factors

SITE = RelyingParty("weerbaar.example", "https://weerbaar.example")
PASSWORD = "a long enough passphrase"


def _user(ctx: Context, name: str) -> User:
    return accounts.add_user(
        ctx,
        username=name,
        password=PASSWORD,
        role="analyst",
        organisation="nctv",
        clearance="stg-c",
    )


def _session(ctx: Context, user: User) -> str:
    return start_session(
        ctx.db, user, address="198.51.100.7", device="test", settings=SignInSettings()
    ).id


@pytest.fixture
def anna(ctx: Context) -> User:
    seed_small_register(ctx)
    return _user(ctx, "anna")


def _with_key(ctx: Context, user: User) -> tuple[SoftKey, str]:
    key = SoftKey()
    session = _session(ctx, user)
    answer = key.create(registration_options(ctx.db, session, user, SITE), SITE.origin)
    register_key(ctx, session, user, answer, SITE, "blue key")
    return key, session


def _sign(ctx: Context, key: SoftKey, session: str, user: str = "anna") -> str:
    return key.get(authentication_options(ctx.db, session, user, SITE), SITE.origin)


def _failures(ctx: Context) -> int:
    return sum(1 for e in recent_entries(ctx.db, limit=500) if e.action == "sign-in-fail")


def test_a_key_is_added_with_recovery_codes_and_signs_in(ctx: Context, anna: User) -> None:
    assert not has_factor(ctx.db, "anna")
    key, session = _with_key(ctx, anna)
    assert factor_kinds(ctx.db, "anna") == {"webauthn"}
    assert [k.name for k in list_keys(ctx.db, "anna")] == ["blue key"]
    assert recovery_codes_left(ctx.db, "anna") == 10  # the first factor brings them
    verify_key(ctx.db, session, "anna", _sign(ctx, key, session), SITE, "198.51.100.7")
    added = next(e for e in recent_entries(ctx.db, limit=50) if e.entity == "second_factors")
    assert added.after is not None and json.loads(added.after)["kind"] == "webauthn"
    trail = "".join(str(e.after) for e in recent_entries(ctx.db, limit=50))
    assert key.credential_id.hex() not in trail


def test_an_answer_counts_once(ctx: Context, anna: User) -> None:
    key, session = _with_key(ctx, anna)
    answer = _sign(ctx, key, session)
    verify_key(ctx.db, session, "anna", answer, SITE, "198.51.100.7")
    before = _failures(ctx)
    with pytest.raises(UnauthenticatedError, match="expired"):
        verify_key(ctx.db, session, "anna", answer, SITE, "198.51.100.7")
    assert _failures(ctx) == before + 1


def test_a_cloned_key_whose_counter_goes_back_is_refused(ctx: Context, anna: User) -> None:
    key, session = _with_key(ctx, anna)
    verify_key(ctx.db, session, "anna", _sign(ctx, key, session), SITE, "198.51.100.7")
    verify_key(ctx.db, session, "anna", _sign(ctx, key, session), SITE, "198.51.100.7")
    key.count = 0  # a copy of the key that signed fewer times
    with pytest.raises(UnauthenticatedError):
        verify_key(ctx.db, session, "anna", _sign(ctx, key, session), SITE, "198.51.100.7")


def test_a_forged_or_foreign_answer_is_refused(ctx: Context, anna: User) -> None:
    key, session = _with_key(ctx, anna)
    forger = SoftKey(credential_id=key.credential_id)  # same id, another private key
    with pytest.raises(UnauthenticatedError, match="not accepted"):
        verify_key(ctx.db, session, "anna", _sign(ctx, forger, session), SITE, "198.51.100.7")
    other = SoftKey()  # a key this account never added
    with pytest.raises(UnauthenticatedError, match="not one of this account"):
        verify_key(ctx.db, session, "anna", _sign(ctx, other, session), SITE, "198.51.100.7")
    phished = key.get(
        authentication_options(ctx.db, session, "anna", SITE), "https://weerbaar.example.evil"
    )
    with pytest.raises(UnauthenticatedError, match="not accepted"):
        verify_key(ctx.db, session, "anna", phished, SITE, "198.51.100.7")
    with pytest.raises(UnauthenticatedError):
        verify_key(ctx.db, session, "anna", "{not json", SITE, "198.51.100.7")
    with ctx.db.transaction() as connection:
        kept = connection.execute(select(second_factors.c.last_step)).scalar_one()
    assert kept == 0  # nothing of the refused answers was taken


def test_another_accounts_key_does_not_sign_for_this_one(ctx: Context, anna: User) -> None:
    key, _ = _with_key(ctx, anna)
    bert = _user(ctx, "bert")
    _with_key(ctx, bert)
    session = _session(ctx, bert)
    with pytest.raises(UnauthenticatedError, match="not one of this account"):
        verify_key(ctx.db, session, "bert", _sign(ctx, key, session, "bert"), SITE, "198.51.100.7")


def test_a_registration_needs_this_sessions_challenge(ctx: Context, anna: User) -> None:
    session = _session(ctx, anna)
    other = _session(ctx, anna)
    options = registration_options(ctx.db, other, anna, SITE)
    answer = SoftKey().create(options, SITE.origin)
    with pytest.raises(UnauthenticatedError, match="expired"):
        register_key(ctx, session, anna, answer, SITE, "")  # no challenge on this session
    registration_options(ctx.db, session, anna, SITE)
    with pytest.raises(UnauthenticatedError, match="not accepted"):
        register_key(ctx, session, anna, answer, SITE, "")  # another challenge
    assert not has_factor(ctx.db, "anna")


def test_reset_removes_keys(ctx: Context, anna: User) -> None:
    _with_key(ctx, anna)
    assert reset_factors(ctx, "anna") == 1
    assert not has_factor(ctx.db, "anna") and recovery_codes_left(ctx.db, "anna") == 0
