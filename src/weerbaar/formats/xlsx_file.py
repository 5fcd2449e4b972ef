"""The register as an XLSX workbook with one sheet per entity.

openpyxl parses the workbook's XML through defusedxml, so a crafted file cannot
expand entities or reach out of the machine; the archive is checked before openpyxl
opens it (:mod:`.archive`), the sheets' stated dimensions are not trusted, and a
part that turns out damaged while it is read is refused with the sheet and row.
Text that a spreadsheet would run as a formula is written as inert text
(:mod:`.formula`). A column the sheet does not have is left out of its rows, so that
an update leaves that field as it is; an empty cell is ``None`` and clears it.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from weerbaar.domain.fields import LIST_SEPARATOR, FieldKind
from weerbaar.domain.register import BY_NAME, ENTITIES, EntitySpec
from weerbaar.errors import FileFormatError, grouped, said
from weerbaar.formats.archive import check_xlsx_archive
from weerbaar.formats.atomic import atomic_file
from weerbaar.formats.bounds import MAX_DIGITS
from weerbaar.formats.common import check_size, unreadable
from weerbaar.formats.formula import neutralise_cell, restore
from weerbaar.formats.raw import RawDocument, RawRow

MAX_ROWS = 1_048_576  # Excel's own limit
MAX_HEADER_COLUMNS = 1_024
# Cells this far right of the last named column are not looked at: a row may not
# make the reader build a row of 16,384 cells each.
EXTRA_COLUMNS_LOOKED_AT = 64
_LARGEST = 10**MAX_DIGITS
# What a damaged or crafted workbook makes zipfile, zlib, the XML parser and
# openpyxl raise while reading; openpyxl's descriptors raise TypeError and
# ValueError on values of the wrong kind.
_DAMAGE = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ParseError,
    TypeError,
    ValueError,
    OSError,
    NotImplementedError,  # a compression method zipfile does not know
)
_BROKEN_ARCHIVE = (zipfile.BadZipFile, zlib.error, EOFError)  # bad CRC, deflate data, end


def _trouble(exc: BaseException) -> str:
    if isinstance(exc, _BROKEN_ARCHIVE):
        return said("the archive is damaged (%(error)s)", error=exc)
    return said("not a readable XLSX workbook (%(error)s)", error=exc)


def read(path: Path) -> RawDocument:
    check_size(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise unreadable(path, exc) from None
    with handle:
        check_xlsx_archive(handle, path.name)
        with warnings.catch_warnings():
            # openpyxl warns of what it leaves out (extensions, styles); no register data.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
            return _read_workbook(handle, path.name)


def _read_workbook(handle: IO[bytes], file_name: str) -> RawDocument:
    try:
        reader = ExcelReader(handle, read_only=True, data_only=True)
        reader.read()
    except _DAMAGE as exc:
        raise FileFormatError(
            said("%(name)s: %(problem)s", name=file_name, problem=_trouble(exc))
        ) from None
    book = reader.wb
    try:
        # openpyxl passes over a sheet whose part the archive lacks; that is no workbook.
        lost = [s.name for s in reader.parser.sheets if s.name not in book.sheetnames]
        if lost:
            raise FileFormatError(
                said(
                    "%(name)s: not a readable XLSX workbook: the part of sheet(s) "
                    "%(lost)s is missing",
                    name=file_name,
                    lost=", ".join(lost),
                )
            )
        unknown = [name for name in book.sheetnames if name not in BY_NAME]
        if unknown:
            raise FileFormatError(
                said(
                    "%(name)s: sheet(s) %(unknown)s not named after an entity (%(entities)s)",
                    name=file_name,
                    unknown=", ".join(unknown),
                    entities=", ".join(BY_NAME),
                )
            )
        doc = RawDocument()
        for name in book.sheetnames:
            doc.rows[name] = _read_sheet(book, name, file_name)
        return doc
    finally:
        book.close()


def _read_sheet(book: Any, name: str, file_name: str) -> list[RawRow]:
    """The sheet's rows; a part found damaged is refused with the row it broke at."""
    out: list[RawRow] = []
    reached = 0
    try:
        for number, row in _numbered_rows(book[name], name, file_name):
            reached = number
            if row is not None:
                out.append(row)
    except _DAMAGE as exc:
        place = said(
            "%(file)s sheet %(sheet)s row %(row)s", file=file_name, sheet=name, row=reached + 1
        )
        raise FileFormatError(
            said("%(place)s: %(problem)s", place=place, problem=_trouble(exc))
        ) from None
    return out


