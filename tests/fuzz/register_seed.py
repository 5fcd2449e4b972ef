"""A small valid register and its export in every register format: the valid files
that the fuzz damages, and the database the end-to-end fuzz imports into."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from tests.helpers import seed_scored_round, trail_config
from weerbaar import formats
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.services.transfer import export_register
from weerbaar.storage.db import Database
from weerbaar.storage.tables import audit_entries, audit_head, metadata

__all__ = ["Exports", "build_register", "export_all", "snapshot"]

PROCESSES: list[dict[str, object]] = [
    {"key": "grid", "name": "Grid", "sector": "energy", "category": "A", "people_served": 1e6},
    {"key": "water", "name": "Water", "sector": "drinking water", "category": "A"},
]
DEPENDENCIES: list[dict[str, object]] = [
    {"supplier": "grid", "dependent": "water", "kind": "electricity", "buffer_hours": 6},
]


def build_register(url: str) -> Database:
    """A fresh database holding a scored round and a small infrastructure graph."""
    db = Database(url, trail=trail_config())
    db.upgrade()
    ctx = Context(db=db, actor="test:fuzz")
    seed_scored_round(ctx)
    for raw in PROCESSES:
        create_record(ctx, entity_name="vital_processes", raw=raw)
    for raw in DEPENDENCIES:
        create_record(ctx, entity_name="dependencies", raw=raw)
    return db


@dataclass(frozen=True, slots=True)
class Exports:
    json: bytes
    yaml: bytes
    xlsx: bytes
    graphml: bytes
    csv: dict[str, bytes]  # file name → content


def export_all(db: Database) -> Exports:
    data = export_register(db)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in ("register.json", "register.yaml", "register.xlsx", "register.graphml"):
            formats.write(root / name, data)
        formats.write(root / "csv", data)
        return Exports(
            json=(root / "register.json").read_bytes(),
            yaml=(root / "register.yaml").read_bytes(),
            xlsx=(root / "register.xlsx").read_bytes(),
            graphml=(root / "register.graphml").read_bytes(),
            csv={path.name: path.read_bytes() for path in sorted((root / "csv").iterdir())},
        )


def snapshot(db: Database) -> dict[str, object]:
    """Row counts of every table, the newest audit entry and the audit head: what a
    refused import must leave as it found it."""
    with db.transaction() as connection:
        counts: dict[str, object] = {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }
        newest = connection.execute(
            select(audit_entries.c.seq, audit_entries.c.hash)
            .order_by(audit_entries.c.seq.desc())
            .limit(1)
        ).one_or_none()
        head = connection.execute(select(audit_head)).all()
    return {**counts, "newest audit entry": tuple(newest or ()), "head": [tuple(r) for r in head]}
