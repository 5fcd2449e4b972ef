"""Where signals come from: files, folders and web addresses, opened as a stream of
items. An input that cannot be read at all becomes one rejected item naming it, so
that one broken file among many does not stop the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from weerbaar.errors import FileFormatError, grouped, said
from weerbaar.formats.common import MAX_FILE_BYTES, read_bytes
from weerbaar.signals.items import Item, Rejected
from weerbaar.signals.readers import read, read_json_lines

__all__ = ["FETCH_TIMEOUT", "is_address", "open_inputs"]

FETCH_TIMEOUT = 30.0
LINE_FORMATS = (".jsonl", ".ndjson")


def is_address(text: str) -> bool:
    return urlsplit(text).scheme in ("http", "https")


def fetch(url: str) -> bytes:
    """The body of ``url``, at most MAX_FILE_BYTES, or FileFormatError saying why not."""
    try:
        with httpx.stream(
            "GET",
            url,
            timeout=FETCH_TIMEOUT,
            follow_redirects=True,
            headers={"User-Agent": "weerbaar horizon scanning"},
        ) as response:
            if response.status_code != 200:
                raise FileFormatError(
                    said("%(url)s: HTTP %(status)s", url=url, status=response.status_code)
                )
            body = bytearray()
            for part in response.iter_bytes():
                body += part
                if len(body) > MAX_FILE_BYTES:
                    raise FileFormatError(
                        said(
                            "%(url)s: more than %(most)s bytes",
                            url=url,
                            most=grouped(MAX_FILE_BYTES),
                        )
                    )
            return bytes(body)
    except httpx.HTTPError as exc:
        raise FileFormatError(said("%(url)s: %(error)s", url=url, error=exc)) from exc


def _guarded(items: Iterator[Item], name: str) -> Iterator[Item]:
    try:
        yield from items
    except FileFormatError as exc:
        yield Rejected(name, str(exc))


def _file(path: Path, kind: str | None, source: str | None) -> Iterator[Item]:
    if path.suffix.lower() in LINE_FORMATS and kind in (None, "json"):
        # Line by line: memory does not grow with the file, which may be any size.
        with path.open("rb") as handle:
            yield from read_json_lines(handle, path.name, source=source)
        return
    yield from read(read_bytes(path), path.name, kind=kind, source=source)


def open_inputs(
    places: Iterable[str], *, kind: str | None = None, source: str | None = None
) -> Iterator[Item]:
    """The items of every place in turn: a web address, a file, or a folder (its
    files in name order, not descending into subfolders)."""
    for place in places:
        if is_address(place):
            try:
                data = fetch(place)
            except FileFormatError as exc:
                yield Rejected(place, str(exc))
                continue
            name = urlsplit(place).path.rsplit("/", 1)[-1] or place
            yield from _guarded(read(data, name, kind=kind, source=source), place)
            continue
        path = Path(place)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            files = [path]
        else:
            yield Rejected(place, "no such file, folder or web address")
            continue
        for file in files:
            try:
                yield from _guarded(_file(file, kind, source), str(file))
            except OSError as exc:
                yield Rejected(str(file), f"cannot read: {exc.strerror or exc}")
