"""The id of the request (or command) being served: its log lines carry it, and so
do the audit entries it writes, so an operator can go from one to the other.

A context variable, so that each request handled on a thread or in a task sees its
own; set by the web app for each request and by the command line for each command.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("weerbaar_request_id", default=None)

# What a caller may hand in (a proxy's X-Request-ID): short, and nothing a log reader
# or a header could be fooled by.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def new_request_id() -> str:
    return secrets.token_hex(16)


def acceptable(candidate: str | None) -> str | None:
    """``candidate`` if it may serve as a request id, else None."""
    if candidate is None or not _ACCEPTABLE.fullmatch(candidate):
        return None
    return candidate
