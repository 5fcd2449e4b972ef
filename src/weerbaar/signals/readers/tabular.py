"""Signals as JSON (a list, ``{"items": [...]}``, ``{"signals": [...]}`` or JSON Lines)
and as CSV with a header row (comma, semicolon or tab)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import Item, Rejected
from weerbaar.signals.readers._common import kind_of, language, make_signal, parse_date
from weerbaar.signals.readers._json import (
    MAX_LINE_BYTES,
    LineTooLong,
    bounded_lines,
    line_problem,
    parse_json,
    refusal,
)
from weerbaar.text_decoding import decode

__all__ = ["FIELDS", "read_csv", "read_json", "read_json_value"]

FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "summary": ("summary", "text", "description", "body"),
    "published": ("published", "published_on", "date"),
    "source": ("source", "publisher"),
    "url": ("url", "link"),
    "language": ("language", "lang"),
    "id": ("id", "guid"),
    "tags": ("tags", "keywords"),
}
"""Each field and the names (case-insensitive) a column or key may have for it."""

_WRAPPERS = ("items", "signals")
_SNIFF_CHARS = 4096


def _record(fields: Mapping[str, object], origin: str, fallback_source: str) -> Item:
    """One object or row, its keys already lower-cased."""
    found: dict[str, str] = {}
    tag_values: list[str] = []
    for field, names in FIELDS.items():
        for key in names:
            value = fields.get(key)
            if value is None or value == "":
                continue
            if field == "id" and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if field == "tags" and isinstance(value, list):
                if not all(isinstance(tag, str) for tag in value):
                    return Rejected(origin, f"field {key!r}: not a list of text")
                tag_values = list(value)
                break
            if not isinstance(value, str):
                return Rejected(origin, f"field {key!r}: {kind_of(value)}, not text")
            if field == "tags":
                tag_values = [tag.strip() for tag in value.split(",")]
            else:
                found[field] = value
            break
    published = None
    if "published" in found:
        published = parse_date(found["published"])
        if published is None:
            shown = found["published"][:40]
            return Rejected(origin, f"unreadable publication date {shown!r}")
    return make_signal(
        origin=origin,
        title=found.get("title"),
        summary=found.get("summary"),
        published_on=published,
        source=found.get("source") or fallback_source,
        url=found.get("url"),
        lang=language(found.get("language")),
        external_id=found.get("id"),
        tag_values=tag_values,
    )


def _objects(values: Iterable[object], name: str, source: str, unit: str) -> Iterator[Item]:
    for number, value in enumerate(values, start=1):
        origin = f"{name} {unit} {number}"
        if not isinstance(value, dict):
            yield Rejected(origin, f"{kind_of(value)}, not an object")
            continue
        yield _record({str(k).lower(): v for k, v in value.items()}, origin, source)


def read_json_value(value: object, name: str, *, source: str | None = None) -> Iterator[Item]:
    """The items of an already parsed JSON document."""
    fallback = source or name
    if isinstance(value, dict):
        lowered = {str(k).lower(): v for k, v in value.items()}
        for key in _WRAPPERS:
            if isinstance(lowered.get(key), list):
                value = lowered[key]
                break
    if not isinstance(value, list):
        raise FileFormatError(
            f'{name}: expected a list of objects, {{"items": [...]}}, '
            f'{{"signals": [...]}} or JSON Lines; found {kind_of(value)}'
        )
    yield from _objects(value, name, fallback, "item")


@dataclass(frozen=True, slots=True)
class _Unreadable:
    reason: str


def _line_value(raw: bytes | str | LineTooLong) -> object:
    """One JSON Lines record, or :class:`_Unreadable` saying why not."""
    if isinstance(raw, LineTooLong):
        return _Unreadable(str(raw))
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _Unreadable(f"not UTF-8: bad byte at offset {exc.start}")
    try:
        return parse_json(raw)
    except json.JSONDecodeError as exc:
        return _Unreadable(line_problem(exc))


def _line_item(value: object, origin: str, source: str) -> Item:
    if isinstance(value, _Unreadable):
        return Rejected(origin, value.reason)
    if not isinstance(value, dict):
        return Rejected(origin, f"{kind_of(value)}, not an object")
    return _record({str(k).lower(): v for k, v in value.items()}, origin, source)


def _json_lines(text: str, name: str, source: str, error: json.JSONDecodeError) -> Iterator[Item]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    parsed = [
        (number, _line_value(LineTooLong(len(line)) if len(line) > MAX_LINE_BYTES else line))
        for number, line in lines
    ]
    good = sum(isinstance(value, dict) for _, value in parsed)
    # JSON Lines when most lines are objects; otherwise it is a broken JSON document.
    if not lines or good * 2 < len(lines):
        raise refusal(name, error)
    for number, value in parsed:
        yield _line_item(value, f"{name} line {number}", source)


def read_json(data: bytes, name: str, *, source: str | None = None) -> Iterator[Item]:
    """A JSON list of signal objects (or wrapped in "items"/"signals"), or JSON Lines."""
    text = decode(data, name)
    if not text.strip():
        raise FileFormatError(f"{name}: is empty")
    try:
        value = parse_json(text)
    except json.JSONDecodeError as exc:
        yield from _json_lines(text, name, source or name, exc)
        return
    yield from read_json_value(value, name, source=source)


def _delimiter(sample: str, name: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return "\t" if PurePath(name).suffix.lower() == ".tsv" else ","


def read_csv(data: bytes, name: str, *, source: str | None = None) -> Iterator[Item]:
    """A CSV file with a header row; UTF-8 or Windows-1252 (what Dutch Excel writes)."""
    text = decode(data, name)
    if not text.strip():
        raise FileFormatError(f"{name}: is empty")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text[:_SNIFF_CHARS], name)
    )
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FileFormatError(f"{name}: no header row ({exc})") from exc
    columns = [column.strip().lower() for column in header]
    known = {key for names in FIELDS.values() for key in names}
    text_columns = set(FIELDS["title"] + FIELDS["summary"])
    if not text_columns & set(columns):
        shown = ", ".join(repr(c) for c in header[:12])
        raise FileFormatError(
            f"{name}: no title or text column in the header row ({shown}); "
            f"expected one of {', '.join(sorted(text_columns))}"
        )
    used = [(index, column) for index, column in enumerate(columns) if column in known]
    fallback = source or name
    last_line = reader.line_num
    while True:
        first_line = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last_line = reader.line_num
            yield Rejected(f"{name} line {first_line}", f"unreadable CSV: {exc}")
            continue
        last_line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        origin = f"{name} line {first_line}"
        extra = [cell for cell in row[len(columns) :] if cell.strip()]
        if extra:
            yield Rejected(origin, f"{len(row)} cells, the header row has {len(columns)}")
            continue
        fields = {column: row[index].strip() for index, column in used if index < len(row)}
        yield _record(fields, origin, fallback)


def read_json_lines(
    lines: Iterable[bytes], name: str, *, source: str | None = None
) -> Iterator[Item]:
    """JSON Lines from an open file, one line at a time: memory stays that of one line
    (at most MAX_LINE_BYTES) however long the archive. Each line must be UTF-8."""
    fallback = source or name
    for number, raw in enumerate(bounded_lines(lines), start=1):
        if number == 1 and isinstance(raw, bytes):
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise FileFormatError(f"{name}: looks like UTF-16; save it as UTF-8 text")
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if isinstance(raw, bytes) and not raw.strip():
            continue
        yield _line_item(_line_value(raw), f"{name} line {number}", fallback)
