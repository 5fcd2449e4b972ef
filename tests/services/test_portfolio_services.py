"""The portfolio services on a small register: the integral view, progress reporting
and the public summary, each under need-to-know."""

import datetime as dt
import inspect
import json

import pytest

from tests.helpers import seed_scored_round
from weerbaar.domain.access import Subject
from weerbaar.domain.portfolio import CoverageState
from weerbaar.domain.progress import MilestoneState
from weerbaar.errors import NotFoundError
from weerbaar.reference.access import roles
from weerbaar.services.context import Context
from weerbaar.services.portfolio import portfolio_view
from weerbaar.services.progress import progress
from weerbaar.services.public_summary import as_html, as_markdown, public_summary
from weerbaar.services.records import create_record, update_record
from weerbaar.services.transfer import export_register
from weerbaar.storage.db import Database
from weerbaar.web.presenters import as_json
from weerbaar.web.presenters.public_summary import public_answer

TODAY = dt.date(2021, 6, 1)


def who(org: str, clearance: str = "stg-g", role: str = "analyst") -> Subject:
    return Subject(f"{role}-{org}", roles()[role], org, clearance)


def clocked(ctx: Context, day: str) -> Context:
    """The same actor on a clock that says ``day``: the audit trail dates its writes."""
    moment = dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=dt.UTC)
    return Context(db=ctx.db, actor=ctx.actor, clock=lambda: moment)


PORTFOLIO: list[tuple[str, dict[str, object]]] = [
    (
        "organisations",
        {
            "key": "min-ienw",
            "name": "Ministerie van IenW",
            "kind": "ministry",
            "abbreviation": "IenW",
        },
    ),
    (
        "organisations",
        {"key": "rws", "name": "Rijkswaterstaat", "kind": "agency", "parent": "min-ienw"},
    ),
    (
        "scenarios",
        {
            "key": "storm-surge",
            "title": "Storm surge on the coast",
            "kind": "hazard",
            "theme": "floods",
            "narrative": "A storm surge overtops the dunes.",
        },
    ),
    (
        "measures",
        {
            "key": "m-dikes",
            "title": "Dike reinforcement",
            "kind": "theme_specific",
            "status": "in_progress",
            "owner": "rws",
            "scenarios": ["lek-dike"],
            "due_on": "2030-12-31",
            "budget": 5_000_000,
        },
    ),
    (
        "measures",
        {
            "key": "m-stations",
            "title": "Protect railway stations",
            "kind": "theme_specific",
            "status": "stopped",
            "owner": "nctv",
            "theme": "terrorism",
            "budget": 250_000,
        },
    ),
    (
        "measures",
        {
            "key": "m-awareness",
            "title": "Crisis awareness for everyone",
            "kind": "generic",
            "status": "planned",
            "owner": "min-jenv",
        },
    ),
    (
        "measures",
        {
            "key": "m-secret-sensors",
            "title": "Covert dike sensor programme",
            "kind": "theme_specific",
            "status": "in_progress",
            "owner": "nctv",
            "scenarios": ["lek-dike"],
            "classification": "dep-v",
            "owned_by": "nctv",
        },
    ),
]


@pytest.fixture
def register(ctx: Context) -> Context:
    seed_scored_round(ctx)
    for entity_name, raw in PORTFOLIO:
        create_record(ctx, entity_name=entity_name, raw=raw)
    return ctx


def test_the_matrix_and_lists_of_a_small_register(register: Context, db: Database) -> None:
    view = portfolio_view(db, today=TODAY, subject=who("min-ienw"))
    p = view.portfolio
    assert view.round is not None and view.round.key == "r-2019"
    assert [(c.scenario.key, c.rank, c.state) for c in p.coverage] == [
        ("attack-station", 1, CoverageState.STALLED),
        ("lek-dike", 2, CoverageState.COVERED),
        ("storm-surge", None, CoverageState.NONE),
    ]
    assert p.ministries == ("min-ienw", "min-jenv")  # IenW before JenV
    assert p.matrix == ((0, 1), (1, 0), (0, 0))
    assert [c.scenario.key for c in p.uncovered] == ["storm-surge"]
    assert [c.scenario.key for c in p.only_stalled] == ["attack-station"]
    assert [m.key for m in p.unlinked] == ["m-awareness"]
    effort = {e.key: (e.measures, e.stalled, e.budget) for e in p.by_ministry}
    assert effort == {"min-ienw": (1, 0, 5e6), "min-jenv": (2, 1, 250_000)}
    themes = {e.key: (e.measures, e.stalled) for e in p.by_theme}
    assert themes == {"floods": (1, 0), "terrorism": (1, 1)}


