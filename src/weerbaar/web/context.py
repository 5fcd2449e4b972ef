"""What the API and the pages share about the caller of a request: the services'
context to act in, and the one early check that their role may write an entity."""

from __future__ import annotations

from fastapi import Request

from weerbaar.errors import ForbiddenError, said
from weerbaar.services.context import Context
from weerbaar.web.auth import Caller, database


def context_of(request: Request, caller: Caller) -> Context:
    """The services' context for a write: audited as this caller, under their role
    and need-to-know."""
    return Context(db=database(request), actor=caller.actor, subject=caller.subject)


def require_write(caller: Caller, entity: str) -> None:
    """Refuse a write the caller's role may not make before any work is done for it.

    The services refuse the write itself anyway, but only once they have read what it
    names, run the cascade it stores or read the file it takes in.
    """
    if not caller.subject.role.may_write(entity):
        raise ForbiddenError(
            said(
                "role %(role)s may not change %(entity)s",
                role=repr(caller.subject.role.key),
                entity=entity,
            )
        )
