"""API tokens have a scope, an expiry within the settings' maximum, and a record of
their last use; an expired token is refused at once; only its owner and an
administrator see it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import seed_small_register
from weerbaar.config import SignInSettings
from weerbaar.errors import ForbiddenError, ValidationError
from weerbaar.services import accounts
from weerbaar.services.api_tokens import (
    USE_RESOLUTION,
    Scope,
    create_token,
    list_tokens,
    resolve_token,
    revoke_token,
)
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context

PASSWORD = "a long enough passphrase"
SETTINGS = SignInSettings(token_days=30, token_max_days=60)
START = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)


def _person(operator: Context, name: str, role: str = "analyst") -> Context:
    user = accounts.add_user(
        operator,
        username=name,
        password=PASSWORD,
        role=role,
        organisation="nctv",
        clearance="dep-v",
    )
    return Context(
        operator.db, f"api:{name}@127.0.0.1", clock=lambda: START, subject=user.subject()
    )


@pytest.fixture
def anna(ctx: Context) -> Context:
    seed_small_register(ctx)
    return _person(ctx, "anna")


def test_a_token_lasts_the_default_days_and_is_refused_once_expired(anna: Context) -> None:
    made = create_token(anna, "anna", "etl", settings=SETTINGS, scope=Scope.READ)
    assert made.expires_at == START + dt.timedelta(days=30)
    use = resolve_token(anna.db, made.token, "10.0.0.1", now=START + dt.timedelta(days=29))
    assert use is not None and use.scope is Scope.READ and use.user.username == "anna"
    assert resolve_token(anna.db, made.token, "10.0.0.1", now=made.expires_at) is None


@pytest.mark.parametrize("days", [0, 61, -1])
def test_a_lifetime_outside_the_settings_is_refused(anna: Context, days: int) -> None:
    with pytest.raises(ValidationError, match="days"):
        create_token(anna, "anna", "etl", settings=SETTINGS, days=days)
    assert list_tokens(anna) == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(anna: Context, name: str) -> None:
    with pytest.raises(ValidationError, match="name"):
        create_token(anna, "anna", name, settings=SETTINGS)


def test_last_use_is_recorded_with_its_address_at_most_once_a_minute(anna: Context) -> None:
    made = create_token(anna, "anna", "etl", settings=SETTINGS, days=60)
    (fresh,) = list_tokens(anna)
    assert (fresh.last_used_at, fresh.last_used_address) == (None, None)
    resolve_token(anna.db, made.token, "10.0.0.1", now=START)
    resolve_token(anna.db, made.token, "10.0.0.1", now=START + USE_RESOLUTION / 2)
    (used,) = list_tokens(anna)
    assert (used.last_used_at, used.last_used_address) == (START, "10.0.0.1")
    later = START + USE_RESOLUTION
    resolve_token(anna.db, made.token, "10.0.0.2", now=later)
    (moved,) = list_tokens(anna)
    assert (moved.last_used_at, moved.last_used_address) == (later, "10.0.0.2")


def test_states_and_who_sees_which_tokens(ctx: Context, anna: Context) -> None:
    bert = _person(ctx, "bert")
    admin = _person(ctx, "ada", "administrator")
    first = create_token(anna, "anna", "etl", settings=SETTINGS)
    create_token(bert, "bert", "dashboard", settings=SETTINGS)
    revoke_token(anna, first.id)
    assert [t.state(START) for t in list_tokens(anna)] == ["revoked"]
    assert [t.state(START + dt.timedelta(days=31)) for t in list_tokens(bert)] == ["expired"]
    with pytest.raises(ForbiddenError):
        list_tokens(anna, "bert")
    assert {t.username for t in list_tokens(admin, "bert")} == {"bert"}
    assert {t.username for t in list_tokens(ctx)} == {"anna", "bert"}  # the local operator
    with pytest.raises(ForbiddenError):
        create_token(anna, "bert", "sneaky", settings=SETTINGS)


def test_making_a_token_is_audited_without_its_secret(anna: Context) -> None:
    made = create_token(anna, "anna", "etl", settings=SETTINGS, scope=Scope.READ)
    entry = recent_entries(anna.db, entity="api_tokens")[0]
    assert (entry.action, entry.key, entry.actor) == ("create", made.id, anna.actor)
    assert entry.after is not None and '"scope":"read"' in entry.after
    secret = made.token.split("_", 2)[2]  # the secret itself may hold "_"
    assert secret not in entry.after