def _numbered_rows(sheet: Any, name: str, file_name: str) -> Iterator[tuple[int, RawRow | None]]:
    sheet.reset_dimensions()  # a crafted A1:XFD1048576 would pad every row to 16,384
    first = next(sheet.iter_rows(max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), None)
    if first is None:
        return
    header = _header(first, name)
    yield 1, None
    rows = sheet.iter_rows(
        min_row=2, max_col=len(header) + EXTRA_COLUMNS_LOOKED_AT, values_only=True
    )
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise FileFormatError(
                said(
                    "%(file)s sheet %(sheet)s: more than the %(most)s rows a sheet has",
                    file=file_name,
                    sheet=name,
                    most=grouped(MAX_ROWS),
                )
            )
        yield (
            number,
            _row(header, cells, said("sheet %(sheet)s row %(row)s", sheet=name, row=number)),
        )


def _header(cells: tuple[Any, ...], name: str) -> list[str]:
    header = [str(h).strip() if h is not None else "" for h in cells]
    while header and header[-1] == "":
        header.pop()
    if "" in header or len(set(header)) != len(header):
        raise FileFormatError(
            said("sheet %(sheet)s row 1: a column name is empty or repeats", sheet=name)
        )
    return header


def _row(header: list[str], cells: tuple[Any, ...], place: str) -> RawRow | None:
    if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
        return None
    extra = [c for c in cells[len(header) :] if c not in (None, "")]
    if extra:
        return RawRow(place, {}, "cells beyond the last named column")
    values = tuple(cells[: len(header)]) + (None,) * (len(header) - len(cells))
    for value in values:
        if isinstance(value, int) and not -_LARGEST < value < _LARGEST:
            return RawRow(
                place, {}, said("a number of %(count)s digits", count=len(str(abs(value))))
            )
    return RawRow(
        place,
        {h: restore(v) if isinstance(v, str) else v for h, v in zip(header, values, strict=True)},
    )


def _entity_cell(kind: FieldKind, value: Any) -> Any:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, str) and kind is FieldKind.DATE:
        return dt.date.fromisoformat(value)
    return value


def _add_table(book: Workbook, name: str, rows: Iterable[Sequence[object]], freeze: str) -> Any:
    """A sheet of ``book`` holding the rows, the first in bold; text a spreadsheet
    would run as a formula made inert."""
    sheet = book.create_sheet(name)
    for number, row in enumerate(rows, start=1):
        values = [neutralise_cell(cell) for cell in row]
        sheet.append(values)
        for column, value in enumerate(values, start=1):
            # openpyxl makes "#N/A" and the like an error cell; text stays text.
            if isinstance(value, str) and value.startswith("#"):
                sheet.cell(row=number, column=column).data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = freeze
    return sheet


def _add_entity_sheet(
    book: Workbook, spec: EntitySpec, records: Iterable[Mapping[str, Any]]
) -> None:
    """One entity's records (as plain data) as a sheet of ``book``."""
    kinds = [f.kind for f in spec.fields]
    rows = (
        [_entity_cell(kind, record[f.name]) for kind, f in zip(kinds, spec.fields, strict=True)]
        for record in records
    )
    sheet = _add_table(book, spec.name, chain([spec.field_names], rows), "A2")
    for i, kind in enumerate(kinds, start=1):
        if kind is FieldKind.DATE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"


def _empty_book() -> Workbook:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    return book


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_bytes(rows: Iterable[Sequence[object]], *, sheet: str, freeze: str = "A2") -> bytes:
    """A workbook of one sheet holding the rows (see :func:`.tables.xlsx_bytes`)."""
    book = _empty_book()
    _add_table(book, sheet, rows, freeze)
    return _saved(book)


def entity_bytes(spec: EntitySpec, records: Iterable[Mapping[str, Any]]) -> bytes:
    """One entity's workbook, as the web app's list pages download it."""
    book = _empty_book()
    _add_entity_sheet(book, spec, records)
    return _saved(book)


def write(path: Path, data: dict[str, Any]) -> Path:
    book = _empty_book()
    for spec in ENTITIES:
        _add_entity_sheet(book, spec, data[spec.name])
    with atomic_file(path, "wb") as handle:
        book.save(handle)
    return path
