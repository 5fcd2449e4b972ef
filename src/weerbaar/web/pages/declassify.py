"""The declassify form: a record's owner (or an administrator) lowers its
classification, saying why.

The record's page carries the form for those who may use it
(:func:`declassify_form`); its own page at ``/{entity}/{key}/declassify`` shows the
form again with what was wrong. These routes are joined before the generic entity
routes, whose ``/{entity}/{key:path}`` would take them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.domain.access import Marking, declassify_problems
from weerbaar.domain.register import EntitySpec
from weerbaar.errors import ConflictError, ForbiddenError, ValidationError, joined, said
from weerbaar.i18n import vocabulary
from weerbaar.reference.access import classification_levels
from weerbaar.services.declassify import REASON_LENGTH, declassify
from weerbaar.services.records import Versioned, get_record
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of
from weerbaar.web.pages.common import (
    Form,
    check_form,
    entity_title,
    form_text,
    known_entity,
    record_url,
    see_other,
)
from weerbaar.web.pages.display import classification_label
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class DeclassifyForm:
    """What the form needs: where it posts, the version it is based on, and the
    levels below the record's own."""

    action: str
    version: int
    levels: tuple[tuple[str, str], ...]  # (key, label), highest first
    shortest: int = REASON_LENGTH[0]
    longest: int = REASON_LENGTH[1]


def declassify_form(caller: Caller, spec: EntitySpec, found: Versioned) -> DeclassifyForm | None:
    """The form for this record's page, or None when the caller may not declassify it
    or it is at the lowest level already."""
    record = found.record
    if declassify_problems(caller.subject, spec.name, Marking.of(record)):
        return None
    levels = classification_levels()
    if record.classification not in levels:
        return None
    below = levels.levels[: levels.rank(record.classification)]
    if not below:
        return None
    return DeclassifyForm(
        action=f"{record_url(spec.name, record.key)}/declassify",
        version=found.version,
        levels=tuple((lv.key, classification_label(lv.key)) for lv in reversed(below)),
    )


def _page(
    request: Request,
    caller: Caller,
    spec: EntitySpec,
    key: str,
    *,
    values: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    version: int | None = None,
    status: int = 200,
) -> Response:
    """The form's own page; ``version`` keeps the one the person based a refused
    attempt on, so that trying again after a conflict conflicts again until they have
    looked at the record as it is now."""
    found = get_record(database(request), entity_name=spec.name, key=key, subject=caller.subject)
    form = declassify_form(caller, spec, found)
    if form is None:
        refusals = declassify_problems(caller.subject, spec.name, Marking.of(found.record))
        raise ForbiddenError(
            said(
                "%(entity)s %(key)s: %(refusal)s",
                entity=vocabulary.said_record(spec.name),
                key=key,
                refusal=joined(refusals)
                if refusals
                else said("it has the lowest classification already"),
            )
        )
    return render(
        request,
        "declassify.html",
        {
            "caller": caller,
            "spec": spec,
            "title": entity_title(spec),
            "key": key,
            "url": record_url(spec.name, key),
            "classification": found.record.classification,
            "classification_label": classification_label(found.record.classification),
            "declassify": form if version is None else replace(form, version=version),
            "values": values or {},
            "problems": problems or [],
        },
        status_code=status,
    )


@router.get("/{entity_name}/{key:path}/declassify")
def declassify_page(request: Request, entity_name: str, key: str) -> Response:
    return _page(request, require_caller(request), known_entity(entity_name), key)


@router.post("/{entity_name}/{key:path}/declassify")
def declassify_submit(request: Request, entity_name: str, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    spec = known_entity(entity_name)
    values = {"to": form_text(form, "to"), "reason": form_text(form, "reason")}
    given = form_text(form, "version")
    version = int(given) if given.isdigit() and len(given) < 10 else None
    try:
        declassify(
            context_of(request, caller),
            entity_name=spec.name,
            key=key,
            to=values["to"],
            reason=values["reason"],
            expected_version=version,
        )
    except ValidationError as exc:
        reasons = [i18n.issue_text(issue) for issue in exc.issues]
        return _page(
            request, caller, spec, key, values=values, problems=reasons, version=version, status=422
        )
    except ConflictError as exc:
        return _page(
            request,
            caller,
            spec,
            key,
            values=values,
            problems=[i18n.error_text(exc)],
            version=version,
            status=409,
        )
    return see_other(record_url(spec.name, key))
