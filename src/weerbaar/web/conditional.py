"""Conditional reads: every page and API read that answers 200 carries an ETag made
from the very bytes it sends, and a request whose ``If-None-Match`` names that tag
gets 304 Not Modified instead of the body.

The tag is the body's digest, not the register's state, so a 304 is only ever sent
when the reader would have received the same bytes: a write the reader may not see
leaves their tag as it was, and anything they may see moves it. A response that names
its own ETag (a record's version, which ``If-Match`` checks) keeps it and is never
answered with 304 here, since a record's version does not say what its reader sees of
the records it refers to.

Pages still say ``Cache-Control: no-store``: a browser keeps no classified page on
disk. A client that keeps its own copy — a mirror, a sync script — revalidates with the
tag it was given.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_TAGGED_BYTES", "ConditionalReads", "body_tag", "matches"]

MAX_TAGGED_BYTES = 8 * 1024 * 1024
"""A larger body (an export, a report) is streamed as it comes, without a tag."""


def body_tag(body: bytes) -> str:
    """The strong ETag of ``body``: a digest, so equal bytes give equal tags."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (RFC 9110 §13.1.2: weak comparison,
    so ``W/"x"`` names ``"x"``; ``*`` names any current representation)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.removeprefix("W/") == tag.removeprefix("W/"):
            return True
    return False


class ConditionalReads:
    """ASGI middleware: tag successful reads by their bytes and answer a matching
    ``If-None-Match`` with 304."""

    def __init__(self, app: ASGIApp, *, limit: int = MAX_TAGGED_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # HEAD is left alone: its empty body would be tagged as the empty page.
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        asked = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # the response is not one to tag: forward it as it comes

        async def tagging(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                if (
                    message["status"] != 200
                    or "etag" in headers
                    or "set-cookie" in headers
                    or "content-encoding" in headers
                ):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body = message.get("body", b"")
            chunks.append(body)
            size += len(body)
            if size > self.limit:  # too big to hold: send what came, untagged
                passing = True
                await send(start)
                await send(
                    {"type": "http.response.body", "body": b"".join(chunks), "more_body": True}
                )
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if message.get("more_body", False):
                return
            whole = b"".join(chunks)
            tag = body_tag(whole)
            headers = MutableHeaders(raw=list(start["headers"]))
            headers["ETag"] = tag
            if matches(asked, tag):
                for name in ("content-length", "content-type"):
                    del headers[name]
                await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": whole, "more_body": False})

        await self.app(scope, receive, tagging)
