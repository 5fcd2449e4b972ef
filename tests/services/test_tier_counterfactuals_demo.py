"""Tier proposals on the demo profile: each with its certainty, and every
counterfactual checked by making the change it names; the same seed, the same answer;
stored rules of an older release read or refused by name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest
from sqlalchemy import update

from weerbaar.domain.enums import Tier
from weerbaar.domain.tier_conditions import RISK_METRICS, Combined, Comparison
from weerbaar.domain.tier_counterfactuals import RISK_STEP, Counterfactual
from weerbaar.domain.tiering import TIER_ORDER, RuleSet, ThemeEvidence, decide, level_number
from weerbaar.errors import ValidationError
from weerbaar.reference.alerting import threat_level_names
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, list_records, update_record
from weerbaar.services.tier_proposals import TierReport, cycle_rules, propose_tiers
from weerbaar.storage.db import Database
from weerbaar.storage.tables import entity_tables

# Measures past their due date count as stalled, so the day is fixed: the demo's
# proposals must not drift with the calendar.
TODAY = dt.date(2026, 12, 1)
THEMES = 13
CYCLE = "nss-2019"

# Evidence that is a count: a change is made in whole steps, and half-way is rounded
# toward where it started.
COUNTS = frozenset(
    {
        "scenarios",
        "measures",
        "chain_links",
        "lead",
        "partners",
        "largest_gap",
        "gaps_open",
        "signals_growing",
        "threat_level_raised",
    }
)


@pytest.fixture
def report(demo_register: Database) -> TierReport:
    return propose_tiers(demo_register, today=TODAY)


def _entries(db: Database) -> int:
    return len(recent_entries(db, limit=100_000))


def test_every_theme_gets_a_proposal_with_its_certainty(report: TierReport) -> None:
    assert len(report.themes) == THEMES
    assert sorted(p.theme for p in report.proposals) == sorted(report.themes)
    assert report.round is not None and report.draws == 1000
    for proposal in report.proposals:
        assert proposal.draws == 1000, proposal.theme
        assert 0 < proposal.certainty <= 1, proposal.theme
        assert math.isclose(sum(proposal.shares.values()), 1.0, abs_tol=1e-9), proposal.theme
        assert all(0 < share <= 1 for share in proposal.shares.values()), proposal.theme
        # The median tier: at least half the draws at it or lighter, and at it or heavier.
        at = TIER_ORDER.index(proposal.tier)
        assert sum(proposal.shares.get(t, 0.0) for t in TIER_ORDER[: at + 1]) >= 0.5
        assert sum(proposal.shares.get(t, 0.0) for t in TIER_ORDER[at:]) >= 0.5


def _halfway(change: Counterfactual) -> Counterfactual | None:
    """The change made half-way, or None where half-way means nothing.

    Minimality is only asserted where "half-way" has a meaning the search claims:
    - a count moves in whole steps, so half-way is rounded toward where it started
      (from 1 to 0 or 0 to 1 there is nothing in between: skipped);
    - a share (capability_gap, measures_stalled) may be halved as it is;
    - the risk is moved in steps of RISK_STEP, and the search claims the first step
      that flips, not the exact crossing: half-way is rounded toward the start onto
      that grid, so a one-step change has no half-way;
    - from no evidence at all there is no start to go half-way from;
    - the threat level is a name on a scale: its levels in between are checked
      instead (see _between).
    """
    if change.metric == "threat_level" or change.before is None:
        return None
    assert isinstance(change.before, float) and isinstance(change.after, float)
    delta = change.after - change.before
    if change.metric in RISK_METRICS:
        steps = round(delta / RISK_STEP)
        half = math.trunc(steps / 2) * RISK_STEP
    elif change.metric in COUNTS:
        half = float(math.trunc(delta / 2))
    else:
        half = delta / 2
    if half == 0:
        return None
    return dataclasses.replace(change, after=change.before + half)


def _between(change: Counterfactual, evidence: ThemeEvidence) -> list[Counterfactual]:
    """A threat level change made only part of the way: every level in between."""
    level = evidence.threat_level
    assert level is not None and isinstance(change.after, str)
    levels = threat_level_names()
    found = level_number(change.after, level.system, levels)
    assert found is not None
    low, high = sorted((level.level, found[0]))
    return [
        dataclasses.replace(change, after=name)
        for number, name in levels[level.system]
        if low < number < high
    ]


def _check(rule_set: RuleSet, evidence: ThemeEvidence, tier: Tier, change: Counterfactual) -> None:
    levels = threat_level_names()
    where = f"{evidence.theme}: {change.text}"
    flipped = decide(rule_set, change.apply(evidence, levels), levels)
    assert flipped is change.tier, where
    assert flipped is not tier, where
    partial = _between(change, evidence) if change.metric == "threat_level" else []
    halfway = _halfway(change)
    if halfway is not None:
        partial.append(halfway)
    for each in partial:
        assert decide(rule_set, each.apply(evidence, levels), levels) is tier, (where, each)


def test_counterfactuals_hold_when_applied_and_are_minimal(report: TierReport) -> None:
    evidence = {e.theme: e for e in report.evidence}
    levels = threat_level_names()
    with_change = 0
    for proposal in report.proposals:
        given = evidence[proposal.theme]
        # decide() is the proposal's own tier, so what flips it is measured against it.
        assert decide(report.rule_set, given, levels) is proposal.tier
        changes = report.counterfactuals[proposal.theme]
        with_change += bool(changes)
        for change in changes:
            assert change.text, proposal.theme
            _check(report.rule_set, given, proposal.tier, change)
    assert with_change >= 10


def test_the_same_seed_gives_the_same_proposals(demo_register: Database) -> None:
    first = propose_tiers(demo_register, today=TODAY, seed=7)
    # A write that touches no evidence: the draws are made again rather than reused.
    create_record(
        Context(db=demo_register, actor="test:analyst"),
        entity_name="organisations",
        raw={"key": "org-unrelated", "name": "Unrelated", "kind": "agency"},
    )
    again = propose_tiers(demo_register, today=TODAY, seed=7)
    assert again.proposals == first.proposals
    assert again.counterfactuals == first.counterfactuals
    # And the seed matters: some theme's shares move with another one.
    other = propose_tiers(demo_register, today=TODAY, seed=8)
    assert [p.shares for p in other.proposals] != [p.shares for p in first.proposals]


def test_stored_rules_with_a_retired_metric_are_refused_by_name(demo_register: Database) -> None:
    ctx = Context(db=demo_register, actor="test:analyst")
    create_record(
        ctx,
        entity_name="tier_rules",
        raw={
            "cycle": CYCLE,
            "name": "top-quartile-risk",
            "position": 10,
            "tier": "strengthened",
            "question": 1,
            "conditions": "risk_class >= 6",
            "reason": "a high risk",
        },
    )
    # The record checks refuse the retired metric on the way in, so the row is written
    # as a database of an older release holds it.
    rules = entity_tables["tier_rules"]
    with demo_register.engine.begin() as connection:
        connection.execute(
            update(rules)
            .where(rules.c.key == f"{CYCLE}/top-quartile-risk")
            .values(conditions="risk_quantile >= 0.75; measures == 0", match="any")
        )
    before = (_entries(demo_register), list_records(demo_register, entity_name="tier_rules"))
    themes = {t.key: t.tier for t in list_records(demo_register, entity_name="themes")}
    with pytest.raises(ValidationError) as refused:
        propose_tiers(demo_register, today=TODAY)
    text = str(refused.value)
    assert f"tier rules of cycle '{CYCLE}' cannot be applied" in text
    assert "rule 'top-quartile-risk'" in text and "risk_quantile is no longer weighed" in text
    assert "impact_class, likelihood_class or risk_class" in text
    assert (_entries(demo_register), list_records(demo_register, entity_name="tier_rules")) == (
        before
    )
    assert {t.key: t.tier for t in list_records(demo_register, entity_name="themes")} == themes


def test_an_older_rule_record_joins_its_conditions_by_its_match(demo_register: Database) -> None:
    ctx = Context(db=demo_register, actor="test:analyst")
    create_record(
        ctx,
        entity_name="tier_rules",
        raw={
            "cycle": CYCLE,
            "name": "some-approach",
            "position": 10,
            "tier": "continued_focus",
            "question": 1,
            "match": "any",
            "conditions": "lead >= 1; chain_links >= 3",
            "reason": "a lead, or enough of the chain",
        },
    )
    rule_set = cycle_rules(demo_register, CYCLE)
    assert rule_set is not None and len(rule_set.rules) == 1
    when = rule_set.rules[0].when
    assert when == Combined(
        "any", (Comparison("lead", ">=", 1.0), Comparison("chain_links", ">=", 3.0))
    )
    assert when.text == "any(lead >= 1, chain_links >= 3)"
    report = propose_tiers(demo_register, today=TODAY)
    assert report.rules_from_cycle
    evidence = {e.theme: e for e in report.evidence}
    # CBRN has a lead but measures on two links only: any() holds, all() would not.
    assert (evidence["cbrn"].lead, evidence["cbrn"].chain_links) == (1, 2)
    cbrn = report.proposal("cbrn")
    assert cbrn is not None and cbrn.tier is Tier.CONTINUED_FOCUS
    assert cbrn.rule == "some-approach"
    update_record(
        ctx, entity_name="tier_rules", key=f"{CYCLE}/some-approach", changes={"match": "all"}
    )
    cbrn = propose_tiers(demo_register, today=TODAY).proposal("cbrn")
    assert cbrn is not None and cbrn.tier is Tier.EXPLORE_MONITOR and cbrn.rule is None
