"""The register as one JSON or YAML document (see docs/register-format.md).

Both are read as UTF-8 within the limits of :mod:`.bounds`. A record holds the
fields it names: a field left out stays as the register has it when the record is
updated, and ``null`` clears it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from weerbaar.domain.register import BY_NAME, EntitySpec
from weerbaar.errors import FileFormatError, said
from weerbaar.formats.atomic import atomic_file
from weerbaar.formats.bounded_yaml import dump_yaml, load_yaml
from weerbaar.formats.bounds import load_json
from weerbaar.formats.common import read_bytes, refuse_nul
from weerbaar.formats.raw import FORMAT, FORMAT_VERSION, RawDocument, RawRow
from weerbaar.formats.tables import json_bytes
from weerbaar.text_decoding import decode_utf8

_META_KEYS = {"format", "format_version", "source", "illustrative"}


def read(path: Path, fmt: str) -> RawDocument:
    text = decode_utf8(read_bytes(path), path.name)
    refuse_nul(text, path.name)
    data = load_json(text, path.name) if fmt == "json" else load_yaml(text, path.name)
    return from_data(data, path.name)


def from_data(data: object, name: str) -> RawDocument:
    if not isinstance(data, dict):
        raise FileFormatError(
            said("%(name)s: expected an object with one list per entity", name=name)
        )
    if data.get("format") != FORMAT:
        raise FileFormatError(
            said("%(name)s: 'format' must be %(format)s", name=name, format=repr(FORMAT))
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise FileFormatError(
            said(
                "%(name)s: format_version %(version)s is not supported (this weerbaar reads "
                "version %(supported)s)",
                name=name,
                version=repr(data.get("format_version")),
                supported=FORMAT_VERSION,
            )
        )
    unknown = sorted(map(str, set(data) - _META_KEYS - set(BY_NAME)))
    if unknown:
        raise FileFormatError(
            said("%(name)s: unknown section(s) %(unknown)s", name=name, unknown=", ".join(unknown))
        )
    doc = RawDocument()
    for entity, rows in data.items():
        if entity in _META_KEYS:
            continue
        if rows is None:
            continue
        if not isinstance(rows, list):
            raise FileFormatError(
                said("%(name)s: %(entity)s must be a list of records", name=name, entity=entity)
            )
        doc.rows[entity] = []
        for i, row in enumerate(rows):
            place = f"{name} {entity}[{i}]"
            if not isinstance(row, dict):
                raise FileFormatError(
                    said("%(place)s: expected a record (an object with fields)", place=place)
                )
            doc.rows[entity].append(RawRow(place, {str(k): v for k, v in row.items()}))
    return doc


def entity_bytes(spec: EntitySpec, records: Iterable[Mapping[str, Any]]) -> bytes:
    """One entity's records (as plain data) as a JSON register document, as the web
    app's list pages download it."""
    return json_bytes(
        {"format": FORMAT, "format_version": FORMAT_VERSION, spec.name: list(records)}
    )


def write(path: Path, data: dict[str, Any], fmt: str) -> Path:
    if fmt == "json":
        with atomic_file(path, "wb") as handle:
            handle.write(json_bytes(data))
        return path
    with atomic_file(path, "w", encoding="utf-8", newline="\n") as handle:
        dump_yaml(data, handle)
    return path
