"""``/signals``: horizon scanning beyond the generic signal records: the trend per
theme, alerts raised, flagged for a round or dismissed, an analyst's theme for a
signal, and a file of signals taken in; all as the caller may see and write.

These routes are joined before the generic ``/signals`` routes, whose
``/signals/{key}`` would otherwise answer ``/signals/trends``.
"""

# No ``from __future__ import annotations``: FastAPI reads the models from the
# endpoints' annotations, and the record models are made at import time.

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from weerbaar.services.context import Context
from weerbaar.services.horizon import detect_alerts, flag_alert, label_signal, theme_trends
from weerbaar.services.signal_ingest import IngestReport
from weerbaar.services.signal_intake import take_in
from weerbaar.services.source_polling import poll_due, source_states_of
from weerbaar.signals.readers import KINDS, read
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.records import plain
from weerbaar.web.api.schemas import MODELS
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of, require_write
from weerbaar.web.limits import EARLIEST, LATEST, MAX_SCENARIOS, NOTE_LENGTH, Key, check_window
from weerbaar.web.presenters.trends import Trends, trends_answer
from weerbaar.web.query import Day
from weerbaar.web.uploads import MAX_UPLOAD, refuse_large_request, upload_bytes, upload_name

Kind = Literal["feed", "json", "csv", "stix", "misp"]
assert set(get_args(Kind)) == set(KINDS)
PathKey = Annotated[Key, Path(description="the key")]
Note = Annotated[str, Field(max_length=NOTE_LENGTH, pattern=r"^[^\x00]*$")]
Window = Annotated[Day, Query(ge=EARLIEST, le=LATEST)]

router = APIRouter(prefix="/signals", tags=["signals"])

Alert = MODELS["alerts"].versioned
SignalModel = MODELS["signals"].versioned


# ---------------------------------------------------------------- trends


@router.get(
    "/trends",
    summary="Signals per theme over time",
    description="Per theme the caller may see: events and reports per period of the "
    "signals they may see from ``since`` to ``until`` (default: the 120 days up to the "
    "newest signal), and since when the theme grows, if it does.",
    responses=error_responses(401, 422),
)
def trends(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    since: Window | None = None,
    until: Window | None = None,
) -> Trends:
    check_window(since, until)
    found = theme_trends(database(request), subject=caller.subject, since=since, until=until)
    return trends_answer(found)


# ---------------------------------------------------------------- alerts


class Detected(BaseModel):
    raised: list[Alert]  # type: ignore[valid-type]


def detect(ctx: Context) -> list[Any]:
    return [plain(v) for v in detect_alerts(ctx)]


@router.post(
    "/alerts/detect",
    summary="Raise the alerts the signals call for",
    description="Looks at the signals the caller may see for growing themes and groups "
    "of signals that fit no theme, and stores an alert for each one not raised before.",
    responses=error_responses(401, 403, 409, 422),
)
def detect_now(request: Request, caller: Annotated[Caller, Depends(writer)]) -> Detected:
    # A detection that raises nothing writes nothing: the service alone would not refuse.
    require_write(caller, "alerts")
    return Detected(raised=detect(context_of(request, caller)))


class FlagRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    round: Key = Field(description="the round in which to reassess the scenarios")
    scenarios: list[Key] | None = Field(
        None, max_length=MAX_SCENARIOS, description="default: the alert's own"
    )
    note: Note | None = None


class DismissRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note | None = None