def test_a_hidden_measure_never_shows_without_need_to_know(register: Context, db: Database) -> None:
    def keys(subject: Subject) -> set[str]:
        p = portfolio_view(db, today=TODAY, subject=subject).portfolio
        return {m.key for c in p.coverage for m in c.measures} | {m.key for m in p.unlinked}

    assert "m-secret-sensors" not in keys(who("min-ienw"))
    assert "m-secret-sensors" not in keys(who("nctv", clearance="public"))
    assert "m-secret-sensors" in keys(who("nctv", clearance="dep-v"))
    view = portfolio_view(db, today=TODAY, subject=who("min-ienw"))
    assert view.portfolio.matrix[1] == (1, 0)  # counts, too, leave it out
    insider = portfolio_view(db, today=TODAY, subject=who("nctv"))
    assert insider.portfolio.matrix[1] == (1, 1)


def test_filters_by_theme_and_by_ministry(register: Context, db: Database) -> None:
    floods = portfolio_view(db, theme="floods", today=TODAY).portfolio
    assert [c.scenario.key for c in floods.coverage] == ["lek-dike", "storm-surge"]
    assert floods.unlinked == ()
    jenv = portfolio_view(db, ministry="jenv", today=TODAY, subject=who("min-ienw"))
    assert jenv.ministry == "min-jenv"
    assert jenv.portfolio.ministries == ("min-jenv",)
    assert [c.state for c in jenv.portfolio.coverage] == [
        CoverageState.STALLED,
        CoverageState.NONE,  # the dikes are IenW's, not JenV's
        CoverageState.NONE,
    ]
    with pytest.raises(NotFoundError):
        portfolio_view(db, theme="no-such-theme")
    with pytest.raises(NotFoundError):
        portfolio_view(db, ministry="no-such-ministry")


def test_without_a_round_the_scenarios_are_listed_unranked(ctx: Context, db: Database) -> None:
    for entity_name, raw in [
        ("organisations", {"key": "min-ienw", "name": "IenW", "kind": "ministry"}),
        ("themes", {"key": "floods", "name": "O", "name_en": "Floods", "tier": "continued_focus"}),
        (
            "scenarios",
            {"key": "dike", "title": "Dike", "kind": "hazard", "theme": "floods", "narrative": "-"},
        ),
    ]:
        create_record(ctx, entity_name=entity_name, raw=raw)
    view = portfolio_view(db, today=TODAY)
    assert view.round is None
    assert [(c.scenario.key, c.rank, c.state) for c in view.portfolio.coverage] == [
        ("dike", None, CoverageState.NONE)
    ]


