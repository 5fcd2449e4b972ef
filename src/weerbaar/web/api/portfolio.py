"""``/portfolio``, ``/progress`` and ``/public-summary``: the integral view of risks
against effort, progress per ministry and theme, and the summary for citizens, as
``weerbaar portfolio`` and ``weerbaar report`` give them.

The first two are computed from what the caller may see; the public summary is built
from public records only, whoever asks (the API still needs a caller, like every
operation; the page ``/public`` is the summary's public face).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from weerbaar.domain.progress import (
    DEFAULT_HORIZON_DAYS,
    ConcretisationProgress,
    MilestoneProgress,
    MilestoneState,
    StatusChange,
)
from weerbaar.services.portfolio import portfolio_view
from weerbaar.services.progress import DEFAULT_SINCE_DAYS, ProgressView, progress
from weerbaar.services.public_summary import (
    PublicMeasure,
    PublicSummary,
    PublicTheme,
    public_summary,
)
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.limits import Key
from weerbaar.web.presenters.portfolio import PortfolioAnswer, portfolio_answer
from weerbaar.web.query import Day

router = APIRouter(tags=["portfolio"])

# An organisation's key, or its abbreviation as people type it (JenV, VNO-NCW).
MINISTRY_PATTERN = r"^[A-Za-z][A-Za-z0-9-]{0,63}$"
MAX_HORIZON_DAYS = 3650

ThemeQuery = Annotated[Key | None, Query(description="only this theme (key)")]
MinistryQuery = Annotated[
    str | None,
    Query(
        pattern=MINISTRY_PATTERN,
        description="only this ministry's measures (organisation key or abbreviation)",
    ),
]


# --- the portfolio ------------------------------------------------------------------


@router.get(
    "/portfolio",
    summary="Risks against effort",
    description="Which scenarios the measures the caller may see cover, per ministry; each "
    "scenario's coverage (none, only stalled measures, covered); the effort per ministry "
    "and theme; and the measures linked to no risk. With a ministry, only its measures "
    "count, against every risk.",
    responses=error_responses(401, 404, 422),
)
def portfolio(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    theme: ThemeQuery = None,
    ministry: MinistryQuery = None,
) -> PortfolioAnswer:
    view = portfolio_view(database(request), theme=theme, ministry=ministry, subject=caller.subject)
    return portfolio_answer(view)


# --- progress -----------------------------------------------------------------------


class MilestoneOut(BaseModel):
    key: str
    title: str
    state: MilestoneState
    due_on: dt.date
    done_on: dt.date | None
    measure: str | None
    concretisation: str | None
    belongs_to: str = Field(description="the measure's title or the concretisation's key")
    ministry: str | None
    themes: list[str]


class ConcretisationOut(BaseModel):
    key: str
    theme: str
    ministry: str
    status: str
    not_yet_concretised: bool = Field(description="still drafting, or without goals or measures")
    measures: list[str]
    milestones: dict[str, int] = Field(description="its milestones per state")


class StatusChangeOut(BaseModel):
    entity: str
    key: str
    label: str
    at: str = Field(description="ISO 8601, UTC")
    actor: str
    before: str
    after: str


class ChangesOut(BaseModel):
    since: dt.date
    milestones_done: list[str]
    milestones_became_late: list[str]
    status: list[StatusChangeOut]


class ProgressAnswer(BaseModel):
    today: dt.date
    horizon_days: int
    ministry: str | None
    theme: str | None
    milestones: list[MilestoneOut] = Field(description="by due date")
    concretisations: list[ConcretisationOut]
    changes: ChangesOut


def milestone_out(item: MilestoneProgress) -> MilestoneOut:
    m = item.milestone
    return MilestoneOut(
        key=m.key,
        title=m.title,
        state=item.state,
        due_on=m.due_on,
        done_on=m.done_on,
        measure=m.measure,
        concretisation=m.concretisation,
        belongs_to=item.owner.parent,
        ministry=item.owner.ministry,
        themes=list(item.owner.themes),
    )


def concretisation_out(item: ConcretisationProgress) -> ConcretisationOut:
    r = item.record
    return ConcretisationOut(
        key=r.key,
        theme=r.theme,
        ministry=r.ministry,
        status=str(r.status),
        not_yet_concretised=item.not_yet_concretised,
        measures=list(r.measures),
        milestones={str(s): n for s, n in item.milestones.items()},
    )


def change_out(change: StatusChange) -> StatusChangeOut:
    return StatusChangeOut(
        entity=change.entity,
        key=change.key,
        label=change.label,
        at=change.at,
        actor=change.actor,
        before=change.before,
        after=change.after,
    )


def progress_answer(view: ProgressView) -> ProgressAnswer:
    report = view.report
    changes = report.changes
    return ProgressAnswer(
        today=report.today,
        horizon_days=report.horizon_days,
        ministry=view.ministry,
        theme=view.theme,
        milestones=[milestone_out(m) for m in report.milestones],
        concretisations=[concretisation_out(c) for c in report.concretisations],
        changes=ChangesOut(
            since=changes.since,
            milestones_done=[m.milestone.key for m in changes.done],
            milestones_became_late=[m.milestone.key for m in changes.became_late],
            status=[change_out(c) for c in changes.status],
        ),
    )


@router.get(
    "/progress",
    summary="Progress per ministry and theme",
    description="Milestones late, due within the horizon, done and later; each "
    "concretisation record with its status and whether it is concretised yet; and what "
    "changed since a date (milestones done or become late, status changes) — all as far "
    "as the caller may see.",
    responses=error_responses(401, 404, 422),
)
def progress_report(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    ministry: MinistryQuery = None,
    theme: ThemeQuery = None,
    since: Annotated[
        Day | None,
        Query(description=f"changes since this day (default: {DEFAULT_SINCE_DAYS} days ago)"),
    ] = None,
    horizon: Annotated[
        int,
        Query(ge=1, le=MAX_HORIZON_DAYS, description="days ahead a milestone counts as due"),
    ] = DEFAULT_HORIZON_DAYS,
) -> ProgressAnswer:
    view = progress(
        database(request),
        ministry=ministry,
        theme=theme,
        since=since,
        horizon_days=horizon,
        subject=caller.subject,
    )
    return progress_answer(view)


# --- the public summary -------------------------------------------------------------


class PublicMeasureOut(BaseModel):
    key: str
    title: str
    owner: str
    status: str
    civil_society: list[str] = Field(description="partners from civil society")


class PublicRiskOut(BaseModel):
    key: str
    title: str
    kind: str


class PublicThemeOut(BaseModel):
    key: str
    name: str = Field(description="Dutch name")
    name_en: str
    approach: str | None
    risks: list[PublicRiskOut]
    measures: list[PublicMeasureOut]
    advice: list[str] = Field(description="what you can do yourself")


class PublicTierOut(BaseModel):
    tier: str
    label: str
    themes: list[PublicThemeOut]


class PublicSummaryAnswer(BaseModel):
    tiers: list[PublicTierOut]
    self_help_measures: list[PublicMeasureOut]
    advice: list[str]
    advice_source: str


def _public_measure(m: PublicMeasure) -> PublicMeasureOut:
    return PublicMeasureOut(
        key=m.key,
        title=m.title,
        owner=m.owner,
        status=m.status,
        civil_society=list(m.civil_society),
    )


def _public_theme(t: PublicTheme) -> PublicThemeOut:
    return PublicThemeOut(
        key=t.key,
        name=t.name,
        name_en=t.name_en,
        approach=t.approach,
        risks=[PublicRiskOut(key=r.key, title=r.title, kind=r.kind) for r in t.risks],
        measures=[_public_measure(m) for m in t.measures],
        advice=list(t.advice),
    )


def public_answer(summary: PublicSummary) -> PublicSummaryAnswer:
    return PublicSummaryAnswer(
        tiers=[
            PublicTierOut(tier=t.tier, label=t.label, themes=[_public_theme(x) for x in t.themes])
            for t in summary.tiers
        ],
        self_help_measures=[_public_measure(m) for m in summary.self_help_measures],
        advice=list(summary.advice),
        advice_source=summary.advice_source,
    )


@router.get(
    "/public-summary",
    summary="The public summary for citizens",
    description="Which risks the country prepares for, what is done about them and what "
    "people can do themselves — built from public records only, the same for every "
    "caller. The page /public shows it without signing in.",
    responses=error_responses(401),
)
def public_summary_answer(
    request: Request, caller: Annotated[Caller, Depends(reader)]
) -> PublicSummaryAnswer:
    del caller  # needed to call the API; the summary does not depend on who asks
    return public_answer(public_summary(database(request)))
