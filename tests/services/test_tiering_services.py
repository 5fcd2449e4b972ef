"""Tier proposals, decisions beside them, and the portfolio's input rules, through the
services on a real database."""

import datetime as dt

import numpy as np
import pytest

from tests.helpers import seed_scored_round
from weerbaar.domain.access import Subject
from weerbaar.domain.enums import Tier
from weerbaar.errors import ValidationError
from weerbaar.reference.access import roles
from weerbaar.reference.tiering import default_tier_rules
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.kept import sight_key
from weerbaar.services.records import create_record, list_records, update_record
from weerbaar.services.tier_decisions import decide_tier
from weerbaar.services.tier_proposals import give_cycle_rules, propose_tiers
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


def _attack_certain(ctx: Context) -> None:
    """Score the station attack's likelihood as D without a lower band: its impact
    class (about 2.03) plus likelihood class 4 lies on the diagonal 6 of the risk
    diagram in every draw, so the theme calls for national attention for sure."""
    update_record(
        ctx,
        entity_name="likelihood_scores",
        key="r-2019/attack-station",
        changes={"lowest": "D"},
    )


def _lines(reasons: tuple[str, ...]) -> list[str]:
    return [r.strip() for r in reasons]


def test_default_rules_follow_the_strategy(ctx: Context) -> None:
    seed_scored_round(ctx)
    report = propose_tiers(ctx.db, today=TODAY)
    assert not report.rules_from_cycle and report.round is not None
    assert report.rule_set.key == "weerbaar-default"
    evidence = {e.theme: e for e in report.evidence}
    terrorism, floods = report.proposal("terrorism"), report.proposal("floods")
    assert terrorism is not None and floods is not None
    assert terrorism.draws == floods.draws == 1000

    # The dike breach: impact class B–C and likelihood class C, together about 5 in
    # every draw: under the diagonal 6, and the impact is below D. No national
    # attention, whatever the draw.
    risk, impact = evidence["floods"].risk_class, evidence["floods"].impact_class
    assert risk is not None and impact is not None
    assert float(risk.max()) < 6 and float(impact.max()) < 4
    assert floods.tier is Tier.EXPLORE_MONITOR and floods.rule == "no-national-attention"
    assert dict(floods.shares) == {Tier.EXPLORE_MONITOR: 1.0} and floods.straddles == ()
    assert any(
        r.startswith("risk_class ") and r.endswith(">= 6: not met") for r in _lines(floods.reasons)
    )

    # The station attack: a constant impact (about 2.03) and a likelihood banded from C
    # to D. Only the draws at D reach the diagonal; in those there is national
    # attention and, with no measure at all, no comprehensive approach: strengthened.
    # Elsewhere: explore and monitor. Fewer than half the draws are at D, so the
    # median tier is the lighter one, and the proposal says how unsure it is.
    risk = evidence["terrorism"].risk_class
    assert risk is not None
    attention = float(np.mean(risk >= 6))
    assert 0.3 < attention < 0.5
    assert terrorism.shares == pytest.approx(
        {Tier.STRENGTHENED: attention, Tier.EXPLORE_MONITOR: 1 - attention}
    )
    assert terrorism.tier is Tier.EXPLORE_MONITOR and terrorism.rule == "no-national-attention"
    assert terrorism.certainty == pytest.approx(1 - attention)
    assert len(terrorism.straddles) == 1 and "risk_class >= 6" in terrorism.straddles[0]
    # Both flip to strengthened when the risk rises far enough; neither needs more.
    for theme in ("terrorism", "floods"):
        assert {c.tier for c in report.counterfactuals[theme]} == {Tier.STRENGTHENED}

    # Question 1: national attention for sure, and no approach yet.
    _attack_certain(ctx)
    terrorism = propose_tiers(ctx.db, today=TODAY).proposal("terrorism")
    assert terrorism is not None
    assert terrorism.tier is Tier.STRENGTHENED and terrorism.certainty == 1.0
    assert terrorism.rule == "no-comprehensive-approach" and terrorism.straddles == ()
    assert "chain_links 0 >= 3: not met" in _lines(terrorism.reasons)
    assert terrorism.answers[1] is False

    # A comprehensive approach: the lead's measures on three links of the security
    # chain, with a partner, and no capability gap left open. Nothing says it falls
    # behind (no earlier round, no threat picture, no signals, none stalled).
    for key, phase in (("m-prevent", "prevention"), ("m-prepare", "preparation")):
        _measure(ctx, key, theme="terrorism", phase=phase, partners=["nctv"])
    _measure(ctx, "m-respond", theme="terrorism", phase="response")
    terrorism = propose_tiers(ctx.db, today=TODAY).proposal("terrorism")
    assert terrorism is not None
    assert terrorism.tier is Tier.CONTINUED_FOCUS and terrorism.rule == "approach-works"
    assert terrorism.certainty == 1.0 and dict(terrorism.answers) == {1: True, 2: True}

    # Question 2: half its measures late, so the approach falls behind.
    for key in ("m-late-1", "m-late-2", "m-late-3"):
        _measure(ctx, key, theme="terrorism", phase="response", due_on="2021-01-31")
    report = propose_tiers(ctx.db, today=TODAY)
    assert {e.theme: e for e in report.evidence}["terrorism"].measures_stalled == 0.5
    terrorism = report.proposal("terrorism")
    assert terrorism is not None
    assert terrorism.tier is Tier.STRENGTHENED and terrorism.rule == "approach-falls-behind"
    assert dict(terrorism.answers) == {1: True, 2: False}
    assert "measures_stalled 0.5 >= 0.5: met" in _lines(terrorism.reasons)


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
    report = propose_tiers(ctx.db, today=TODAY)
    evidence = {e.theme: e for e in report.evidence}
    floods = evidence["floods"]
    assert floods.capability_gap == 1.0 and floods.largest_gap == 2 and floods.gaps_open == 1
    assert evidence["terrorism"].capability_gap is None and evidence["terrorism"].gaps_open is None
    proposal = report.proposal("floods")
    assert proposal is not None
    assert "gaps_open 1 > 0: met" in _lines(proposal.reasons)
    # A measure that builds the capability for the scenario closes the gap: it still
    # falls short, but it is no longer open.
    _measure(
        ctx, "m-evacuate", theme="floods", scenarios=["lek-dike"], capabilities=["cap-evacuation"]
    )
    floods = {e.theme: e for e in propose_tiers(ctx.db, today=TODAY).evidence}["floods"]
    assert floods.capability_gap == 1.0 and floods.largest_gap == 2 and floods.gaps_open == 0


