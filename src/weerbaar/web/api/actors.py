"""``/actors/import``: threat actors from a MISP galaxy cluster file or a STIX 2.1
bundle (ATT&CK groups), written as the caller.

Joined before the generic ``/actors`` routes, whose ``/actors/{key}`` would otherwise
answer it.
"""

# No ``from __future__ import annotations``: FastAPI reads the models from the
# endpoints' annotations.

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from weerbaar.domain.access import Marking
from weerbaar.services.actor_import import import_actors
from weerbaar.web.api.callers import writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller
from weerbaar.web.context import context_of, require_write
from weerbaar.web.limits import Key
from weerbaar.web.presenters.actor_import import ActorImportOut, actor_import_answer
from weerbaar.web.uploads import MAX_UPLOAD, refuse_large_request, upload_bytes, upload_name

router = APIRouter(prefix="/actors", tags=["actors"])


@router.post(
    "/import",
    summary="Import threat actors from a MISP galaxy or STIX file",
    description=f"A MISP galaxy cluster file (threat-actor, ATT&CK intrusion-set) or a STIX "
    f"2.1 bundle of at most {MAX_UPLOAD // 1024 // 1024} MB. An actor the caller may see "
    "with the same UUID, name or synonym is completed, any other added with the given "
    "marking; entries that cannot be used are reported with their place and reason, and "
    "the rest goes in.",
    responses=error_responses(400, 401, 403, 409, 422),
    dependencies=[Depends(refuse_large_request)],
)
async def import_file(
    request: Request,
    file: Annotated[UploadFile, File(description="the galaxy cluster file or STIX bundle")],
    caller: Annotated[Caller, Depends(writer)],
    classification: Annotated[Key, Form(description="classification of new actors")] = "public",
    owned_by: Annotated[Key | None, Form(description="owning organisation of new actors")] = None,
    shared_with: Annotated[
        list[Key] | None, Form(description="organisations new actors are shared with")
    ] = None,
) -> ActorImportOut:
    require_write(caller, "actors")
    data = await upload_bytes(file)
    marking = Marking(classification, owned_by, tuple(shared_with or ()))
    report = await run_in_threadpool(
        import_actors, context_of(request, caller), data, upload_name(file), marking=marking
    )
    return actor_import_answer(report)
