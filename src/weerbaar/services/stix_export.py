"""STIX 2.1 out: the actors, signals, scenarios and threat levels a reader may see, as
STIX objects (:mod:`weerbaar.formats.stix_bundle`), for the export, the API and the
TAXII server.

Need-to-know decides which records leave, as for every other read; each object's
TLP marking comes from the record's own marking, never from the redacted view of it.

When a record was written comes from the audit trail: its first write is the
object's ``created``, its last its ``modified`` and, for TAXII, its ``date_added``
(the version served was added then). One grouped query per entity reads them, and
the same register gives the same times. A record the trail has no write of (none
should be) dates from :data:`UNRECORDED`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from weerbaar.domain.access import Marking, Subject
from weerbaar.formats.stix_bundle import EXPORTED, REFERS_TO, Dated, bundle, record_objects
from weerbaar.reference.access import classification_levels
from weerbaar.reference.markings import marking_table
from weerbaar.services.visibility import GUEST_ENTITIES, visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import audit_entries

__all__ = [
    "UNRECORDED",
    "Served",
    "StixExport",
    "export_stix",
    "may_read_entity",
    "stix_bundle",
    "stix_objects",
]

UNRECORDED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Served:
    """One record's STIX object, and when its version was added."""

    entity: str
    object: dict[str, Any]
    date_added: dt.datetime


def may_read_entity(subject: Subject | None, entity_name: str) -> bool:
    """Whether ``subject`` reads records of this entity at all (a guest reads signals
    not at all, :mod:`weerbaar.services.visibility`)."""
    return subject is None or not subject.role.guest or entity_name in GUEST_ENTITIES


def _moment(at: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(at)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _written(
    connection: Connection, entity_name: str
) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Each record's first and last write, by key."""
    at = audit_entries.c.at
    rows = connection.execute(
        select(audit_entries.c.key, func.min(at), func.max(at))
        .where(audit_entries.c.entity == entity_name, audit_entries.c.after.is_not(None))
        .group_by(audit_entries.c.key)
    )
    return {key: (_moment(first), _moment(last)) for key, first, last in rows}


def stix_objects(
    db: Database, *, subject: Subject | None, entities: Sequence[str] = EXPORTED
) -> list[Served]:
    """The objects of ``entities`` that ``subject`` may see, in the order of
    ``entities`` and then of the records' keys. References go to every exported
    record the reader sees, whichever entities are asked for."""
    needed = {*entities, *(name for e in entities for name in REFERS_TO.get(e, ()))}
    table, levels = marking_table(), classification_levels()
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        dated: dict[str, list[Dated]] = {}
        for name in (n for n in EXPORTED if n in needed):
            written = _written(connection, name)
            dated[name] = [
                Dated(
                    seen.redact(name, record),
                    table.outgoing(Marking.of(record), levels),
                    *written.get(record.key, (UNRECORDED, UNRECORDED)),
                )
                for record in repo.fetch(name)
                if seen.sees(name, record.key)
            ]
    converted = record_objects(dated)
    return [
        Served(name, obj, max(record.created, record.modified))
        for name in entities
        for record, obj in zip(dated[name], converted[name], strict=True)
    ]


@dataclass(frozen=True, slots=True)
class StixExport:
    bundle: dict[str, Any]
    records: int  # how many of its objects are register records


def export_stix(db: Database, *, subject: Subject | None) -> StixExport:
    """A STIX 2.1 bundle of everything exported that ``subject`` may see."""
    served = stix_objects(db, subject=subject)
    return StixExport(bundle([s.object for s in served]), len(served))


def stix_bundle(db: Database, *, subject: Subject | None) -> dict[str, Any]:
    return export_stix(db, subject=subject).bundle
