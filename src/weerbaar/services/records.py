"""Use cases on single register records: read, create, edit, delete.

Each write is one transaction that also appends its audit entry; an edit names the
version it was based on and is refused if the record moved on since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from weerbaar.domain.access import Marking, Subject, write_problems
from weerbaar.domain.audit import Change, canonical_json
from weerbaar.domain.fields import FieldKind, FieldValueError, Value, coerce, is_blank, to_plain
from weerbaar.domain.register import ENTITIES, EntitySpec, entity, values_of
from weerbaar.domain.validation import Lookup, check_record, parse_row
from weerbaar.errors import (
    DuplicateError,
    ForbiddenError,
    Issue,
    ReferencedError,
    ValidationError,
    joined,
    said,
)
from weerbaar.i18n.vocabulary import said_entity, said_record
from weerbaar.reference.access import classification_levels
from weerbaar.reference.validation import rule_reference
from weerbaar.services.context import Context
from weerbaar.services.kept import Kept, sight_key
from weerbaar.services.lookup import VisibleLookup
from weerbaar.services.round_locks import refuse_locked_write
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class Versioned:
    record: Any
    version: int


def record_json(record: Any, version: int | None = None) -> str:
    plain = {name: to_plain(value) for name, value in values_of(record).items()}
    if version is not None:
        plain["version"] = version
    return canonical_json(plain)


def change(
    ctx: Context,
    *,
    action: str,
    spec: EntitySpec,
    key: str,
    before: str | None,
    after: str | None,
) -> Change:
    """What the audit trail records for one write by this context's actor, now."""
    at = ctx.clock().astimezone(dt.UTC).isoformat(timespec="microseconds")
    return Change(
        at=at, actor=ctx.actor, action=action, entity=spec.name, key=key, before=before, after=after
    )


def get_record(
    db: Database, *, entity_name: str, key: str, subject: Subject | None = None
) -> Versioned:
    """One record as ``subject`` may see it; not found if they may not."""
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        seen.require(entity_name, key)
        record = repo.require(entity_name, key)
        version = repo.version(entity_name, key)
        assert version is not None
        return Versioned(seen.redact(entity_name, record), version)


def list_records(
    db: Database,
    *,
    entity_name: str,
    where: Mapping[str, Value] | None = None,
    subject: Subject | None = None,
) -> list[Any]:
    with db.transaction() as connection:
        return _visible(connection, entity_name, where, subject)


@dataclass(frozen=True, slots=True)
class Page:
    records: list[Versioned]
    total: int  # visible records matching the filter, on all pages


