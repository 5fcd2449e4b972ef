"""Downloading a list page: the same records (same filters, same need-to-know) as
CSV, XLSX or JSON, each in the shape ``weerbaar import`` reads back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar.domain.fields import LIST_SEPARATOR, FieldKind, to_plain
from weerbaar.domain.register import EntitySpec, values_of
from weerbaar.errors import NotFoundError
from weerbaar.services.transfer import FORMAT, FORMAT_VERSION
from weerbaar.web.auth import require_caller
from weerbaar.web.pages import listing
from weerbaar.web.pages.common import known_entity

router = APIRouter(include_in_schema=False)


def _rows(records: list[Any]) -> list[dict[str, Any]]:
    return [{k: to_plain(v) for k, v in values_of(r).items()} for r in records]


def _csv(spec: EntitySpec, records: list[Any]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(spec.field_names)
    for row in _rows(records):
        writer.writerow(
            [
                LIST_SEPARATOR.join(v) if isinstance(v, list) else ("" if v is None else v)
                for v in row.values()
            ]
        )
    # With a byte order mark, Excel opens UTF-8 correctly.
    return out.getvalue().encode("utf-8-sig")


def _xlsx(spec: EntitySpec, records: list[Any]) -> bytes:
    from openpyxl import Workbook  # slow to import; only when asked for
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = spec.name
    sheet.append(list(spec.field_names))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    kinds = [f.kind for f in spec.fields]
    for row in _rows(records):
        sheet.append(
            [
                LIST_SEPARATOR.join(v)
                if isinstance(v, list)
                else dt.date.fromisoformat(v)
                if kind is FieldKind.DATE and v is not None
                else v
                for kind, v in zip(kinds, row.values(), strict=True)
            ]
        )
    for i, kind in enumerate(kinds, start=1):
        if kind is FieldKind.DATE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _json(spec: EntitySpec, records: list[Any]) -> bytes:
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, spec.name: _rows(records)}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


WRITERS: dict[str, tuple[Callable[[EntitySpec, list[Any]], bytes], str]] = {
    "csv": (_csv, "text/csv; charset=utf-8"),
    "xlsx": (_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (_json, "application/json"),
}


@router.get("/{entity_name}/export.{fmt}")
def export(request: Request, entity_name: str, fmt: str) -> Response:
    spec = known_entity(entity_name)
    if fmt not in WRITERS:
        raise NotFoundError("export format", fmt)
    caller = require_caller(request)
    found = listing.listed(request, spec, caller)
    write, media_type = WRITERS[fmt]
    return Response(
        write(spec, found.records),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{spec.name}.{fmt}"'},
    )
