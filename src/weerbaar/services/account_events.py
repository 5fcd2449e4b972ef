"""What the account services share: how a moment and a secret are stored, who may
manage accounts, and the audit entries of account changes and sign-in events.

An entry about an account never holds a password, a session cookie or a token: only
what happened, to whom, from where.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Connection

from weerbaar.domain.audit import Change, canonical_json
from weerbaar.errors import ForbiddenError, said
from weerbaar.services.context import Context
from weerbaar.storage import audit_log

ADDRESS_LENGTH = 64  # as the tables hold an address
DEVICE_LENGTH = 200


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def digest(secret: str) -> str:
    """SHA-256 of a random secret: it is long and random, so a slow hash adds nothing."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def require_admin(ctx: Context) -> None:
    if ctx.subject is not None and not ctx.subject.role.manages_accounts:
        raise ForbiddenError(said("only an administrator manages accounts"))


def may_manage(ctx: Context, username: str) -> bool:
    """Whether the caller may act on ``username``'s sessions and tokens: their owner,
    an administrator, or the local operator."""
    subject = ctx.subject
    return subject is None or subject.role.manages_accounts or subject.username == username


def listed_owner(ctx: Context, username: str | None, what: str) -> str | None:
    """Whose ``what`` (sessions, API tokens) a list shows: ``username``'s, else the
    caller's own, and for the local operator everyone's (None). Anyone but their
    owner and an administrator is refused alike whether or not the account exists."""
    subject = ctx.subject
    owner = username if username is not None else (subject.username if subject else None)
    if (owner is not None and not may_manage(ctx, owner)) or (
        owner is None and subject is not None and not subject.role.manages_accounts
    ):
        raise ForbiddenError(
            said("only an administrator sees another account's %(what)s", what=what)
        )
    return owner


def record(
    connection: Connection,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    key: str,
    before: dict[str, Any] | str | None = None,
    after: dict[str, Any] | str | None = None,
    note: str | None = None,
) -> None:
    """Append one entry to the audit trail, in the caller's transaction."""

    def text(state: dict[str, Any] | str | None) -> str | None:
        return canonical_json(state) if isinstance(state, dict) else state

    audit_log.append(
        connection,
        [
            Change(
                at=stamp(at),
                actor=actor[:128],
                action=action,
                entity=entity,
                key=key,
                before=text(before),
                after=text(after),
                note=note,
            )
        ],
    )


def recorded(
    ctx: Context,
    connection: Connection,
    action: str,
    entity: str,
    key: str,
    before: dict[str, Any] | str | None,
    after: dict[str, Any] | str | None,
    note: str | None = None,
) -> None:
    """:func:`record` for a use case's own write: at the context's time, by its actor."""
    record(
        connection,
        at=ctx.clock(),
        actor=ctx.actor,
        action=action,
        entity=entity,
        key=key,
        before=before,
        after=after,
        note=note,
    )
