"""Local accounts and signing in with a password.

Passwords are stored as argon2id hashes. Failed sign-ins are counted per account and
per address, and too many within the window refuse further tries for a while. Every
change to an account is audited, and every failed sign-in (never a password).
Sessions are in :mod:`.web_sessions`, API tokens in :mod:`.api_tokens`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update

from weerbaar.domain.access import Subject
from weerbaar.domain.audit import canonical_json
from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.domain.languages import LANGUAGES, supported
from weerbaar.errors import (
    ConflictError,
    DuplicateError,
    Issue,
    NotFoundError,
    RateLimitedError,
    UnauthenticatedError,
    ValidationError,
    said,
)
from weerbaar.reference.access import classification_levels, roles
from weerbaar.services.account_events import (
    ADDRESS_LENGTH,
    record,
    recorded,
    require_admin,
    stamp,
)
from weerbaar.services.context import Context
from weerbaar.services.passwords import check_password
from weerbaar.storage.db import Database
from weerbaar.storage.tables import KEY_LENGTH, entity_tables, login_failures, users, web_sessions

MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this bounds the work per try
UNKNOWN_ACCOUNT = "(no such account)"
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
# The password hash of an account that signs in only through an identity provider:
# no argon2 hash, so no password is ever accepted for it.
NO_PASSWORD = "!no-password"  # noqa: S105 - a marker, not a password

# RFC 9106's second recommended option (argon2id, 3 passes over 64 MiB), argon2-cffi's
# default, named so that a check can hold the code to it.
PASSWORD_PARAMETERS: Parameters = profiles.RFC_9106_LOW_MEMORY

_hasher = PasswordHasher.from_parameters(PASSWORD_PARAMETERS)


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
    language: str | None = None  # "nl" or "en" as the account chose; None: not chosen

    def subject(self) -> Subject:
        return Subject(self.username, roles()[self.role], self.organisation, self.clearance)


def user_of(row: Any) -> User:
    """The account in a row that holds the ``users`` table's columns."""
    return User(
        row.username,
        row.display_name,
        row.role,
        row.organisation,
        row.clearance,
        bool(row.disabled),
        row.version,
        row._mapping.get("language"),
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
            "language": user.language,
        }
    )


def _check_account(
    connection: Connection, username: str, role: str, organisation: str, clearance: str
) -> None:
    issues = []
    if not KEY_PATTERN.fullmatch(username):
        issues.append(
            Issue(
                "",
                "username",
                said("lower-case letters, digits and hyphens, starting with a letter"),
            )
        )
    if role not in roles():
        issues.append(
            Issue(
                "",
                "role",
                said(
                    "unknown role %(role)s; known: %(known)s",
                    role=repr(role),
                    known=", ".join(roles()),
                ),
            )
        )
    if clearance not in classification_levels():
        known = ", ".join(classification_levels().keys)
        issues.append(
            Issue(
                "",
                "clearance",
                said(
                    "unknown level %(level)s; known: %(known)s", level=repr(clearance), known=known
                ),
            )
        )
    orgs = entity_tables["organisations"]
    if connection.execute(select(orgs.c.key).where(orgs.c.key == organisation)).first() is None:
        issues.append(
            Issue("", "organisation", said("no organisation %(key)s", key=repr(organisation)))
        )
    if issues:
        raise ValidationError(issues, summary=said("account not saved"))


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
    require_admin(ctx)
    check_password(password, context=(username, display_name or "", organisation))
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
                created_at=stamp(ctx.clock()),
                version=1,
            )
        )
        recorded(ctx, connection, "create", "users", username, None, _public(user))
        return user


def add_user_without_password(
    ctx: Context,
    connection: Connection,
    *,
    username: str,
    display_name: str,
    role: str,
    organisation: str,
    clearance: str,
    note: str | None = None,
) -> User:
    """An account that signs in only through an identity provider, in the caller's
    transaction; audited as any new account."""
    _check_account(connection, username, role, organisation, clearance)
    found = connection.execute(select(users.c.username).where(users.c.username == username))
    if found.first() is not None:
        raise DuplicateError("user", username)
    user = User(username, display_name, role, organisation, clearance, False, 1)
    connection.execute(
        insert(users).values(
            username=username,
            display_name=display_name,
            password_hash=NO_PASSWORD,
            role=role,
            organisation=organisation,
            clearance=clearance,
            disabled=False,
            created_at=stamp(ctx.clock()),
            version=1,
        )
    )
    recorded(ctx, connection, "create", "users", username, None, _public(user), note)
    return user


def set_provided_values(
    ctx: Context,
    connection: Connection,
    before: User,
    *,
    display_name: str,
    role: str,
    organisation: str,
    clearance: str,
    note: str | None = None,
) -> User:
    """What an identity provider says of an account it manages, in the caller's
    transaction; audited when anything changed."""
    values = {
        "display_name": display_name,
        "role": role,
        "organisation": organisation,
        "clearance": clearance,
    }
    if all(getattr(before, name) == value for name, value in values.items()):
        return before
    _check_account(connection, before.username, role, organisation, clearance)
    connection.execute(
        update(users)
        .where(users.c.username == before.username)
        .values(**values, version=users.c.version + 1)
    )
    after = user_of(
        connection.execute(select(users).where(users.c.username == before.username)).one()
    )
    recorded(
        ctx, connection, "update", "users", before.username, _public(before), _public(after), note
    )
    return after


