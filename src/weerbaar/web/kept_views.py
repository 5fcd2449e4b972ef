"""Heavy views built once per change of what decides them.

A view such as the dashboard reads the whole register, runs the assessment and
renders a large page; between two writes it is the same for the same reader. So its
answer is kept under everything that decides it — the database and its audit head
(which every write moves), the caller as signed in (account, session and its CSRF
token, the page header shows them), the language, the path and query, and the day —
and the next request with an equal key is answered from it. The caller is always
resolved first: a signed-out or revoked session never reaches a kept answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request, Response

from weerbaar import i18n
from weerbaar.services.kept import Kept, sight_key
from weerbaar.web.auth import Caller, database

__all__ = ["KEPT_BYTES", "kept_view"]

KEPT_BYTES = 64 * 1024 * 1024
"""What each server process holds of kept answers, at most (least recently used go)."""


@dataclass(frozen=True, slots=True)
class _Answer:
    body: bytes
    status: int
    headers: tuple[tuple[bytes, bytes], ...]


class _NotKeptError(Exception):
    """The built response is not one to keep (not a plain 200, or it sets a cookie)."""

    def __init__(self, response: Response) -> None:
        self.response = response


_kept: Kept[_Answer] = Kept(KEPT_BYTES, size=lambda a: len(a.body))


def kept_view(request: Request, caller: Caller, build: Callable[[], Response]) -> Response:
    """``build()``'s response, or the one kept for an equal request since the last
    write. Only a plain 200 without cookies is kept; anything else is built anew."""
    key = sight_key(
        database(request),
        caller.subject,
        "view",
        caller,
        i18n.language(),
        request.url.path,
        request.url.query,
        dt.datetime.now(dt.UTC).date(),
    )
    built: list[Response] = []

    def answer() -> _Answer:
        response = build()
        if response.status_code != 200 or "set-cookie" in response.headers:
            raise _NotKeptError(response)
        built.append(response)
        return _Answer(bytes(response.body), response.status_code, tuple(response.raw_headers))

    try:
        kept = _kept.get(key, answer)
    except _NotKeptError as refused:
        return refused.response
    if built:
        return built[0]
    response = Response(content=kept.body, status_code=kept.status)
    response.raw_headers = list(kept.headers)
    return response
