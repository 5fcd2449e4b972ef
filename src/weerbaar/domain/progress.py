"""Progress of the measures portfolio: milestones against their dates, the state of
each concretisation record, and what changed since the last report.

Pure: the reporting date is passed in, never read from a clock, so a report can be
rerun as of any day; the audit entries come in already limited to what the reader
may see.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from weerbaar.domain.audit import AuditEntry
from weerbaar.domain.entities.strategy import Concretisation, Measure, Milestone, Organisation
from weerbaar.domain.enums import ConcretisationStatus
from weerbaar.domain.portfolio import ministry_of

DEFAULT_HORIZON_DAYS = 90


class MilestoneState(StrEnum):
    DONE = "done"
    LATE = "late"  # not done, and its date has passed
    DUE = "due"  # not done, due within the horizon
    LATER = "later"


def milestone_state(milestone: Milestone, today: dt.date, horizon_days: int) -> MilestoneState:
    """The state as of ``today``: a milestone reached after that day was not done yet,
    so a report rerun for an earlier day says what it said then."""
    if milestone.done_on is not None and milestone.done_on <= today:
        return MilestoneState.DONE
    if milestone.due_on < today:
        return MilestoneState.LATE
    if milestone.due_on <= today + dt.timedelta(days=horizon_days):
        return MilestoneState.DUE
    return MilestoneState.LATER


@dataclass(frozen=True, slots=True)
class Owner:
    """Whom a milestone's progress is reported to: a ministry and the themes."""

    ministry: str | None
    themes: tuple[str, ...]
    parent: str  # the measure's title or the concretisation's key, for people


def measure_themes(measure: Measure, scenario_themes: Mapping[str, str]) -> tuple[str, ...]:
    """The theme a measure names, else the themes of the scenarios it lists."""
    if measure.theme:
        return (measure.theme,)
    return tuple(sorted({scenario_themes[s] for s in measure.scenarios if s in scenario_themes}))


def milestone_owner(
    milestone: Milestone,
    *,
    measures: Mapping[str, Measure],
    concretisations: Mapping[str, Concretisation],
    organisations: Mapping[str, Organisation],
    scenario_themes: Mapping[str, str],
) -> Owner:
    """A milestone's ministry and themes come from what it belongs to: its measure (the
    owner's ministry) or its concretisation record (the lead ministry)."""
    if milestone.measure and milestone.measure in measures:
        measure = measures[milestone.measure]
        return Owner(
            ministry=ministry_of(measure.owner, organisations),
            themes=measure_themes(measure, scenario_themes),
            parent=measure.title,
        )
    if milestone.concretisation and milestone.concretisation in concretisations:
        record = concretisations[milestone.concretisation]
        return Owner(ministry=record.ministry, themes=(record.theme,), parent=record.key)
    return Owner(ministry=None, themes=(), parent="")


@dataclass(frozen=True, slots=True)
class MilestoneProgress:
    milestone: Milestone
    state: MilestoneState
    owner: Owner


def in_scope(owner: Owner, *, ministry: str | None, theme: str | None) -> bool:
    return (ministry is None or owner.ministry == ministry) and (
        theme is None or theme in owner.themes
    )


_STILL_DRAFTING = frozenset({ConcretisationStatus.NOT_STARTED, ConcretisationStatus.DRAFTING})


def not_yet_concretised(record: Concretisation) -> bool:
    """A strengthened approach is concretised once it has goals and measures and has
    left the drafting stage."""
    return (
        record.status in _STILL_DRAFTING or not (record.goals or "").strip() or not record.measures
    )


@dataclass(frozen=True, slots=True)
class ConcretisationProgress:
    record: Concretisation
    not_yet_concretised: bool
    milestones: Mapping[MilestoneState, int]


