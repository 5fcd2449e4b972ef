"""Need-to-know: who may read and who may write which record, and who decides its marking.

One rule for every read path (pages, API, search, exports, diagrams, audit log): a
user reads a record only if their clearance is at least the record's classification
and their organisation owns the record, or it is shared with their organisation, or
it has no owner (the register's own records). Roles decide what a user may write,
and a user writes only what they could read both before and after the write, so
nobody can raise a record out of their own sight or lower someone else's.

Need-to-know is only as strong as the marking (classification, owner, sharing), so
who may change the marking is a rule of its own:

* Creating: the creator gives the record its first marking, owned by their own
  organisation or by nobody (the register's own), never by another organisation.
* Editing: only the owning organisation changes a record's marking; an organisation
  it is shared with edits its content, as its role allows, but never its marking,
  so it can neither take the record over, nor share it on, nor raise or lower it.
  Nor can it delete the record, which would take it from its owner all the same.
* A record without an owner is the register's: only an administrator sets its
  marking. Raising one would hide it from those who read it now and owning it would
  take it from everyone else; neither is a writer's decision to make alone.
* Administrators (a role that manages accounts, and the local operator, who is no
  signed-in user) change any marking that stays within their own sight.
* Lowering a classification is never an ordinary edit, whoever makes it: it is a
  declassification, a separate act with a reason in the audit trail, open to the
  owning organisation (as its role allows) and to administrators. Raising it by the
  owner is an ordinary edit.

Records that only their own use case writes (a level change's threat pictures,
states and activations) take the marking that use case gives them; there the
marking rules do not apply, only the role and need-to-know.

Levels and roles are reference data (``weerbaar/data/access``), passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from weerbaar.errors import said


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
    # What else the role does in an assessment: chair expert sessions, review a
    # scenario's assessment, approve it (the steering group's sign-off), reopen one.
    acts: frozenset[str] = frozenset()
    # A guest (an external expert) sees only the scenarios of the sessions it takes
    # part in, and what they stand on; never the rest of the register.
    guest: bool = False

    def may_write(self, entity: str) -> bool:
        return "*" in self.writes or entity in self.writes

    def may(self, act: str) -> bool:
        return act in self.acts


@dataclass(frozen=True, slots=True)
class Marking:
    classification: str
    owned_by: str | None
    shared_with: tuple[str, ...] = ()

    @classmethod
    def of(cls, record: Any) -> Marking:
        return cls(record.classification, record.owned_by, tuple(record.shared_with))

    def same_as(self, other: Marking) -> bool:
        """The same marking, whatever the order its sharing is listed in."""
        return (
            self.classification == other.classification
            and self.owned_by == other.owned_by
            and set(self.shared_with) == set(other.shared_with)
        )

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


def is_administrator(subject: Subject | None) -> bool:
    """Whether ``subject`` runs weerbaar: the local operator (None), or a signed-in
    user whose role manages accounts."""
    return subject is None or subject.role.manages_accounts


def may_set_marking(subject: Subject | None, owned_by: str | None) -> bool:
    """Whether ``subject`` may change the marking of a record ``owned_by`` this
    organisation (None: the register's own)."""
    if is_administrator(subject):
        return True
    assert subject is not None
    return owned_by is not None and owned_by == subject.organisation


def _rank(levels: Levels, key: str) -> int:
    # An unknown level counts as above every known one, as it does for reading.
    return levels.rank(key) if key in levels else len(levels.levels)


def lowers(before: Marking, after: Marking, levels: Levels) -> bool:
    """Whether the write lowers the record's classification."""
    return _rank(levels, after.classification) < _rank(levels, before.classification)


LOWERING_IS_DECLASSIFYING = said(
    "lowering a classification is not an edit but a declassification, a separate act "
    "with a reason: `weerbaar declassify`, POST …/declassify in the API, or Declassify "
    "on the record's page"
)


def marking_problems(
    subject: Subject | None, before: Marking | None, after: Marking | None, levels: Levels
) -> list[str]:
    """Why this subject may not give a record this marking in an ordinary write (empty:
    allowed). See the module's docstring for the rule."""
    if after is None:
        if before is None or before.owned_by is None or may_set_marking(subject, before.owned_by):
            return []
        # Removing a record takes it from its owner as surely as taking it over would.
        return [
            said(
                "only the owning organisation (%(owner)s) deletes a record",
                owner=before.owned_by,
            )
        ]
    if before is None:
        if is_administrator(subject) or after.owned_by is None:
            return []
        assert subject is not None
        if after.owned_by != subject.organisation:
            return [
                said(
                    "a new record is owned by your organisation (%(yours)s) or by nobody, "
                    "not by %(owner)s",
                    yours=subject.organisation,
                    owner=after.owned_by,
                )
            ]
        return []
    if before.same_as(after):
        return []
    if not may_set_marking(subject, before.owned_by):
        return [
            said(
                "only the owning organisation (%(owner)s) changes a record's "
                "classification, owner or sharing",
                owner=_owner(before),
            )
        ]
    if lowers(before, after, levels):
        return [LOWERING_IS_DECLASSIFYING]
    return []


def _owner(marking: Marking) -> str:
    return marking.owned_by or said("none: the register's own, marked by administrators")


def write_problems(
    subject: Subject | None,
    entity: str,
    before: Marking | None,
    after: Marking | None,
    levels: Levels,
    *,
    marking_by_use_case: bool = False,
) -> list[str]:
    """Why this subject may not make this write (empty: allowed).

    ``before`` is the record's marking as stored (None for a new record), ``after``
    its marking once written (None for a delete). ``subject`` None is the local
    operator, whom only the marking rules bind. ``marking_by_use_case``: the record is
    written only by its use case, which decides how an existing record's marking
    follows from the act (a level change); only a new record's owner is checked then.
    """
    problems = []
    if subject is not None:
        if not subject.role.may_write(entity):
            problems.append(
                said(
                    "role %(role)s may not change %(entity)s",
                    role=repr(subject.role.key),
                    entity=entity,
                )
            )
        for marking in (before, after):
            if marking is not None and not can_read(subject, marking, levels):
                problems.append(
                    said(
                        "%(classification)s owned by %(owner)s is outside your need-to-know",
                        classification=repr(marking.classification),
                        owner=marking.owned_by or said("the register"),
                    )
                )
                break
    if not marking_by_use_case or before is None:
        problems += marking_problems(subject, before, after, levels)
    return problems


def declassify_problems(subject: Subject | None, entity: str, before: Marking) -> list[str]:
    """Why this subject may not declassify this record (empty: allowed): that is for
    the owning organisation, if its role may write the entity, and administrators."""
    problems = []
    if subject is not None and not subject.role.may_write(entity):
        problems.append(
            said(
                "role %(role)s may not change %(entity)s",
                role=repr(subject.role.key),
                entity=entity,
            )
        )
    if not may_set_marking(subject, before.owned_by):
        problems.append(
            said(
                "only the owning organisation (%(owner)s) declassifies a record",
                owner=_owner(before),
            )
        )
    return problems


def visible(subject: Subject | None, records: Sequence[Any], levels: Levels) -> list[Any]:
    """The records a subject may read; ``None`` is the local operator, who reads all."""
    if subject is None:
        return list(records)
    return [r for r in records if can_read(subject, Marking.of(r), levels)]
