"""What a list page shows: the records of one entity that the caller may see, filtered
by field equality from the query string (as ``weerbaar <entity> list`` does). The
exports take exactly the same records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from weerbaar import i18n
from weerbaar.domain.entities.base import MARKING_FIELDS
from weerbaar.domain.fields import FieldKind, FieldSpec, FieldValueError, Value, coerce
from weerbaar.domain.register import EntitySpec
from weerbaar.services.records import list_records
from weerbaar.web.auth import Caller, database
from weerbaar.web.pages.common import entity_title, field_title, may_edit, record_url
from weerbaar.web.pages.display import Labels, Link, enum_label, record_label, value_links
from weerbaar.web.pages.forms import LONG_TEXT
from weerbaar.web.query import query_problems

MAX_COLUMNS = 5
# Kinds whose values are worth a column: short, and comparable down the table.
COLUMN_KINDS = (
    FieldKind.ENUM,
    FieldKind.REF,
    FieldKind.DATE,
    FieldKind.TIME,
    FieldKind.INT,
    FieldKind.NUMBER,
    FieldKind.TEXT,
)


@dataclass(frozen=True, slots=True)
class Listed:
    spec: EntitySpec
    caller: Caller
    where: dict[str, str]
    records: list[Any]
    labels: Labels


def visible(
    request: Request, caller: Caller, spec: EntitySpec, where: Mapping[str, Value]
) -> list[Any]:
    return list_records(
        database(request), entity_name=spec.name, where=where, subject=caller.subject
    )


def _filter_value(spec: EntitySpec, name: str, text: str) -> Value:
    """A filter's text as its field's type: a date must be a date, a choice one of its
    values. A list field is filtered by one of its keys; a score's key is text."""
    field = spec.field(name)
    if field.kind is FieldKind.REFS:
        field = replace(field, kind=FieldKind.REF)
    elif field.kind is FieldKind.KEY and spec.identity:
        field = replace(field, kind=FieldKind.TEXT)
    return coerce(field, text)


def typed_filters(spec: EntitySpec, given: Mapping[str, str]) -> dict[str, Value]:
    """The filters of the query string, typed; unknown names are left for the service
    to refuse. Any value that does not fit its field is refused before the database
    sees it (PostgreSQL would fail on a date of ``0``)."""
    where: dict[str, Value] = {}
    problems: dict[str, str] = {}
    for name, text in given.items():
        if name not in spec.field_names:
            where[name] = text
            continue
        try:
            where[name] = _filter_value(spec, name, text)
        except FieldValueError as exc:
            problems[name] = i18n.error_text(exc)
    if problems:
        raise query_problems(problems)
    return where


def listed(request: Request, spec: EntitySpec, caller: Caller) -> Listed:
    # ``lang`` chooses the page's language (the header's switch links add it), not a filter.
    given = {k: v for k, v in request.query_params.items() if v.strip() and k != "lang"}
    records = visible(request, caller, spec, typed_filters(spec, given))
    return Listed(spec, caller, given, records, Labels(database(request), caller.subject))


def _is_companion(spec: EntitySpec, name: str) -> bool:
    """An English text beside a Dutch field (``title_en`` beside ``title``)."""
    return name.endswith("_en") and name[: -len("_en")] in spec.field_names


def _cell(spec: EntitySpec, record: Any, name: str) -> Any:
    """A field's value in the reader's language where the record has both."""
    if f"{name}_en" in spec.field_names:
        return i18n.localised(record, name) or None
    return getattr(record, name)


def columns(spec: EntitySpec) -> list[FieldSpec]:
    """The label, then the first few short fields, then the classification."""
    chosen = [
        f
        for f in spec.fields
        if f.kind in COLUMN_KINDS
        and f.name not in LONG_TEXT
        and f.name not in MARKING_FIELDS
        and f.name != spec.label_field
        and not _is_companion(spec, f.name)  # its text is shown in its Dutch field's column
    ][:MAX_COLUMNS]
    return [*chosen, spec.field("classification")]


def _filters(found: Listed) -> list[dict[str, Any]]:
    """A choice per enumeration and reference field, for the filter form."""
    out = []
    for f in found.spec.fields:
        if f.name in MARKING_FIELDS and f.name != "owned_by":
            continue
        if f.kind is FieldKind.ENUM:
            assert f.enum is not None
            choices = [(m.value, enum_label(m)) for m in f.enum]
        elif f.kind in (FieldKind.REF, FieldKind.REFS):
            assert f.target is not None
            choices = found.labels.options(f.target)
        else:
            continue
        out.append(
            {
                "name": f.name,
                "label": field_title(f.name),
                "choices": choices,
                "chosen": found.where.get(f.name, ""),
            }
        )
    return out


def page(found: Listed) -> dict[str, Any]:
    spec = found.spec
    shown = columns(spec)
    rows = [
        (
            Link(record_label(spec, r), record_url(spec.name, r.key)),
            [value_links(f, _cell(spec, r, f.name), found.labels) for f in shown],
        )
        for r in found.records
    ]
    query = f"?{urlencode(found.where)}" if found.where else ""
    return {
        "spec": spec,
        "title": entity_title(spec),
        "headers": [field_title(f.name) for f in shown],
        "label_header": field_title(spec.label_field) if not spec.identity else i18n.gettext("Key"),
        "rows": rows,
        "filters": _filters(found),
        "where": found.where,
        "query": query,
        "may_write": may_edit(found.caller, spec),
    }
