"""Local accounts, sign-in, browser sessions and API tokens.

Passwords are stored as argon2id hashes; session cookies and API tokens are random
secrets of which only the SHA-256 is stored. Failed sign-ins are counted per account
and per address, and too many within the window refuse further tries for a while.
Every change to an account is audited (never a password or a secret).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update

from weerbaar.domain.access import Subject
from weerbaar.domain.audit import Change, canonical_json
from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.errors import (
    ConflictError,
    DuplicateError,
    ForbiddenError,
    Issue,
    NotFoundError,
    RateLimitedError,
    UnauthenticatedError,
    ValidationError,
)
from weerbaar.reference.access import classification_levels, roles
from weerbaar.services.context import Context
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.tables import (
    KEY_LENGTH,
    api_tokens,
    entity_tables,
    login_failures,
    users,
    web_sessions,
)

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this bounds the work per try
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
SESSION_LIFETIME = dt.timedelta(hours=8)
ADDRESS_LENGTH = 64  # as login_failures.address holds it
TOKEN_PREFIX = "wb_"  # noqa: S105 - marks a token as weerbaar's; not a secret
_TOKEN_ID = re.compile(r"[0-9a-f]{16}")  # as create_token makes them

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so that the answer takes as
    long as a real check and does not tell which usernames exist. Made on the first
    try, whoever it is for (not at import: every command would pay for it), so that
    the first try's extra time tells nothing either."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class User:
    username: str
    display_name: str
    role: str
    organisation: str
    clearance: str
    disabled: bool
    version: int

    def subject(self) -> Subject:
        return Subject(self.username, roles()[self.role], self.organisation, self.clearance)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    user: User
    csrf_token: str


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _user(row: Any) -> User:
    return User(
        row.username,
        row.display_name,
        row.role,
        row.organisation,
        row.clearance,
        bool(row.disabled),
        row.version,
    )


def _public(user: User) -> str:
    return canonical_json(
        {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "organisation": user.organisation,
            "clearance": user.clearance,
            "disabled": user.disabled,
            "version": user.version,
        }
    )


def _audit(
    ctx: Context,
    connection: Connection,
    action: str,
    entity: str,
    key: str,
    before: Any,
    after: Any,
) -> None:
    audit_log.append(
        connection,
        [
            Change(
                at=_stamp(ctx.clock()),
                actor=ctx.actor,
                action=action,
                entity=entity,
                key=key,
                before=before,
                after=after,
            )
        ],
    )


def _require_admin(ctx: Context) -> None:
    if ctx.subject is not None and not ctx.subject.role.manages_accounts:
        raise ForbiddenError("only an administrator manages accounts")


def check_password(password: str) -> None:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"must be at most {MAX_PASSWORD_LENGTH} characters")
    if problems:
        raise ValidationError([Issue("", "password", p) for p in problems], summary="bad password")


def _check_account(
    connection: Connection, username: str, role: str, organisation: str, clearance: str
) -> None:
    issues = []
    if not KEY_PATTERN.fullmatch(username):
        issues.append(
            Issue("", "username", "lower-case letters, digits and hyphens, starting with a letter")
        )
    if role not in roles():
        issues.append(Issue("", "role", f"unknown role {role!r}; known: {', '.join(roles())}"))
    if clearance not in classification_levels():
        known = ", ".join(classification_levels().keys)
        issues.append(Issue("", "clearance", f"unknown level {clearance!r}; known: {known}"))
    orgs = entity_tables["organisations"]
    if connection.execute(select(orgs.c.key).where(orgs.c.key == organisation)).first() is None:
        issues.append(Issue("", "organisation", f"no organisation {organisation!r}"))
    if issues:
        raise ValidationError(issues, summary="account not saved")


def add_user(
    ctx: Context,
    *,
    username: str,
    password: str,
    role: str,
    organisation: str,
    clearance: str,
    display_name: str | None = None,
) -> User:
    _require_admin(ctx)
    check_password(password)
    with ctx.db.transaction(write=True) as connection:
        _check_account(connection, username, role, organisation, clearance)
        found = connection.execute(select(users.c.username).where(users.c.username == username))
        if found.first() is not None:
            raise DuplicateError("user", username)
        user = User(username, display_name or username, role, organisation, clearance, False, 1)
        connection.execute(
            insert(users).values(
                username=username,
                display_name=user.display_name,
                password_hash=_hasher.hash(password),
                role=role,
                organisation=organisation,
                clearance=clearance,
                disabled=False,
                created_at=_stamp(ctx.clock()),
                version=1,
            )
        )
        _audit(ctx, connection, "create", "users", username, None, _public(user))
        return user


def get_user(db: Database, username: str) -> User:
    with db.transaction() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFoundError("user", username)
    return _user(row)


def list_users(db: Database) -> list[User]:
    with db.transaction() as connection:
        rows = connection.execute(select(users).order_by(users.c.username)).all()
    return [_user(r) for r in rows]


def count_users(db: Database) -> int:
    with db.transaction() as connection:
        return int(connection.execute(select(func.count()).select_from(users)).scalar_one())


def _change_user(ctx: Context, username: str, expected_version: int | None, **values: Any) -> User:
    with ctx.db.transaction(write=True) as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise NotFoundError("user", username)
        before = _user(row)
        base = expected_version if expected_version is not None else before.version
        result = connection.execute(
            update(users)
            .where(users.c.username == username, users.c.version == base)
            .values(**values, version=users.c.version + 1)
        )
        if result.rowcount != 1:
            raise ConflictError("user", username, base, before.version)
        after_row = connection.execute(select(users).where(users.c.username == username)).one()
        after = _user(after_row)
        if values.get("disabled"):
            connection.execute(delete(web_sessions).where(web_sessions.c.username == username))
        note = {"password": "changed"} if "password_hash" in values else {}
        _audit(
            ctx,
            connection,
            "update",
            "users",
            username,
            _public(before),
            canonical_json({**_plain(after), **note}),
        )
        return after


def _plain(user: User) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(_public(user))
    return plain


def set_password(
    ctx: Context, username: str, password: str, *, expected_version: int | None = None
) -> User:
    if ctx.subject is not None and ctx.subject.username != username:
        _require_admin(ctx)
    check_password(password)
    user = _change_user(ctx, username, expected_version, password_hash=_hasher.hash(password))
    with ctx.db.transaction(write=True) as connection:
        # A new password ends every other session of the account.
        connection.execute(delete(web_sessions).where(web_sessions.c.username == username))
    return user


def set_disabled(ctx: Context, username: str, disabled: bool = True) -> User:
    _require_admin(ctx)
    return _change_user(ctx, username, None, disabled=disabled)


def _failures(connection: Connection, column: Any, value: str, since: str) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(login_failures)
            .where(column == value, login_failures.c.at >= since)
        ).scalar_one()
    )


def _reserve_try(connection: Connection, username: str, address: str, now: dt.datetime) -> None:
    """Count this try as a failure now, unless the account or address is over its limit.

    Runs in a write transaction, which writers take in turn (BEGIN IMMEDIATE on
    SQLite, the audit head locked on PostgreSQL): simultaneous guesses are counted
    one after another, so no more than the limit ever reach the password check.
    """
    since = _stamp(now - FAILURE_WINDOW)
    if (
        _failures(connection, login_failures.c.username, username, since)
        >= MAX_FAILURES_PER_ACCOUNT
        or _failures(connection, login_failures.c.address, address, since)
        >= MAX_FAILURES_PER_ADDRESS
    ):
        raise RateLimitedError(int(FAILURE_WINDOW.total_seconds()))
    connection.execute(
        insert(login_failures).values(username=username, address=address, at=_stamp(now))
    )


def authenticate(
    db: Database,
    username: str,
    password: str,
    address: str,
    *,
    now: dt.datetime | None = None,
) -> User:
    """The account, if the password is right; failures are counted and limited.

    The try is counted as a failure before the (deliberately slow) password check and
    the account's count is cleared when the password is right.
    """
    now = now or dt.datetime.now(dt.UTC)
    dummy = _dummy_hash()
    with db.transaction(write=True) as connection:
        # Counted under the names the table can hold, so a long name is limited too.
        _reserve_try(connection, username[:KEY_LENGTH], address[:ADDRESS_LENGTH], now)
    with db.transaction() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
    stored = row.password_hash if row is not None else dummy
    try:
        ok = _hasher.verify(stored, password[:MAX_PASSWORD_LENGTH]) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None or row.disabled:
        raise UnauthenticatedError("wrong username or password, or the account is disabled")
    with db.transaction(write=True) as connection:
        connection.execute(delete(login_failures).where(login_failures.c.username == username))
        if _hasher.check_needs_rehash(row.password_hash):
            connection.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=_hasher.hash(password))
            )
    return _user(row)


def start_session(db: Database, user: User) -> tuple[str, str]:
    """A new session: (cookie value, CSRF token). Only the cookie's hash is stored."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    with db.transaction(write=True) as connection:
        connection.execute(delete(web_sessions).where(web_sessions.c.expires_at < _stamp(now)))
        connection.execute(
            insert(web_sessions).values(
                id_hash=_digest(secret),
                username=user.username,
                csrf_token=csrf,
                created_at=_stamp(now),
                expires_at=_stamp(now + SESSION_LIFETIME),
            )
        )
    return secret, csrf