def get_user(db: Database, username: str) -> User:
    with db.transaction() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFoundError("user", username)
    return user_of(row)


def list_users(db: Database) -> list[User]:
    with db.transaction() as connection:
        rows = connection.execute(select(users).order_by(users.c.username)).all()
    return [user_of(r) for r in rows]


def _change_user(ctx: Context, username: str, expected_version: int | None, **values: Any) -> User:
    with ctx.db.transaction(write=True) as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise NotFoundError("user", username)
        before = user_of(row)
        base = expected_version if expected_version is not None else before.version
        result = connection.execute(
            update(users)
            .where(users.c.username == username, users.c.version == base)
            .values(**values, version=users.c.version + 1)
        )
        if result.rowcount != 1:
            raise ConflictError("user", username, base, before.version)
        after_row = connection.execute(select(users).where(users.c.username == username)).one()
        after = user_of(after_row)
        if values.get("disabled"):
            connection.execute(delete(web_sessions).where(web_sessions.c.username == username))
        note = {"password": "changed"} if "password_hash" in values else {}
        recorded(
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
        require_admin(ctx)
    current = get_user(ctx.db, username)
    check_password(password, context=(username, current.display_name, current.organisation))
    user = _change_user(ctx, username, expected_version, password_hash=_hasher.hash(password))
    with ctx.db.transaction(write=True) as connection:
        # A new password ends every other session of the account.
        connection.execute(delete(web_sessions).where(web_sessions.c.username == username))
    return user


def set_language(ctx: Context, username: str, language: str | None) -> User:
    """The language weerbaar speaks to ``username`` in ("nl", "en"; None: not chosen).
    Its owner chooses, or an administrator; audited."""
    if ctx.subject is not None and ctx.subject.username != username:
        require_admin(ctx)
    if language is not None and supported(language) != language:
        raise ValidationError(
            [Issue("", "language", said("one of %(known)s", known=", ".join(LANGUAGES)))],
            summary=said("not saved"),
        )
    return _change_user(ctx, username, None, language=language)


def set_disabled(ctx: Context, username: str, disabled: bool = True) -> User:
    require_admin(ctx)
    return _change_user(ctx, username, None, disabled=disabled)


def _failures(connection: Connection, column: Any, value: str, since: str) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(login_failures)
            .where(column == value, login_failures.c.at >= since)
        ).scalar_one()
    )


def reserve_try(connection: Connection, username: str, address: str, now: dt.datetime) -> None:
    """Count this try as a failure now, unless the account or address is over its limit.

    Runs in a write transaction, which writers take in turn (BEGIN IMMEDIATE on
    SQLite, the audit head locked on PostgreSQL): simultaneous guesses are counted
    one after another, so no more than the limit ever reach the password check.
    """
    since = stamp(now - FAILURE_WINDOW)
    if (
        _failures(connection, login_failures.c.username, username, since)
        >= MAX_FAILURES_PER_ACCOUNT
        or _failures(connection, login_failures.c.address, address, since)
        >= MAX_FAILURES_PER_ADDRESS
    ):
        raise RateLimitedError(int(FAILURE_WINDOW.total_seconds()))
    connection.execute(
        insert(login_failures).values(username=username, address=address, at=stamp(now))
    )


def _record_failure(
    db: Database, row: Any, address: str, now: dt.datetime, *, wrong_password: bool
) -> None:
    """Audit a failed sign-in under the account it was for. A name that is no account
    is not written down: people type their password into the name field by mistake."""
    username = row.username if row is not None else UNKNOWN_ACCOUNT
    reason = (
        "no such account"
        if row is None
        else "wrong password"
        if wrong_password
        else "account disabled"
    )
    with db.transaction(write=True) as connection:
        record(
            connection,
            at=now,
            actor=f"web:{username}@{address}",
            action="sign-in-fail",
            entity="sign_ins",
            key=username,
            after={"address": address, "reason": reason},
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
        reserve_try(connection, username[:KEY_LENGTH], address[:ADDRESS_LENGTH], now)
    with db.transaction() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
    usable = row is not None and row.password_hash != NO_PASSWORD
    stored = row.password_hash if row is not None and usable else dummy
    try:
        ok = _hasher.verify(stored, password[:MAX_PASSWORD_LENGTH]) and usable
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None or row.disabled:
        _record_failure(db, row, address[:ADDRESS_LENGTH], now, wrong_password=not ok)
        raise UnauthenticatedError(said("wrong username or password, or the account is disabled"))
    with db.transaction(write=True) as connection:
        connection.execute(delete(login_failures).where(login_failures.c.username == username))
        if _hasher.check_needs_rehash(row.password_hash):
            connection.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=_hasher.hash(password))
            )
    return user_of(row)
