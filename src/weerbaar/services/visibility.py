"""What one user may see of the register: the need-to-know rule applied to every record.

A record is visible when the user may read its own marking
(:func:`weerbaar.domain.access.can_read`) *and* every record it requires is visible
(a score whose scenario is hidden is hidden; so is a scenario under a hidden theme).
What a visible record shows of hidden records is redacted: an optional reference to
a hidden record reads as empty, and lists leave hidden records out. So no page, API
answer, search hit, export, diagram or audit entry can name a record the user may
not see, not even through a reference, a count or a rank.

Visibility changes only when the register changes, and every write moves the audit
head, so the computed set is cached per (database, organisation, clearance, head).

A guest (an external expert, :attr:`weerbaar.domain.access.Role.guest`) sees less
still: of the scenarios, only those of the expert sessions they take part in; of the
rest, only what such a scenario stands on (rounds, cycles, themes, threats, actors and
organisations), never measures, signals, scores or anything else of the register.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from weerbaar.domain.access import Marking, Subject, can_read
from weerbaar.domain.fields import FieldKind
from weerbaar.domain.register import ENTITIES, entity
from weerbaar.errors import NotFoundError
from weerbaar.reference.access import classification_levels
from weerbaar.storage.tables import (
    audit_head,
    entity_tables,
    link_tables,
    session_participants,
    session_scenarios,
)

_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class Visibility:
    """The keys a subject may see, per entity; ``None`` means everything (operator)."""

    keys: Mapping[str, frozenset[str]] | None

    def sees(self, entity_name: str, key: str) -> bool:
        return self.keys is None or key in self.keys.get(entity_name, frozenset())

    def filter(self, entity_name: str, records: Iterable[Any]) -> list[Any]:
        """The visible records, each redacted."""
        return [self.redact(entity_name, r) for r in records if self.sees(entity_name, r.key)]

    def redact(self, entity_name: str, record: Any) -> Any:
        if self.keys is None:
            return record
        changes: dict[str, Any] = {}
        for field in entity(entity_name).fields:
            if not field.is_reference:
                continue
            assert field.target is not None
            value = getattr(record, field.name)
            if field.kind is FieldKind.REFS:
                kept = tuple(k for k in value if self.sees(field.target, k))
                if kept != value:
                    changes[field.name] = kept
            elif value is not None and not self.sees(field.target, value):
                changes[field.name] = None
        return dataclasses.replace(record, **changes) if changes else record

    def hidden_refs(self, entity_name: str, record: Any) -> dict[str, tuple[str, ...]]:
        """The references of a stored record that this subject cannot see, by field: an
        edit through a redacted view must keep them."""
        out: dict[str, tuple[str, ...]] = {}
        if self.keys is None:
            return out
        for field in entity(entity_name).fields:
            if not field.is_reference:
                continue
            assert field.target is not None
            value = getattr(record, field.name)
            keys = value if field.kind is FieldKind.REFS else (value,) if value else ()
            hidden = tuple(k for k in keys if not self.sees(field.target, k))
            if hidden:
                out[field.name] = hidden
        return out

    def require(self, entity_name: str, key: str) -> None:
        """Raise not-found for a record the subject may not see: a refusal must not
        tell a hidden record from one that does not exist."""
        if not self.sees(entity_name, key):
            raise NotFoundError(entity(entity_name).singular, key)


EVERYTHING = Visibility(None)

_cache: dict[tuple[str, str, str, int], Visibility] = {}
_lock = threading.Lock()


# What a guest's scenarios stand on, and so what a guest may read of the register.
GUEST_ENTITIES = frozenset({"organisations", "cycles", "rounds", "themes", "threats", "actors"})


def visibility(connection: Connection, subject: Subject | None) -> Visibility:
    """What ``subject`` sees in the database of this connection, now."""
    if subject is None:
        return EVERYTHING
    seen = need_to_know(connection, subject)
    return _as_guest(connection, subject, seen) if subject.role.guest else seen


def _as_guest(connection: Connection, subject: Subject, seen: Visibility) -> Visibility:
    assert seen.keys is not None
    theirs = frozenset(
        connection.execute(
            select(session_scenarios.c.scenario)
            .join(
                session_participants,
                session_participants.c.session == session_scenarios.c.session,
            )
            .where(session_participants.c.username == subject.username)
        ).scalars()
    )
    keys = {name: seen.keys.get(name, frozenset()) for name in GUEST_ENTITIES}
    keys["scenarios"] = seen.keys.get("scenarios", frozenset()) & theirs
    return Visibility(keys)


def need_to_know(connection: Connection, subject: Subject) -> Visibility:
    """What the need-to-know rule lets ``subject`` see, whatever their role."""
    head = connection.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).scalar()
    cache_key = (str(connection.engine.url), subject.organisation, subject.clearance, head or 0)
    with _lock:
        found = _cache.get(cache_key)
    if found is not None:
        return found
    computed = _compute(connection, subject)
    with _lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[cache_key] = computed
    return computed


def _compute(connection: Connection, subject: Subject) -> Visibility:
    """Only keys, markings and required references are read: this runs after every
    write for every (organisation, clearance) that reads next."""
    levels = classification_levels()
    seen: dict[str, frozenset[str]] = {}
    for spec in ENTITIES:  # dependency order: what a record requires is decided first
        required = [
            f for f in spec.scalar_fields if f.kind is FieldKind.REF and f.required and f.target
        ]
        table = entity_tables[spec.name]
        link = link_tables[(spec.name, "shared_with")]
        shared: dict[str, list[str]] = {}
        for owner, target in connection.execute(select(link.c.owner, link.c.target)):
            shared.setdefault(owner, []).append(target)
        rows = connection.execute(
            select(table.c.key, table.c.classification, table.c.owned_by).add_columns(
                *(table.c[f.name] for f in required)
            )
        )
        keys = set()
        for row in rows:
            marking = Marking(row.classification, row.owned_by, tuple(shared.get(row.key, ())))
            if not can_read(subject, marking, levels):
                continue
            if all(row._mapping[f.name] in seen[f.target] for f in required if f.target):
                keys.add(row.key)
        seen[spec.name] = frozenset(keys)
    return Visibility(seen)
