"""Readers: an input (its bytes and a name) in, a stream of items out.

Each reader is a generator ``read_<kind>(data, name, *, source=None)``; it reads no
file and no URL itself. A bad item is yielded as
:class:`~weerbaar.signals.items.Rejected` with its place and reason; only an input
that cannot be read at all raises :class:`~weerbaar.errors.FileFormatError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import PurePath

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import Item
from weerbaar.signals.readers._json import parse_json
from weerbaar.signals.readers.feeds import read_feed
from weerbaar.signals.readers.misp import read_misp, read_misp_value
from weerbaar.signals.readers.stix import read_stix, read_stix_value
from weerbaar.signals.readers.tabular import (
    read_csv,
    read_json,
    read_json_lines,
    read_json_value,
)
from weerbaar.text_decoding import decode

__all__ = [
    "KINDS",
    "read",
    "read_csv",
    "read_feed",
    "read_json",
    "read_json_lines",
    "read_misp",
    "read_stix",
]

_BLANK = re.compile(rb"[ \t\r\n]*")

KINDS = ("feed", "json", "csv", "stix", "misp")

_READERS: dict[str, Callable[..., Iterator[Item]]] = {
    "feed": read_feed,
    "json": read_json,
    "csv": read_csv,
    "stix": read_stix,
    "misp": read_misp,
}


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "bundle":
            return "stix"
        object_id = value.get("id")
        if (
            isinstance(kind, str)
            and isinstance(object_id, str)
            and object_id.startswith(f"{kind}--")
        ):
            return "stix"  # one bare STIX object
        if "Event" in value or "response" in value:
            return "misp"
    if isinstance(value, list) and value and isinstance(value[0], dict) and "Event" in value[0]:
        return "misp"
    return "json"


def read(
    data: bytes, name: str, *, kind: str | None = None, source: str | None = None
) -> Iterator[Item]:
    """The items of an input, by the reader ``kind`` names or the one its content suggests.

    Sniffing: markup (``<`` first) is a feed; JSON is a STIX bundle (``"type":
    "bundle"``), a MISP export (``"Event"`` or ``"response"``) or plain signals (also
    JSON Lines); a name ending in .csv or .tsv is CSV. The choice is made at once (an
    unknown kind raises here); the reading happens as the items are taken.
    """
    if kind is not None:
        reader = _READERS.get(kind)
        if reader is None:
            raise FileFormatError(f"{name}: unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
        return reader(data, name, source=source)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    blank = _BLANK.match(body)
    head = body[blank.end() : blank.end() + 1] if blank else body[:1]
    if head == b"<":
        return read_feed(data, name, source=source)
    if head in (b"{", b"["):
        text = decode(data, name)
        try:
            value = parse_json(text)
        except json.JSONDecodeError:
            return read_json(data, name, source=source)  # JSON Lines, or its error
        chosen = _json_kind(value)
        if chosen == "stix":
            return read_stix_value(value, name, source=source)
        if chosen == "misp":
            return read_misp_value(value, name, source=source)
        return read_json_value(value, name, source=source)
    if PurePath(name).suffix.lower() in (".csv", ".tsv"):
        return read_csv(data, name, source=source)
    raise FileFormatError(
        f"{name}: cannot tell what kind of input this is; name one of {', '.join(KINDS)}"
    )