@router.post(
    "/alerts/{key}/flag",
    summary="Flag an alert's scenarios for a round",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def flag(
    request: Request,
    key: PathKey,
    body: FlagRequest,
    caller: Annotated[Caller, Depends(writer)],
) -> Alert:  # type: ignore[valid-type]
    require_write(caller, "alerts")
    saved = flag_alert(
        context_of(request, caller),
        key,
        round_key=body.round,
        scenarios=body.scenarios,
        note=body.note,
    )
    return Alert.model_validate(plain(saved))


@router.post(
    "/alerts/{key}/dismiss",
    summary="Dismiss an alert",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def dismiss(
    request: Request,
    key: PathKey,
    body: DismissRequest,
    caller: Annotated[Caller, Depends(writer)],
) -> Alert:  # type: ignore[valid-type]
    require_write(caller, "alerts")
    saved = flag_alert(
        context_of(request, caller), key, round_key=None, dismiss=True, note=body.note
    )
    return Alert.model_validate(plain(saved))


# ---------------------------------------------------------------- label


class LabelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: Key | None = Field(description="the theme; null: none")


@router.post(
    "/{key}/label",
    summary="Set a signal's theme as an analyst",
    description="Stored as the analyst's theme (``theme_by``: analyst), and trained on "
    "by the next run of the classifier.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def label(
    request: Request,
    key: PathKey,
    body: LabelRequest,
    caller: Annotated[Caller, Depends(writer)],
) -> SignalModel:  # type: ignore[valid-type]
    require_write(caller, "signals")
    saved = label_signal(context_of(request, caller), key, body.theme)
    return SignalModel.model_validate(plain(saved))


# ---------------------------------------------------------------- ingest


class Rejection(BaseModel):
    place: str
    reason: str


class IngestOut(BaseModel):
    read: int = Field(description="signals read from the file")
    created: int
    already_in: int = Field(description="in the register already: left as they were")
    exact_repeats: int
    near_repeats: int
    unthemed: int
    rejected: int
    rejections: list[Rejection] = Field(description="the first rejected items, with reasons")
    themes: dict[str, int] = Field(description="signals stored per theme")
    actors_created: list[str]
    actors_known: list[str]
    keys: list[str] = Field(description="the signals stored, in order")


def report_answer(report: IngestReport) -> IngestOut:
    return IngestOut(
        read=report.read,
        created=report.created,
        already_in=report.already_in,
        exact_repeats=report.exact_repeats,
        near_repeats=report.near_repeats,
        unthemed=report.unthemed,
        rejected=report.rejected,
        rejections=[Rejection(place=r.origin, reason=r.reason) for r in report.rejections],
        themes=dict(report.themes),
        actors_created=list(report.actors_created),
        actors_known=list(report.actors_known),
        keys=list(report.keys),
    )


@router.post(
    "/ingest",
    summary="Take signals in from a file",
    description=f"A feed, JSON, CSV, STIX or MISP file of at most {MAX_UPLOAD // 1024 // 1024} "
    "MB (its kind told by ``kind`` or by its content); the good items are stored as the "
    "register's own public signals, the rest reported with their reasons.",
    responses=error_responses(400, 401, 403, 409, 422),
    dependencies=[Depends(refuse_large_request)],
)
async def ingest_file(
    request: Request,
    file: Annotated[UploadFile, File(description="the file of signals")],
    caller: Annotated[Caller, Depends(writer)],
    kind: Annotated[Kind | None, Form(description="the reader; default: by content")] = None,
) -> IngestOut:
    require_write(caller, "signals")
    data = await upload_bytes(file)
    ctx = context_of(request, caller)
    report = await run_in_threadpool(take_in, ctx, read(data, upload_name(file), kind=kind))
    return report_answer(report)


# ---------------------------------------------------------------- sources and their polls


class SourceState(BaseModel):
    source: str
    kind: str
    healthy: bool = Field(description="false after a failed poll, until one succeeds")
    last_poll: dt.datetime | None
    last_success: dt.datetime | None
    next_poll: dt.datetime | None
    failures: int = Field(description="failed polls in a row")
    items_taken: int = Field(description="signals created by its polls, in all")
    last_error: str | None


class PollOutcome(BaseModel):
    source: str
    ok: bool
    error: str | None = None
    read: int = 0
    created: int = 0
    already_in: int = 0
    rejected: int = 0


@router.get(
    "/sources",
    summary="The sources polled for signals, with the state of their polls",
    responses=error_responses(401),
)
def source_states(
    request: Request, caller: Annotated[Caller, Depends(reader)]
) -> list[SourceState]:
    return [
        SourceState(
            source=source.key,
            kind=str(source.kind),
            healthy=state is None or state.healthy,
            last_poll=state.last_poll if state else None,
            last_success=state.last_success if state else None,
            next_poll=state.next_poll if state else None,
            failures=state.failures if state else 0,
            items_taken=state.items_taken if state else 0,
            last_error=state.last_error if state else None,
        )
        for source, state in source_states_of(context_of(request, caller))
    ]


@router.post(
    "/sources/{key}/poll",
    summary="Poll one source now",
    description="Polls the source at once, whether due or not, and takes its new items "
    "in as signals under the source's marking (or a stricter one an item carries).",
    responses=error_responses(401, 403, 404, 422),
)
def poll_source(
    request: Request, key: PathKey, caller: Annotated[Caller, Depends(writer)]
) -> PollOutcome:
    require_write(caller, "sources")
    settings = request.app.state.settings
    outcomes = poll_due(
        context_of(request, caller), secrets=settings.source_secrets, only=key, force=True
    )
    if not outcomes:  # another poller has it at this moment
        return PollOutcome(source=key, ok=True)
    outcome = outcomes[0]
    report = outcome.report
    if report is None:
        return PollOutcome(source=key, ok=False, error=outcome.error)
    return PollOutcome(
        source=key,
        ok=True,
        read=report.read,
        created=report.created,
        already_in=report.already_in,
        rejected=report.rejected,
    )