def resolve_session(db: Database, secret: str) -> SessionInfo | None:
    now = _stamp(dt.datetime.now(dt.UTC))
    with db.transaction() as connection:
        row = connection.execute(
            select(web_sessions.c.csrf_token, users)
            .join(users, users.c.username == web_sessions.c.username)
            .where(web_sessions.c.id_hash == _digest(secret), web_sessions.c.expires_at > now)
        ).first()
    if row is None or row.disabled:
        return None
    return SessionInfo(_user(row), row.csrf_token)


def end_session(db: Database, secret: str) -> None:
    with db.transaction(write=True) as connection:
        connection.execute(delete(web_sessions).where(web_sessions.c.id_hash == _digest(secret)))


def create_token(ctx: Context, username: str, name: str) -> str:
    """A new API token for the account; the returned secret is shown once."""
    if ctx.subject is not None and ctx.subject.username != username:
        _require_admin(ctx)
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
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
                secret_hash=_digest(secret),
                created_at=_stamp(ctx.clock()),
                revoked=False,
            )
        )
        _audit(
            ctx,
            connection,
            "create",
            "api_tokens",
            token_id,
            None,
            canonical_json({"id": token_id, "username": username, "name": name}),
        )
    return f"{TOKEN_PREFIX}{token_id}_{secret}"


def resolve_token(db: Database, token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
        return None
    token_id, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    with db.transaction() as connection:
        row = connection.execute(
            select(api_tokens.c.secret_hash, api_tokens.c.revoked, users)
            .join(users, users.c.username == api_tokens.c.username)
            .where(api_tokens.c.id == token_id)
        ).first()
    if row is None or row.revoked or row.disabled:
        return None
    if not hmac.compare_digest(row.secret_hash, _digest(secret)):
        return None
    return _user(row)


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
        subject = ctx.subject
        if row is None or not (
            subject is None or subject.role.manages_accounts or subject.username == row.username
        ):
            raise NotFoundError("API token", token_id)
        if not row.revoked:
            connection.execute(
                update(api_tokens).where(api_tokens.c.id == token_id).values(revoked=True)
            )
            _audit(
                ctx,
                connection,
                "update",
                "api_tokens",
                token_id,
                canonical_json({"id": token_id, "revoked": False}),
                canonical_json({"id": token_id, "revoked": True}),
            )
    return str(row.username)