def test_progress_change_since_reads_the_audit_trail(register: Context, db: Database) -> None:
    early = clocked(register, "2021-01-05")
    create_record(
        early,
        entity_name="concretisations",
        raw={
            "key": "conc-terrorism",
            "theme": "terrorism",
            "ministry": "min-jenv",
            "cycle": "nss-2019",
            "status": "drafting",
        },
    )
    create_record(
        early,
        entity_name="milestones",
        raw={
            "key": "ms-plan",
            "title": "Plan agreed",
            "concretisation": "conc-terrorism",
            "due_on": "2021-04-01",
        },
    )
    create_record(
        early,
        entity_name="milestones",
        raw={
            "key": "ms-dike-1",
            "title": "First dike stretch",
            "measure": "m-dikes",
            "due_on": "2021-03-15",
            "done_on": "2021-03-20",
        },
    )
    create_record(
        early,
        entity_name="milestones",
        raw={
            "key": "ms-sensors",
            "title": "Covert sensors placed",
            "measure": "m-secret-sensors",
            "due_on": "2021-07-01",
            "classification": "dep-v",
            "owned_by": "nctv",
        },
    )
    spring = clocked(register, "2021-04-10")
    update_record(
        spring,
        entity_name="concretisations",
        key="conc-terrorism",
        changes={"status": "in_progress"},
    )
    update_record(spring, entity_name="measures", key="m-dikes", changes={"status": "completed"})
    update_record(
        spring, entity_name="measures", key="m-secret-sensors", changes={"status": "stopped"}
    )
    update_record(spring, entity_name="measures", key="m-awareness", changes={"budget": 10})

    outsider = progress(db, today=TODAY, since=dt.date(2021, 3, 1), subject=who("min-ienw"))
    report = outsider.report
    assert [m.milestone.key for m in report.in_state(MilestoneState.LATE)] == ["ms-plan"]
    assert [m.milestone.key for m in report.in_state(MilestoneState.DONE)] == ["ms-dike-1"]
    assert report.in_state(MilestoneState.DUE) == ()  # the covert one is hidden
    (record,) = report.concretisations
    assert record.not_yet_concretised  # no goals, no measures
    assert [m.milestone.key for m in report.changes.done] == ["ms-dike-1"]
    assert [m.milestone.key for m in report.changes.became_late] == ["ms-plan"]
    assert [(c.key, c.before, c.after) for c in report.changes.status] == [
        ("conc-terrorism", "drafting", "in_progress"),
        ("m-dikes", "in_progress", "completed"),
    ]
    insider = progress(db, today=TODAY, since=dt.date(2021, 3, 1), subject=who("nctv")).report
    assert "m-secret-sensors" in {c.key for c in insider.changes.status}
    assert [m.milestone.key for m in insider.in_state(MilestoneState.DUE)] == ["ms-sensors"]
    later = progress(db, today=TODAY, since=dt.date(2021, 4, 11)).report
    assert later.changes.status == ()
    assert later.changes.done == () and later.changes.became_late == ()
    ienw = progress(db, today=TODAY, since=dt.date(2021, 3, 1), ministry="min-ienw").report
    assert [c.key for c in ienw.changes.status] == ["m-dikes"]
    assert ienw.concretisations == ()
    terrorism = progress(db, today=TODAY, since=dt.date(2021, 3, 1), theme="terrorism").report
    assert [m.milestone.key for m in terrorism.milestones] == ["ms-plan"]


COVERT = "covert"  # every classified record below carries this word in key and title

