"""API tokens: made for an account with a name, a scope and an expiry; listed with
when and from where they were last used; revoked by their owner or an administrator.

A token reads ``wb_<id>_<secret>``. The secret is shown once, when the token is made;
only its SHA-256 is kept. A revoked or expired token, or one whose account is
disabled, is refused at once. A token of the ``read`` scope reads only; ``write``
reads and writes.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from sqlalchemy import insert, select, update

from weerbaar.config import SignInSettings
from weerbaar.errors import ForbiddenError, Issue, NotFoundError, ValidationError, said
from weerbaar.services.account_events import (
    ADDRESS_LENGTH,
    digest,
    listed_owner,
    may_manage,
    record,
    recorded,
    stamp,
)
from weerbaar.services.accounts import User, user_of
from weerbaar.services.context import Context
from weerbaar.storage.db import Database
from weerbaar.storage.tables import api_tokens, users

TOKEN_PREFIX = "wb_"  # noqa: S105 - marks a token as weerbaar's; not a secret
NAME_LENGTH = 100
_TOKEN_ID = re.compile(r"[0-9a-f]{16}")  # as create_token makes them
# The time of last use is written at most this often per token, so that a client
# calling many times a second does not turn every read into a write.
USE_RESOLUTION = dt.timedelta(minutes=1)


TokenState = Literal["active", "expired", "revoked"]


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"  # reads too


@dataclass(frozen=True, slots=True)
class NewToken:
    token: str  # the whole token, shown once
    id: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as its list shows it: never its secret."""

    id: str
    username: str
    name: str
    scope: Scope
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked: bool
    last_used_at: dt.datetime | None
    last_used_address: str | None

    def state(self, now: dt.datetime) -> TokenState:
        if self.revoked:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


@dataclass(frozen=True, slots=True)
class TokenUse:
    """A token that was accepted: whose it is and what it may do."""

    user: User
    id: str
    scope: Scope


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


NOT_MADE = said("API token not made")


def _lifetime(days: int | None, settings: SignInSettings) -> dt.timedelta:
    wanted = settings.token_days if days is None else days
    if not 1 <= wanted <= settings.token_max_days:
        raise ValidationError(
            [
                Issue(
                    "",
                    "days",
                    said(
                        "from 1 to %(most)s days, not %(wanted)s",
                        most=settings.token_max_days,
                        wanted=wanted,
                    ),
                )
            ],
            summary=NOT_MADE,
        )
    return dt.timedelta(days=wanted)


def create_token(
    ctx: Context,
    username: str,
    name: str,
    *,
    settings: SignInSettings,
    scope: Scope = Scope.WRITE,
    days: int | None = None,
) -> NewToken:
    """A new API token for the account, lasting ``days`` (default: the settings')."""
    if not may_manage(ctx, username):
        raise ForbiddenError(said("only an administrator makes API tokens for another account"))
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_LENGTH:
        raise ValidationError(
            [
                Issue(
                    "",
                    "name",
                    said("1 to %(most)s characters: what the token is for", most=NAME_LENGTH),
                )
            ],
            summary=NOT_MADE,
        )
    lifetime = _lifetime(days, settings)
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    now = ctx.clock()
    expires = now + lifetime
    with ctx.db.transaction(write=True) as connection:
        if (
            connection.execute(select(users.c.username).where(users.c.username == username)).first()
            is None
        ):
            raise NotFoundError("user", username)
        connection.execute(
            insert(api_tokens).values(
                id=token_id,
                username=username,
                name=name,
                secret_hash=digest(secret),
                created_at=stamp(now),
                revoked=False,
                scope=scope.value,
                expires_at=stamp(expires),
            )
        )
        after = {
            "id": token_id,
            "username": username,
            "name": name,
            "scope": scope.value,
            "expires_at": stamp(expires),
        }
        recorded(ctx, connection, "create", "api_tokens", token_id, None, after)
    return NewToken(f"{TOKEN_PREFIX}{token_id}_{secret}", token_id, expires)


