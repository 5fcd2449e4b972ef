"""Rows of a file that leave fields out, completed from the records they update.

A file updates only the fields it holds: a CSV or XLSX column it lacks, or a key a
JSON or YAML record leaves out, keeps the value the register has; an empty cell or
``null`` clears the field (to its default). So before the rows are parsed, a row
over an existing record takes the fields it lacks from that record; a row for a new
record is left as it is and gets the defaults. Records the importer may not see are
left as the file has them too: their refusal must not depend on what they hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from weerbaar.domain.fields import FieldValueError, coerce, to_plain
from weerbaar.domain.register import ENTITIES, EntitySpec, values_of
from weerbaar.formats.raw import RawRow
from weerbaar.services.visibility import Visibility
from weerbaar.storage.repository import Repository

_FETCHED_AT_ONCE = 1_000  # keys per query, well under every database's parameter limit


def with_stored_fields(
    rows: Mapping[str, list[RawRow]],
    repo: Repository,
    versions: Mapping[str, Mapping[str, int]],
    seen: Visibility,
) -> dict[str, list[RawRow]]:
    """The rows per entity, each row over a visible existing record completed from it."""
    return {
        spec.name: _completed(spec, rows[spec.name], repo, versions[spec.name], seen)
        for spec in ENTITIES
        if spec.name in rows
    }


def _completed(
    spec: EntitySpec,
    rows: list[RawRow],
    repo: Repository,
    versions: Mapping[str, int],
    seen: Visibility,
) -> list[RawRow]:
    every_field = frozenset(spec.field_names)
    partial: dict[int, str] = {}
    for i, row in enumerate(rows):
        if row.problem is not None or row.values.keys() >= every_field:
            continue  # the usual case: a row with every column needs nothing
        key = _row_key(spec, row.values)
        if key is not None and key in versions and seen.sees(spec.name, key):
            partial[i] = key
    if not partial:
        return rows
    keys = sorted(set(partial.values()))
    stored = {
        record.key: values_of(record)
        for start in range(0, len(keys), _FETCHED_AT_ONCE)
        for record in repo.fetch(spec.name, keys=keys[start : start + _FETCHED_AT_ONCE])
    }
    out = list(rows)
    for i, key in partial.items():
        row = rows[i]
        current = stored[key]
        lacking = {name: to_plain(current[name]) for name in every_field - row.values.keys()}
        out[i] = dataclasses.replace(row, values={**lacking, **row.values})
    return out


def _row_key(spec: EntitySpec, values: Mapping[str, object]) -> str | None:
    """The key of the record a row is about, or None when the row cannot say."""
    try:
        if spec.identity and all(name in values for name in spec.identity):
            return spec.derive_key(
                {name: coerce(spec.field(name), values[name]) for name in spec.identity}
            )
        if values.get("key") in (None, ""):
            return None
        key = coerce(spec.field("key"), values["key"])
    except FieldValueError:
        return None  # parsing the row will say what is wrong with it
    return key if isinstance(key, str) else None
