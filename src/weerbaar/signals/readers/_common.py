"""What every reader shares: dates, the title and text rules, languages, tags."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterable

from weerbaar.signals.items import RawSignal, Rejected, SignalKind
from weerbaar.signals.readers._json import LongNumber
from weerbaar.signals.text import clean

__all__ = [
    "MAX_TITLE_CHARS",
    "check_date",
    "kind_of",
    "language",
    "make_signal",
    "parse_date",
    "shown",
    "tags",
    "web_address",
]

MAX_TITLE_CHARS = 500
MAX_SHOWN_CHARS = 200
TITLE_FROM_TEXT_CHARS = 120
EARLIEST = dt.date(1990, 1, 1)
FUTURE_SLACK = dt.timedelta(days=2)

_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


def shown(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` cut for a place or a reason: an id or a library's message may quote
    a whole value, and a report lists up to a thousand of them."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def parse_date(value: str) -> dt.date | None:
    """ISO 8601 date or date-time, Dutch day-first 29-11-2026 or 29/11/2026, RFC 2822.

    The date is the one written: a time zone does not move it to another day.
    """
    text = value.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    match = _DAY_FIRST.fullmatch(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        # OverflowError: a year or a zone offset of many digits ("99999999999").
        return None


def web_address(url: str | None) -> str | None:
    """An http(s) address, or None: a ``javascript:`` or ``urn:`` link is no place to go."""
    address = (url or "").strip()
    if address.lower().startswith(("http://", "https://")) and len(address) <= 2000:
        return address
    return None


def kind_of(value: object) -> str:
    """A JSON value's kind, for a reason: "a number", "a list", "text"."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "text"
    if isinstance(value, LongNumber):
        return str(value)
    return type(value).__name__


def check_date(value: dt.date) -> str | None:
    """Why a publication date cannot be right, or None when it can."""
    if value < EARLIEST:
        return f"publication date {value.isoformat()} is before {EARLIEST.year}"
    if value > today() + FUTURE_SLACK:
        return f"publication date {value.isoformat()} is in the future"
    return None


def language(value: object) -> str | None:
    """ "nl" or "en" when the input says so ("nl-NL", "en_GB", "NL"), else None."""
    if not isinstance(value, str):
        return None
    code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return code if code in ("nl", "en") else None


def tags(values: Iterable[object]) -> tuple[str, ...]:
    """Cleaned, non-empty, each once, in order."""
    seen: dict[str, None] = {}
    for value in values:
        if isinstance(value, str):
            tag = clean(value, 200)
            if tag:
                seen.setdefault(tag, None)
    return tuple(seen)


def make_signal(
    *,
    origin: str,
    title: str | None,
    summary: str | None,
    published_on: dt.date | None,
    source: str,
    kind: SignalKind = SignalKind.NEWS,
    url: str | None = None,
    lang: str | None = None,
    external_id: str | None = None,
    actors: Iterable[str] = (),
    tag_values: Iterable[str] = (),
    markings: Iterable[str] = (),
) -> RawSignal | Rejected:
    """The signal, or why it cannot be one: the rules every reader applies."""
    clean_title = clean(title, MAX_TITLE_CHARS)
    clean_summary = clean(summary)
    if not clean_title and not clean_summary:
        return Rejected(origin, "no title or text")
    if not clean_title:
        clean_title = clean_summary[:TITLE_FROM_TEXT_CHARS].rstrip()
    if published_on is None:
        return Rejected(origin, "no publication date")
    problem = check_date(published_on)
    if problem:
        return Rejected(origin, problem)
    return RawSignal(
        title=clean_title,
        summary=clean_summary,
        published_on=published_on,
        source=clean(source, 200),
        origin=origin,
        kind=kind,
        url=web_address(url),
        language=lang,
        external_id=(external_id or "").strip() or None,
        actors=tuple(dict.fromkeys(actors)),
        tags=tags(tag_values),
        markings=tags(markings),
    )
