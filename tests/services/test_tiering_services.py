"""Tier proposals, decisions beside them, and the portfolio's input rules, through the
services on a real database."""

import datetime as dt

import pytest

from tests.helpers import seed_scored_round
from weerbaar.domain.access import Subject
from weerbaar.domain.enums import Tier
from weerbaar.errors import ValidationError
from weerbaar.reference.access import roles
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, list_records, update_record
from weerbaar.services.tier_decisions import decide_tier
from weerbaar.services.tier_proposals import default_rules_as_records, propose_tiers
from weerbaar.storage.db import Database

TODAY = dt.date(2021, 6, 1)


def _measure(ctx: Context, key: str, **extra: object) -> None:
    raw: dict[str, object] = {
        "key": key,
        "title": f"Measure {key}",
        "kind": "theme_specific",
        "status": "in_progress",
        "owner": "min-jenv",
        **extra,
    }
    create_record(ctx, entity_name="measures", raw=raw)


def _entries(db: Database) -> int:
    return len(recent_entries(db, limit=10_000))


def test_default_rules_propose_with_reasons(ctx: Context) -> None:
    seed_scored_round(ctx)
    report = propose_tiers(ctx.db, today=TODAY)
    assert not report.rules_from_cycle and report.round is not None
    terrorism, floods = report.proposal("terrorism"), report.proposal("floods")
    assert terrorism is not None and floods is not None
    # The station attack ranks first of two: the top of the percentile scale.
    assert terrorism.tier is Tier.STRENGTHENED and terrorism.rule == "top-quartile-risk"
    assert any("risk_quantile" in r and "met" in r for r in terrorism.reasons)
    # The dike breach ranks last; with no measure at all there is no approach yet.
    assert floods.tier is Tier.STRENGTHENED and floods.rule == "no-measures"
    _measure(ctx, "m-dikes", theme="floods", scenarios=["lek-dike"])
    floods = propose_tiers(ctx.db, today=TODAY).proposal("floods")
    assert floods is not None and floods.tier is Tier.CONTINUED_FOCUS


def test_capability_gaps_are_evidence(ctx: Context) -> None:
    seed_scored_round(ctx)
    create_record(
        ctx,
        entity_name="capabilities",
        raw={"key": "cap-evacuation", "name": "Mass evacuation", "phase": "response"},
    )
    create_record(
        ctx,
        entity_name="capability_needs",
        raw={
            "scenario": "lek-dike",
            "capability": "cap-evacuation",
            "needed": "adequate",
            "current": "initial",
        },
    )
    evidence = {e.theme: e for e in propose_tiers(ctx.db, today=TODAY).evidence}
    assert evidence["floods"].capability_gap == 1.0 and evidence["floods"].largest_gap == 2
    assert evidence["terrorism"].capability_gap is None


def test_a_decision_against_the_proposal_must_say_why(ctx: Context) -> None:
    seed_scored_round(ctx)
    before = _entries(ctx.db)
    with pytest.raises(ValidationError) as refused:
        decide_tier(
            ctx,
            theme="terrorism",
            tier=Tier.CONTINUED_FOCUS,
            rationale="handled well enough",
            decided_by="Council of Ministers",
            decided_on=TODAY,
        )
    assert "deviation" in str(refused.value) and "strengthened" in str(refused.value)
    assert _entries(ctx.db) == before
    saved = decide_tier(
        ctx,
        theme="terrorism",
        tier=Tier.CONTINUED_FOCUS,
        rationale="handled well enough",
        decided_by="Council of Ministers",
        lead="min-jenv",
        involved=["nctv"],
        deviation="the new programme started this month covers the top scenario",
        decided_on=TODAY,
    )
    decision = saved.record
    assert decision.proposed_tier is Tier.STRENGTHENED and decision.tier is Tier.CONTINUED_FOCUS
    assert decision.proposal_rule == "top-quartile-risk"
    assert "risk_quantile" in (decision.proposal_reasons or "")
    report = propose_tiers(ctx.db, today=TODAY)
    assert report.decisions["terrorism"].key == decision.key
    # The theme now has the decided tier; the proposal still says strengthened.
    assert report.themes["terrorism"].tier is Tier.CONTINUED_FOCUS
    assert ("terrorism", Tier.STRENGTHENED) in [(c.theme, c.proposed) for c in report.changes()]


