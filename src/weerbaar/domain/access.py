"""Need-to-know: who may read and who may write which record.

One rule for every read path (pages, API, search, exports, diagrams, audit log): a
user reads a record only if their clearance is at least the record's classification
and their organisation owns the record, or it is shared with their organisation, or
it has no owner (the register's own records). Roles decide what a user may write,
and a user writes only what they could read both before and after the write, so
nobody can raise a record out of their own sight or lower someone else's.

Levels and roles are reference data (``weerbaar/data/access``), passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ClassificationLevel:
    key: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Levels:
    """Classification levels, lowest first."""

    levels: tuple[ClassificationLevel, ...]

    def rank(self, key: str) -> int:
        for i, level in enumerate(self.levels):
            if level.key == key:
                return i
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return any(level.key == key for level in self.levels)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(level.key for level in self.levels)

    def label(self, key: str) -> str:
        found = next((lv for lv in self.levels if lv.key == key), None)
        return key if found is None else f"{found.name_en} ({found.name})"


@dataclass(frozen=True, slots=True)
class Role:
    key: str
    name: str
    name_en: str
    writes: frozenset[str]  # entity names, or "*"
    manages_accounts: bool = False

    def may_write(self, entity: str) -> bool:
        return "*" in self.writes or entity in self.writes


@dataclass(frozen=True, slots=True)
class Marking:
    classification: str
    owned_by: str | None
    shared_with: tuple[str, ...] = ()

    @classmethod
    def of(cls, record: Any) -> Marking:
        return cls(record.classification, record.owned_by, tuple(record.shared_with))

    @classmethod
    def from_plain(cls, plain: Mapping[str, Any]) -> Marking:
        """From a record as plain JSON values (an audit entry's before or after)."""
        shared = plain.get("shared_with") or ()
        return cls(
            str(plain.get("classification") or "public"),
            plain.get("owned_by") or None,
            tuple(str(s) for s in shared),
        )


@dataclass(frozen=True, slots=True)
class Subject:
    """A signed-in user as the access rules see them."""

    username: str
    role: Role
    organisation: str
    clearance: str


def can_read(subject: Subject, marking: Marking, levels: Levels) -> bool:
    if marking.classification not in levels:
        return False  # an unknown marking is treated as above every clearance
    if levels.rank(subject.clearance) < levels.rank(marking.classification):
        return False
    return (
        marking.owned_by is None
        or marking.owned_by == subject.organisation
        or subject.organisation in marking.shared_with
    )


def write_problems(
    subject: Subject,
    entity: str,
    before: Marking | None,
    after: Marking | None,
    levels: Levels,
) -> list[str]:
    """Why this subject may not make this write (empty: allowed).

    ``before`` is the record's marking as stored (None for a new record), ``after``
    its marking once written (None for a delete).
    """
    problems = []
    if not subject.role.may_write(entity):
        problems.append(f"role {subject.role.key!r} may not change {entity}")
    for marking in (before, after):
        if marking is not None and not can_read(subject, marking, levels):
            problems.append(
                f"{marking.classification!r} owned by {marking.owned_by or 'the register'} "
                "is outside your need-to-know"
            )
            break
    return problems


def visible(subject: Subject | None, records: Sequence[Any], levels: Levels) -> list[Any]:
    """The records a subject may read; ``None`` is the local operator, who reads all."""
    if subject is None:
        return list(records)
    return [r for r in records if can_read(subject, Marking.of(r), levels)]
