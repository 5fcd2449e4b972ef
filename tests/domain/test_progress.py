import datetime as dt
import json
from typing import TypeVar, cast

from weerbaar.domain.audit import AuditEntry
from weerbaar.domain.entities.strategy import Concretisation, Measure, Milestone, Organisation
from weerbaar.domain.enums import (
    ConcretisationStatus,
    MeasureKind,
    MeasureStatus,
    OrgKind,
)
from weerbaar.domain.fields import Value
from weerbaar.domain.progress import (
    MilestoneState,
    ProgressReport,
    milestone_state,
    not_yet_concretised,
    progress_report,
    status_changes,
)
from weerbaar.domain.register import ENTITIES

R = TypeVar("R")


def build(record: type[R], **values: Value) -> R:
    """A record as the register builds it (mypy does not see the records' fields)."""
    spec = next(e for e in ENTITIES if e.record is record)
    return cast(R, spec.build(values))


TODAY = dt.date(2021, 6, 1)


def milestone(
    key: str,
    due: str,
    done: str | None = None,
    *,
    measure: str | None = None,
    concretisation: str | None = None,
) -> Milestone:
    return build(
        Milestone,
        key=key,
        title=f"Milestone {key}",
        measure=measure,
        concretisation=concretisation,
        due_on=dt.date.fromisoformat(due),
        done_on=dt.date.fromisoformat(done) if done else None,
    )


def record(key: str = "c1", **changes: Value) -> Concretisation:
    values: dict[str, Value] = {
        "key": key,
        "theme": "cyber",
        "ministry": "min-jenv",
        "cycle": "nss-2019",
        "goals": "Raise resilience.",
        "measures": ("m1",),
        "status": ConcretisationStatus.IN_PROGRESS,
    }
    values.update(changes)
    return build(Concretisation, **values)


def test_milestones_fall_in_done_late_due_and_later() -> None:
    def state(due: str, done: str | None = None) -> MilestoneState:
        return milestone_state(milestone("x", due, done), TODAY, 90)

    assert state("2021-01-01", "2021-02-01") is MilestoneState.DONE
    assert state("2022-01-01", "2021-02-01") is MilestoneState.DONE  # done early
    assert state("2021-05-01", "2021-06-02") is MilestoneState.LATE  # done only after today
    assert state("2021-05-31") is MilestoneState.LATE
    assert state("2021-06-01") is MilestoneState.DUE  # due today is not late yet
    assert state("2021-08-30") is MilestoneState.DUE  # today + 90 days
    assert state("2021-08-31") is MilestoneState.LATER
    assert milestone_state(milestone("x", "2021-08-31"), TODAY, 91) is MilestoneState.DUE


def test_not_yet_concretised_until_goals_measures_and_past_drafting() -> None:
    assert not not_yet_concretised(record())
    assert not_yet_concretised(record(status=ConcretisationStatus.DRAFTING))
    assert not_yet_concretised(record(status=ConcretisationStatus.NOT_STARTED))
    assert not_yet_concretised(record(goals=None))
    assert not_yet_concretised(record(goals="  "))
    assert not_yet_concretised(record(measures=()))


def entry(
    seq: int, at: str, key: str, before: str, after: str, action: str = "update"
) -> AuditEntry:
    def plain(status: str) -> str:
        return json.dumps({"key": key, "title": f"Title {key}", "status": status})

    return AuditEntry(
        seq=seq,
        at=at,
        actor="test",
        action=action,
        entity="measures",
        key=key,
        before=plain(before),
        after=plain(after),
        prev_hash="",
        hash="",
    )


def test_status_changes_are_edits_that_changed_the_status_in_the_window() -> None:
    entries = [
        entry(1, "2021-01-10T10:00:00+00:00", "m1", "planned", "in_progress"),  # before since
        entry(2, "2021-03-01T00:00:00+00:00", "m1", "in_progress", "stopped"),
        entry(3, "2021-03-02T00:00:00+00:00", "m2", "planned", "planned"),  # title edit only
        entry(4, "2021-03-03T00:00:00+00:00", "m3", "planned", "completed", action="create"),
        entry(5, "2021-07-01T00:00:00+00:00", "m2", "planned", "completed"),  # after today
    ]
    got = status_changes(entries, since=dt.date(2021, 3, 1), until=TODAY)
    assert [(c.key, c.before, c.after, c.label) for c in got] == [
        ("m1", "in_progress", "stopped", "Title m1")
    ]


def test_the_report_takes_ministry_and_theme_from_the_measure_or_concretisation() -> None:
    orgs = {
        "min-jenv": build(Organisation, key="min-jenv", name="JenV", kind=OrgKind.MINISTRY),
        "nctv": build(
            Organisation, key="nctv", name="NCTV", kind=OrgKind.AGENCY, parent="min-jenv"
        ),
        "min-ienw": build(Organisation, key="min-ienw", name="IenW", kind=OrgKind.MINISTRY),
    }
    measures = {
        "m1": build(
            Measure,
            key="m1",
            title="Cyber measure",
            kind=MeasureKind.THEME_SPECIFIC,
            status=MeasureStatus.IN_PROGRESS,
            owner="nctv",
            scenarios=("ransomware",),  # no theme named: the scenario's counts
        ),
        "m2": build(
            Measure,
            key="m2",
            title="Dike works",
            kind=MeasureKind.THEME_SPECIFIC,
            status=MeasureStatus.PLANNED,
            owner="min-ienw",
            theme="floods",
        ),
    }
    concretisations = {
        "c1": record(),
        "c2": record("c2", theme="floods", ministry="min-ienw", goals=None),
    }
    milestones = [
        milestone("a", "2021-03-01", "2021-04-01", measure="m1"),  # done since
        milestone("b", "2021-05-01", measure="m1"),  # became late since
        milestone("c", "2021-01-01", concretisation="c1"),  # late before since
        milestone("d", "2021-07-01", measure="m2"),  # due
        milestone("e", "2022-07-01", concretisation="c2"),  # later
    ]
    entries = [entry(9, "2021-04-02T08:00:00+00:00", "m1", "planned", "in_progress")]

    def report(ministry: str | None = None, theme: str | None = None) -> ProgressReport:
        return progress_report(
            milestones=milestones,
            measures=measures,
            concretisations=concretisations,
            organisations=orgs,
            scenario_themes={"ransomware": "cyber"},
            entries=entries,
            today=TODAY,
            since=dt.date(2021, 3, 2),
            ministry=ministry,
            theme=theme,
        )

    everything = report()
    assert [(m.milestone.key, m.state) for m in everything.milestones] == [
        ("c", MilestoneState.LATE),
        ("a", MilestoneState.DONE),
        ("b", MilestoneState.LATE),
        ("d", MilestoneState.DUE),
        ("e", MilestoneState.LATER),
    ]
    jenv = report(ministry="min-jenv")
    assert [m.milestone.key for m in jenv.milestones] == ["c", "a", "b"]
    assert jenv.milestones[1].owner.themes == ("cyber",)
    assert [c.record.key for c in jenv.concretisations] == ["c1"]
    changes = jenv.changes
    assert [m.milestone.key for m in changes.done] == ["a"]
    assert [m.milestone.key for m in changes.became_late] == ["b"]
    assert [c.key for c in changes.status] == ["m1"]
    floods = report(theme="floods")
    assert [m.milestone.key for m in floods.milestones] == ["d", "e"]
    (c2,) = floods.concretisations
    assert c2.not_yet_concretised
    assert c2.milestones[MilestoneState.LATER] == 1
    assert floods.changes.status == ()
