"""Downloading a list page: the same records (same filters, same need-to-know) as
CSV, XLSX or JSON, each in the shape ``weerbaar import`` reads back, written by the
register's own file writers (text that a spreadsheet would run as a formula made
inert the same way)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar.domain.fields import to_plain
from weerbaar.domain.register import EntitySpec, values_of
from weerbaar.errors import NotFoundError
from weerbaar.formats import csv_files, document
from weerbaar.web.auth import require_caller
from weerbaar.web.pages import listing
from weerbaar.web.pages.common import known_entity

router = APIRouter(include_in_schema=False)


def _rows(records: list[Any]) -> list[dict[str, Any]]:
    return [{k: to_plain(v) for k, v in values_of(r).items()} for r in records]


def _xlsx(spec: EntitySpec, rows: list[dict[str, Any]]) -> bytes:
    from weerbaar.formats import xlsx_file  # openpyxl is slow to import; only when asked for

    return xlsx_file.entity_bytes(spec, rows)


WRITERS: dict[str, tuple[Callable[[EntitySpec, list[dict[str, Any]]], bytes], str]] = {
    "csv": (csv_files.entity_bytes, "text/csv; charset=utf-8"),
    "xlsx": (_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (document.entity_bytes, "application/json"),
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
        write(spec, _rows(found.records)),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{spec.name}.{fmt}"'},
    )
