"""Browser sessions: started at sign-in, ended by signing out, by their owner from the
list of their sessions, by an administrator, or by time: after the idle time-out
without a request and at the absolute end, whichever comes first.

The cookie is a random secret of which only the SHA-256 is stored; a session is named
elsewhere by a public id of its own. Starting and ending sessions is audited (never
the cookie).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, or_, select, update

from weerbaar.config import SignInSettings
from weerbaar.errors import ForbiddenError, NotFoundError, said
from weerbaar.services.account_events import (
    ADDRESS_LENGTH,
    DEVICE_LENGTH,
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
from weerbaar.storage.tables import users, web_sessions

# The time of the last request is written at most this often per session: finer
# would make every page view a write, and the idle time-out is counted in minutes.
SEEN_RESOLUTION = dt.timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class NewSession:
    cookie: str  # the secret the browser keeps
    csrf_token: str
    id: str
    ends_at: dt.datetime  # the absolute end, for the cookie's lifetime


FULL = "full"  # signed in; the other stages reach only the page that finishes it
SECOND_FACTOR = "second-factor"
ENROL = "enrol"


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session that is valid now, behind a request's cookie."""

    user: User
    csrf_token: str
    id: str
    stage: str = FULL
    verified_at: dt.datetime | None = None  # when its owner last proved who they are


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session as its list shows it: never its cookie."""

    id: str
    username: str
    started_at: dt.datetime
    last_seen_at: dt.datetime
    ends_at: dt.datetime
    address: str
    device: str


def _purge(connection: Connection, now: dt.datetime, settings: SignInSettings) -> None:
    """Sessions past their end or idle for too long are gone."""
    connection.execute(
        delete(web_sessions).where(
            or_(
                web_sessions.c.expires_at <= stamp(now),
                web_sessions.c.last_seen_at <= stamp(now - settings.session_idle),
            )
        )
    )


def start_session(
    db: Database,
    user: User,
    *,
    address: str,
    device: str,
    settings: SignInSettings,
    stage: str = FULL,
    now: dt.datetime | None = None,
) -> NewSession:
    """A new session for ``user``, who has just given their password; audited. At any
    ``stage`` but "full" it reaches only the page that finishes signing in."""
    now = now or dt.datetime.now(dt.UTC)
    cookie = secrets.token_urlsafe(32)
    session = NewSession(
        cookie, secrets.token_urlsafe(32), secrets.token_hex(8), now + settings.session_max
    )
    address = address[:ADDRESS_LENGTH]
    device = " ".join(device.split())[:DEVICE_LENGTH] or "unknown"
    with db.transaction(write=True) as connection:
        _purge(connection, now, settings)
        connection.execute(
            insert(web_sessions).values(
                id_hash=digest(cookie),
                id=session.id,
                username=user.username,
                csrf_token=session.csrf_token,
                created_at=stamp(now),
                last_seen_at=stamp(now),
                expires_at=stamp(session.ends_at),
                address=address,
                device=device,
                stage=stage,
                verified_at=stamp(now),
            )
        )
        record(
            connection,
            at=now,
            actor=f"web:{user.username}@{address}",
            action="sign-in",
            entity="web_sessions",
            key=session.id,
            after={
                "username": user.username,
                "address": address,
                "device": device,
                "stage": stage,
            },
        )
    return session


def resolve_session(
    db: Database, cookie: str, *, settings: SignInSettings, now: dt.datetime | None = None
) -> SessionInfo | None:
    """The session behind ``cookie`` if it is valid now; notes the request's time."""
    now = now or dt.datetime.now(dt.UTC)
    with db.transaction() as connection:
        row = connection.execute(
            select(
                web_sessions.c.csrf_token,
                web_sessions.c.id.label("session_id"),
                web_sessions.c.last_seen_at,
                web_sessions.c.stage,
                web_sessions.c.verified_at,
                users,
            )
            .join(users, users.c.username == web_sessions.c.username)
            .where(
                web_sessions.c.id_hash == digest(cookie),
                web_sessions.c.expires_at > stamp(now),
                web_sessions.c.last_seen_at > stamp(now - settings.session_idle),
            )
        ).first()
    if row is None or row.disabled:
        return None
    if now - dt.datetime.fromisoformat(row.last_seen_at) >= SEEN_RESOLUTION:
        with db.transaction(write=True) as connection:
            connection.execute(
                update(web_sessions)
                .where(web_sessions.c.id == row.session_id)
                .values(last_seen_at=stamp(now))
            )
    verified = dt.datetime.fromisoformat(row.verified_at) if row.verified_at else None
    return SessionInfo(user_of(row), row.csrf_token, row.session_id, row.stage, verified)