def list_tokens(ctx: Context, username: str | None = None) -> list[TokenInfo]:
    """The tokens of ``username`` (default: the caller's own; for the local operator,
    everyone's), newest first. Only an administrator sees another account's."""
    owner = listed_owner(ctx, username, said("API tokens"))
    query = select(api_tokens).order_by(api_tokens.c.created_at.desc(), api_tokens.c.id)
    if owner is not None:
        query = query.where(api_tokens.c.username == owner)
    with ctx.db.transaction() as connection:
        rows = connection.execute(query).all()
    return [
        TokenInfo(
            id=row.id,
            username=row.username,
            name=row.name,
            scope=Scope(row.scope),
            created_at=dt.datetime.fromisoformat(row.created_at),
            expires_at=dt.datetime.fromisoformat(row.expires_at),
            revoked=bool(row.revoked),
            last_used_at=_moment(row.last_used_at),
            last_used_address=row.last_used_address,
        )
        for row in rows
    ]


def resolve_token(
    db: Database, token: str, address: str, *, now: dt.datetime | None = None
) -> TokenUse | None:
    """The token's account and scope, or None if it is not a token that works now;
    notes when and from where it was used."""
    if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
        return None
    token_id, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not _TOKEN_ID.fullmatch(token_id):
        return None
    now = now or dt.datetime.now(dt.UTC)
    with db.transaction() as connection:
        row = connection.execute(
            select(
                api_tokens.c.secret_hash,
                api_tokens.c.revoked,
                api_tokens.c.scope,
                api_tokens.c.expires_at,
                api_tokens.c.last_used_at,
                api_tokens.c.last_used_address,
                users,
            )
            .join(users, users.c.username == api_tokens.c.username)
            .where(api_tokens.c.id == token_id)
        ).first()
    if row is None or row.revoked or row.disabled:
        return None
    if not hmac.compare_digest(row.secret_hash, digest(secret)):
        return None
    if dt.datetime.fromisoformat(row.expires_at) <= now:
        return None
    address = address[:ADDRESS_LENGTH]
    last = _moment(row.last_used_at)
    if last is None or now - last >= USE_RESOLUTION or row.last_used_address != address:
        with db.transaction(write=True) as connection:
            connection.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id)
                .values(last_used_at=stamp(now), last_used_address=address)
            )
    return TokenUse(user_of(row), token_id, Scope(row.scope))


def token_id_of(token: str) -> str:
    """The id of an API token, given the id or the whole token (``wb_<id>_<secret>``)."""
    return token[len(TOKEN_PREFIX) :].partition("_")[0] if token.startswith(TOKEN_PREFIX) else token


def revoke_token(ctx: Context, token: str) -> str:
    """Revoke an API token, named by its id or the whole token; returns its owner.

    Its owner may, and an administrator. To anyone else another's token answers as a
    token that does not exist, so that tokens cannot be found out by trying. Revoking
    a revoked token changes nothing.
    """
    token_id = token_id_of(token)
    with ctx.db.transaction(write=True) as connection:
        row = (
            connection.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
            if _TOKEN_ID.fullmatch(token_id)
            else None
        )
        if row is None or not may_manage(ctx, row.username):
            raise NotFoundError("API token", token_id)
        if not row.revoked:
            connection.execute(
                update(api_tokens).where(api_tokens.c.id == token_id).values(revoked=True)
            )
            recorded(
                ctx,
                connection,
                "update",
                "api_tokens",
                token_id,
                {"id": token_id, "revoked": False},
                {"id": token_id, "revoked": True},
            )
    return str(row.username)


def refuse_write(db: Database, token_id: str, actor: str, what: str) -> ForbiddenError:
    """Record that a read-only token tried to write, and the error to answer with."""
    with db.transaction(write=True) as connection:
        record(
            connection,
            at=dt.datetime.now(dt.UTC),
            actor=actor,
            action="refuse",
            entity="api_tokens",
            key=token_id,
            note=f"a read-only token tried to write: {what}"[:500],
        )
    return ForbiddenError(
        said("this API token may only read: make a token with the write scope to change records")
    )
