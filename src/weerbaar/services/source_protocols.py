"""Each kind of source polled by its own protocol's means of asking only for what is
new: a feed's ETag and Last-Modified, a TAXII 2.1 collection's ``added_after`` and
paging (through taxii2-client), a MISP feed's manifest of event timestamps.

A poll is a :class:`Fetch`: its items are read as they are taken, and its cursor,
the position the next poll starts from, is complete once they all are. Failing to
reach or understand the source raises :class:`SourceError` naming the source and
the place; a bad item within an input is a rejected item, and the rest goes on.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import httpx

from weerbaar.config import current_environment
from weerbaar.domain.entities.signals import Source
from weerbaar.domain.enums import AuthScheme, SourceKind
from weerbaar.domain.source_rules import SECRET_FILE_PATTERN, SECRET_VARIABLE_PATTERN
from weerbaar.errors import FileFormatError, WeerbaarError, grouped, said
from weerbaar.formats.common import MAX_FILE_BYTES
from weerbaar.signals.items import Item, RawSignal, Rejected
from weerbaar.signals.readers import read, read_misp
from weerbaar.signals.readers._json import load_json
from weerbaar.signals.readers.stix import read_stix_value

if TYPE_CHECKING:
    import requests

__all__ = [
    "PAGE_SIZE",
    "Fetch",
    "SourceError",
    "fetch",
    "secret_of",
]

TIMEOUT = 30.0
PAGE_SIZE = 100  # TAXII objects asked for per request
MAX_EVENTS_PER_POLL = 5000  # MISP events read in one poll; the rest come next time
_USER_AGENT = "weerbaar horizon scanning"


class SourceError(WeerbaarError):
    """A source that could not be polled: unreachable, refused, or not what it says."""


@dataclass(slots=True)
class Fetch:
    """One poll of one source: ``items`` to take in, then ``cursor`` to keep."""

    items: Iterator[Item]
    cursor: str | None
    _done: list[Callable[[], str | None]] = field(default_factory=list)

    def final_cursor(self) -> str | None:
        """The cursor once every item was taken (each protocol's generator moves it)."""
        for done in self._done:
            self.cursor = done()
        return self.cursor


def secret_of(source: Source, secrets: Path, variables: Mapping[str, str]) -> str | None:
    """The secret the source names, read now; never stored or logged."""
    if source.secret_env:
        if not SECRET_VARIABLE_PATTERN.fullmatch(source.secret_env):
            raise SourceError(
                said(
                    "%(source)s: the secret's variable must be named WEERBAAR_SOURCE_…",
                    source=source.key,
                )
            )
        value = variables.get(source.secret_env)
        if not value:
            raise SourceError(
                said(
                    "%(source)s: the environment variable %(variable)s is not set",
                    source=source.key,
                    variable=source.secret_env,
                )
            )
        return value.strip()
    if source.secret_file:
        if not SECRET_FILE_PATTERN.fullmatch(source.secret_file) or ".." in source.secret_file:
            raise SourceError(
                said(
                    "%(source)s: the secret's file must be a name in the secrets folder",
                    source=source.key,
                )
            )
        try:
            return (secrets / source.secret_file).read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(
                said(
                    "%(source)s: cannot read the secret's file %(file)s in %(folder)s: %(error)s",
                    source=source.key,
                    file=source.secret_file,
                    folder=str(secrets),
                    error=getattr(exc, "strerror", None) or exc.__class__.__name__,
                )
            ) from exc
    return None


def _headers(source: Source, secret: str | None) -> dict[str, str]:
    headers = {"User-Agent": _USER_AGENT}
    if secret is None:
        return headers
    if source.auth is AuthScheme.BEARER:
        headers["Authorization"] = f"Bearer {secret}"
    elif source.auth is AuthScheme.KEY:
        headers["Authorization"] = secret
    return headers


def _basic(source: Source, secret: str | None) -> tuple[str, str] | None:
    if source.auth is AuthScheme.BASIC and secret is not None:
        return (source.username or "", secret)
    return None


def _get(
    client: httpx.Client, url: str, source: Source, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """GET ``url``, its body at most MAX_FILE_BYTES, or SourceError saying why not."""
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return response
            if response.status_code != 200:
                raise SourceError(
                    said(
                        "%(source)s: %(url)s answered HTTP %(status)s",
                        source=source.key,
                        url=url,
                        status=response.status_code,
                    )
                )
            body = bytearray()
            for part in response.iter_bytes():
                body += part
                if len(body) > MAX_FILE_BYTES:
                    raise SourceError(
                        said(
                            "%(source)s: %(url)s: more than %(most)s bytes",
                            source=source.key,
                            url=url,
                            most=grouped(MAX_FILE_BYTES),
                        )
                    )
            response._content = bytes(body)  # read once, within the limit
            return response
    except httpx.HTTPError as exc:
        raise SourceError(
            said("%(source)s: %(url)s: %(error)s", source=source.key, url=url, error=exc)
        ) from exc


def _client(source: Source, secret: str | None) -> httpx.Client:
    return httpx.Client(
        timeout=TIMEOUT,
        follow_redirects=True,
        headers=_headers(source, secret),
        auth=_basic(source, secret),
    )


# -- feeds, JSON and CSV at an address: ETag and Last-Modified --------------------------

_READER_KIND = {SourceKind.FEED: "feed", SourceKind.JSON: "json", SourceKind.CSV: "csv"}


def _fetch_document(source: Source, secret: str | None, cursor: str | None) -> Fetch:
    known = _json_cursor(cursor)
    conditions = {}
    if isinstance(known.get("etag"), str):
        conditions["If-None-Match"] = known["etag"]
    if isinstance(known.get("modified"), str):
        conditions["If-Modified-Since"] = known["modified"]
    with _client(source, secret) as client:
        response = _get(client, source.address, source, conditions)
    if response.status_code == 304:
        return Fetch(iter(()), cursor)
    validators = {
        "etag": response.headers.get("ETag"),
        "modified": response.headers.get("Last-Modified"),
    }
    name = source.address.rsplit("/", 1)[-1] or source.address
    try:
        items = read(response.content, name, kind=_READER_KIND[source.kind], source=source.name)
    except FileFormatError as exc:
        raise SourceError(said("%(source)s: %(error)s", source=source.key, error=exc)) from exc
    cursor_now = (
        json.dumps({k: v for k, v in validators.items() if v}) if any(validators.values()) else None
    )
    return Fetch(_guarded(items, source, source.address), cursor_now)


def _guarded(items: Iterator[Item], source: Source, place: str) -> Iterator[Item]:
    """An input that turns out unreadable part way: what was read stays, and the poll
    fails naming the place, so its cursor does not move past it."""
    try:
        yield from items
    except FileFormatError as exc:
        raise SourceError(
            said("%(source)s: %(place)s: %(error)s", source=source.key, place=place, error=exc)
        ) from exc


def _json_cursor(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


# -- TAXII 2.1 collections: added_after and paging ---------------------------------------


def _taxii_auth(source: Source, secret: str | None) -> Any:
    import requests.auth

    class _Header(requests.auth.AuthBase):
        def __init__(self, value: str) -> None:
            self.value = value

        def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
            request.headers["Authorization"] = self.value
            return request

    if secret is None:
        return None
    if source.auth is AuthScheme.BEARER:
        return _Header(f"Bearer {secret}")
    if source.auth is AuthScheme.KEY:
        return _Header(secret)
    return None


def _fetch_taxii(source: Source, secret: str | None, cursor: str | None) -> Fetch:
    import requests
    from taxii2client.common import _HTTPConnection
    from taxii2client.exceptions import TAXIIServiceException
    from taxii2client.v21 import Collection, as_pages

    known = _json_cursor(cursor)
    added_after = known.get("added_after") if isinstance(known.get("added_after"), str) else None
    basic = _basic(source, secret)
    connection = _HTTPConnection(
        user=basic[0] if basic else None,
        password=basic[1] if basic else None,
        version="2.1",
        auth=_taxii_auth(source, secret),
    )
    connection.session.headers["User-Agent"] = _USER_AGENT
    last_added: list[str] = []

    def remember(response: requests.Response, *args: object, **kwargs: object) -> None:
        # The server says up to when the page's objects were added: the next poll
        # asks for what was added after that.
        added = response.headers.get("X-TAXII-Date-Added-Last")
        if added:
            last_added.append(added)

    connection.session.hooks["response"].append(remember)
    state = {"added_after": added_after}
    address = source.address if source.address.endswith("/") else f"{source.address}/"

    def pages() -> Iterator[Item]:
        filters = {"added_after": added_after} if added_after else {}
        number = 0
        try:
            collection = Collection(address, conn=connection)
            for envelope in as_pages(collection.get_objects, per_request=PAGE_SIZE, **filters):
                number += 1
                objects = envelope.get("objects", []) if isinstance(envelope, dict) else None
                if not isinstance(objects, list):
                    raise SourceError(
                        said(
                            "%(source)s: page %(page)s is not a TAXII envelope",
                            source=source.key,
                            page=number,
                        )
                    )
                bundle = {"type": "bundle", "objects": objects}
                yield from read_stix_value(
                    bundle, f"{source.key} page {number}", source=source.name
                )
                if last_added:
                    state["added_after"] = max(last_added)
        except (requests.RequestException, TAXIIServiceException, ValueError) as exc:
            raise SourceError(
                said(
                    "%(source)s: %(url)s: %(error)s",
                    source=source.key,
                    url=address,
                    error=_short(exc),
                )
            ) from exc
        finally:
            connection.close()

    fetch = Fetch(pages(), cursor)
    fetch._done.append(
        lambda: json.dumps({"added_after": state["added_after"]}) if state["added_after"] else None
    )
    return fetch


def _short(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return text if len(text) <= 300 else f"{text[:300]}…"


# -- MISP feeds: the manifest's event timestamps -----------------------------------------


def _fetch_misp(source: Source, secret: str | None, cursor: str | None) -> Fetch:
    base = source.address if source.address.endswith("/") else f"{source.address}/"
    seen = _json_cursor(cursor).get("events")
    seen = dict(seen) if isinstance(seen, dict) else {}
    client = _client(source, secret)
    try:
        manifest = _manifest(client, base, source)
    except BaseException:
        client.close()
        raise
    due: list[tuple[str, str]] = []
    problems: list[Rejected] = []
    for uuid, entry in manifest.items():
        stamp = entry.get("timestamp") if isinstance(entry, dict) else None
        if not isinstance(uuid, str) or not _is_uuid(uuid):
            problems.append(
                Rejected(f"{source.key} manifest.json", f"not an event UUID: {uuid!r:.80}")
            )
            continue
        if not isinstance(stamp, str | int) or isinstance(stamp, bool):
            problems.append(Rejected(f"{source.key} manifest.json {uuid}", "no timestamp"))
            continue
        if seen.get(uuid) != str(stamp):
            due.append((uuid, str(stamp)))
    due.sort(key=lambda pair: (pair[1], pair[0]))  # oldest first: a cut poll resumes there
    due = due[:MAX_EVENTS_PER_POLL]

    def events() -> Iterator[Item]:
        try:
            yield from problems
            for uuid, stamp in due:
                place = f"{uuid}.json"
                try:
                    body = _get(client, urljoin(base, place), source).content
                    items = list(read_misp(body, f"{source.key} {place}", source=source.name))
                except (SourceError, FileFormatError) as exc:
                    # This event is asked for again next time; the others go on.
                    yield Rejected(f"{source.key} {place}", str(exc))
                    continue
                for item in items:
                    if isinstance(item, RawSignal):
                        # A changed event is a new report of it: its own key, a repeat
                        # of the first.
                        item = dataclasses.replace(item, external_id=f"{uuid}@{stamp}")
                    yield item
                seen[uuid] = stamp
        finally:
            client.close()

    fetch = Fetch(events(), cursor)
    fetch._done.append(lambda: json.dumps({"events": seen}, sort_keys=True))
    return fetch


def _manifest(client: httpx.Client, base: str, source: Source) -> dict[str, Any]:
    response = _get(client, urljoin(base, "manifest.json"), source)
    try:
        manifest = load_json(response.content, "manifest.json")
    except FileFormatError as exc:
        raise SourceError(said("%(source)s: %(error)s", source=source.key, error=exc)) from exc
    if not isinstance(manifest, dict):
        raise SourceError(
            said("%(source)s: manifest.json is not an object of events by UUID", source=source.key)
        )
    return manifest


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


_FETCHERS: dict[SourceKind, Callable[[Source, str | None, str | None], Fetch]] = {
    SourceKind.FEED: _fetch_document,
    SourceKind.JSON: _fetch_document,
    SourceKind.CSV: _fetch_document,
    SourceKind.TAXII: _fetch_taxii,
    SourceKind.MISP: _fetch_misp,
}


def fetch(
    source: Source,
    cursor: str | None,
    *,
    secrets: Path,
    environ: Mapping[str, str] | None = None,
) -> Fetch:
    """Start one poll of ``source`` from ``cursor``."""
    secret = secret_of(source, secrets, current_environment() if environ is None else environ)
    polled = _FETCHERS[source.kind](source, secret, cursor)
    if source.language is not None:
        polled.items = _in_language(polled.items, str(source.language))
    return polled


def _in_language(items: Iterator[Item], language: str) -> Iterator[Item]:
    """The source's language for the items that do not say theirs."""
    for item in items:
        if isinstance(item, RawSignal) and item.language is None:
            item = dataclasses.replace(item, language=language)
        yield item
