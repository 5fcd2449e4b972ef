"""Declassification: lowering a record's classification, as an act of its own.

An ordinary edit may raise a classification but never lower it
(:mod:`weerbaar.domain.access`): lowering opens the record to people who could not
read it before, so it is done on purpose, by the owning organisation or an
administrator, with a reason that the audit trail keeps beside the change.
"""

from __future__ import annotations

import dataclasses

from weerbaar.domain.access import Marking, declassify_problems, lowers
from weerbaar.domain.register import entity
from weerbaar.errors import ForbiddenError, Issue, ValidationError, joined, said
from weerbaar.i18n.vocabulary import said_record
from weerbaar.reference.access import classification_levels
from weerbaar.services.context import Context
from weerbaar.services.records import Versioned, change, record_json
from weerbaar.services.visibility import visibility
from weerbaar.storage import audit_log
from weerbaar.storage.repository import Repository

REASON_LENGTH = (10, 2000)  # long enough to say why, short enough to read in the trail


def declassify(
    ctx: Context,
    *,
    entity_name: str,
    key: str,
    to: str,
    reason: str,
    expected_version: int | None = None,
) -> Versioned:
    """Lower the record's classification to ``to``, for ``reason``.

    Not found for a record the actor may not see; forbidden unless the actor's
    organisation owns it (and their role may write it) or they are an administrator;
    refused if ``to`` is not below the current classification. ``expected_version``
    is the version the actor saw: if the record moved on since, nothing is written.
    """
    spec = entity(entity_name)
    summary = said("%(entity)s %(key)s not declassified", entity=said_record(entity_name), key=key)
    reason = _checked_reason(reason, summary)
    levels = classification_levels()
    if to not in levels:
        known = ", ".join(levels.keys)
        raise ValidationError(
            [
                Issue(
                    "",
                    "to",
                    said(
                        "unknown classification %(classification)s; known: %(known)s",
                        classification=repr(to),
                        known=known,
                    ),
                )
            ],
            summary=summary,
        )
    with ctx.db.transaction(write=True) as connection:
        repo = Repository(connection)
        visibility(connection, ctx.subject).require(entity_name, key)
        current = repo.require(entity_name, key)
        version = repo.version(entity_name, key)
        assert version is not None
        before = Marking.of(current)
        problems = declassify_problems(ctx.subject, entity_name, before)
        if problems:
            raise ForbiddenError(
                said(
                    "%(entity)s %(key)s: %(refusal)s",
                    entity=said_record(entity_name),
                    key=key,
                    refusal=joined(problems),
                )
            )
        if not lowers(before, dataclasses.replace(before, classification=to), levels):
            raise ValidationError(
                [
                    Issue(
                        "",
                        "to",
                        said(
                            "%(to)s is not below %(current)s; raising a classification is an "
                            "ordinary edit",
                            to=levels.label(to),
                            current=levels.label(current.classification),
                        ),
                    )
                ],
                summary=summary,
            )
        record = dataclasses.replace(current, classification=to)
        base = expected_version if expected_version is not None else version
        new_version = repo.update(entity_name, record, expected_version=base)
        entry = change(
            ctx,
            action="declassify",
            spec=spec,
            key=key,
            before=record_json(current, version),
            after=record_json(record, new_version),
        )
        audit_log.append(connection, [dataclasses.replace(entry, note=reason)])
        return Versioned(record, new_version)


def _checked_reason(reason: str, summary: str) -> str:
    text = reason.strip()
    shortest, longest = REASON_LENGTH
    if not shortest <= len(text) <= longest:
        raise ValidationError(
            [
                Issue(
                    "",
                    "reason",
                    said(
                        "say why in %(shortest)s to %(longest)s characters (this is %(count)s)",
                        shortest=shortest,
                        longest=longest,
                        count=len(text),
                    ),
                )
            ],
            summary=summary,
        )
    return text
