"""Where each organisation's notifications go: e-mail addresses and webhooks with
their signing secrets, each with the language its e-mails are written in (Dutch or
English; the installation's unless chosen). Only administrators manage them; every
change is audited, and a secret is shown once, when its webhook is added, and never
written to the audit trail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from weerbaar.config import process_language
from weerbaar.domain.addresses import email_address_problem
from weerbaar.domain.audit import Change, canonical_json
from weerbaar.domain.languages import LANGUAGES, supported
from weerbaar.errors import (
    DuplicateError,
    ForbiddenError,
    Issue,
    NotFoundError,
    ValidationError,
    said,
)
from weerbaar.services.context import Context
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.tables import entity_tables, notification_channels

EMAIL = "email"
WEBHOOK = "webhook"
KINDS = (EMAIL, WEBHOOK)
MAX_TARGET_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Channel:
    """Where an organisation's notices go, and in which language ("nl" or "en") its
    e-mails are written. Its webhook secret is never read back."""

    id: int
    organisation: str
    kind: str
    target: str
    active: bool
    created_at: dt.datetime
    language: str


def _channel(row: Any) -> Channel:
    return Channel(
        row.id,
        row.organisation,
        row.kind,
        row.target,
        bool(row.active),
        row.created_at,
        row.language,
    )


def audited(
    ctx: Context,
    connection: Connection,
    entity: str,
    key: int,
    before: str | None,
    after: str | None,
) -> None:
    """An audit entry for a write to the notification tables, which are no register
    entities."""
    action = "create" if before is None else "update"
    stamp = ctx.clock().astimezone(dt.UTC).isoformat(timespec="microseconds")
    audit_log.append(
        connection,
        [Change(stamp, ctx.actor, action, entity, str(key), before, after)],
    )


def _require_admin(ctx: Context) -> None:
    if ctx.subject is not None and not ctx.subject.role.manages_accounts:
        raise ForbiddenError(said("only an administrator manages notification channels"))


def _url_problem(url: str) -> str | None:
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return said("%(url)s may not hold spaces, line breaks or control characters", url=repr(url))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return said(
            "%(url)s is not a webhook URL: it must start with https:// or http://", url=repr(url)
        )
    try:
        host = parts.hostname
        _ = parts.port  # raises on a port that is no number or out of range
    except ValueError:
        return said("%(url)s has a port that is not a number from 1 to 65535", url=repr(url))
    if not host:
        return said("%(url)s names no host", url=repr(url))
    return None


def _language_issues(language: str) -> list[Issue]:
    if supported(language) == language:
        return []
    return [
        Issue(
            "",
            "language",
            said(
                "unknown language %(language)s; use %(languages)s",
                language=repr(language),
                languages=" or ".join(LANGUAGES),
            ),
        )
    ]


def _channel_issues(kind: str, target: str) -> list[Issue]:
    if kind not in KINDS:
        return [
            Issue(
                "",
                "kind",
                said(
                    "unknown kind %(kind)s; use %(kinds)s",
                    kind=repr(kind),
                    kinds=" or ".join(KINDS),
                ),
            )
        ]
    if len(target) > MAX_TARGET_LENGTH:
        return [
            Issue(
                "",
                "target",
                said(
                    "longer than %(most)s characters",
                    most=MAX_TARGET_LENGTH,
                ),
            )
        ]
    problem = email_address_problem(target) if kind == EMAIL else _url_problem(target)
    return [] if problem is None else [Issue("", "target", problem)]


def _channel_logged(channel: Channel) -> str:
    # Never the secret: the audit trail is read by more people than the channel.
    return canonical_json(
        {
            "id": channel.id,
            "organisation": channel.organisation,
            "kind": channel.kind,
            "target": channel.target,
            "active": channel.active,
            "language": channel.language,
        }
    )


def add_channel(
    ctx: Context,
    *,
    organisation: str,
    kind: str,
    target: str,
    language: str | None = None,
) -> tuple[Channel, str | None]:
    """A new channel and, for a webhook, its signing secret: returned only here,
    so show it once and tell its receiver. ``language`` ("nl" or "en") is the one its
    e-mails are written in; None: the installation's (``WEERBAAR_LANG``, else
    ``LANG``, else Dutch)."""
    _require_admin(ctx)
    language = process_language() if language is None else language
    issues = _channel_issues(kind, target) + _language_issues(language)
    with ctx.db.transaction(write=True) as connection:
        orgs = entity_tables["organisations"]
        if connection.execute(select(orgs.c.key).where(orgs.c.key == organisation)).first() is None:
            issues.append(
                Issue(
                    "",
                    "organisation",
                    said(
                        "no organisation %(organisation)s in the register",
                        organisation=repr(organisation),
                    ),
                )
            )
        if issues:
            raise ValidationError(issues, summary=said("channel not saved"))
        _refuse_duplicate(connection, organisation, kind, target)
        secret = secrets.token_urlsafe(32) if kind == WEBHOOK else None
        created = ctx.clock()
        result = connection.execute(
            insert(notification_channels).values(
                organisation=organisation,
                kind=kind,
                target=target,
                secret=secret,
                active=True,
                created_at=created,
                language=language,
            )
        )
        assert result.inserted_primary_key is not None
        channel = Channel(
            int(result.inserted_primary_key[0]),
            organisation,
            kind,
            target,
            True,
            created,
            language,
        )
        audited(
            ctx, connection, "notification_channels", channel.id, None, _channel_logged(channel)
        )
    return channel, secret


def _refuse_duplicate(connection: Connection, organisation: str, kind: str, target: str) -> None:
    # Two channels to one receiver would send every notice twice.
    found = connection.execute(
        select(notification_channels.c.id).where(
            notification_channels.c.organisation == organisation,
            notification_channels.c.kind == kind,
            notification_channels.c.target == target,
            notification_channels.c.active,
        )
    ).first()
    if found is not None:
        raise DuplicateError("notification channel", f"{found.id} ({kind} {target})")


def list_channels(db: Database, *, organisation: str | None = None) -> list[Channel]:
    """Every channel, removed ones too (the log refers to them); never a secret."""
    query = select(
        notification_channels.c.id,
        notification_channels.c.organisation,
        notification_channels.c.kind,
        notification_channels.c.target,
        notification_channels.c.active,
        notification_channels.c.created_at,
        notification_channels.c.language,
    ).order_by(notification_channels.c.id)
    if organisation is not None:
        query = query.where(notification_channels.c.organisation == organisation)
    with db.transaction() as connection:
        return [_channel(r) for r in connection.execute(query)]


def remove_channel(ctx: Context, channel_id: int) -> Channel:
    """Stop using a channel. It is kept, for the notifications sent through it; its
    secret is erased, as nothing is signed with it any more."""
    _require_admin(ctx)
    with ctx.db.transaction(write=True) as connection:
        before = _locked_channel(connection, channel_id)
        if not before.active:
            return before
        connection.execute(
            update(notification_channels)
            .where(notification_channels.c.id == channel_id)
            .values(active=False, secret=None)
        )
        after = dataclasses.replace(before, active=False)
        audited(
            ctx,
            connection,
            "notification_channels",
            channel_id,
            _channel_logged(before),
            _channel_logged(after),
        )
    return after


def _locked_channel(connection: Connection, channel_id: int) -> Channel:
    """The channel, its row locked until the change to it is written: two changes at
    once are written one after the other, each audited against what it changed."""
    row = connection.execute(
        select(notification_channels)
        .where(notification_channels.c.id == channel_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFoundError("notification channel", str(channel_id))
    return _channel(row)


def set_channel_language(ctx: Context, channel_id: int, language: str) -> Channel:
    """Write a channel's e-mails in ``language`` ("nl" or "en") from now on; those
    already queued keep the words they were queued with."""
    _require_admin(ctx)
    issues = _language_issues(language)
    if issues:
        raise ValidationError(issues, summary=said("channel not changed"))
    with ctx.db.transaction(write=True) as connection:
        before = _locked_channel(connection, channel_id)
        if not before.active:
            raise ValidationError(
                [
                    Issue(
                        "",
                        "channel",
                        said("channel %(id)s was removed: nothing is sent to it", id=channel_id),
                    )
                ],
                summary=said("channel not changed"),
            )
        if before.language == language:
            return before
        connection.execute(
            update(notification_channels)
            .where(notification_channels.c.id == channel_id)
            .values(language=language)
        )
        after = dataclasses.replace(before, language=language)
        audited(
            ctx,
            connection,
            "notification_channels",
            channel_id,
            _channel_logged(before),
            _channel_logged(after),
        )
    return after
