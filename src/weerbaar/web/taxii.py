"""A read-only TAXII 2.1 server at ``/taxii2/`` (OASIS TAXII 2.1): discovery, one API
root (``/taxii2/weerbaar/``) and two collections, the signals and the actors, whose
objects are the STIX 2.1 objects of :mod:`weerbaar.services.stix_export`.

Clients authenticate with an API token: ``Authorization: Bearer wb_…``, or basic
authentication with any user name and the token as the password (as taxii2-client
sends it). Each sees what the token's account may see: need-to-know decides which
objects a collection serves, and a collection the account may not read at all answers
as one that does not exist.

An object's ``date_added`` is when the version served was written (the audit trail's
last write of its record); objects are served in (``date_added``, id) order, and the
``next`` marker names the last object of a page, so paging neither skips nor repeats
an object when several were added at the same moment. Errors are TAXII error messages
(JSON), in the reader's language.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from weerbaar import errors, i18n
from weerbaar.domain.access import Subject
from weerbaar.errors import NotFoundError, UnauthenticatedError, said, said_in
from weerbaar.formats.stix_bundle import supporting_objects
from weerbaar.services.api_tokens import resolve_token
from weerbaar.services.stix_export import Served, may_read_entity, stix_objects
from weerbaar.web.auth import client_address, database
from weerbaar.web.errors import CODES, status_of

__all__ = ["COLLECTIONS", "STIX_MEDIA_TYPE", "TAXII_MEDIA_TYPE", "router"]

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
ROOT = "/taxii2"
API_ROOT = "weerbaar"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000  # objects per page at most; a client asking more gets this many
MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # nothing is posted: the server is read-only


@dataclass(frozen=True, slots=True)
class TaxiiCollection:
    id: str
    entity: str
    title: str
    description: str


COLLECTIONS = {
    c.id: c
    for c in (
        TaxiiCollection(
            "a7b2a7a1-3f6e-4d3c-9b0e-5d1e6f0c2a01",
            "signals",
            "signals",
            "horizon-scanning signals: reports (STIX report) and other items (STIX note)",
        ),
        TaxiiCollection(
            "a7b2a7a1-3f6e-4d3c-9b0e-5d1e6f0c2a02",
            "actors",
            "actors",
            "threat actors: state actors (STIX threat-actor) and groups (STIX intrusion-set)",
        ),
    )
}


class TaxiiRequestError(errors.WeerbaarError):
    """A request the TAXII server cannot take as it is (400), or in a media type it
    does not speak (406); raised and answered only here."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _problem(
    status: int, code: str, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    body = {"title": message, "http_status": str(status), "error_code": code}
    return JSONResponse(body, status_code=status, media_type=TAXII_MEDIA_TYPE, headers=headers)


def _answer_error(exc: errors.WeerbaarError) -> Response:
    if isinstance(exc, TaxiiRequestError):
        code = {404: "not_found", 406: "not_acceptable"}.get(exc.status, "bad_request")
        return _problem(exc.status, code, i18n.error_text(exc))
    status = status_of(exc)
    code = next((c for kind, c in CODES.items() if isinstance(exc, kind)), "error")
    message = i18n.error_text(exc) if status < 500 else i18n.gettext("internal error")
    headers = {"WWW-Authenticate": 'Basic realm="weerbaar", Bearer'} if status == 401 else None
    return _problem(status, code, message, headers=headers)


class TaxiiRoute(APIRoute):
    """A route whose every error is a TAXII error message, never a page or a
    redirect to the sign-in form."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except errors.WeerbaarError as exc:
                return _answer_error(exc)
            except RequestValidationError:
                message = i18n.translated(said("the request's parameters are not valid"))
                return _problem(400, "bad_request", message)
            except HTTPException as exc:
                return _problem(exc.status_code, "error", str(exc.detail))

        return answer


router = APIRouter(prefix=ROOT, route_class=TaxiiRoute, include_in_schema=False)


# -- who asks, and in what media type ---------------------------------------------


def _token(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def _reader(request: Request) -> Subject:
    """The account behind the request's API token."""
    token = _token(request.headers.get("authorization", ""))
    if token is None:
        raise UnauthenticatedError(
            said("send an API token as a bearer token, or as the password of basic authentication")
        )
    use = resolve_token(database(request), token, client_address(request))
    if use is None:
        raise UnauthenticatedError(said("invalid, revoked or expired API token"))
    return use.user.subject()


def _media_type(request: Request, offered: Sequence[str]) -> str:
    """The first of ``offered`` the request's Accept header takes; 406 if none."""
    header = request.headers.get("accept", "").strip()
    if not header:
        return offered[0]
    for part in header.split(","):
        media, *parameters = (p.strip() for p in part.split(";"))
        values = {}
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            values[name.strip().lower()] = value.strip().strip('"')
        try:
            if float(values.get("q", "1")) <= 0:
                continue  # "not this one"
        except ValueError:
            continue
        if values.get("version", "2.1") != "2.1":
            continue
        media = media.lower()
        if media in ("*/*", "application/*"):
            return offered[0]
        for kind in offered:
            if kind.partition(";")[0] == media:
                return kind
    raise TaxiiRequestError(
        said("this resource answers in %(types)s only", types=" or ".join(offered)), status=406
    )


