"""Numbered copies of the national risk profile.

A classified copy is numbered before it is typeset, since the number is printed on
every page; once its file exists, the copy is issued: its hash is kept and the audit
trail records who made which edition, for whom, and the file's hash. A copy that
could not be made (a template error, an output path that cannot be written) is
spoiled: its number is withdrawn, and nothing of it is on record but the gap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import delete, insert, update

from weerbaar.domain.audit import Change
from weerbaar.services.context import Context
from weerbaar.storage import audit_log
from weerbaar.storage.tables import report_copies

__all__ = ["Copy", "issue_copy", "reserve_copy", "spoil_copy"]


@dataclass(frozen=True, slots=True)
class Copy:
    number: int
    recipient: str
    made_at: dt.datetime


def reserve_copy(
    ctx: Context,
    *,
    round_key: str,
    level: str,
    marking: str,
    language: str,
    fmt: str,
    recipient: str,
) -> Copy:
    """Take the next copy number for a copy about to be made."""
    made_at = ctx.clock().astimezone(dt.UTC)
    with ctx.db.transaction() as connection:
        number = connection.execute(
            insert(report_copies)
            .values(
                round=round_key,
                level=level,
                marking=marking,
                language=language,
                format=fmt,
                recipient=recipient,
                made_by=ctx.actor,
                made_at=made_at,
            )
            .returning(report_copies.c.number)
        ).scalar_one()
    return Copy(number=number, recipient=recipient, made_at=made_at)


def spoil_copy(ctx: Context, copy: Copy) -> None:
    """Withdraw the number of a copy that was not made."""
    with ctx.db.transaction() as connection:
        connection.execute(
            delete(report_copies).where(
                report_copies.c.number == copy.number, report_copies.c.sha256.is_(None)
            )
        )


def issue_copy(
    ctx: Context,
    *,
    copy: Copy | None,
    round_key: str,
    level: str,
    marking: str,
    language: str,
    fmt: str,
    content: bytes,
) -> str:
    """Record a copy as made: its hash, and an audit entry. A public copy is not
    numbered (``copy`` is None) but is recorded all the same. Returns the hash."""
    digest = hashlib.sha256(content).hexdigest()
    after = {
        "round": round_key,
        "level": level,
        "marking": marking,
        "language": language,
        "format": fmt,
        "sha256": digest,
        "number": copy.number if copy else None,
        "recipient": copy.recipient if copy else None,
    }
    at = ctx.clock().astimezone(dt.UTC)
    with ctx.db.transaction() as connection:
        if copy is not None:
            connection.execute(
                update(report_copies)
                .where(report_copies.c.number == copy.number)
                .values(sha256=digest)
            )
        audit_log.append(
            connection,
            [
                Change(
                    at=at.isoformat(timespec="microseconds"),
                    actor=ctx.actor,
                    action="report",
                    entity="report_copies",
                    key=str(copy.number) if copy else f"{round_key}/{level}/{language}",
                    before=None,
                    after=json.dumps(after, sort_keys=True),
                )
            ],
        )
    return digest
