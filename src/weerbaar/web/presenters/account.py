"""API tokens and browser sessions as they are handed out: the models of the API's
``/tokens`` and ``/sessions`` and of ``weerbaar user token-list --format json``.
Never a secret: a token shows its id, a session its public id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, Field

from weerbaar.services.api_tokens import NewToken, Scope, TokenInfo, TokenState
from weerbaar.services.web_sessions import SessionView
from weerbaar.web.presenters import as_json

__all__ = ["as_json", "sessions_answer", "tokens_answer"]


class TokenOut(BaseModel):
    id: str = Field(description="the part of the token between wb_ and the next _")
    username: str
    name: str
    scope: Scope
    state: TokenState
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    last_used_address: str | None


class Tokens(BaseModel):
    tokens: list[TokenOut]


class MadeToken(BaseModel):
    token: str = Field(description="the whole token: it is not shown again")
    id: str
    scope: Scope
    expires_at: dt.datetime


class SessionOut(BaseModel):
    id: str
    username: str
    current: bool = Field(description="the session this request came with")
    started_at: dt.datetime
    last_seen_at: dt.datetime = Field(description="its last request, to the half minute")
    ends_at: dt.datetime = Field(description="its absolute end, sooner when left idle")
    address: str
    device: str


class Sessions(BaseModel):
    sessions: list[SessionOut]


class Ended(BaseModel):
    ended: int


class FactorsReset(BaseModel):
    removed: int = Field(description="second factors removed; the account's sessions ended too")


def tokens_answer(tokens: Sequence[TokenInfo], now: dt.datetime) -> Tokens:
    return Tokens(
        tokens=[
            TokenOut(
                id=t.id,
                username=t.username,
                name=t.name,
                scope=t.scope,
                state=t.state(now),
                created_at=t.created_at,
                expires_at=t.expires_at,
                last_used_at=t.last_used_at,
                last_used_address=t.last_used_address,
            )
            for t in tokens
        ]
    )


def made_token(made: NewToken, scope: Scope) -> MadeToken:
    return MadeToken(token=made.token, id=made.id, scope=scope, expires_at=made.expires_at)


def sessions_answer(sessions: Sequence[SessionView], current: str | None) -> Sessions:
    return Sessions(
        sessions=[
            SessionOut(
                id=s.id,
                username=s.username,
                current=s.id == current,
                started_at=s.started_at,
                last_seen_at=s.last_seen_at,
                ends_at=s.ends_at,
                address=s.address,
                device=s.device,
            )
            for s in sessions
        ]
    )
