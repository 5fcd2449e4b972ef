"""The pages of every register entity: list, show, create, edit and delete.

Routes with a fixed last segment (``/edit``, ``/delete``) are declared before the
catch-all ``/{entity}/{key:path}``, which would otherwise swallow them (a score's key
holds slashes, so keys are paths). The new-record form lives at ``/{entity}/-/new``:
no key starts with a hyphen, so no record can hide it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from weerbaar import i18n
from weerbaar.domain.entities.base import MARKING_FIELDS
from weerbaar.domain.fields import FieldKind
from weerbaar.domain.register import ENTITIES, EntitySpec
from weerbaar.errors import ConflictError, DuplicateError, Issue, ValidationError, message_of
from weerbaar.services.records import (
    Versioned,
    create_record,
    delete_record,
    get_record,
    update_record,
)
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of
from weerbaar.web.pages import listing
from weerbaar.web.pages.common import (
    Form,
    check_form,
    entity_title,
    field_title,
    known_entity,
    may_edit,
    record_url,
    require_form,
    see_other,
)
from weerbaar.web.pages.declassify import declassify_form
from weerbaar.web.pages.display import (
    Labels,
    Link,
    classification_label,
    record_label,
    value_links,
)
from weerbaar.web.pages.forms import (
    FormValues,
    Problems,
    as_raw,
    default_values,
    form_fields,
    record_values,
    submitted,
)
from weerbaar.web.pages.scenario_assessment import assessment_section, capability_section
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

REFERRERS_SHOWN = 50


@router.get("/{entity_name}")
def list_page(request: Request, entity_name: str) -> Response:
    spec = known_entity(entity_name)
    caller = require_caller(request)
    found = listing.listed(request, spec, caller)
    return render(request, "record_list.html", {"caller": caller, **listing.page(found)})


@router.get("/{entity_name}/-/new")
def new_page(request: Request, entity_name: str) -> Response:
    spec = known_entity(entity_name)
    caller = require_caller(request)
    require_form(caller, spec)
    given = {k: v for k, v in request.query_params.items() if k in spec.field_names}
    return _form_page(request, caller, spec, default_values(spec, given), key=None)


@router.post("/{entity_name}")
def create(request: Request, entity_name: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    spec = known_entity(entity_name)
    values = submitted(spec, form, creating=True)
    try:
        saved = create_record(
            context_of(request, caller), entity_name=spec.name, raw=as_raw(values)
        )
    except ValidationError as exc:
        problems = Problems.of(exc.issues, spec, creating=True)
        return _form_page(request, caller, spec, values, key=None, problems=problems, status=422)
    except DuplicateError as exc:
        problems = Problems.of([Issue("", "key", message_of(exc))], spec, creating=True)
        return _form_page(request, caller, spec, values, key=None, problems=problems, status=409)
    return see_other(record_url(spec.name, saved.record.key))


@router.get("/{entity_name}/{key:path}/edit")
def edit_page(request: Request, entity_name: str, key: str) -> Response:
    spec = known_entity(entity_name)
    caller = require_caller(request)
    found = get_record(database(request), entity_name=spec.name, key=key, subject=caller.subject)
    require_form(caller, spec)
    values = record_values(found.record)
    return _form_page(request, caller, spec, values, key=key, version=found.version)


@router.post("/{entity_name}/{key:path}/delete")
def delete(request: Request, entity_name: str, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    spec = known_entity(entity_name)
    delete_record(
        context_of(request, caller),
        entity_name=spec.name,
        key=key,
        expected_version=_version(form),
    )
    return see_other(f"/{spec.name}")


@router.get("/{entity_name}/{key:path}")
def show_page(request: Request, entity_name: str, key: str) -> Response:
    spec = known_entity(entity_name)
    caller = require_caller(request)
    found = get_record(database(request), entity_name=spec.name, key=key, subject=caller.subject)
    assessment = (
        assessment_section(request, caller, found.record) if spec.name == "scenarios" else None
    )
    return show_response(request, caller, spec, found, assessment=assessment)


def _shown_fields(
    spec: EntitySpec, record: Any, labels: Labels
) -> list[tuple[str, list[Link], str | None]]:
    """(title, value, language of the value where it is not the page's) per field. A
    text with its English beside it shows in the reader's language first, the other
    below it, marked with its language for screen readers."""
    names = {f.name for f in spec.fields}
    english_reader = i18n.language() == "en"
    rows: list[tuple[str, list[Link], str | None]] = []
    for f in spec.fields:
        if f.name in MARKING_FIELDS or f.kind is FieldKind.KEY:
            continue
        if f.name.endswith("_en") and f.name[: -len("_en")] in names:
            continue  # shown beside the text it translates
        own = value_links(f, getattr(record, f.name), labels)
        english = getattr(record, f"{f.name}_en", None) if f"{f.name}_en" in names else None
        if not english:
            rows.append((field_title(f.name), own, None))
        elif english_reader:
            rows.append((field_title(f.name), [Link(str(english))], None))
            dutch = i18n.gettext("%(field)s (Dutch)", field=field_title(f.name))
            rows.append((dutch, own, "nl"))
        else:
            rows.append((field_title(f.name), own, None))
            rows.append((field_title(f"{f.name}_en"), [Link(str(english))], "en"))
    return rows


def show_response(
    request: Request,
    caller: Caller,
    spec: EntitySpec,
    found: Versioned,
    *,
    assessment: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """A record's page: every field, references as links, its marking up front."""
    labels = Labels(database(request), caller.subject)
    record = found.record
    fields = _shown_fields(spec, record, labels)
    marking = [
        (field_title(name), value_links(spec.field(name), getattr(record, name), labels))
        for name in ("owned_by", "shared_with")
    ]
    return render(
        request,
        "record_show.html",
        {
            "caller": caller,
            "spec": spec,
            "title": entity_title(spec),
            "record": record,
            "label": record_label(spec, record),
            "version": found.version,
            "classification": record.classification,
            "classification_label": classification_label(record.classification),
            "fields": fields,
            "marking": marking,
            "referrers": _referrers(request, caller, spec, record.key, labels),
            "may_write": may_edit(caller, spec),
            "declassify": declassify_form(caller, spec, found),
            "url": record_url(spec.name, record.key),
            "assessment": assessment,
            "capabilities": (
                capability_section(request, caller, record.key)
                if spec.name == "scenarios"
                else None
            ),
        },
        status_code=status,
    )


@router.post("/{entity_name}/{key:path}")
def update(request: Request, entity_name: str, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    spec = known_entity(entity_name)
    values = submitted(spec, form, creating=False)
    version = _version(form)
    try:
        update_record(
            context_of(request, caller),
            entity_name=spec.name,
            key=key,
            changes=as_raw(values),
            expected_version=version,
        )
    except ValidationError as exc:
        problems = Problems.of(exc.issues, spec, creating=False)
        return _form_page(
            request, caller, spec, values, key=key, version=version, problems=problems, status=422
        )
    except ConflictError as exc:
        # The editor's values stay in the form, at the version they saw: saving again
        # would conflict again, so nothing is overwritten unseen.
        problems = Problems(general=[i18n.error_text(exc)])
        return _form_page(
            request, caller, spec, values, key=key, version=version, problems=problems, status=409
        )
    return see_other(record_url(spec.name, key))


def _version(form: FormData) -> int | None:
    raw = form.get("version")
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def _form_page(
    request: Request,
    caller: Caller,
    spec: EntitySpec,
    values: FormValues,
    *,
    key: str | None,
    version: int | None = None,
    problems: Problems | None = None,
    status: int = 200,
) -> Response:
    labels = Labels(database(request), caller.subject)
    fields = form_fields(
        spec, values, labels, caller.subject, creating=key is None, problems=problems
    )
    return render(
        request,
        "record_form.html",
        {
            "caller": caller,
            "spec": spec,
            "title": entity_title(spec),
            "key": key,
            "label": labels.of(spec.name, key) if key else None,
            "version": version,
            "fields": fields,
            "problems": problems.general if problems else [],
            "action": record_url(spec.name, key) if key else f"/{spec.name}",
        },
        status_code=status,
    )


def _referrers(
    request: Request, caller: Caller, spec: EntitySpec, key: str, labels: Labels
) -> list[tuple[str, list[Link], int]]:
    """Visible records that refer to this one, per referring field (the marking's
    owner and sharing left out: they would list half the register)."""
    out = []
    for other in ENTITIES:
        for f in other.fields:
            if f.target != spec.name or f.name in MARKING_FIELDS:
                continue
            found = listing.visible(request, caller, other, {f.name: key})
            if not found:
                continue
            links = [labels.link(other.name, r.key) for r in found[:REFERRERS_SHOWN]]
            heading = f"{entity_title(other)} ({field_title(f.name).lower()})"
            out.append((heading, links, len(found)))
    return out
