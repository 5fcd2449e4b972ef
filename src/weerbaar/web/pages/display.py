"""How register values read on a page: references as links named after the record
they point to, enumerations in words, classifications in Dutch and English."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.alerting import Level, Scope
from weerbaar.domain.fields import FieldKind, FieldSpec
from weerbaar.domain.register import BY_NAME, EntitySpec
from weerbaar.i18n import vocabulary
from weerbaar.reference.access import classification_levels
from weerbaar.services.records import list_records
from weerbaar.storage.db import Database
from weerbaar.web.pages.common import record_url


@dataclass(frozen=True, slots=True)
class Link:
    """One piece of a shown value; without ``href`` it is plain text."""

    text: str
    href: str | None = None


def record_label(spec: EntitySpec, record: Any) -> str:
    """What people call a record; both languages where the register has both."""
    if spec.identity:
        return str(record.key)
    return i18n.localised(record, spec.label_field) or str(record.key)


def enum_label(value: Enum | str) -> str:
    return vocabulary.value_label(value)


def level_label(level: Level) -> str:
    """A threat level by its rank and name, with the official Dutch name for English
    readers."""
    return f"{level.rank} {i18n.with_dutch(level)}"


def scope_label(scope: Scope) -> str:
    """Where a level holds: the sector, region or site as written, or the country."""
    where = " / ".join(p for p in (scope.sector, scope.region, scope.site) if p)
    return where or i18n.gettext("national")


def classification_label(key: str) -> str:
    """``"Stg. Confidentieel"`` for Dutch readers; for English readers
    ``"State secret — confidential (Stg. Confidentieel)"``."""
    return step_label(classification_levels().levels, key)


def step_label(levels: Iterable[Any], key: str) -> str:
    """A step of a scale of reference data (a classification, a capability level) by
    its name in the reader's language; the key when the scale has no such step."""
    found = next((lv for lv in levels if lv.key == key), None)
    return key if found is None else i18n.with_dutch(found)


def number_text(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


class Labels:
    """Names of the records a subject may see, read per entity on first use; so a
    reference can never be named after a record its reader may not see."""

    def __init__(self, db: Database, subject: Subject) -> None:
        self._db = db
        self._subject = subject
        self._names: dict[str, dict[str, str]] = {}

    def _of_entity(self, entity_name: str) -> dict[str, str]:
        if entity_name not in self._names:
            spec = BY_NAME[entity_name]
            records = list_records(self._db, entity_name=entity_name, subject=self._subject)
            self._names[entity_name] = {r.key: record_label(spec, r) for r in records}
        return self._names[entity_name]

    def of(self, entity_name: str, key: str) -> str:
        return self._of_entity(entity_name).get(key, key)

    def options(self, entity_name: str) -> list[tuple[str, str]]:
        """(key, name) of every visible record, by name."""
        names = self._of_entity(entity_name)
        return sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))

    def link(self, entity_name: str, key: str) -> Link:
        return Link(self.of(entity_name, key), record_url(entity_name, key))


def _links(field: FieldSpec, keys: Iterable[str], labels: Labels) -> list[Link]:
    assert field.target is not None
    return [labels.link(field.target, k) for k in keys]


def value_links(field: FieldSpec, value: Any, labels: Labels) -> list[Link]:
    """A field's value as the pieces to show; empty when it has none."""
    if value is None or value == () or value == "":
        return []
    if field.kind is FieldKind.REFS:
        return _links(field, value, labels)
    if field.kind is FieldKind.REF:
        return _links(field, [value], labels)
    if field.kind is FieldKind.ENUM:
        return [Link(enum_label(value))]
    if field.kind is FieldKind.TIME and isinstance(value, dt.datetime):
        return [Link(value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))]
    if field.kind is FieldKind.DATE and isinstance(value, dt.date):
        return [Link(value.isoformat())]
    if field.kind is FieldKind.NUMBER:
        return [Link(number_text(value))]
    if field.name == "classification":
        return [Link(classification_label(value))]
    if field.name == "url" and str(value).startswith(("https://", "http://")):
        return [Link(str(value), str(value))]
    return [Link(str(value))]
