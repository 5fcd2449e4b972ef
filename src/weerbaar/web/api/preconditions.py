"""Optimistic concurrency over HTTP: a record's version is its ETag, and an edit or
delete must say which version it was based on.

The version comes from ``If-Match`` (the ETag as read) or, for an edit, from the
body's ``version`` member. A stale ``If-Match`` is answered 412 Precondition Failed
as HTTP prescribes; a stale body version is a plain conflict (409). Neither given is
428 Precondition Required: without it, two people editing at once would silently
overwrite each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import HTTPException

from weerbaar.errors import ConflictError, Issue, LockedError, ValidationError, message_of, said


def etag(version: int) -> str:
    return f'"{version}"'


@dataclass(frozen=True, slots=True)
class Precondition:
    version: int | None  # None: If-Match "*", any current version
    from_header: bool


def _parse_if_match(value: str) -> int | None:
    """The version an If-Match header names; 0 (matches nothing) if it names none."""
    text = value.strip()
    if text == "*":
        return None
    text = text.removeprefix("W/").strip('"')
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0


def precondition(if_match: str | None, body_version: int | None = None) -> Precondition:
    if if_match is None:
        if body_version is None:
            raise HTTPException(
                428,
                said(
                    'say which version you edit: send If-Match: "<version>" (the ETag you '
                    'read) or a "version" member in the body'
                ),
            )
        return Precondition(body_version, from_header=False)
    version = _parse_if_match(if_match)
    if body_version is not None and version is not None and body_version != version:
        raise ValidationError(
            [
                Issue(
                    "body",
                    "version",
                    said(
                        "is %(given)s, but If-Match names %(named)s",
                        given=body_version,
                        named=if_match,
                    ),
                )
            ],
            summary=said("conflicting versions"),
        )
    return Precondition(version, from_header=True)


@contextmanager
def stale_as(given: Precondition) -> Iterator[None]:
    """Answer a stale version the way it was given: 412 for If-Match, else 409."""
    try:
        yield
    except LockedError:
        raise  # not a stale version: the round is locked, whatever version was named
    except ConflictError as exc:
        if given.from_header:
            raise HTTPException(412, message_of(exc)) from exc
        raise
