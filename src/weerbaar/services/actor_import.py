"""Importing threat actors from a MISP galaxy cluster file or a STIX 2.1 bundle
(ATT&CK groups) into the register's actor records.

Each actor of the file is the register's actor of its external id (a galaxy UUID, a
STIX id), else of its name or one of its synonyms (case ignored, against the names
and synonyms of the actors the importer may see); otherwise a new actor, its key made
from its name. What the file says is merged in, never taken away: other names, target
sectors, victims and references are added to the lists, and the description, the
sponsor, the country and the external id are filled in where the record has none. So
the analyst's own words stay, and importing a file again changes nothing.

Every actor is written in a transaction of its own with its audit entry (through
:func:`weerbaar.services.records.write_in`, so it is checked as any edit is): a run
that is stopped leaves whole records, and one bad entry stops no other. An entry
whose key or external id belongs to another actor is refused with the same words
whether the importer may see that actor or not, so the refusal tells nothing of a
hidden one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from weerbaar.domain.access import Marking, write_problems
from weerbaar.domain.enums import ActorKind, Level
from weerbaar.domain.fields import MAX_TEXT
from weerbaar.errors import (
    ConflictError,
    DuplicateError,
    ForbiddenError,
    ValidationError,
    joined,
    message_of,
    said,
)
from weerbaar.reference.access import classification_levels
from weerbaar.services.actor_match import SEPARATOR, ActorIndex, actor_key, split_names
from weerbaar.services.context import Context
from weerbaar.services.records import Create, Update, write_in
from weerbaar.services.visibility import visibility
from weerbaar.signals.items import Rejected
from weerbaar.signals.readers.galaxy import ActorEntry, Skipped, read_actors
from weerbaar.storage.repository import Repository

__all__ = ["ActorImportReport", "import_actors"]

Progress = Callable[[int, int], None]
"""Called with (entries done, entries in the file)."""

LIST_FIELDS = ("synonyms", "target_sectors", "victims")
FILLED_FIELDS = ("description", "sponsor", "external_id")


@dataclass(slots=True)
class ActorImportReport:
    name: str  # the file
    kind: str  # "galaxy" or "stix"
    read: int = 0  # actors in the file, withdrawn and rejected ones included
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # deprecated or revoked
    seconds: float = 0.0


def _clash(key: str) -> str:
    return said(
        "cannot be created as actor %(key)s: another actor has that key or that external id",
        key=key,
    )


def _fitting(items: Iterable[str], separator: str) -> str | None:
    """The items joined, as many whole ones as a text field holds."""
    text = ""
    for item in items:
        longer = f"{text}{separator}{item}" if text else item
        if len(longer) > MAX_TEXT:
            break
        text = longer
    return text or None


def _merged(current: Sequence[str], new: Iterable[str], *, without: str = "") -> list[str]:
    seen = {c.casefold() for c in current} | ({without.casefold()} if without else set())
    kept = list(current)
    for item in new:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            kept.append(item)
    return kept


def _entry_lists(entry: ActorEntry, name: str) -> dict[str, list[str]]:
    return {
        "synonyms": _merged([], [entry.name, *entry.synonyms], without=name),
        "target_sectors": list(entry.target_sectors),
        "victims": list(entry.victims),
    }


def _new_raw(entry: ActorEntry, key: str, marking: Marking) -> dict[str, object]:
    lists = _entry_lists(entry, entry.name)
    return {
        "key": key,
        "name": entry.name,
        "kind": ActorKind.STATE if entry.state else ActorKind.NON_STATE,
        "country": entry.country if entry.state else None,
        "intent": Level.UNKNOWN,
        "capability": Level.UNKNOWN,
        "description": entry.description[:MAX_TEXT] or None,
        **{name: _fitting(values, SEPARATOR) for name, values in lists.items()},
        "sponsor": entry.sponsor,
        "references": _fitting(entry.references, "\n"),
        "external_id": entry.external_id,
        "classification": marking.classification,
        "owned_by": marking.owned_by,
        "shared_with": list(marking.shared_with),
    }


def _changes(actor: Any, entry: ActorEntry) -> dict[str, object]:
    """What the entry adds to the actor: the fields that would change, new values."""
    changes: dict[str, object] = {}
    for name, values in _entry_lists(entry, actor.name).items():
        current = split_names(getattr(actor, name))
        merged = _fitting(_merged(current, values, without=actor.name), SEPARATOR)
        if merged != (getattr(actor, name) or None):
            changes[name] = merged
    current_references = [r for r in (actor.references or "").splitlines() if r.strip()]
    references = _fitting(_merged(current_references, entry.references), "\n")
    if references != (actor.references or None):
        changes["references"] = references
    given = {
        "description": entry.description[:MAX_TEXT] or None,
        "sponsor": entry.sponsor,
        "external_id": entry.external_id,
        "country": entry.country if actor.kind is ActorKind.STATE else None,
    }
    for name, value in given.items():
        if value and not getattr(actor, name):
            changes[name] = value
    return changes


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return joined([f"{i.field}: {i.reason}" if i.field else i.reason for i in exc.issues])
    return message_of(exc)


def _authorise(ctx: Context, marking: Marking) -> None:
    problems = write_problems(ctx.subject, "actors", None, marking, classification_levels())
    if problems:
        raise ForbiddenError(said("cannot import actors: %(problems)s", problems=joined(problems)))


@dataclass(slots=True)
class _Run:
    ctx: Context
    marking: Marking
    report: ActorImportReport
    index: ActorIndex  # the actors the importer may see
    actors: dict[str, Any]  # those, by key
    taken_ids: dict[str, str]  # every actor's external id, hidden ones too → its key
    taken_keys: set[str]  # every actor's key, hidden ones too
    versions: dict[str, int]  # of the actors the importer may see
    claimed: set[str] = field(default_factory=set)  # actors an earlier entry matched

    def take(self, entry: ActorEntry) -> None:
        key = self.index.find(
            entry.external_id, [entry.name, *entry.synonyms], passing=self.claimed
        )
        if key is None and entry.external_id in self.taken_ids:
            # Its id is a hidden actor's: say no more than for a taken key.
            self.report.rejected.append(Rejected(entry.origin, _clash(actor_key(entry.name))))
            return
        if key is None:
            self._create(entry)
        else:
            self._update(entry, key)

    def _create(self, entry: ActorEntry) -> None:
        key = actor_key(entry.name)
        if key in self.taken_keys:
            self.report.rejected.append(Rejected(entry.origin, _clash(key)))
            return
        try:
            with self.ctx.db.transaction(write=True) as connection:
                (saved,) = write_in(
                    self.ctx, connection, [Create("actors", _new_raw(entry, key, self.marking))]
                )
        except (ValidationError, ForbiddenError, DuplicateError) as exc:
            reason = _clash(key) if isinstance(exc, DuplicateError) else _reason(exc)
            self.report.rejected.append(Rejected(entry.origin, reason))
            return
        self._remember(saved.record)
        self.report.created.append(key)

    def _update(self, entry: ActorEntry, key: str) -> None:
        self.claimed.add(key)
        changes = _changes(self.actors[key], entry)
        if not changes:
            self.report.unchanged.append(key)
            return
        try:
            with self.ctx.db.transaction(write=True) as connection:
                # The version read at the start: a change made since is not overwritten.
                edit = Update("actors", key, changes, expected_version=self.versions[key])
                (saved,) = write_in(self.ctx, connection, [edit])
        except (ValidationError, ForbiddenError, ConflictError) as exc:
            self.report.rejected.append(Rejected(entry.origin, _reason(exc)))
            return
        self._remember(saved.record, saved.version)
        self.report.updated.append(key)

    def _remember(self, actor: Any, version: int = 1) -> None:
        self.actors[actor.key] = actor
        self.versions[actor.key] = version
        self.index.add(actor)
        self.claimed.add(actor.key)
        self.taken_keys.add(actor.key)
        if actor.external_id:
            self.taken_ids.setdefault(actor.external_id, actor.key)


def import_actors(
    ctx: Context,
    data: bytes,
    name: str,
    *,
    marking: Marking | None = None,
    progress: Progress | None = None,
) -> ActorImportReport:
    """Import the actors of one file (``name`` names it in messages); new actors get
    ``marking`` (default: public, the register's own)."""
    started = time.perf_counter()
    marking = marking or Marking("public", None)
    _authorise(ctx, marking)
    found = read_actors(data, name)
    report = ActorImportReport(name=found.name, kind=found.kind, read=len(found.items))
    with ctx.db.transaction() as connection:
        repo = Repository(connection)
        everything = repo.fetch("actors")
        seen = visibility(connection, ctx.subject)
        versions = repo.versions("actors")
    visible = seen.filter("actors", everything)
    run = _Run(
        ctx,
        marking,
        report,
        index=ActorIndex.of(visible),
        actors={a.key: a for a in visible},
        taken_ids={a.external_id: a.key for a in everything if a.external_id},
        taken_keys={a.key for a in everything},
        versions={a.key: versions[a.key] for a in visible},
    )
    total = len(found.items)
    for done, item in enumerate(found.items, start=1):
        if isinstance(item, Rejected):
            report.rejected.append(item)
        elif isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            run.take(item)
        if progress is not None:
            progress(done, total)
    report.seconds = time.perf_counter() - started
    return report
