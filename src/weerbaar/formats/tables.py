"""A table (a header row, then rows of cells) and plain data as the bytes weerbaar
hands out: CSV, XLSX and JSON, for downloads, standard output and files alike.

Text that a spreadsheet would run as a formula is made inert in every CSV and XLSX
cell (:mod:`.formula`); an empty cell is ``None``. The register's own files
(:mod:`.csv_files`, :mod:`.xlsx_file`, :mod:`.document`) are written with these.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import IO

from weerbaar.formats.formula import neutralise_cell

Rows = Iterable[Sequence[object]]


def write_csv(handle: IO[str], rows: Rows) -> None:
    """The rows as CSV into an open text file (opened with ``newline=""``)."""
    writer = csv.writer(handle)
    for row in rows:
        writer.writerow(["" if cell is None else neutralise_cell(cell) for cell in row])


def csv_bytes(rows: Rows) -> bytes:
    """The rows as a CSV file in UTF-8 with a byte order mark, with which Excel reads
    UTF-8 correctly."""
    out = io.StringIO(newline="")
    write_csv(out, rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Rows, *, sheet: str, freeze: str = "A2") -> bytes:
    """The rows as a workbook of one sheet named ``sheet``: the first row in bold, the
    panes frozen above and left of the cell ``freeze``."""
    from weerbaar.formats import xlsx_file  # openpyxl is slow to import; only when asked for

    return xlsx_file.table_bytes(rows, sheet=sheet, freeze=freeze)


def json_bytes(data: object) -> bytes:
    """Plain data as JSON: UTF-8, indented by two spaces, non-ASCII text as it is, and
    a final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
