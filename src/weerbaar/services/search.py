"""Search across the whole register, under the searcher's need-to-know.

Every text field and key of every entity is matched, case-insensitively, against
each word of the query (all words must match somewhere in the record). Hits on
records the searcher may not see are dropped before anything is counted or returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.fields import FieldKind
from weerbaar.domain.register import ENTITIES, EntitySpec
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import entity_tables

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
SNIPPET = 160


@dataclass(frozen=True, slots=True)
class Hit:
    entity: str
    key: str
    label: str
    field: str  # where the first word matched
    snippet: str


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _searched(spec: EntitySpec) -> list[str]:
    """Text fields, then the key (except derived keys, which only repeat references)."""
    texts = [f.name for f in spec.scalar_fields if f.kind is FieldKind.TEXT]
    return texts if spec.identity else [*texts, "key"]


def _snippet(record: Any, fields: list[str], word: str) -> tuple[str, str]:
    for name in fields:
        value = getattr(record, name)
        if isinstance(value, str) and word in value.lower():
            at = value.lower().index(word)
            start = max(0, at - SNIPPET // 3)
            text = value[start : start + SNIPPET]
            prefix = "…" if start else ""
            suffix = "…" if start + SNIPPET < len(value) else ""
            return name, f"{prefix}{text}{suffix}"
    return "", ""


def search(
    db: Database, query: str, *, subject: Subject | None = None, limit: int = 100
) -> list[Hit]:
    words = [w.lower() for w in query.split()]
    if not words or len(query) > MAX_QUERY_LENGTH or len(words) > MAX_WORDS:
        raise ValidationError(
            [
                Issue(
                    "",
                    "q",
                    said(
                        "give 1–%(words)s words, at most %(length)s characters",
                        words=MAX_WORDS,
                        length=MAX_QUERY_LENGTH,
                    ),
                )
            ],
            summary=said("bad search"),
        )
    hits: list[Hit] = []
    with db.transaction() as connection:
        seen = visibility(connection, subject)
        repo = Repository(connection)
        for spec in ENTITIES:
            table = entity_tables[spec.name]
            fields = _searched(spec)
            condition = and_(
                *(
                    or_(*(table.c[f].ilike(f"%{_escape(w)}%", escape="\\") for f in fields))
                    for w in words
                )
            )
            keys = [
                k
                for (k,) in connection.execute(
                    select(table.c.key).where(condition).order_by(table.c.key)
                )
                if seen.sees(spec.name, k)
            ]
            for record in seen.filter(spec.name, repo.fetch(spec.name, keys=keys)):
                field, snippet = _snippet(record, fields, words[0])
                label = i18n.localised(record, spec.label_field) if not spec.identity else None
                hits.append(Hit(spec.name, record.key, str(label or record.key), field, snippet))
                if len(hits) >= limit:
                    return hits
    return hits
