"""What every record class is built from: the field declarations, whose metadata
carries each field's :class:`~weerbaar.domain.fields.FieldSpec`, and the need-to-know
marking every record carries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from weerbaar.domain.fields import FieldKind, FieldSpec

__all__ = [
    "ENGLISH_HELP",
    "MARKING_FIELDS",
    "Marked",
    "date",
    "derived_key",
    "described",
    "enum",
    "field_specs",
    "integer",
    "key",
    "moment",
    "number",
    "record",
    "ref",
    "refs",
    "text",
]

_META = "weerbaar"


def described(kind: FieldKind, help: str, *, required: bool = False, **kw: Any) -> Any:
    """A dataclass field whose metadata describes it; ``kw`` are the other
    :class:`FieldSpec` arguments, and ``default``."""
    default = kw.get("default")
    spec_kw = {k: v for k, v in kw.items() if k != "default"}
    meta = {_META: (kind, help, required, spec_kw, default)}
    if kind is FieldKind.REFS:
        return field(default=(), metadata=meta)
    if required and default is None:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


def key() -> Any:
    return described(
        FieldKind.KEY, "unique key: lower-case letters, digits, hyphens", required=True
    )


def text(help: str, *, required: bool = False) -> Any:
    return described(FieldKind.TEXT, help, required=required)


ENGLISH_HELP = "%(field)s in English, for English readers"
"""The help of every English companion field, ``field`` the Dutch field's name; the
reader's language fills in that field's title (:func:`weerbaar.i18n.vocabulary.field_help`)."""


def english(of: str) -> Any:
    """The English text beside a Dutch one, shown to English readers when present:
    the register keeps each record in the language it was written in, and the
    published profile needs both. ``of`` is the Dutch field's name."""
    help = ENGLISH_HELP % {"field": of}  # made here: babel.cfg reads described()'s help
    return described(FieldKind.TEXT, help)


def date(help: str, *, required: bool = False) -> Any:
    return described(FieldKind.DATE, help, required=required)


def moment(help: str, *, required: bool = False) -> Any:
    return described(FieldKind.TIME, help, required=required)


def enum(e: type[StrEnum], help: str, *, required: bool = False) -> Any:
    return described(FieldKind.ENUM, help, required=required, enum=e)


def ref(target: str, help: str, *, required: bool = False) -> Any:
    return described(FieldKind.REF, help, required=required, target=target)


def refs(target: str, help: str) -> Any:
    return described(FieldKind.REFS, help, target=target)


def number(help: str, *, minimum: float | None = None, maximum: float | None = None) -> Any:
    return described(FieldKind.NUMBER, help, minimum=minimum, maximum=maximum)


def derived_key() -> Any:
    return described(FieldKind.KEY, "derived from the identifying fields", required=True)


def integer(help: str, *, minimum: int, maximum: int, default: int | None = None) -> Any:
    return described(
        FieldKind.INT, help, required=True, minimum=minimum, maximum=maximum, default=default
    )


record = dataclass(frozen=True, slots=True, kw_only=True)
"""The decorator of every record class."""

MARKING_FIELDS = ("classification", "owned_by", "shared_with")
"""Every record's need-to-know marking; see :mod:`weerbaar.domain.access`."""


@record
class Marked:
    """What every record carries for need-to-know: how it is classified, which
    organisation owns it (none: the register's own, readable by anyone cleared for
    its level) and which organisations it is shared with."""

    classification: str = described(
        FieldKind.TEXT,
        "classification level, e.g. public or dep-v",
        required=True,
        default="public",
    )
    owned_by: str | None = ref("organisations", "organisation that owns the record")
    shared_with: tuple[str, ...] = refs("organisations", "organisations it is shared with")


def field_specs(cls: type[Any]) -> tuple[FieldSpec, ...]:
    """The descriptions of a record class's fields, the marking last (as in files and
    tables, after the entity's own fields)."""
    out = []
    for f in sorted(dataclasses.fields(cls), key=lambda f: f.name in MARKING_FIELDS):
        kind, help, required, kw, default = f.metadata[_META]
        out.append(FieldSpec(f.name, kind, required, help, default=default, **kw))
    return tuple(out)