def _json(body: dict[str, Any], media_type: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, media_type=media_type, headers=headers)


def _api_root_url(request: Request) -> str:
    return f"{request.base_url}{ROOT.lstrip('/')}/{API_ROOT}/"


# -- what a collection holds, and pages of it ----------------------------------------


def _collection(collection_id: str, subject: Subject) -> TaxiiCollection:
    """The collection, if the reader may read it; a hidden one answers as a missing one."""
    found = COLLECTIONS.get(collection_id)
    if found is None or not may_read_entity(subject, found.entity):
        raise NotFoundError(said_in("record", "TAXII collection"), collection_id)
    return found


@dataclass(frozen=True, slots=True)
class Entry:
    """One object of a collection and when it was added."""

    object: dict[str, Any]
    date_added: dt.datetime

    @property
    def place(self) -> tuple[dt.datetime, str]:
        return (self.date_added, str(self.object["id"]))


def _created(obj: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(obj["created"]))


def _entries(request: Request, collection: TaxiiCollection, subject: Subject) -> list[Entry]:
    """The collection's objects the reader may see, and what they stand on (identity,
    extension and marking definitions, added when they were created), in order."""
    served: list[Served] = stix_objects(
        database(request), subject=subject, entities=(collection.entity,)
    )
    entries = [Entry(s.object, s.date_added) for s in served]
    entries += [Entry(o, _created(o)) for o in supporting_objects(e.object for e in entries)]
    return sorted(entries, key=lambda e: e.place)


def timestamp(moment: dt.datetime) -> str:
    """A TAXII timestamp, in UTC to the microsecond."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moment(text: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise TaxiiRequestError(
            said(
                "%(name)s must be a timestamp such as 2026-01-31T12:00:00.000Z",
                name=name,
            )
        )
    return moment


def _encode_next(entry: Entry) -> str:
    raw = f"{timestamp(entry.date_added)}|{entry.object['id']}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_next(marker: str) -> tuple[dt.datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode("utf-8")
        when, _, object_id = raw.partition("|")
        moment = dt.datetime.fromisoformat(when)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        moment, object_id = None, ""
    if moment is None or moment.tzinfo is None or not object_id:
        raise TaxiiRequestError(said("next is not a page marker this server gave"))
    return moment, object_id


def _split(value: str | None) -> set[str] | None:
    return None if value is None else {v.strip() for v in value.split(",") if v.strip()}


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    more: bool
    next: str | None

    def headers(self) -> dict[str, str]:
        if not self.entries:
            return {}
        return {
            "X-TAXII-Date-Added-First": timestamp(self.entries[0].date_added),
            "X-TAXII-Date-Added-Last": timestamp(self.entries[-1].date_added),
        }


def _page(
    entries: Iterable[Entry],
    *,
    limit: int | None,
    added_after: str | None,
    next_marker: str | None,
    ids: str | None,
    types: str | None,
) -> Page:
    if limit is not None and limit < 1:
        raise TaxiiRequestError(said("limit must be a whole number of at least 1"))
    size = min(limit or DEFAULT_LIMIT, MAX_LIMIT)
    after = _moment(added_after, "added_after") if added_after is not None else None
    start = _decode_next(next_marker) if next_marker else None
    wanted_ids, wanted_types = _split(ids), _split(types)
    chosen = [
        e
        for e in entries
        if (after is None or e.date_added > after)
        and (start is None or e.place > start)
        and (wanted_ids is None or e.object["id"] in wanted_ids)
        and (wanted_types is None or e.object["type"] in wanted_types)
    ]
    shown = chosen[:size]
    more = len(chosen) > size
    return Page(shown, more, _encode_next(shown[-1]) if more else None)


def _envelope(page: Page, items: list[dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {"more": page.more}
    if page.next is not None:
        body["next"] = page.next
    if items:
        body["objects"] = items
    return body


# -- the endpoints ----------------------------------------------------------------

Limit = Annotated[int | None, Query()]
AddedAfter = Annotated[str | None, Query()]
Next = Annotated[str | None, Query(alias="next")]
MatchId = Annotated[str | None, Query(alias="match[id]")]
MatchType = Annotated[str | None, Query(alias="match[type]")]
MatchVersion = Annotated[str | None, Query(alias="match[version]")]


@router.get("/")
def discovery(request: Request) -> Response:
    """Server discovery (TAXII 2.1, 4.1)."""
    _reader(request)
    media_type = _media_type(request, (TAXII_MEDIA_TYPE,))
    root = _api_root_url(request)
    return _json(
        {
            "title": "weerbaar",
            "description": "the national register's signals and actors, as STIX 2.1",
            "default": root,
            "api_roots": [root],
        },
        media_type,
    )


@router.get(f"/{API_ROOT}/")
def api_root(request: Request) -> Response:
    """The API root's information (TAXII 2.1, 4.2)."""
    _reader(request)
    media_type = _media_type(request, (TAXII_MEDIA_TYPE,))
    return _json(
        {
            "title": "weerbaar",
            "description": "signals and actors, read only",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": MAX_CONTENT_LENGTH,
        },
        media_type,
    )


