"""The register as an XLSX workbook with one sheet per entity.

openpyxl parses the workbook's XML through defusedxml, so a crafted file cannot
expand entities or reach out of the machine.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from weerbaar.domain.fields import LIST_SEPARATOR, FieldKind
from weerbaar.domain.register import BY_NAME, ENTITIES
from weerbaar.errors import FileFormatError
from weerbaar.formats.common import atomic_file, check_size
from weerbaar.services.transfer import RawDocument, RawRow


def read(path: Path) -> RawDocument:
    check_size(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FileFormatError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    try:
        unknown = [name for name in book.sheetnames if name not in BY_NAME]
        if unknown:
            raise FileFormatError(
                f"{path.name}: sheet(s) {', '.join(unknown)} not named after an entity "
                f"({', '.join(BY_NAME)})"
            )
        doc = RawDocument()
        for name in book.sheetnames:
            doc.rows[name] = _read_sheet(book[name], name)
        return doc
    finally:
        book.close()


def _read_sheet(sheet: Any, name: str) -> list[RawRow]:
    rows = sheet.iter_rows(values_only=True)
    header_cells = next(rows, None)
    if header_cells is None:
        return []
    header = [str(h).strip() if h is not None else "" for h in header_cells]
    while header and header[-1] == "":
        header.pop()
    if "" in header or len(set(header)) != len(header):
        raise FileFormatError(f"sheet {name} row 1: a column name is empty or repeats")
    out: list[RawRow] = []
    for number, cells in enumerate(rows, start=2):
        cells = tuple(cells[: len(header)]) + (None,) * (len(header) - len(cells))
        extra = [c for c in cells[len(header) :] if c not in (None, "")]
        place = f"sheet {name} row {number}"
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if extra:
            out.append(RawRow(place, {}, "cells beyond the last named column"))
            continue
        out.append(RawRow(place, dict(zip(header, cells, strict=True))))
    return out


def _cell(kind: FieldKind, value: Any) -> Any:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if kind is FieldKind.DATE and value is not None:
        return dt.date.fromisoformat(value)
    return value


def write(path: Path, data: dict[str, Any]) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for spec in ENTITIES:
        sheet = book.create_sheet(spec.name)
        sheet.append(list(spec.field_names))
        for cell in sheet[1]:
            cell.font = bold
        for record in data[spec.name]:
            sheet.append([_cell(f.kind, record[f.name]) for f in spec.fields])
        date_columns = [i for i, f in enumerate(spec.fields) if f.kind is FieldKind.DATE]
        for i in date_columns:
            for row in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                row[0].number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    with atomic_file(path, "wb") as handle:
        book.save(handle)
    return path
