"""Printing records for people (Rich tables) and for programs (JSON, CSV)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

from weerbaar.domain.fields import LIST_SEPARATOR, to_plain
from weerbaar.domain.register import EntitySpec, values_of
from weerbaar.formats.tables import write_csv


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, soft_wrap=False)


def cell(value: Any) -> str:
    plain = to_plain(value)
    if plain is None:
        return ""
    if isinstance(plain, list):
        return LIST_SEPARATOR.join(plain)
    return str(plain)


def records(
    spec: EntitySpec, items: Sequence[Any], fmt: OutputFormat, columns: Sequence[str] | None = None
) -> None:
    names = list(columns or spec.field_names)
    if fmt is OutputFormat.JSON:
        data = [{n: to_plain(v) for n, v in values_of(r).items()} for r in items]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is OutputFormat.CSV:
        rows = ([cell(getattr(r, n)) for n in spec.field_names] for r in items)
        write_csv(sys.stdout, [spec.field_names, *rows])
        return
    table = Table(title=f"{spec.name.replace('_', ' ')} ({len(items)})", title_justify="left")
    for name in names:
        table.add_column(name, overflow="fold", no_wrap=name == "key")
    for r in items:
        table.add_row(*(_short(cell(getattr(r, n))) for n in names))
    console().print(table)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def record(
    spec: EntitySpec, item: Any, version: int, referrers: Sequence[str], fmt: OutputFormat
) -> None:
    if fmt is not OutputFormat.TABLE:
        data = {n: to_plain(v) for n, v in values_of(item).items()}
        data["version"] = version
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(
        title=f"{spec.singular} {item.key} (version {version})",
        title_justify="left",
        show_header=False,
    )
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name in spec.field_names:
        table.add_row(name, cell(getattr(item, name)))
    if referrers:
        table.add_row("referenced by", "\n".join(referrers))
    console().print(table)
