"""``/actors/import``: a MISP galaxy cluster file or a STIX 2.1 bundle (ATT&CK groups)
of threat actors uploaded and imported as the signed-in user, with what came of it.

Joined before the generic ``/{entity}/{key:path}`` routes, which would match it too.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from weerbaar import i18n
from weerbaar.domain.access import Marking
from weerbaar.errors import FileFormatError, ForbiddenError, ValidationError
from weerbaar.reference.access import classification_levels
from weerbaar.services.actor_import import import_actors
from weerbaar.web.auth import Caller, require_caller
from weerbaar.web.context import context_of, require_write
from weerbaar.web.pages.common import Form, check_form, form_text
from weerbaar.web.presenters.actor_import import ActorImportOut, actor_import_answer
from weerbaar.web.templating import render
from weerbaar.web.uploads import MAX_UPLOAD, refuse_large_request, too_large, upload_name

router = APIRouter(include_in_schema=False)
Errors = dict[str, list[str]]


def _page(
    request: Request,
    caller: Caller,
    *,
    values: dict[str, str] | None = None,
    report: ActorImportOut | None = None,
    errors: Errors | None = None,
) -> Response:
    levels = classification_levels()
    dutch = i18n.language() == "nl"
    return render(
        request,
        "actor_import.html",
        {
            "caller": caller,
            "values": values or {"classification": "public"},
            "levels": [
                (level.key, level.name if dutch else level.name_en or level.name)
                for level in levels.levels
            ],
            "max_upload_mb": MAX_UPLOAD // 1024 // 1024,
            "report": report,
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


@router.get("/actors/import")
def import_page(request: Request) -> Response:
    caller = require_caller(request)
    require_write(caller, "actors")
    return _page(request, caller)


@router.post("/actors/import", dependencies=[Depends(refuse_large_request)])
async def import_form(request: Request, form: Form) -> Response:
    try:
        return await _import(request, form)
    finally:
        await form.close()  # the uploaded file's temporary copy


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


async def _import(request: Request, form: FormData) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_write(caller, "actors")
    values = {name: form_text(form, name) for name in ("classification", "owner", "share")}
    shared = tuple(s for s in values["share"].replace(",", " ").split() if s)
    marking = Marking(values["classification"] or "public", values["owner"] or None, shared)
    errors: Errors = {}
    report = None
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
        _add(errors, "file", i18n.gettext("choose a file to upload"))
    else:
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            for issue in too_large(upload.size or len(data)).issues:
                _add(errors, "file", i18n.translated(issue.reason))
        else:
            try:
                found = await run_in_threadpool(
                    import_actors,
                    context_of(request, caller),
                    data,
                    upload_name(upload),
                    marking=marking,
                )
                report = actor_import_answer(found)
            except FileFormatError as exc:
                _add(errors, "file", i18n.error_text(exc))
            except ForbiddenError as exc:
                _add(errors, "classification", i18n.error_text(exc))
            except ValidationError as exc:
                for issue in exc.issues:
                    _add(errors, "file", i18n.translated(issue.reason))
    return _page(request, caller, values=values, report=report, errors=errors)
