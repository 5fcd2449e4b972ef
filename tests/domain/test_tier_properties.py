"""Properties of the default tier rules over any evidence: more risk, a wider gap, a
higher threat level or stalled measures never make a proposal lighter; a theme with a
high risk, a working approach and every gap closed gets continued focus; and every
counterfactual, applied, gives the tier it promises."""

import math
from dataclasses import replace
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.domain.enums import Tier
from weerbaar.domain.tier_counterfactuals import Counterfactual, counterfactuals
from weerbaar.domain.tiering import TIER_ORDER, ThemeEvidence, ThreatLevel, decide
from weerbaar.reference.alerting import threat_level_names
from weerbaar.reference.tiering import default_tier_rules

LEVELS = threat_level_names()
RULES = default_tier_rules()
DTN = [(number, name) for number, name in LEVELS["dtn"]]


def weight(tier: Tier) -> int:
    return TIER_ORDER.index(tier)


@st.composite
def evidences(draw: st.DrawFn) -> ThemeEvidence:
    size = draw(st.integers(1, 12))
    classes = st.floats(1.0, 5.5, allow_nan=False)
    assessed = draw(st.booleans())
    impact = np.array(draw(st.lists(classes, min_size=size, max_size=size)))
    likelihood = np.array(draw(st.lists(classes, min_size=size, max_size=size)))
    trend = draw(
        st.none() | st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=size, max_size=size)
    )
    level = draw(st.none() | st.sampled_from(DTN))
    needs = draw(st.booleans())
    measures = draw(st.integers(0, 8))
    return ThemeEvidence(
        theme="t",
        impact_class=impact if assessed else None,
        likelihood_class=likelihood if assessed else None,
        risk_class=impact + likelihood if assessed else None,
        risk_trend=np.array(trend) if assessed and trend is not None else None,
        threat_level=ThreatLevel("dtn", level[0], level[1]) if level else None,
        threat_level_raised=draw(st.integers(-1, 2)) if level else None,
        capability_gap=draw(st.floats(0.0, 1.0)) if needs else None,
        largest_gap=draw(st.integers(0, 3)) if needs else None,
        gaps_open=draw(st.integers(0, 4)) if needs else None,
        measures=measures,
        measures_stalled=draw(st.floats(0.0, 1.0)) if measures else None,
        chain_links=draw(st.integers(0, 5)),
        lead=draw(st.integers(0, 1)),
        partners=draw(st.integers(0, 4)),
        signals_growing=draw(st.integers(0, 1)),
        scenarios=draw(st.integers(0, 6)),
    )


def raised_risk(evidence: ThemeEvidence, knob: str, by: float) -> ThemeEvidence:
    values = getattr(evidence, knob)
    if values is None:
        return evidence
    median = float(np.median(values))
    return Counterfactual(knob, median, median + by, Tier.STRENGTHENED).apply(evidence, LEVELS)


@settings(max_examples=300, deadline=None)
@given(
    evidences(),
    st.sampled_from(["impact_class", "likelihood_class", "risk_trend"]),
    st.floats(0.05, 3.0),
)
def test_more_risk_never_lightens_the_proposal(
    evidence: ThemeEvidence, knob: str, by: float
) -> None:
    before = decide(RULES, evidence, LEVELS)
    after = decide(RULES, raised_risk(evidence, knob, by), LEVELS)
    assert weight(after) >= weight(before)


@settings(max_examples=300, deadline=None)
@given(evidences(), st.floats(0.0, 1.0), st.integers(0, 3), st.integers(0, 4))
def test_a_wider_capability_gap_never_lightens_the_proposal(
    evidence: ThemeEvidence, share: float, steps: int, more_open: int
) -> None:
    before = decide(RULES, evidence, LEVELS)
    wider = replace(
        evidence,
        capability_gap=max(share, evidence.capability_gap or 0.0),
        largest_gap=(evidence.largest_gap or 0) + steps,
        gaps_open=(evidence.gaps_open or 0) + more_open,
    )
    assert weight(decide(RULES, wider, LEVELS)) >= weight(before)


