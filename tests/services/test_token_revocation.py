"""An API token is revoked by its owner or an administrator, audited; to anyone else
another's token is as if it did not exist."""

from __future__ import annotations

import pytest

from tests.helpers import make_token, seed_small_register
from weerbaar.errors import NotFoundError
from weerbaar.services import accounts, api_tokens
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context

PASSWORD = "a long enough passphrase"


def _person(operator: Context, name: str, role: str) -> Context:
    user = accounts.add_user(
        operator,
        username=name,
        password=PASSWORD,
        role=role,
        organisation="nctv",
        clearance="dep-v",
    )
    return Context(operator.db, f"api:{name}@127.0.0.1", subject=user.subject())


def test_an_owner_revokes_their_token_and_it_stops_working(ctx: Context) -> None:
    seed_small_register(ctx)
    anna = _person(ctx, "anna", "analyst")
    token = make_token(ctx, "anna", "etl")
    token_id = api_tokens.token_id_of(token)
    assert api_tokens.resolve_token(ctx.db, token, "127.0.0.1") is not None
    assert api_tokens.revoke_token(anna, token_id) == "anna"
    assert api_tokens.resolve_token(ctx.db, token, "127.0.0.1") is None
    entry = recent_entries(ctx.db, entity="api_tokens")[0]
    assert (entry.action, entry.key, entry.actor) == ("update", token_id, anna.actor)
    assert entry.after is not None and '"revoked":true' in entry.after
    # Again: nothing changes, nothing is written to the trail.
    assert api_tokens.revoke_token(anna, token) == "anna"
    assert len(recent_entries(ctx.db, entity="api_tokens")) == 2  # created, revoked


def test_someone_elses_token_is_as_if_it_did_not_exist(ctx: Context) -> None:
    seed_small_register(ctx)
    anna = _person(ctx, "anna", "analyst")
    _person(ctx, "bert", "coordinator")
    bert_token = make_token(ctx, "bert", "etl")
    with pytest.raises(NotFoundError) as other:
        api_tokens.revoke_token(anna, api_tokens.token_id_of(bert_token))
    with pytest.raises(NotFoundError) as missing:
        api_tokens.revoke_token(anna, "0123456789abcdef")
    assert str(other.value).replace(api_tokens.token_id_of(bert_token), "ID") == str(
        missing.value
    ).replace("0123456789abcdef", "ID")
    assert api_tokens.resolve_token(ctx.db, bert_token, "127.0.0.1") is not None


def test_an_administrator_revokes_anyones_token(ctx: Context) -> None:
    seed_small_register(ctx)
    _person(ctx, "anna", "analyst")
    admin = _person(ctx, "ada", "administrator")
    token = make_token(ctx, "anna", "etl")
    assert api_tokens.revoke_token(admin, token) == "anna"
    assert api_tokens.resolve_token(ctx.db, token, "127.0.0.1") is None


@pytest.mark.parametrize("named", ["", "wb_", "nonsense", "0123", "x" * 500, "ab\x00cd"])
def test_a_token_that_cannot_exist_is_not_found(ctx: Context, named: str) -> None:
    with pytest.raises(NotFoundError):
        api_tokens.revoke_token(ctx, named)
