"""``/levels``: the current level of every scope, the pre-agreed measures in force and
the history of pictures, as far as the caller may see; ``POST /levels`` sets a level
(the measures switch and the organisations concerned are notified, see
:mod:`.notifications`).

A level change says which version of the scope's state it was based on (``version``
in the body, 0 for a scope without a level yet, or ``If-Match``), so of two people
changing one scope at once the second is refused rather than silently overruling the
first. After the change is committed, its notifications are sent in the background;
one that fails stays queued and is tried again later.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from weerbaar.errors import Issue, ValidationError, said
from weerbaar.reference.alerting import level_scales
from weerbaar.services.level_views import levels_view
from weerbaar.services.levels import LevelRequest, scale_of, set_level
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.preconditions import etag, precondition, stale_as
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.schemas import Text
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of
from weerbaar.web.delivery import deliver_soon, delivery_settings
from weerbaar.web.limits import MAX_ID, Key
from weerbaar.web.presenters.levels import (
    History,
    Levels,
    MeasuresInForce,
    history_answer,
    levels_answer,
    measures_answer,
)
from weerbaar.web.step_up import require_recent

router = APIRouter()

MAX_HISTORY = 500
# Times a level change may carry: a wider range only holds typing errors, and the
# ends of datetime's range cannot be moved to UTC.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2999, 12, 31, tzinfo=dt.UTC)

Where = Annotated[str, Field(max_length=200)]


# -- reading ------------------------------------------------------------------------


ScaleQuery = Annotated[Key | None, Query(description="only this level scale")]


def _known(scale: str | None) -> str | None:
    if scale is not None:
        scale_of(scale)  # 422 naming the known scales
    return scale


@router.get(
    "/levels",
    tags=["levels"],
    summary="Current levels",
    description="Every scope's current level the caller may see: since when, the picture "
    "that set it, whether it was raised, its version, and the measures it has in force.",
    responses=error_responses(401, 422),
)
def levels(
    request: Request, caller: Annotated[Caller, Depends(reader)], scale: ScaleQuery = None
) -> Levels:
    view = levels_view(database(request), subject=caller.subject, scale=_known(scale))
    return levels_answer(view)


@router.get(
    "/levels/active",
    tags=["levels"],
    summary="Pre-agreed measures in force",
    description="The measures switched on by the current levels: where, since when, "
    "taken by whom, and the change that switched them on.",
    responses=error_responses(401, 422),
)
def active(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    scale: ScaleQuery = None,
    organisation: Annotated[Key | None, Query(description="only this one's")] = None,
) -> MeasuresInForce:
    view = levels_view(database(request), subject=caller.subject, scale=_known(scale))
    return measures_answer(view, organisation=organisation)


@router.get(
    "/levels/history",
    tags=["levels"],
    summary="Threat pictures, newest first",
    description="Every level set that the caller may see, with its rationale.",
    responses=error_responses(401, 422),
)
def history(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    scale: ScaleQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY, description="at most this many")] = 50,
) -> History:
    view = levels_view(database(request), subject=caller.subject, scale=_known(scale))
    return history_answer(view, limit=limit)


# -- setting a level ----------------------------------------------------------------


class NewLevel(BaseModel):
    scale: Key = Field(description="the level scale, e.g. dtn, atb or cyber")
    level: int | Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="the level: its number, or its Dutch or English name"
    )
    rationale: Text | None = Field(None, description="why; required for a change of level")
    sector: Where | None = Field(None, description="for a sector scale: the sector")
    region: Where | None = Field(None, description="part of the country, if not all of it")
    site: Where | None = Field(None, description="for a site scale: the object or site")
    at: dt.datetime | None = Field(
        None, description="when it takes effect, with a time zone; default now"
    )
    summary: Text | None = None
    sources: Text | None = None
    classification: Key = Field(
        "public", description="marking of the picture: its summary and rationale"
    )
    level_classification: Key | None = Field(
        None,
        description="marking of the level itself, which those who act need to know "
        "(default: the scope keeps its marking; a new scope is public)",
    )
    version: int | None = Field(
        None,
        ge=0,
        le=MAX_ID,
        description="the version of the scope's state you saw (0: it has no level yet); "
        "required unless If-Match is sent",
    )


class LevelChangeOut(BaseModel):
    picture: str = Field(description="the threat picture recording the change")
    scope: str
    scale: str
    where: str
    before: int | None = Field(description="the level before; null for a new scope")
    after: int
    before_name: str | None
    after_name: str
    at: dt.datetime
    activated: list[str] = Field(description="keys of the measures switched on")
    deactivated: list[str] = Field(description="keys of the measures switched off")
    notifications: int = Field(description="notifications queued for the organisations")
    version: int = Field(description="the scope state's version after the change")


def _moment(at: dt.datetime | None) -> dt.datetime | None:
    if at is None or at.tzinfo is None:
        return at  # the service refuses a time without a zone
    if not EARLIEST <= at <= LATEST:
        raise ValidationError(
            [
                Issue(
                    "body",
                    "at",
                    said("%(at)s is not between 1900 and 2999", at=at.isoformat()),
                )
            ],
            summary=said("level not set"),
        )
    return at


@router.post(
    "/levels",
    tags=["levels"],
    summary="Set a level",
    description="Records the picture, sets the scope's level, switches the measures "
    "agreed for it on and off, and queues a notification for each organisation "
    "concerned; they are sent after the response. Send the version of the scope's state "
    "you saw (0 for a new scope) in the body or as If-Match: a stale version is refused "
    "(409, or 412 for If-Match), none at all is 428.",
    status_code=201,
    responses={
        201: {
            "headers": {
                "ETag": {"description": "the state's new version", "schema": {"type": "string"}},
                "Location": {"schema": {"type": "string"}},
            }
        },
        **error_responses(400, 401, 403, 409, 412, 422, 428),
    },
)
def set_level_(
    request: Request,
    response: Response,
    body: NewLevel,
    background: BackgroundTasks,
    caller: Annotated[Caller, Depends(writer)],
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description='the ETag of the state you saw, e.g. `"3"`'),
    ] = None,
) -> LevelChangeOut:
    require_recent(caller)
    given = precondition(if_match, body.version)
    with stale_as(given):
        change = set_level(
            context_of(request, caller),
            LevelRequest(
                scale=body.scale,
                level=body.level,
                rationale=body.rationale,
                sector=body.sector,
                region=body.region,
                site=body.site,
                at=_moment(body.at),
                expected_version=given.version,
                summary=body.summary,
                sources=body.sources,
                classification=body.classification,
                level_classification=body.level_classification,
            ),
        )
    if change.notices:
        background.add_task(deliver_soon, database(request), delivery_settings(request))
    t = change.transition
    spec = level_scales()[t.scope.scale]
    response.headers["Location"] = f"/api/v1/threat_pictures/{change.picture.key}"
    response.headers["ETag"] = etag(change.version)
    return LevelChangeOut(
        picture=change.picture.key,
        scope=change.state.key,
        scale=spec.key,
        where=t.scope.label,
        before=t.before,
        after=t.after,
        before_name=None if t.before is None else spec.level(t.before).name_en,
        after_name=spec.level(t.after).name_en,
        at=t.at,
        activated=[m.key for m in t.activate],
        deactivated=list(t.deactivate),
        notifications=change.notices,
        version=change.version,
    )