def finish_sign_in(db: Database, session: SessionInfo, *, actor: str, how: str) -> str:
    """The session's second factor is given (``how``): it is signed in fully under a
    new cookie, returned (the one that went with the password alone stops working, so
    a cookie seen before this step is worth nothing); audited."""
    cookie = secrets.token_urlsafe(32)
    with db.transaction(write=True) as connection:
        connection.execute(
            update(web_sessions)
            .where(web_sessions.c.id == session.id)
            .values(stage=FULL, verified_at=stamp(dt.datetime.now(dt.UTC)), id_hash=digest(cookie))
        )
        record(
            connection,
            at=dt.datetime.now(dt.UTC),
            actor=actor,
            action="sign-in",
            entity="web_sessions",
            key=session.id,
            before={"stage": session.stage},
            after={"username": session.user.username, "stage": FULL, "with": how},
        )
    return cookie


def confirm_identity(db: Database, session: SessionInfo, *, actor: str, how: str) -> None:
    """The session's owner proved who they are again (``how``: password, second
    factor): sensitive acts are open to it for a few minutes; audited."""
    now = dt.datetime.now(dt.UTC)
    with db.transaction(write=True) as connection:
        connection.execute(
            update(web_sessions)
            .where(web_sessions.c.id == session.id)
            .values(verified_at=stamp(now))
        )
        record(
            connection,
            at=now,
            actor=actor,
            action="confirm",
            entity="web_sessions",
            key=session.id,
            after={"username": session.user.username, "with": how},
        )


def sign_out(db: Database, cookie: str, *, actor: str) -> None:
    """End the session behind ``cookie`` (its owner signs out); audited."""
    with db.transaction(write=True) as connection:
        row = connection.execute(
            select(web_sessions.c.id, web_sessions.c.username).where(
                web_sessions.c.id_hash == digest(cookie)
            )
        ).first()
        if row is None:
            return
        connection.execute(delete(web_sessions).where(web_sessions.c.id == row.id))
        record(
            connection,
            at=dt.datetime.now(dt.UTC),
            actor=actor,
            action="sign-out",
            entity="web_sessions",
            key=row.id,
            before={"username": row.username},
        )


def list_sessions(ctx: Context, username: str | None = None) -> list[SessionView]:
    """The live sessions of ``username`` (default: the caller's own; for the local
    operator, everyone's), most recently used first. Only an administrator sees
    another account's."""
    owner = listed_owner(ctx, username, said("sessions"))
    now = ctx.clock()
    query = (
        select(web_sessions)
        .where(web_sessions.c.expires_at > stamp(now))
        .order_by(web_sessions.c.last_seen_at.desc(), web_sessions.c.id)
    )
    if owner is not None:
        query = query.where(web_sessions.c.username == owner)
    with ctx.db.transaction() as connection:
        rows = connection.execute(query).all()
    return [
        SessionView(
            id=row.id,
            username=row.username,
            started_at=dt.datetime.fromisoformat(row.created_at),
            last_seen_at=dt.datetime.fromisoformat(row.last_seen_at),
            ends_at=dt.datetime.fromisoformat(row.expires_at),
            address=row.address,
            device=row.device,
        )
        for row in rows
    ]


def end_sessions(
    ctx: Context,
    *,
    session_id: str | None = None,
    username: str | None = None,
    keep: str | None = None,
) -> int:
    """End one session (``session_id``) or every session of ``username`` but ``keep``;
    returns how many ended. Their owner may, and an administrator; to anyone else
    another's session answers as one that does not exist."""
    with ctx.db.transaction(write=True) as connection:
        query = select(web_sessions.c.id, web_sessions.c.username)
        if session_id is not None:
            query = query.where(web_sessions.c.id == session_id)
        if username is not None:
            query = query.where(web_sessions.c.username == username)
        if keep is not None:
            query = query.where(web_sessions.c.id != keep)
        rows = [r for r in connection.execute(query).all() if may_manage(ctx, r.username)]
        if session_id is not None and not rows:
            raise NotFoundError("session", session_id)
        if username is not None and not may_manage(ctx, username):
            raise ForbiddenError(said("only an administrator ends another account's sessions"))
        for row in rows:
            connection.execute(delete(web_sessions).where(web_sessions.c.id == row.id))
            recorded(
                ctx, connection, "end", "web_sessions", row.id, {"username": row.username}, None
            )
    return len(rows)
