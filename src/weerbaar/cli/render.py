"""Printing records for people (Rich tables) and for programs (JSON, CSV)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.domain.fields import LIST_SEPARATOR, FieldKind, to_plain
from weerbaar.domain.register import ENTITIES, EntitySpec, values_of
from weerbaar.formats.tables import write_csv
from weerbaar.i18n import _, vocabulary
from weerbaar.reference.access import classification_levels


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, soft_wrap=False)


# Answers to a yes-or-no question, in either language.
_YES = frozenset({"y", "yes", "j", "ja"})
_NO = frozenset({"n", "no", "nee"})


def confirm(question: str) -> bool:
    """Ask ``question`` until it is answered yes or no (in Dutch or English); no answer
    is no."""
    choices = _("[y/N]")
    while True:
        answer: str = typer.prompt(
            f"{question} {choices}", default="", show_default=False, prompt_suffix=" "
        )
        answer = answer.strip().casefold()
        if answer in _YES:
            return True
        if not answer or answer in _NO:
            return False
        console(stderr=True).print(escape(_("answer y (yes) or n (no)")))


def cell(value: Any) -> str:
    plain = to_plain(value)
    if plain is None:
        return ""
    if isinstance(plain, list):
        return LIST_SEPARATOR.join(plain)
    return str(plain)


def shown(spec: EntitySpec, item: Any, name: str) -> str:
    """A field of a record in a list, as its reader reads it: the label of a record
    with an English companion in the reader's language, else as :func:`_value`."""
    if name == spec.label_field and f"{name}_en" in spec.field_names:
        return i18n.localised(item, name)
    return _value(spec, item, name)


def _value(spec: EntitySpec, item: Any, name: str) -> str:
    """A field of a record as its reader reads it: an enumerated value and a
    classification level in words, anything else as it is stored."""
    value = getattr(item, name)
    if spec.field(name).kind is FieldKind.ENUM and value is not None:
        return vocabulary.value_label(value)
    if name == "classification" and value is not None:
        return classification(str(value))
    return cell(value)


def classification(key: str) -> str:
    """A classification level by its name in the reader's language: "Openbaar"."""
    found = next((lv for lv in classification_levels().levels if lv.key == key), None)
    return i18n.localised(found) if found else key


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
    table = Table(
        title=escape(f"{vocabulary.entity_title(spec.name)} ({len(items)})"), title_justify="left"
    )
    for name in names:
        table.add_column(vocabulary.field_title(name), overflow="fold", no_wrap=name == "key")
    for r in items:
        table.add_row(*(escape(_short(shown(spec, r, n))) for n in names))
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
    title = _(
        "%(record)s %(key)s (version %(version)s)",
        record=vocabulary.singular(spec.name),
        key=item.key,
        version=version,
    )
    table = Table(title=escape(title), title_justify="left", show_header=False)
    table.add_column(_("field"), style="bold")
    table.add_column(_("value"), overflow="fold")
    for name in spec.field_names:
        table.add_row(vocabulary.field_title(name), escape(_value(spec, item, name)))
    if referrers:
        table.add_row(_("Referenced by"), escape("\n".join(map(referrer, referrers))))
    console().print(table)


_BY_SINGULAR = {spec.singular: spec.name for spec in ENTITIES}


def referrer(text: str) -> str:
    """A referring record ("capability need cn-1", as the register names it) in the
    reader's words: "capaciteitsbehoefte cn-1"."""
    named, _sep, key = text.rpartition(" ")
    entity = _BY_SINGULAR.get(named)
    return f"{vocabulary.singular(entity)} {key}" if entity else text
