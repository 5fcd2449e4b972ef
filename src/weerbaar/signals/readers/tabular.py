"""Signals as JSON (a list, ``{"items": [...]}``, ``{"signals": [...]}`` or JSON Lines)
and as CSV with a header row (comma, semicolon or tab)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import PurePath

from weerbaar.errors import FileFormatError
from weerbaar.formats.common import decode
from weerbaar.signals.items import Item, Rejected
from weerbaar.signals.readers._common import kind_of, language, make_signal, parse_date

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


def _json_lines(text: str, name: str, source: str, error: json.JSONDecodeError) -> Iterator[Item]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    parsed: list[tuple[int, object]] = []
    good = 0
    for number, line in lines:
        try:
            value: object = json.loads(line)
        except json.JSONDecodeError as exc:
            value = exc
        except RecursionError:
            value = json.JSONDecodeError("nested too deeply", line, 0)
        else:
            good += isinstance(value, dict)
        parsed.append((number, value))
    # JSON Lines when most lines are objects; otherwise it is a broken JSON document.
    if not lines or good * 2 < len(lines):
        raise FileFormatError(
            f"{name}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        )
    for number, value in parsed:
        origin = f"{name} line {number}"
        if isinstance(value, json.JSONDecodeError):
            yield Rejected(origin, f"not JSON: {value.msg} at column {value.colno}")
        elif not isinstance(value, dict):
            yield Rejected(origin, f"{kind_of(value)}, not an object")
        else:
            yield _record({str(k).lower(): v for k, v in value.items()}, origin, source)


def read_json(data: bytes, name: str, *, source: str | None = None) -> Iterator[Item]:
    """A JSON list of signal objects (or wrapped in "items"/"signals"), or JSON Lines."""
    text = decode(data, name)
    if not text.strip():
        raise FileFormatError(f"{name}: is empty")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield from _json_lines(text, name, source or name, exc)
        return
    except RecursionError as exc:
        raise FileFormatError(f"{name}: JSON nested too deeply") from exc
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
    however long the archive. Each line must be UTF-8."""
    fallback = source or name
    for number, raw in enumerate(lines, start=1):
        origin = f"{name} line {number}"
        if not raw.strip():
            continue
        try:
            value: object = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Rejected(origin, f"not UTF-8: bad byte at offset {exc.start}")
            continue
        except json.JSONDecodeError as exc:
            yield Rejected(origin, f"not JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield Rejected(origin, "JSON nested too deeply")
            continue
        if not isinstance(value, dict):
            yield Rejected(origin, f"{kind_of(value)}, not an object")
            continue
        yield _record({str(k).lower(): v for k, v in value.items()}, origin, fallback)