def _collection_body(collection: TaxiiCollection) -> dict[str, Any]:
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "can_read": True,
        "can_write": False,
        "media_types": [STIX_MEDIA_TYPE],
    }


@router.get(f"/{API_ROOT}/collections/")
def collections(request: Request) -> Response:
    """The collections the reader may read (TAXII 2.1, 5.1)."""
    subject = _reader(request)
    media_type = _media_type(request, (TAXII_MEDIA_TYPE,))
    shown = [
        _collection_body(c) for c in COLLECTIONS.values() if may_read_entity(subject, c.entity)
    ]
    return _json({"collections": shown} if shown else {}, media_type)


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/")
def collection(request: Request, collection_id: str) -> Response:
    """One collection (TAXII 2.1, 5.2)."""
    subject = _reader(request)
    media_type = _media_type(request, (TAXII_MEDIA_TYPE,))
    return _json(_collection_body(_collection(collection_id, subject)), media_type)


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/")
def objects(
    request: Request,
    collection_id: str,
    limit: Limit = None,
    added_after: AddedAfter = None,
    next_marker: Next = None,
    match_id: MatchId = None,
    match_type: MatchType = None,
    match_version: MatchVersion = None,
) -> Response:
    """The collection's objects, a page at a time (TAXII 2.1, 5.3). One version of
    each object is kept, so every ``match[version]`` gets that one."""
    subject = _reader(request)
    media_type = _media_type(request, (TAXII_MEDIA_TYPE, STIX_MEDIA_TYPE))
    found = _collection(collection_id, subject)
    page = _page(
        _entries(request, found, subject),
        limit=limit,
        added_after=added_after,
        next_marker=next_marker,
        ids=match_id,
        types=match_type,
    )
    body = _envelope(page, [e.object for e in page.entries])
    return _json(body, media_type, page.headers())


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/manifest/")
def manifest(
    request: Request,
    collection_id: str,
    limit: Limit = None,
    added_after: AddedAfter = None,
    next_marker: Next = None,
    match_id: MatchId = None,
    match_type: MatchType = None,
    match_version: MatchVersion = None,
) -> Response:
    """What the collection holds, without the objects (TAXII 2.1, 5.4)."""
    subject = _reader(request)
    media_type = _media_type(request, (TAXII_MEDIA_TYPE,))
    found = _collection(collection_id, subject)
    page = _page(
        _entries(request, found, subject),
        limit=limit,
        added_after=added_after,
        next_marker=next_marker,
        ids=match_id,
        types=match_type,
    )
    records = [
        {
            "id": e.object["id"],
            "date_added": timestamp(e.date_added),
            "version": e.object.get("modified", e.object["created"]),
            "media_type": STIX_MEDIA_TYPE,
        }
        for e in page.entries
    ]
    return _json(_envelope(page, records), media_type, page.headers())


def _one(request: Request, collection_id: str, object_id: str) -> tuple[Entry, Subject]:
    subject = _reader(request)
    found = _collection(collection_id, subject)
    for entry in _entries(request, found, subject):
        if entry.object["id"] == object_id:
            return entry, subject
    raise NotFoundError(said_in("record", "STIX object"), object_id)


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/")
def one_object(
    request: Request, collection_id: str, object_id: str, match_version: MatchVersion = None
) -> Response:
    """One object (TAXII 2.1, 5.5)."""
    media_type = _media_type(request, (TAXII_MEDIA_TYPE, STIX_MEDIA_TYPE))
    entry, _ = _one(request, collection_id, object_id)
    page = Page([entry], False, None)
    return _json(_envelope(page, [entry.object]), media_type, page.headers())


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/")
def versions(request: Request, collection_id: str, object_id: str) -> Response:
    """An object's versions: the one kept (TAXII 2.1, 5.7)."""
    media_type = _media_type(request, (TAXII_MEDIA_TYPE,))
    entry, _ = _one(request, collection_id, object_id)
    page = Page([entry], False, None)
    version = entry.object.get("modified", entry.object["created"])
    return _json({"more": False, "versions": [version]}, media_type, page.headers())


@router.get("/{rest:path}")
def elsewhere(request: Request, rest: str) -> Response:
    """Any other path under the server: a TAXII error, not a page."""
    _reader(request)
    raise TaxiiRequestError(
        said("no TAXII resource at %(path)s", path=request.url.path), status=404
    )