def concretisation_progress(
    record: Concretisation, milestones: Iterable[MilestoneProgress]
) -> ConcretisationProgress:
    counts = dict.fromkeys(MilestoneState, 0)
    for item in milestones:
        if item.milestone.concretisation == record.key:
            counts[item.state] += 1
    return ConcretisationProgress(record, not_yet_concretised(record), counts)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A status change of a measure or concretisation record, from the audit trail."""

    entity: str
    key: str
    at: str  # ISO 8601, UTC
    actor: str
    before: str
    after: str
    label: str  # the record's title (measures) or theme (concretisations) then


def status_changes(
    entries: Iterable[AuditEntry], *, since: dt.date, until: dt.date
) -> tuple[StatusChange, ...]:
    """Edits that changed a record's status between ``since`` and ``until`` (both
    included), oldest first. Creates and deletes are not status changes."""
    out = []
    for entry in entries:
        if entry.action != "update" or entry.before is None or entry.after is None:
            continue
        on = dt.date.fromisoformat(entry.at[:10])
        if not since <= on <= until:
            continue
        before, after = json.loads(entry.before), json.loads(entry.after)
        if before.get("status") == after.get("status"):
            continue
        out.append(
            StatusChange(
                entity=entry.entity,
                key=entry.key,
                at=entry.at,
                actor=entry.actor,
                before=str(before.get("status")),
                after=str(after.get("status")),
                label=str(after.get("title") or after.get("theme") or entry.key),
            )
        )
    return tuple(sorted(out, key=lambda c: (c.at, c.entity, c.key)))


@dataclass(frozen=True, slots=True)
class Changes:
    since: dt.date
    done: tuple[MilestoneProgress, ...]  # milestones reached since then
    became_late: tuple[MilestoneProgress, ...]  # not done, their date passed since then
    status: tuple[StatusChange, ...]


def changes_since(
    milestones: Sequence[MilestoneProgress],
    status: Iterable[StatusChange],
    *,
    since: dt.date,
    today: dt.date,
) -> Changes:
    done = tuple(
        m
        for m in milestones
        if m.milestone.done_on is not None and since <= m.milestone.done_on <= today
    )
    late = tuple(
        m
        for m in milestones
        if m.state is MilestoneState.LATE and since <= m.milestone.due_on < today
    )
    return Changes(since=since, done=done, became_late=late, status=tuple(status))


@dataclass(frozen=True, slots=True)
class ProgressReport:
    today: dt.date
    horizon_days: int
    milestones: tuple[MilestoneProgress, ...]  # by due date
    concretisations: tuple[ConcretisationProgress, ...]
    changes: Changes

    def in_state(self, state: MilestoneState) -> tuple[MilestoneProgress, ...]:
        return tuple(m for m in self.milestones if m.state is state)


def progress_report(
    *,
    milestones: Iterable[Milestone],
    measures: Mapping[str, Measure],
    concretisations: Mapping[str, Concretisation],
    organisations: Mapping[str, Organisation],
    scenario_themes: Mapping[str, str],
    entries: Iterable[AuditEntry],
    today: dt.date,
    since: dt.date,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    ministry: str | None = None,
    theme: str | None = None,
) -> ProgressReport:
    """Progress as of ``today``, limited to one ministry or theme when given; the
    changes are those from ``since`` up to ``today``."""
    owners = {
        "measures": {
            key: Owner(ministry_of(m.owner, organisations), measure_themes(m, scenario_themes), "")
            for key, m in measures.items()
        },
        "concretisations": {
            key: Owner(c.ministry, (c.theme,), "") for key, c in concretisations.items()
        },
    }
    tracked = []
    for milestone in milestones:
        owner = milestone_owner(
            milestone,
            measures=measures,
            concretisations=concretisations,
            organisations=organisations,
            scenario_themes=scenario_themes,
        )
        if in_scope(owner, ministry=ministry, theme=theme):
            tracked.append(
                MilestoneProgress(milestone, milestone_state(milestone, today, horizon_days), owner)
            )
    tracked.sort(key=lambda m: (m.milestone.due_on, m.milestone.key))
    records = [
        concretisation_progress(record, tracked)
        for record in sorted(concretisations.values(), key=lambda c: (c.theme, c.ministry, c.key))
        if in_scope(owners["concretisations"][record.key], ministry=ministry, theme=theme)
    ]
    changed = [
        change
        for change in status_changes(entries, since=since, until=today)
        if change.key in owners.get(change.entity, {})
        and in_scope(owners[change.entity][change.key], ministry=ministry, theme=theme)
    ]
    return ProgressReport(
        today=today,
        horizon_days=horizon_days,
        milestones=tuple(tracked),
        concretisations=tuple(records),
        changes=changes_since(tracked, changed, since=since, today=today),
    )
