"""One CSV file per entity (``scenarios.csv``), in a folder for the whole register.

Reads comma- or semicolon-separated files (Dutch Excel writes ``;``), UTF-8 with or
without BOM or Windows-1252. Writes UTF-8 with BOM, which Excel opens correctly, with
text that a spreadsheet would run as a formula made inert (see :mod:`.formula`).
A column the file does not have is left out of its rows, so that an update from the
file leaves that field as it is; an empty cell is ``None`` and clears it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from weerbaar.domain.fields import LIST_SEPARATOR
from weerbaar.domain.register import BY_NAME, ENTITIES, EntitySpec
from weerbaar.errors import FileFormatError, said
from weerbaar.formats.atomic import atomic_file
from weerbaar.formats.common import read_bytes, refuse_nul
from weerbaar.formats.formula import restore
from weerbaar.formats.raw import RawDocument, RawRow
from weerbaar.formats.tables import csv_bytes, write_csv
from weerbaar.text_decoding import decode


def read(path: Path, *, entity: str | None = None) -> RawDocument:
    doc = RawDocument()
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise FileFormatError(said("%(path)s: no .csv files in this folder", path=path))
        unknown = [f.name for f in files if f.stem not in BY_NAME]
        if unknown:
            raise FileFormatError(
                said(
                    "%(path)s: %(unknown)s not named after an entity (%(entities)s)",
                    path=path,
                    unknown=", ".join(unknown),
                    entities=", ".join(BY_NAME),
                )
            )
        for file in files:
            doc.rows[file.stem] = _read_file(file, file.stem)
        return doc
    name = entity or path.stem
    if name not in BY_NAME:
        raise FileFormatError(
            said(
                "%(path)s: cannot tell which entity it holds; name the file after one "
                "(%(entities)s) or say --entity",
                path=path.name,
                entities=", ".join(BY_NAME),
            )
        )
    doc.rows[name] = _read_file(path, name)
    return doc


def _read_file(path: Path, entity: str) -> list[RawRow]:
    text = decode(read_bytes(path), path.name)
    refuse_nul(text, path.name)
    if not text.strip():
        raise FileFormatError(
            said("%(path)s: the file is empty (expected a header line)", path=path.name)
        )
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[RawRow] = []
    try:
        header = [h.strip() for h in next(reader)]
        if len(set(header)) != len(header):
            raise FileFormatError(said("%(path)s line 1: a column name repeats", path=path.name))
        line = reader.line_num + 1
        for cells in reader:
            place = said("%(file)s line %(line)s", file=path.name, line=line)
            line = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problem = said(
                    "%(cells)s cells, but the header has %(columns)s columns",
                    cells=len(cells),
                    columns=len(header),
                )
                rows.append(RawRow(place, {}, problem))
                continue
            values = {
                h: (restore(c) if c.strip() else None) for h, c in zip(header, cells, strict=True)
            }
            rows.append(RawRow(place, values))
    except csv.Error as exc:
        raise FileFormatError(
            said(
                "%(path)s line %(line)s: %(error)s",
                path=path.name,
                line=reader.line_num,
                error=exc,
            )
        ) from exc
    return rows


def entity_table(spec: EntitySpec, records: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
    """One entity's records (as plain data) as rows of cells: the field names, then a
    row per record with a list of keys joined by ``;``."""
    yield list(spec.field_names)
    for record in records:
        yield [_joined(record[name]) for name in spec.field_names]


def _joined(value: Any) -> Any:
    return LIST_SEPARATOR.join(value) if isinstance(value, list) else value


def entity_bytes(spec: EntitySpec, records: Iterable[Mapping[str, Any]]) -> bytes:
    """One entity's CSV file, as the web app's list pages download it."""
    return csv_bytes(entity_table(spec, records))


def write(folder: Path, data: dict[str, Any]) -> list[Path]:
    if folder.exists() and not folder.is_dir():
        raise FileFormatError(
            said("%(folder)s: CSV export writes a folder, and this is a file", folder=folder)
        )
    written = []
    for spec in ENTITIES:
        path = folder / f"{spec.name}.csv"
        with atomic_file(path, "w", encoding="utf-8-sig", newline="") as handle:
            write_csv(handle, entity_table(spec, data[spec.name]))
        written.append(path)
    return written
