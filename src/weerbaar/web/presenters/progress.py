"""Progress per ministry and theme as it is handed out: the model of the API's
``/progress`` and of ``weerbaar report progress --format json``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from weerbaar.domain.progress import (
    ConcretisationProgress,
    MilestoneProgress,
    MilestoneState,
    StatusChange,
)
from weerbaar.services.progress import ProgressView


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