def test_a_decision_against_the_proposal_must_say_why(ctx: Context) -> None:
    seed_scored_round(ctx)
    _attack_certain(ctx)
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
    assert list_records(ctx.db, entity_name="decisions") == []
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
    assert decision.proposal_rule == "no-comprehensive-approach"
    assert "chain_links 0 >= 3: not met" in (decision.proposal_reasons or "")
    report = propose_tiers(ctx.db, today=TODAY)
    assert report.decisions["terrorism"].key == decision.key
    # The theme now has the decided tier; the proposal still says strengthened.
    assert report.themes["terrorism"].tier is Tier.CONTINUED_FOCUS
    assert ("terrorism", Tier.STRENGTHENED) in [(c.theme, c.proposed) for c in report.changes()]
    # A decision that follows the proposal needs no reason beyond its rationale.
    agreed = decide_tier(
        ctx,
        theme="floods",
        tier=Tier.EXPLORE_MONITOR,
        rationale="below the diagonal",
        decided_by="Council of Ministers",
        decided_on=TODAY,
    ).record
    assert agreed.proposed_tier is Tier.EXPLORE_MONITOR and agreed.deviation is None
    assert agreed.proposal_rule == "no-national-attention"


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
    _attack_certain(ctx)
    update_record(ctx, entity_name="themes", key="floods", changes={"tier": "explore_monitor"})
    assert [c.theme for c in propose_tiers(ctx.db, today=TODAY).changes()] == []
    written = give_cycle_rules(ctx, "nss-2019", default_tier_rules())
    assert [w.record.name for w in written] == [r.key for r in default_tier_rules().rules]
    report = propose_tiers(ctx.db, today=TODAY)
    assert report.rules_from_cycle and report.rule_set.key == "nss-2019"
    assert [p.rule for p in report.proposals] == [
        "no-national-attention",
        "no-comprehensive-approach",
    ]
    # Question 1 weighed only for themes with five scenarios or more: the attack's
    # theme has one, so its (sure) national attention with nothing against it falls
    # through to the rule that keeps the focus.
    update_record(
        ctx,
        entity_name="tier_rules",
        key="nss-2019/no-comprehensive-approach",
        changes={"conditions": "all(chain_links < 3, scenarios >= 5)"},
    )
    report = propose_tiers(ctx.db, today=TODAY)
    assert [(c.theme, c.current, c.proposed, c.rule) for c in report.changes()] == [
        ("terrorism", Tier.STRENGTHENED, Tier.CONTINUED_FOCUS, "approach-works")
    ]
    # A dry run of the default set beside the cycle's edited rules changes nothing.
    dry = propose_tiers(ctx.db, today=TODAY, rule_set=default_tier_rules())
    assert not dry.rules_from_cycle and dry.changes() == ()
    before = _entries(ctx.db)
    with pytest.raises(ValidationError, match="unknown metric 'budget'"):
        update_record(
            ctx,
            entity_name="tier_rules",
            key="nss-2019/no-comprehensive-approach",
            changes={"conditions": "budget >= 5"},
        )
    with pytest.raises(ValidationError, match="risk_quantile is no longer weighed"):
        update_record(
            ctx,
            entity_name="tier_rules",
            key="nss-2019/no-comprehensive-approach",
            changes={"conditions": "risk_quantile >= 0.75"},
        )
    # A record carries no named conditions, an empty one is no condition at all: both
    # are refused when written, not when the rules are next applied.
    for bad, reason in [
        ("not(comprehensive-approach)", "no condition named 'comprehensive-approach'"),
        ("all()", r"all\(\) has no condition in it"),
    ]:
        with pytest.raises(ValidationError, match=reason):
            update_record(
                ctx,
                entity_name="tier_rules",
                key="nss-2019/no-comprehensive-approach",
                changes={"conditions": bad},
            )
    with pytest.raises(ValidationError, match="already has its own rules"):
        give_cycle_rules(ctx, "nss-2019", default_tier_rules())
    assert _entries(ctx.db) == before
    assert len(list_records(ctx.db, entity_name="tier_rules")) == len(written)