def test_a_decision_for_a_missing_theme_writes_nothing(ctx: Context) -> None:
    seed_scored_round(ctx)
    before = _entries(ctx.db)
    with pytest.raises(ValidationError, match="no themes 'cyberr'"):
        decide_tier(ctx, theme="cyberr", tier="strengthened", rationale="x", decided_by="y")
    with pytest.raises(ValidationError, match="no themes 'cyberr'"):
        create_record(
            ctx,
            entity_name="decisions",
            raw={
                "key": "dec-x",
                "theme": "cyberr",
                "tier": "strengthened",
                "cycle": "nss-2019",
                "decided_on": "2021-01-01",
                "decided_by": "Council",
                "rationale": "x",
            },
        )
    assert _entries(ctx.db) == before


def test_portfolio_input_rules(ctx: Context) -> None:
    seed_scored_round(ctx)
    before = _entries(ctx.db)
    with pytest.raises(ValidationError, match="no organisations 'min-unknown'"):
        _measure(ctx, "m-x", owner="min-unknown")
    with pytest.raises(ValidationError, match="legislative stage"):
        _measure(ctx, "m-law", kind="legislative")
    with pytest.raises(ValidationError, match="only legislative items"):
        _measure(ctx, "m-y", rule_of_law_review="done")
    assert _entries(ctx.db) == before
    _measure(
        ctx,
        "m-law",
        kind="legislative",
        legislative_stage="council_of_state",
        starts_on="2020-01-01",
        rule_of_law_review="in_progress",
    )
    with pytest.raises(ValidationError, match="before its measure 'm-law' starts on 2020-01-01"):
        create_record(
            ctx,
            entity_name="milestones",
            raw={"key": "ms-early", "title": "Early", "measure": "m-law", "due_on": "2019-12-31"},
        )
    with pytest.raises(ValidationError, match="one measure or one concretisation"):
        create_record(
            ctx,
            entity_name="milestones",
            raw={"key": "ms-none", "title": "x", "due_on": "2021-01-01"},
        )
    with pytest.raises(ValidationError, match="unknown capability level 'superb'"):
        create_record(
            ctx,
            entity_name="capability_needs",
            raw={
                "scenario": "lek-dike",
                "capability": "cap-x",
                "needed": "superb",
                "current": "absent",
            },
        )
    with pytest.raises(ValidationError, match="agency, not a ministry"):
        create_record(
            ctx,
            entity_name="concretisations",
            raw={
                "key": "c-x",
                "theme": "terrorism",
                "ministry": "nctv",
                "cycle": "nss-2019",
                "status": "drafting",
            },
        )
    assert list_records(ctx.db, entity_name="milestones") == []


def test_cycle_rules_replace_the_default_and_a_dry_run_shows_changes(ctx: Context) -> None:
    seed_scored_round(ctx)
    update_record(ctx, entity_name="themes", key="floods", changes={"tier": "strengthened"})
    assert [c.theme for c in propose_tiers(ctx.db, today=TODAY).changes()] == []
    for row in default_rules_as_records("nss-2019"):
        create_record(ctx, entity_name="tier_rules", raw=row)
    report = propose_tiers(ctx.db, today=TODAY)
    assert report.rules_from_cycle
    assert [p.rule for p in report.proposals] == ["no-measures", "top-quartile-risk"]
    update_record(
        ctx,
        entity_name="tier_rules",
        key="nss-2019/no-measures",
        changes={"conditions": "measures == 0; scenarios >= 5"},
    )
    changes = propose_tiers(ctx.db, today=TODAY).changes()
    assert [(c.theme, c.current, c.proposed) for c in changes] == [
        ("floods", Tier.STRENGTHENED, Tier.CONTINUED_FOCUS)
    ]
    with pytest.raises(ValidationError, match="unknown metric"):
        update_record(
            ctx,
            entity_name="tier_rules",
            key="nss-2019/no-measures",
            changes={"conditions": "budget >= 5"},
        )


def test_proposals_weigh_only_what_the_reader_may_see(ctx: Context) -> None:
    seed_scored_round(ctx)
    _measure(ctx, "m-secret", theme="floods", classification="stg-c", owned_by="nctv")
    outsider = Subject("analyst-jenv", roles()["analyst"], "min-jenv", "stg-g")
    insider = Subject("analyst-nctv", roles()["analyst"], "nctv", "stg-g")
    seen = {e.theme: e for e in propose_tiers(ctx.db, today=TODAY, subject=outsider).evidence}
    assert seen["floods"].measures == 0
    seen = {e.theme: e for e in propose_tiers(ctx.db, today=TODAY, subject=insider).evidence}
    assert seen["floods"].measures == 1
