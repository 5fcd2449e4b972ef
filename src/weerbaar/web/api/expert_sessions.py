"""``/expert-sessions``: expert sessions through the API, as the services run them.

A session the caller may not see answers 404 as a missing one does; the experts'
scores come under the blind rule (an expert who has not submitted sees only their
own), so ``/scores`` and ``/disagreement`` hand out exactly what the services let
the caller read. Scoring and submitting are the signed-in expert's own; planning,
the steps and the conclusion are the chair's. (``/sessions`` holds the caller's
browser sessions, hence the longer name.)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from weerbaar.domain.sessions import SessionStatus
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.reports.minutes import minutes_html, minutes_markdown
from weerbaar.services import sessions
from weerbaar.services.sessions.scoring import MAX_RATIONALE
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of
from weerbaar.web.limits import MAX_ID, MAX_SCENARIOS, Key
from weerbaar.web.presenters.sessions import (
    Disagreement,
    Scores,
    SessionOut,
    Sessions,
    disagreement_answer,
    scores_answer,
    session_answer,
    sessions_answer,
)

router = APIRouter(prefix="/expert-sessions", tags=["expert sessions"])

MAX_OUTCOMES = 500  # criteria a conclusion may set by hand
TITLE_LENGTH = 500

# A criterion as the catalogue codes it ("2.1"), or the likelihood ("likelihood",
# "kans", "L"); which ones exist is the round's catalogue's to say.
Criterion = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
# A class (C, Chigh) or a number.
Value = Annotated[str, Field(min_length=1, max_length=32)]
Days = Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]
Rationale = Annotated[str, Field(max_length=MAX_RATIONALE)]
SessionKey = Annotated[Key, Path(description="the session's key")]
RoundQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="the scoring round (default: the current)")
]


class _Closed(BaseModel):
    """Unknown members are refused: a misspelt field must not be dropped silently."""

    model_config = ConfigDict(extra="forbid")


class SessionCreate(_Closed):
    key: Key
    round: Key = Field(description="the round the session belongs to")
    title: str = Field(min_length=1, max_length=TITLE_LENGTH)
    title_en: str | None = Field(None, max_length=TITLE_LENGTH)
    held_on: dt.date
    chair: Key | None = Field(None, description="the chair's username (default: the caller)")
    scenarios: list[Key] = Field(min_length=1, max_length=MAX_SCENARIOS)


class ParticipantCreate(_Closed):
    username: Key
    weight: float | None = Field(None, gt=0, le=1e6, allow_inf_nan=False)
    email: str | None = Field(None, max_length=254, description="where the invitation goes")
    language: Literal["nl", "en"] | None = Field(
        None, description="of the invitation (default: the expert's)"
    )


class WeightUpdate(_Closed):
    weight: float = Field(gt=0, le=1e6, allow_inf_nan=False)


class Step(_Closed):
    to: Literal["scoring", "discussion"] = Field(
        description='"scoring" starts it, or from discussion opens the next scoring round'
    )
    version: int | None = Field(None, ge=1, le=MAX_ID, description="the version you saw")


class ScoreGiven(_Closed):
    value: Value = Field(description="a class (C, Chigh) or a number")
    low: Value | None = None
    high: Value | None = None
    duration: Days | None = None
    duration_low: Days | None = None
    duration_high: Days | None = None
    confidence: Literal["low", "medium", "high"] | None = None
    rationale: Rationale | None = None


class OutcomeGiven(_Closed):
    scenario: Key
    criterion: Criterion
    value: Value | None = Field(None, description="none: take the proposed aggregate")
    low: Value | None = None
    high: Value | None = None
    duration: Days | None = None
    duration_low: Days | None = None
    duration_high: Days | None = None
    rationale: Rationale | None = Field(None, description="default: the session's")


class Conclusion(_Closed):
    rationale: str = Field(max_length=MAX_RATIONALE)
    outcomes: list[OutcomeGiven] = Field(default_factory=list, max_length=MAX_OUTCOMES)


def _durations(given: ScoreGiven | OutcomeGiven) -> dict[str, object] | None:
    found: dict[str, object] = {
        name: value
        for name, value in (
            ("duration", given.duration),
            ("duration_low", given.duration_low),
            ("duration_high", given.duration_high),
        )
        if value is not None
    }
    return found or None


def _outcomes(given: list[OutcomeGiven]) -> dict[tuple[str, str], sessions.Outcome]:
    out: dict[tuple[str, str], sessions.Outcome] = {}
    for i, o in enumerate(given):
        if (o.scenario, o.criterion) in out:
            raise ValidationError(
                [Issue(f"outcomes.{i}", "criterion", said("given twice"))],
                summary=said("session not concluded"),
            )
        out[(o.scenario, o.criterion)] = sessions.Outcome(
            value=o.value,
            low=o.low,
            high=o.high,
            duration=_durations(o),
            rationale=o.rationale,
        )
    return out


@router.get(
    "",
    summary="Expert sessions",
    description="The sessions the caller may see (of one round, if asked), newest first.",
    responses=error_responses(401, 422),
)
def list_(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    round: Annotated[Key | None, Query(description="only this round's")] = None,
) -> Sessions:
    found = sessions.list_sessions(database(request), subject=caller.subject, round_key=round)
    return sessions_answer(found)


@router.post(
    "",
    summary="Plan an expert session",
    description="A planned session of a round on some of its scenarios; the chair must be "
    "cleared for all of them.",
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def create(
    request: Request,
    response: Response,
    body: SessionCreate,
    caller: Annotated[Caller, Depends(writer)],
) -> SessionOut:
    view = sessions.create_session(
        context_of(request, caller),
        key=body.key,
        round_key=body.round,
        title=body.title,
        title_en=body.title_en,
        held_on=body.held_on,
        chair=body.chair,
        scenarios=body.scenarios,
    )
    response.headers["Location"] = f"/api/v1/expert-sessions/{view.key}"
    return session_answer(view)


@router.get(
    "/{key}",
    summary="An expert session",
    description="Its scenarios, chair, experts (who has submitted) and status; a session the "
    "caller may not see is not found.",
    responses=error_responses(401, 404, 422),
)
def show(
    request: Request, key: SessionKey, caller: Annotated[Caller, Depends(reader)]
) -> SessionOut:
    return session_answer(sessions.get_session(database(request), subject=caller.subject, key=key))


@router.post(
    "/{key}/participants",
    summary="Add an expert",
    description="The chair adds an expert cleared for the session's scenarios; with an "
    "e-mail address an invitation is queued in the expert's language.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def add_expert(
    request: Request,
    key: SessionKey,
    body: ParticipantCreate,
    caller: Annotated[Caller, Depends(writer)],
) -> SessionOut:
    view = sessions.add_participant(
        context_of(request, caller),
        session=key,
        username=body.username,
        weight=body.weight,
        email=body.email,
        language=body.language,
    )
    return session_answer(view)


@router.put(
    "/{key}/participants/{username}/weight",
    summary="Set an expert's weight",
    description="The expert's weight in the pooled distribution of the Monte Carlo.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def weigh_expert(
    request: Request,
    key: SessionKey,
    username: Annotated[Key, Path(description="the expert's username")],
    body: WeightUpdate,
    caller: Annotated[Caller, Depends(writer)],
) -> SessionOut:
    view = sessions.set_weight(
        context_of(request, caller), session=key, username=username, weight=body.weight
    )
    return session_answer(view)


@router.post(
    "/{key}/advance",
    summary="Move the session on",
    description="planned → scoring → discussion; from discussion to scoring opens the next "
    "scoring round. Concluding is /conclude.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def advance(
    request: Request, key: SessionKey, body: Step, caller: Annotated[Caller, Depends(writer)]
) -> SessionOut:
    view = sessions.advance(
        context_of(request, caller),
        session=key,
        to=SessionStatus(body.to),
        expected_version=body.version,
    )
    return session_answer(view)


@router.put(
    "/{key}/scores/{scenario}/{criterion}",
    summary="Score a criterion",
    description="The signed-in expert's score (created or replaced) of one criterion, or the "
    "likelihood, of one of the session's scenarios, until they submit.",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def score(
    request: Request,
    key: SessionKey,
    scenario: Annotated[Key, Path(description="one of the session's scenarios")],
    criterion: Annotated[Criterion, Path(description='a catalogue code, or "likelihood"')],
    body: ScoreGiven,
    caller: Annotated[Caller, Depends(writer)],
) -> Response:
    sessions.score(
        context_of(request, caller),
        session=key,
        scenario=scenario,
        criterion=criterion,
        value=body.value,
        low=body.low,
        high=body.high,
        duration=_durations(body),
        confidence=body.confidence,
        rationale=body.rationale,
    )
    return Response(status_code=204)


@router.post(
    "/{key}/submit",
    summary="Submit one's scores",
    description="The signed-in expert's scores of the current scoring round are final; from "
    "now on they see the other experts' scores of it.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def submit(
    request: Request, key: SessionKey, caller: Annotated[Caller, Depends(writer)]
) -> SessionOut:
    return session_answer(sessions.submit(context_of(request, caller), session=key))


def _round(request: Request, caller: Caller, key: str, given: int | None) -> int:
    if given is not None:
        return given
    view = sessions.get_session(database(request), subject=caller.subject, key=key)
    return view.scoring_round


@router.get(
    "/{key}/scores",
    summary="The experts' scores",
    description="The scores of one scoring round the caller may see: an expert's own always, "
    "the others' once they have submitted (the chair sees them arrive).",
    responses=error_responses(401, 404, 422),
)
def scores(
    request: Request,
    key: SessionKey,
    caller: Annotated[Caller, Depends(reader)],
    round: RoundQuery = None,
) -> Scores:
    scoring_round = _round(request, caller, key, round)
    found = sessions.scores_of(
        database(request), subject=caller.subject, session=key, scoring_round=scoring_round
    )
    return scores_answer(key, scoring_round, found)


@router.get(
    "/{key}/disagreement",
    summary="The disagreement per criterion",
    description="Per scenario and criterion the scores the caller may see, their spread "
    "(flagged from the threshold), the proposed aggregate and the rationales.",
    responses=error_responses(401, 404, 422),
)
def disagreement(
    request: Request,
    key: SessionKey,
    caller: Annotated[Caller, Depends(reader)],
    round: RoundQuery = None,
) -> Disagreement:
    scoring_round = _round(request, caller, key, round)
    found = sessions.disagreement(
        database(request), subject=caller.subject, session=key, scoring_round=scoring_round
    )
    return disagreement_answer(key, scoring_round, found)


@router.post(
    "/{key}/conclude",
    summary="Conclude the session",
    description="The chair's outcome per criterion becomes the round's score: each scored "
    "criterion takes the proposed aggregate unless an outcome gives its value.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def conclude(
    request: Request, key: SessionKey, body: Conclusion, caller: Annotated[Caller, Depends(writer)]
) -> SessionOut:
    view = sessions.conclude(
        context_of(request, caller),
        session=key,
        rationale=body.rationale,
        outcomes=_outcomes(body.outcomes),
    )
    return session_answer(view)


_DOCUMENT = {"schema": {"type": "string"}}


@router.get(
    "/{key}/minutes",
    summary="The session's minutes",
    description="Participants by organisation, per criterion the spread, the outcome and its "
    "reasoning, in the reader's language, as Markdown or a standalone HTML page. Before the "
    "conclusion only the chair reads them (as a draft).",
    response_class=Response,
    responses={
        200: {"content": {"text/markdown": _DOCUMENT, "text/html": _DOCUMENT}},
        **error_responses(401, 404, 422),
    },
)
def minutes(
    request: Request,
    key: SessionKey,
    caller: Annotated[Caller, Depends(reader)],
    format: Annotated[Literal["md", "html"], Query(description="Markdown or HTML")] = "md",
) -> Response:
    made = sessions.minutes(database(request), subject=caller.subject, session=key)
    if format == "html":
        return Response(minutes_html(made), media_type="text/html; charset=utf-8")
    return Response(minutes_markdown(made), media_type="text/markdown; charset=utf-8")
