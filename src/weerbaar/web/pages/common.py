"""What every page route shares: the form of a POST, the entity named in a URL, and
where a record lives."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from weerbaar.domain.register import BY_NAME, EntitySpec
from weerbaar.errors import ForbiddenError, NotFoundError, said
from weerbaar.i18n import vocabulary
from weerbaar.web.auth import CSRF_FIELD, Caller, check_csrf
from weerbaar.web.context import require_write


async def read_form(request: Request) -> FormData:
    """The submitted form, read before a (synchronous) route runs."""
    return await request.form()


# A handler parameter: the posted form, read before the route runs (check_form checks it).
Form = Annotated[FormData, Depends(read_form)]


def check_form(caller: Caller, form: FormData) -> None:
    """Refuse a form that does not prove it came from this site's own page."""
    token = form.get(CSRF_FIELD)
    check_csrf(caller, token if isinstance(token, str) else None)


def known_entity(name: str) -> EntitySpec:
    spec = BY_NAME.get(name)
    if spec is None:
        raise NotFoundError("page", name)
    return spec


def may_edit(caller: Caller, spec: EntitySpec) -> bool:
    """Whether the generic forms may write the entity for this caller: not for records
    that only their own use case writes (a level change), whoever the caller is."""
    return spec.written_by is None and caller.subject.role.may_write(spec.name)


def require_form(caller: Caller, spec: EntitySpec) -> None:
    """Refuse the generic form of a record the caller may not write with it."""
    if spec.written_by is not None:
        raise ForbiddenError(
            said(
                "%(entities)s are written only by %(use_case)s",
                entities=vocabulary.said_entity(spec.name),
                use_case=spec.written_by,
            )
        )
    require_write(caller, spec.name)


def record_url(entity_name: str, key: str) -> str:
    return f"/{entity_name}/{quote(key, safe='/')}"


def see_other(url: str) -> RedirectResponse:
    """After a write, the browser fetches the result page with GET."""
    return RedirectResponse(url, status_code=303)


def entity_title(spec: EntitySpec) -> str:
    return vocabulary.entity_title(spec.name)


def field_title(name: str) -> str:
    return vocabulary.field_title(name)


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