def test_proposals_weigh_only_what_the_reader_may_see(ctx: Context) -> None:
    seed_scored_round(ctx)
    _measure(
        ctx,
        "m-secret",
        theme="floods",
        phase="response",
        partners=["nctv"],
        classification="stg-c",
        owned_by="nctv",
    )
    outsider = Subject("analyst-jenv", roles()["analyst"], "min-jenv", "stg-g")
    insider = Subject("analyst-nctv", roles()["analyst"], "nctv", "stg-g")
    seen = {e.theme: e for e in propose_tiers(ctx.db, today=TODAY, subject=outsider).evidence}
    assert (seen["floods"].measures, seen["floods"].chain_links, seen["floods"].partners) == (
        0,
        0,
        0,
    )
    seen = {e.theme: e for e in propose_tiers(ctx.db, today=TODAY, subject=insider).evidence}
    # Floods has no lead, so both the owner and the partner count as partners.
    assert (seen["floods"].measures, seen["floods"].chain_links, seen["floods"].partners) == (
        1,
        1,
        2,
    )


def test_a_report_is_kept_until_the_register_changes(ctx: Context) -> None:
    seed_scored_round(ctx)
    first = propose_tiers(ctx.db, today=TODAY)
    assert propose_tiers(ctx.db, today=TODAY) is first
    # Another day can make measures late: it is another question.
    assert propose_tiers(ctx.db, today=TODAY + dt.timedelta(days=1)) is not first
    _measure(ctx, "m-dikes", theme="floods", phase="response")
    again = propose_tiers(ctx.db, today=TODAY)
    assert again is not first
    measures = {e.theme: e.measures for e in again.evidence}
    assert measures["floods"] == 1 + {e.theme: e.measures for e in first.evidence}["floods"]


def test_a_guest_never_shares_what_another_reader_was_given(ctx: Context) -> None:
    analyst = Subject("analyst-nctv", roles()["analyst"], "nctv", "dep-v")
    guest_role = next(r for r in roles().values() if r.guest)
    guest = Subject("expert-a", guest_role, "nctv", "dep-v")
    other_guest = Subject("expert-b", guest_role, "nctv", "dep-v")
    keys = {sight_key(ctx.db, s, "asked") for s in (analyst, guest, other_guest)}
    assert len(keys) == 3
    # Readers of one organisation and clearance who are no guests see alike.
    colleague = Subject("analyst-2", roles()["analyst"], "nctv", "dep-v")
    assert sight_key(ctx.db, colleague, "asked") == sight_key(ctx.db, analyst, "asked")