PUBLIC_MIX: list[tuple[str, dict[str, object]]] = [
    (
        "themes",
        {
            "key": "cyber",
            "name": "Digitale dreigingen",
            "name_en": "Cyber threats",
            "tier": "strengthened",
        },
    ),
    (
        "organisations",
        {
            "key": "rode-kruis",
            "name": "Nederlandse Rode Kruis",
            "name_en": "Netherlands Red Cross",
            "kind": "civil_society",
        },
    ),
    (
        "organisations",
        {"key": "covert-unit", "name": "Covert unit", "kind": "agency", "classification": "dep-v"},
    ),
    (
        "organisations",
        {
            "key": "covert-owned",
            "name": "Covert owned agency",
            "kind": "agency",
            "owned_by": "nctv",
        },
    ),
    (
        "themes",
        {
            "key": "covert-ops",
            "name": "Covert operations",
            "name_en": "Covert operations",
            "tier": "strengthened",
            "classification": "stg-c",
        },
    ),
    (
        "scenarios",
        {
            "key": "covert-public-child",
            "title": "Covert child of a secret theme",
            "kind": "threat",
            "theme": "covert-ops",
            "narrative": "-",
        },
    ),
    (
        "scenarios",
        {
            "key": "covert-dike-sabotage",
            "title": "Covert dike sabotage",
            "kind": "threat",
            "theme": "floods",
            "narrative": "-",
            "classification": "dep-v",
        },
    ),
    (
        "measures",
        {
            "key": "m-public-dikes",
            "title": "Public dike programme",
            "kind": "theme_specific",
            "status": "in_progress",
            "owner": "min-jenv",
            "theme": "floods",
            "scenarios": ["lek-dike", "covert-dike-sabotage"],
            "partners": ["rode-kruis", "covert-unit", "covert-owned"],
        },
    ),
    (
        "measures",
        {
            "key": "m-covert-classified",
            "title": "Covert classified measure",
            "kind": "theme_specific",
            "status": "planned",
            "owner": "min-jenv",
            "theme": "floods",
            "classification": "dep-v",
        },
    ),
    (
        "measures",
        {
            "key": "m-covert-marked",
            "title": "Covert public but owned measure",
            "kind": "generic",
            "status": "planned",
            "owner": "min-jenv",
            "owned_by": "nctv",
            "partners": ["rode-kruis"],
        },
    ),
    (
        "measures",
        {
            "key": "m-covert-owner",
            "title": "Covert owner measure",
            "kind": "generic",
            "status": "planned",
            "owner": "covert-unit",
            "partners": ["rode-kruis"],
        },
    ),
    (
        "measures",
        {
            "key": "m-covert-under-theme",
            "title": "Covert theme measure",
            "kind": "theme_specific",
            "status": "planned",
            "owner": "min-jenv",
            "theme": "covert-ops",
        },
    ),
    (
        "measures",
        {
            "key": "m-neighbours",
            "title": "Neighbours help neighbours",
            "kind": "generic",
            "status": "in_progress",
            "owner": "min-jenv",
            "partners": ["rode-kruis"],
        },
    ),
    (
        "measures",
        {
            "key": "m-households",
            "title": "Household preparedness",
            "kind": "generic",
            "status": "planned",
            "owner": "min-jenv",
            "description": "Helps households prepare an emergency kit.",
        },
    ),
]


def test_the_public_summary_never_shows_a_non_public_record(ctx: Context, db: Database) -> None:
    seed_scored_round(ctx)
    update_record(ctx, entity_name="themes", key="terrorism", changes={"classification": "dep-v"})
    for entity_name, raw in PUBLIC_MIX:
        create_record(ctx, entity_name=entity_name, raw=raw)
    # The register holds the classified records, and an administrator may see them all.
    admin = who("nctv", clearance="stg-g", role="administrator")
    exported = json.dumps(export_register(db, subject=admin))
    assert COVERT in exported.lower() and "attack-station" in exported
    # The summary takes no reader at all, so no clearance can widen it.
    assert list(inspect.signature(public_summary).parameters) == ["db"]
    summary = public_summary(db)
    outputs = [as_markdown(summary), as_json(public_answer(summary)), as_html(summary)]
    hidden = [
        COVERT,
        "Terrorism and extremism",
        "Terrorisme en extremisme",
        "attack-station",
        "railway station",
        "Jihadist",
        "lone actor",
    ]
    for text in outputs:
        for word in hidden:
            assert word.lower() not in text.lower(), (word, text)
    data = json.loads(outputs[1])
    shown = {t["key"] for tier in data["tiers"] for t in tier["themes"]}
    assert shown == {"floods", "cyber"}
    floods = next(t for tier in data["tiers"] for t in tier["themes"] if t["key"] == "floods")
    assert [r["key"] for r in floods["risks"]] == ["lek-dike"]
    assert [m["key"] for m in floods["measures"]] == ["m-public-dikes"]
    # Both languages, as the register keeps them, whoever asks in whichever language.
    assert floods["measures"][0]["civil_society"] == ["Nederlandse Rode Kruis"]
    assert floods["measures"][0]["civil_society_en"] == ["Netherlands Red Cross"]
    cyber = next(t for tier in data["tiers"] for t in tier["themes"] if t["key"] == "cyber")
    assert cyber["advice"] and data["advice"]  # from the reference data
    assert [m["key"] for m in data["self_help_measures"]] == ["m-households", "m-neighbours"]
    assert "NL-Alert" in outputs[0] and "crisis.nl" in data["advice_source"]
    assert "<script" not in outputs[2]
