"""Expert sessions as they are handed out: the models of the API's ``/expert-sessions``
answers and of ``weerbaar session … --format json``.

What a reader is handed is what the services let them see: an expert who has not
submitted finds only their own scores here, and the spread and proposal are of those
scores alone.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from weerbaar.domain.classes import ClassScore
from weerbaar.domain.sessions import Aggregate
from weerbaar.reference.sessions import elicitation
from weerbaar.services.sessions import (
    CriterionView,
    ExpertScoreView,
    Participant,
    SessionView,
)


class ParticipantOut(BaseModel):
    username: str
    display_name: str
    organisation: str
    weight: float = Field(description="the expert's weight in the pooled distribution")
    invited: bool = Field(description="an invitation went out by e-mail")
    submitted: bool = Field(description="submitted their scores of the current scoring round")


class SessionOut(BaseModel):
    key: str
    round: str
    title: str
    title_en: str | None
    held_on: dt.date
    chair: str
    status: str = Field(description="planned, scoring, discussion or concluded")
    scoring_round: int = Field(description="the current (Delphi) scoring round, from 1")
    scenarios: list[str]
    participants: list[ParticipantOut]
    rationale: str | None = Field(description="the chair's reasoning at the conclusion")
    concluded_by: str | None
    concluded_at: dt.datetime | None
    version: int = Field(description="+1 on every step of the session")


class Sessions(BaseModel):
    sessions: list[SessionOut] = Field(description="newest first")


class Classes(BaseModel):
    """A range of classes: lowest, expected, highest (e.g. B, C, Dhigh)."""

    lowest: str
    expected: str
    highest: str


class ExpertScoreOut(BaseModel):
    scenario: str
    criterion: str = Field(description='a catalogue code, or "likelihood"')
    expert: str
    scoring_round: int
    value: str = Field(description="what was given, as one line: a class or number with its range")
    expected: str | None
    lowest: str | None
    highest: str | None
    quantity: float | None
    quantity_low: float | None
    quantity_high: float | None
    duration: float | None
    duration_low: float | None
    duration_high: float | None
    probability: float | None
    probability_low: float | None
    probability_high: float | None
    classes: Classes | None = Field(description="the classes the method gives the score")
    confidence: str | None
    rationale: str | None
    scored_at: dt.datetime


class Scores(BaseModel):
    session: str
    scoring_round: int
    scores: list[ExpertScoreOut] = Field(description="those the caller may see")


class CriterionOut(BaseModel):
    scenario: str
    criterion: str
    experts: int = Field(description="how many scores the caller sees")
    spread: int | None = Field(
        description="whole classes between the lowest and highest expected class"
    )
    flagged: bool = Field(description="the spread reaches the threshold for discussion")
    lowest_expected: str | None
    highest_expected: str | None
    proposal: Classes | None = Field(
        description="the aggregate the chair may take: the median class, the hull of the ranges"
    )
    scores: list[ExpertScoreOut]


class Disagreement(BaseModel):
    session: str
    scoring_round: int
    flag_from: int = Field(description="a spread of this many classes or more is flagged")
    criteria: list[CriterionOut]


def _participant(p: Participant) -> ParticipantOut:
    return ParticipantOut(
        username=p.username,
        display_name=p.display_name,
        organisation=p.organisation,
        weight=p.weight,
        invited=p.invited,
        submitted=p.submitted,
    )


def session_answer(view: SessionView) -> SessionOut:
    return SessionOut(
        key=view.key,
        round=view.round,
        title=view.title,
        title_en=view.title_en,
        held_on=view.held_on,
        chair=view.chair,
        status=view.status.value,
        scoring_round=view.scoring_round,
        scenarios=list(view.scenarios),
        participants=[_participant(p) for p in view.participants],
        rationale=view.rationale,
        concluded_by=view.concluded_by,
        concluded_at=view.concluded_at,
        version=view.version,
    )


def sessions_answer(views: list[SessionView]) -> Sessions:
    return Sessions(sessions=[session_answer(v) for v in views])


def _classes(lowest: ClassScore, expected: ClassScore, highest: ClassScore) -> Classes:
    return Classes(lowest=str(lowest), expected=str(expected), highest=str(highest))


def _number(value: object) -> float | None:
    return None if value is None else float(str(value))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _score(s: ExpertScoreView) -> ExpertScoreOut:
    v = s.values
    r = s.resolved
    return ExpertScoreOut(
        scenario=s.scenario,
        criterion=s.criterion,
        expert=s.username,
        scoring_round=s.scoring_round,
        value=s.value,
        expected=_text(v.get("expected")),
        lowest=_text(v.get("lowest")),
        highest=_text(v.get("highest")),
        quantity=_number(v.get("quantity")),
        quantity_low=_number(v.get("quantity_low")),
        quantity_high=_number(v.get("quantity_high")),
        duration=_number(v.get("duration")),
        duration_low=_number(v.get("duration_low")),
        duration_high=_number(v.get("duration_high")),
        probability=_number(v.get("probability")),
        probability_low=_number(v.get("probability_low")),
        probability_high=_number(v.get("probability_high")),
        classes=None if r is None else _classes(r.lowest, r.expected, r.highest),
        confidence=s.confidence,
        rationale=s.rationale,
        scored_at=s.scored_at,
    )


def scores_answer(session: str, scoring_round: int, scores: list[ExpertScoreView]) -> Scores:
    return Scores(session=session, scoring_round=scoring_round, scores=[_score(s) for s in scores])


def _proposal(p: Aggregate | None) -> Classes | None:
    return None if p is None else _classes(p.lowest, p.expected, p.highest)


def _criterion(c: CriterionView) -> CriterionOut:
    spread = c.spread
    return CriterionOut(
        scenario=c.scenario,
        criterion=c.criterion,
        experts=len(c.scores),
        spread=None if spread is None else spread.classes,
        flagged=spread is not None and spread.flagged,
        lowest_expected=None if spread is None else str(spread.lowest_expected),
        highest_expected=None if spread is None else str(spread.highest_expected),
        proposal=_proposal(c.proposal),
        scores=[_score(s) for s in c.scores],
    )


def disagreement_answer(
    session: str, scoring_round: int, criteria: list[CriterionView]
) -> Disagreement:
    return Disagreement(
        session=session,
        scoring_round=scoring_round,
        flag_from=elicitation().flag_spread_classes,
        criteria=[_criterion(c) for c in criteria],
    )