def list_page(
    db: Database,
    *,
    entity_name: str,
    where: Mapping[str, Value] | None = None,
    subject: Subject | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page:
    """One page of the records ``subject`` may see, each with its version. Only the
    page's records are read in full; the others only as keys. A page is kept until
    the next write, for every reader of the same sight."""
    asked = tuple(sorted((where or {}).items()))
    key = sight_key(db, subject, "page", entity_name, asked, offset, limit)
    return _kept_pages.get(key, lambda: _list_page(db, entity_name, where, subject, offset, limit))


_kept_pages: Kept[Page] = Kept(256)


def _list_page(
    db: Database,
    entity_name: str,
    where: Mapping[str, Value] | None,
    subject: Subject | None,
    offset: int,
    limit: int | None,
) -> Page:
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = _filter_view(connection, entity_name, where, subject)
        if seen is None:
            return Page([], 0)
        keys = [k for k in repo.keys(entity_name, where=where) if seen.sees(entity_name, k)]
        shown = keys[offset:] if limit is None else keys[offset : offset + limit]
        records = seen.filter(entity_name, repo.fetch(entity_name, keys=shown))
        versions = repo.versions(entity_name)
        return Page([Versioned(r, versions[r.key]) for r in records], len(keys))


def _visible(
    connection: Connection,
    entity_name: str,
    where: Mapping[str, Value] | None,
    subject: Subject | None,
) -> list[Any]:
    seen = _filter_view(connection, entity_name, where, subject)
    if seen is None:
        return []
    return seen.filter(entity_name, Repository(connection).fetch(entity_name, where=where))


def _filter_view(
    connection: Connection,
    entity_name: str,
    where: Mapping[str, Value] | None,
    subject: Subject | None,
) -> Visibility | None:
    """What ``subject`` sees, once the filter is checked; None if the filter names a
    record they may not see."""
    spec = entity(entity_name)
    issues = [
        Issue("filter", name, said("not a field of %(entity)s", entity=spec.name))
        for name in where or {}
        if name not in spec.field_names
    ]
    if issues:
        raise ValidationError(issues, summary=said("bad filter"))
    seen = visibility(connection, subject)
    for name, value in (where or {}).items():
        target = spec.field(name).target
        if target is not None and not seen.sees(target, str(value)):
            # Visible records that refer to a hidden one would betray that it exists.
            return None
    return seen


def write_refusal(
    ctx: Context,
    entity_name: str,
    before: Any | None,
    after: Any | None,
    *,
    marking_by_use_case: bool | None = None,
) -> str | None:
    """Why this context may not make this write (None: it may): the role, the
    need-to-know before and after, and who may set the marking
    (:func:`weerbaar.domain.access.write_problems`). ``marking_by_use_case`` defaults
    to whether the entity is written only by its own use case."""
    if marking_by_use_case is None:
        marking_by_use_case = entity(entity_name).written_by is not None
    problems = write_problems(
        ctx.subject,
        entity_name,
        None if before is None else Marking.of(before),
        None if after is None else Marking.of(after),
        classification_levels(),
        marking_by_use_case=marking_by_use_case,
    )
    return joined(problems) if problems else None


def _authorise(
    ctx: Context, entity_name: str, before: Any | None, after: Any | None, key: str
) -> None:
    refusal = write_refusal(ctx, entity_name, before, after)
    if refusal is not None:
        raise ForbiddenError(
            said(
                "%(entity)s %(key)s: %(refusal)s",
                entity=said_record(entity_name),
                key=key,
                refusal=refusal,
            )
        )


def _validated(spec: EntitySpec, raw: Mapping[str, object], lookup: Lookup) -> Any:
    record, issues = parse_row(spec, raw, "")
    if record is not None:
        issues = check_record(spec, record, lookup, rule_reference(), "")
    if issues:
        raise ValidationError(issues, summary=_not_saved(spec))
    return record


def _not_saved(spec: EntitySpec) -> str:
    return said("%(entity)s not saved", entity=said_record(spec.name))


def _keep_hidden_references(
    spec: EntitySpec,
    raw: dict[str, object],
    changes: Mapping[str, object],
    hidden: Mapping[str, tuple[str, ...]],
) -> None:
    """The editor was shown the record without the references they may not see; what
    they send back must not drop those."""
    for name, keys in hidden.items():
        if name not in changes:
            continue
        field = spec.field(name)
        if field.kind is FieldKind.REFS:
            try:
                value = coerce(field, raw[name])
            except FieldValueError:
                continue  # validation reports it
            shown = list(value) if isinstance(value, tuple) else []
            raw[name] = [*shown, *(k for k in keys if k not in shown)]
        elif is_blank(raw[name]):
            raw[name] = keys[0]


def _only_through_its_use_case(entity_name: str) -> None:
    spec = entity(entity_name)
    if spec.written_by is not None:
        raise ForbiddenError(
            said(
                "%(entities)s are written only by %(use_case)s, which keeps them in step with "
                "each other",
                entities=said_entity(spec.name),
                use_case=spec.written_by,
            )
        )


def create_record(ctx: Context, *, entity_name: str, raw: Mapping[str, object]) -> Versioned:
    _only_through_its_use_case(entity_name)
    with ctx.db.transaction(write=True) as connection:
        return _create(ctx, connection, entity_name, raw)


def _create(
    ctx: Context, connection: Connection, entity_name: str, raw: Mapping[str, object]
) -> Versioned:
    spec = entity(entity_name)
    repo = Repository(connection)
    seen = visibility(connection, ctx.subject)
    record = _validated(spec, raw, VisibleLookup(repo, seen))
    if repo.version(entity_name, record.key) is not None:
        if not seen.sees(entity_name, record.key):
            # Same answer as for a taken key the user may see would leak the
            # hidden record's existence; refuse without saying why.
            raise ForbiddenError(
                said(
                    "%(entity)s %(key)s: cannot be created",
                    entity=said_record(spec.name),
                    key=record.key,
                )
            )
        raise DuplicateError(spec.singular, record.key)
    _authorise(ctx, entity_name, None, record, record.key)
    refuse_locked_write(connection, entity_name, None, record)
    repo.insert(entity_name, record)
    audit_log.append(
        connection,
        [
            change(
                ctx,
                action="create",
                spec=spec,
                key=record.key,
                before=None,
                after=record_json(record, 1),
            )
        ],
    )
    return Versioned(record, 1)


def update_record(
    ctx: Context,
    *,
    entity_name: str,
    key: str,
    changes: Mapping[str, object],
    expected_version: int | None = None,
) -> Versioned:
    """Apply ``changes`` (raw values by field name) to the record.

    ``expected_version`` is the version the editor saw; without it the edit applies
    to whatever version is current when the transaction reads it.
    """
    _only_through_its_use_case(entity_name)
    with ctx.db.transaction(write=True) as connection:
        return _update(ctx, connection, Update(entity_name, key, changes, expected_version))


@dataclass(frozen=True, slots=True)
class Create:
    entity_name: str
    raw: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Update:
    entity_name: str
    key: str
    changes: Mapping[str, object]
    expected_version: int | None = None


def write_together(ctx: Context, writes: Sequence[Create | Update]) -> list[Versioned]:
    """Several writes as one: each checked and audited as on its own, all in one
    transaction, so either all land or none does."""
    with ctx.db.transaction(write=True) as connection:
        return write_in(ctx, connection, writes)


def write_in(
    ctx: Context, connection: Connection, writes: Sequence[Create | Update]
) -> list[Versioned]:
    """The writes, each checked and audited, inside a write transaction the caller
    holds: for use cases that must read and write under one lock."""
    return [
        _create(ctx, connection, w.entity_name, w.raw)
        if isinstance(w, Create)
        else _update(ctx, connection, w)
        for w in writes
    ]


def _update(ctx: Context, connection: Connection, edit: Update) -> Versioned:
    entity_name, key, changes = edit.entity_name, edit.key, edit.changes
    spec = entity(entity_name)
    if "key" in changes and changes["key"] != key:
        raise ValidationError(
            [Issue("", "key", said("a key cannot change; add a new record"))],
            summary=_not_saved(spec),
        )
    repo = Repository(connection)
    seen = visibility(connection, ctx.subject)
    seen.require(entity_name, key)
    current = repo.require(entity_name, key)
    # A locked record is refused as it stands, before its new values are judged.
    refuse_locked_write(connection, entity_name, current, None)
    version = repo.version(entity_name, key)
    assert version is not None
    base = edit.expected_version if edit.expected_version is not None else version
    raw = {name: to_plain(value) for name, value in values_of(current).items()}
    raw.update(changes)
    hidden = seen.hidden_refs(entity_name, current)
    _keep_hidden_references(spec, raw, changes, hidden)
    kept = frozenset(
        (spec.field(name).target or "", k) for name, keys in hidden.items() for k in keys
    )
    record = _validated(spec, raw, VisibleLookup(repo, seen, kept))
    _authorise(ctx, entity_name, current, record, key)
    refuse_locked_write(connection, entity_name, current, record)
    new_version = repo.update(entity_name, record, expected_version=base)
    audit_log.append(
        connection,
        [
            change(
                ctx,
                action="update",
                spec=spec,
                key=key,
                before=record_json(current, version),
                after=record_json(record, new_version),
            )
        ],
    )
    return Versioned(record, new_version)


def _visible_referrers(referrers: list[str], seen: Visibility) -> list[str]:
    """The referrers the deleter may see; the rest only counted as "other records", so
    the refusal names nothing hidden."""
    singular = {spec.singular: spec.name for spec in ENTITIES}
    shown = []
    for referrer in referrers:
        kind, _, key = referrer.rpartition(" ")
        if seen.sees(singular[kind], key):
            shown.append(said("%(entity)s %(key)s", entity=said_record(singular[kind]), key=key))
    return shown if len(shown) == len(referrers) else [*shown, said("other records")]


def delete_record(
    ctx: Context, *, entity_name: str, key: str, expected_version: int | None = None
) -> None:
    spec = entity(entity_name)
    _only_through_its_use_case(entity_name)
    with ctx.db.transaction(write=True) as connection:
        repo = Repository(connection)
        seen = visibility(connection, ctx.subject)
        seen.require(entity_name, key)
        current = repo.require(entity_name, key)
        version = repo.version(entity_name, key)
        assert version is not None
        _authorise(ctx, entity_name, current, None, key)
        refuse_locked_write(connection, entity_name, current, None)
        referrers = repo.referrers(entity_name, key)
        if referrers:
            raise ReferencedError(spec.singular, key, _visible_referrers(referrers, seen))
        base = expected_version if expected_version is not None else version
        repo.delete(entity_name, key, expected_version=base)
        audit_log.append(
            connection,
            [
                change(
                    ctx,
                    action="delete",
                    spec=spec,
                    key=key,
                    before=record_json(current, version),
                    after=None,
                )
            ],
        )


def referrers_of(db: Database, *, entity_name: str, key: str) -> list[str]:
    """Every record that refers to this one, as "entity key" strings."""
    with db.transaction() as connection:
        return Repository(connection).referrers(entity_name, key)