@settings(max_examples=300, deadline=None)
@given(evidences(), st.integers(1, 4))
def test_a_higher_threat_level_never_lightens_the_proposal(
    evidence: ThemeEvidence, steps: int
) -> None:
    level = evidence.threat_level
    top = DTN[-1][0]
    if level is None or level.level == top:
        level = ThreatLevel("dtn", DTN[0][0], DTN[0][1])
        evidence = replace(evidence, threat_level=level, threat_level_raised=0)
    before = decide(RULES, evidence, LEVELS)
    number, name = next((n, nm) for n, nm in DTN if n == min(top, level.level + steps))
    change = Counterfactual("threat_level", level.name_en, name, Tier.STRENGTHENED)
    higher = change.apply(evidence, LEVELS)
    assert higher.threat_level is not None and higher.threat_level.level == number
    assert weight(decide(RULES, higher, LEVELS)) >= weight(before)


@settings(max_examples=300, deadline=None)
@given(evidences(), st.floats(0.0, 1.0), st.integers(0, 5))
def test_stalled_measures_never_lighten_the_proposal(
    evidence: ThemeEvidence, stalled: float, links_lost: int
) -> None:
    before = decide(RULES, evidence, LEVELS)
    measures = max(1, evidence.measures)
    # A stalled measure no longer covers its link of the security chain.
    worse = replace(
        evidence,
        measures=measures,
        measures_stalled=max(stalled, evidence.measures_stalled or 0.0),
        chain_links=max(0, evidence.chain_links - links_lost),
    )
    assert weight(decide(RULES, worse, LEVELS)) >= weight(before)


@settings(max_examples=200, deadline=None)
@given(evidences(), st.floats(4.0, 5.5), st.integers(3, 5), st.integers(1, 4))
def test_closing_every_gap_with_a_working_approach_gives_continued_focus(
    evidence: ThemeEvidence, impact: float, links: int, partners: int
) -> None:
    size = evidence.draws
    working = replace(
        evidence,
        impact_class=np.full(size, impact),
        likelihood_class=np.full(size, 2.0),
        risk_class=np.full(size, impact + 2.0),
        risk_trend=None,
        threat_level=None,
        threat_level_raised=None,
        lead=1,
        chain_links=links,
        partners=partners,
        measures=max(1, evidence.measures),
        measures_stalled=0.0,
        signals_growing=0,
    )
    closed = replace(working, capability_gap=0.0, largest_gap=0, gaps_open=0)
    assert decide(RULES, closed, LEVELS) is Tier.CONTINUED_FOCUS


@settings(max_examples=150, deadline=None)
@given(evidences())
def test_every_counterfactual_applied_gives_its_tier(evidence: ThemeEvidence) -> None:
    tier = decide(RULES, evidence, LEVELS)
    for change in counterfactuals(RULES, evidence, LEVELS):
        assert change.tier is not tier
        assert decide(RULES, change.apply(evidence, LEVELS), LEVELS) is change.tier, change


def test_a_counterfactual_reads_as_a_change() -> None:
    given: dict[str, Any] = {
        "impact_class": np.array([4.5]),
        "likelihood_class": np.array([3.0]),
        "risk_class": np.array([7.5]),
        "lead": 1,
        "chain_links": 4,
        "partners": 2,
        "gaps_open": 2,
    }
    evidence = ThemeEvidence(theme="t", **given)
    assert decide(RULES, evidence, LEVELS) is Tier.STRENGTHENED
    found = {c.metric: c for c in counterfactuals(RULES, evidence, LEVELS)}
    assert found["gaps_open"].after == 0.0 and found["gaps_open"].tier is Tier.CONTINUED_FOCUS
    assert "gaps_open went from 2 to 0" in found["gaps_open"].text
    # The impact moves down until impact + likelihood falls below the diagonal of 6.
    impact = found["impact_class"]
    assert impact.tier is Tier.EXPLORE_MONITOR
    assert isinstance(impact.after, float) and math.isclose(impact.after, 2.95)
