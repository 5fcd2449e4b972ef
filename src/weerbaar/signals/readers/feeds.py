"""RSS 0.9x/2.0, RSS 1.0 and Atom feeds, through feedparser.

feedparser recovers what it can from broken XML (an unclosed tag, a wrong encoding
declaration): when it found entries, those go in.

Entity declarations, and document types that carry declarations of their own, are
refused before parsing; no news feed needs them. What feedparser itself does (6.0):
it never fetches an external entity or document type; it removes entity
declarations that start a line and keeps only those without references; but a
declaration on the line of the XML declaration reaches expat, whose amplification
limit stops "billion laughs" only after a long expansion. The check reads the bytes
feedparser will parse, after it has converted them from the feed's BOM or declared
encoding: in UTF-16, UTF-7 or EBCDIC a declaration does not show in the raw bytes.
A plain document type (RSS 0.91 names Netscape's) is read as before.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

import feedparser
from feedparser.encodings import convert_to_utf8

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import Item, Rejected
from weerbaar.signals.readers._common import language, make_signal

__all__ = ["read_feed"]

_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_REFERENCE_DIGITS = 7  # 0x10FFFF and 1114111: longer references name no character
_PARSER_FAULTS = (KeyError, IndexError, AttributeError, TypeError, ValueError)
_DECLARATIONS = re.compile(rb"<!\s*ENTITY|<!\s*DOCTYPE[^>\[]*\[", re.IGNORECASE)


def _date(struct: object) -> dt.date | None:
    """feedparser's parsed dates are UTC ``time.struct_time``s."""
    if not isinstance(struct, time.struct_time):
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(struct), dt.UTC).date()
    except (OverflowError, ValueError, OSError):
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _get(mapping: object, key: str) -> Any:
    """The value stored under ``key`` itself: FeedParserDict's own lookup maps some
    missing keys to others (with a DeprecationWarning for updated_parsed)."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else None


def _summary(entry: Mapping[str, Any]) -> str | None:
    summary = _text(_get(entry, "summary"))
    if summary:
        return summary
    content = _get(entry, "content")
    if isinstance(content, list) and content:
        value = _text(_get(content[0], "value"))
        if value:
            return value
    return _text(_get(entry, "description"))


def _character(match: re.Match[bytes]) -> bytes:
    """A character reference as written, or U+FFFD for one no character has: the
    lenient parser feedparser falls back on raises ValueError on ``&#x110000;`` or a
    surrogate, and OverflowError on a reference of twenty digits."""
    hexadecimal, decimal = match.groups()
    digits = (hexadecimal or decimal).lstrip(b"0")
    if len(digits) <= _REFERENCE_DIGITS:
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return match.group()
    return b"&#xFFFD;"


def _prepared(data: bytes, name: str) -> bytes:
    """The feed as feedparser parses it, in UTF-8 (converted from its BOM or declared
    encoding the way feedparser does), its declarations refused and its character
    references all of characters."""
    try:
        converted = convert_to_utf8({}, data, {})
    except UnicodeDecodeError as exc:
        # feedparser reads a declared encoding's name as UTF-8 and fails on any other
        # byte in it (encoding="ab\x90").
        raise FileFormatError(
            f"{name}: the XML declaration names an encoding that is not readable text"
        ) from exc
    # With NUL bytes dropped too: UTF-16 without a BOM or declaration passes the
    # conversion as UTF-8, NULs and all.
    if _DECLARATIONS.search(converted) or _DECLARATIONS.search(data.replace(b"\x00", b"")):
        raise FileFormatError(
            f"{name}: declares XML entities or a document type with declarations "
            "(<!ENTITY, <!DOCTYPE … [ ]); refused, a feed does not need them"
        )
    return _REFERENCE.sub(_character, converted)


def read_feed(data: bytes, name: str, *, source: str | None = None) -> Iterator[Item]:
    """The entries of a feed; an entry without a date of its own takes the feed's."""
    if not data.strip():
        raise FileFormatError(f"{name}: is empty, not a feed")
    # As a stream: given bytes, feedparser first tries them as a file name and, if a
    # file of that name exists, parses that file instead.
    prepared = _prepared(data, name)
    try:
        parsed = feedparser.parse(io.BytesIO(prepared))
    except _PARSER_FAULTS as exc:
        # feedparser's lenient parser trips over some broken markup (an end tag of an
        # element it never opened: KeyError 'tags' for a stray </category>).
        raise FileFormatError(
            f"{name}: not an RSS or Atom feed that can be read ({exc!r})"
        ) from exc
    entries = _get(parsed, "entries") or []
    if not entries:
        if _get(parsed, "bozo"):
            problem = _get(parsed, "bozo_exception")
            raise FileFormatError(f"{name}: not an RSS or Atom feed ({problem})")
        if not _get(parsed, "version"):
            raise FileFormatError(f"{name}: not an RSS or Atom feed")
        return
    feed = _get(parsed, "feed") or {}
    feed_date = _date(_get(feed, "updated_parsed")) or _date(_get(feed, "published_parsed"))
    feed_source = source or _text(_get(feed, "title")) or name
    feed_language = language(_get(feed, "language"))
    for number, entry in enumerate(entries, start=1):
        origin = f"{name} item {number}"
        if not isinstance(entry, dict):
            yield Rejected(origin, "not an entry")
            continue
        published = (
            _date(_get(entry, "published_parsed"))
            or _date(_get(entry, "updated_parsed"))
            or feed_date
        )
        link = _text(_get(entry, "link"))
        terms = [_get(tag, "term") for tag in _get(entry, "tags") or []]
        yield make_signal(
            origin=origin,
            title=_text(_get(entry, "title")),
            summary=_summary(entry),
            published_on=published,
            source=feed_source,
            url=link,
            lang=feed_language,
            external_id=_text(_get(entry, "id")) or link,
            tag_values=[term for term in terms if isinstance(term, str)],
        )
