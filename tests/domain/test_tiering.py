"""The tier rules: conditions over draws, nesting, names, first-match order per draw,
the median tier and its certainty, parse errors that name the rule, and the shipped
default set on hand-made evidence."""

from typing import Any

import numpy as np
import pytest

from weerbaar.domain.enums import Tier
from weerbaar.domain.tier_conditions import MAX_DEPTH, parse_condition
from weerbaar.domain.tiering import (
    RuleError,
    RuleSet,
    ThemeEvidence,
    ThreatLevel,
    dry_run,
    median_tier,
    parse_rule_set,
    propose,
    rule_set_to_data,
    truth,
)
from weerbaar.reference.alerting import threat_level_names
from weerbaar.reference.tiering import default_tier_rules

LEVELS = threat_level_names()


def draws(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def evidence(**given: Any) -> ThemeEvidence:
    values: dict[str, Any] = {"theme": "t", "measures": 1, "measures_stalled": 0.0, "scenarios": 1}
    values.update(given)
    return ThemeEvidence(**values)


def rules(*items: dict[str, object], default: str = "explore_monitor", **extra: Any) -> RuleSet:
    return parse_rule_set(
        {
            "key": "test",
            "name": "test rules",
            "source": "tests",
            "default_tier": default,
            "rules": list(items),
            **extra,
        }
    )


def rule(key: str, when: object, tier: str = "strengthened", **extra: object) -> dict[str, object]:
    return {"key": key, "tier": tier, "question": 1, "when": when, "reason": "because", **extra}


def held(condition: str, given: ThemeEvidence, **extra: Any) -> list[bool]:
    rule_set = rules(rule("r", condition), **extra)
    return [bool(v) for v in truth(rule_set.rules[0].when, given, LEVELS)]


@pytest.mark.parametrize(
    ("condition", "value", "met"),
    [
        ("chain_links >= 3", 3, True),
        ("chain_links >= 3", 2, False),
        ("chain_links > 3", 3, False),
        ("chain_links > 3", 4, True),
        ("chain_links <= 2", 2, True),
        ("chain_links <= 2", 3, False),
        ("chain_links < 2", 2, False),
        ("chain_links < 2", 1, True),
        ("chain_links == 2", 2, True),
        ("chain_links == 2", 3, False),
        ("chain_links != 2", 2, False),
        ("chain_links != 2", 3, True),
    ],
)
def test_each_operator(condition: str, value: int, met: bool) -> None:
    assert held(condition, evidence(chain_links=value)) == [met]


def test_risk_conditions_hold_per_draw() -> None:
    given = evidence(impact_class=draws(3.5, 4.0, 4.5, 2.0))
    assert held("impact_class >= 4", given) == [False, True, True, False]
    # Facts of the register hold alike in every draw.
    assert (
        held("any(impact_class >= 4, lead >= 1)", evidence(**{**given_kw(given), "lead": 1}))
        == [True] * 4
    )


def given_kw(given: ThemeEvidence) -> dict[str, Any]:
    return {"impact_class": given.impact_class}


def test_nesting_in_text_and_in_data_means_the_same() -> None:
    text = "all(lead >= 1, not(gaps_open > 0), any(chain_links >= 3, partners >= 2))"
    data = {
        "all": [
            "lead >= 1",
            {"not": "gaps_open > 0"},
            {"any": ["chain_links >= 3", "partners >= 2"]},
        ]
    }
    assert parse_condition("r", text) == parse_condition("r", data)
    for given, expected in [
        (evidence(lead=1, gaps_open=0, chain_links=3), True),
        (evidence(lead=1, gaps_open=0, partners=2), True),
        (evidence(lead=1, gaps_open=1, chain_links=3), False),
        (evidence(lead=0, gaps_open=0, chain_links=3), False),
        (evidence(lead=1, gaps_open=0, chain_links=2, partners=1), False),
    ]:
        assert held(text, given) == [expected], given


def test_missing_evidence_never_meets_a_comparison_and_not_inverts_that() -> None:
    nothing = evidence()
    assert held("gaps_open > 0", nothing) == [False]
    assert held("not(gaps_open > 0)", nothing) == [True]
    assert held("threat_level >= substantial", nothing) == [False]
    assert held("impact_class >= 1", nothing) == [False]


def test_named_threat_levels_resolve_in_the_pictures_system() -> None:
    substantial = ThreatLevel("dtn", 4, "Substantial")
    limited = ThreatLevel("dtn", 2, "Limited")
    assert held("threat_level >= substantial", evidence(threat_level=substantial)) == [True]
    assert held("threat_level >= substantial", evidence(threat_level=limited)) == [False]
    assert held("threat_level >= 2", evidence(threat_level=limited)) == [True]
    # A level the picture's system does not have is not met rather than guessed.
    other = ThreatLevel("no-such-scale", 9, "Nine")
    assert held("threat_level >= substantial", evidence(threat_level=other)) == [False]


def test_named_conditions_are_used_by_name() -> None:
    rule_set = rules(
        rule("r", "not(ready)"),
        conditions={"ready": "all(lead >= 1, links)", "links": "chain_links >= 3"},
    )
    assert [bool(v) for v in truth(rule_set.rules[0].when, evidence(lead=1), LEVELS)] == [True]
    full = evidence(lead=1, chain_links=3)
    assert [bool(v) for v in truth(rule_set.rules[0].when, full, LEVELS)] == [False]


def test_in_each_draw_the_first_rule_that_holds_gives_the_tier() -> None:
    rule_set = rules(
        rule("low", "impact_class < 3", tier="explore_monitor"),
        rule("high", "impact_class >= 4"),
        rule("middle", "impact_class >= 3", tier="continued_focus"),
    )
    given = evidence(impact_class=draws(1, 2, 3.5, 3.5, 4.5, 5, 5, 5, 5, 5))
    proposal = propose(rule_set, given, LEVELS)
    assert dict(proposal.shares) == {
        Tier.STRENGTHENED: 0.6,
        Tier.CONTINUED_FOCUS: 0.2,
        Tier.EXPLORE_MONITOR: 0.2,
    }
    assert proposal.tier is Tier.STRENGTHENED and proposal.rule == "high"
    assert proposal.certainty == 0.6 and proposal.draws == 10
    assert "impact_class" in proposal.straddles[0]
    assert any("60 %" in line and "proposes this tier" in line for line in proposal.reasons)


def test_the_median_tier_is_the_lightest_with_half_the_draws_at_or_below_it() -> None:
    # The mode would say strengthened (40 %); half the draws are continued focus or
    # lighter, so the median says continued focus.
    shares = {Tier.STRENGTHENED: 0.4, Tier.CONTINUED_FOCUS: 0.35, Tier.EXPLORE_MONITOR: 0.25}
    assert median_tier(shares) is Tier.CONTINUED_FOCUS
    assert median_tier({Tier.STRENGTHENED: 0.5, Tier.EXPLORE_MONITOR: 0.5}) is Tier.EXPLORE_MONITOR
    assert median_tier({Tier.STRENGTHENED: 1.0}) is Tier.STRENGTHENED


def test_no_rule_holding_gives_the_default_tier() -> None:
    proposal = propose(rules(rule("r", "lead >= 1")), evidence(), LEVELS)
    assert proposal.tier is Tier.EXPLORE_MONITOR and proposal.rule is None
    assert proposal.certainty == 1.0 and proposal.straddles == ()
    assert "default tier" in proposal.reasons[-1]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("budget >= 5", "unknown metric 'budget'"),
        ("risk_quantile >= 0.75", "risk_quantile is no longer weighed; use impact_class"),
        ("all()", "all() has no condition in it"),
        ("any(lead >= 1 lead >= 2)", "expected ',' or ')'"),
        ("", "an empty condition"),
        ("lead >=", "ends too soon"),
        ("lead", "lead needs an operator and a value"),
        ("risk_quantile", "risk_quantile needs an operator"),
        ("lead ~ 1", "cannot read the condition"),
        ("not(lead >= 1, lead >= 2)", "not() takes exactly one condition"),
        ("chain_links >= many", "chain_links needs a number"),
        ("chain_links >= nan", "finite number"),
        ("lead >= 1 lead", "unexpected"),
        ("missing-name", "no condition named 'missing-name'"),
        ("all(" * (MAX_DEPTH + 1) + "lead >= 1" + ")" * (MAX_DEPTH + 1), "nested deeper"),
    ],
)
def test_parse_errors_name_the_rule_and_the_problem(when: str, expected: str) -> None:
    with pytest.raises(RuleError, match=r"rule 'bad'") as refused:
        rules(rule("bad", when))
    assert expected in str(refused.value)


def test_a_circle_of_definitions_is_refused_and_shown() -> None:
    with pytest.raises(RuleError, match=r"a circular condition: a → b → a"):
        rules(rule("r", "a"), conditions={"a": "all(b, lead >= 1)", "b": "any(a)"})
    with pytest.raises(RuleError, match=r"a circular condition: self → self"):
        rules(rule("r", "self"), conditions={"self": "not(self)"})


def test_deep_nesting_in_data_is_refused() -> None:
    deep: object = "lead >= 1"
    for _ in range(MAX_DEPTH + 1):
        deep = {"not": deep}
    with pytest.raises(RuleError, match="nested deeper"):
        rules(rule("deep", deep))


def test_older_rules_with_a_list_and_match_still_read() -> None:
    older = rules(rule("old", ["lead >= 1", "chain_links >= 3"], match="any"))
    assert older.rules[0].when.text == "any(lead >= 1, chain_links >= 3)"
    with pytest.raises(RuleError, match="'match' only goes with a list"):
        rules(rule("mixed", "all(lead >= 1)", match="all"))


def test_repeated_rule_keys_and_unknown_fields_are_refused() -> None:
    with pytest.raises(RuleError, match="rule keys repeat: r"):
        rules(rule("r", "lead >= 1"), rule("r", "lead >= 1"))
    with pytest.raises(RuleError, match="unknown field mach"):
        rules(rule("r", "lead >= 1", mach="all"))
    with pytest.raises(RuleError, match="no rules"):
        rules()
    with pytest.raises(RuleError, match="question must be 0"):
        rules(rule("r", "lead >= 1", question=3))


def test_round_trip_and_dry_run() -> None:
    default = default_tier_rules()
    assert parse_rule_set(rule_set_to_data(default)) == default
    # Thresholds that a rounded format would change must come back exactly.
    odd = rules(rule("r", "any(risk_trend > 0.123456789, capability_gap < 1e-07)"))
    data = rule_set_to_data(odd)
    assert parse_rule_set(data) == odd
    assert rule_set_to_data(parse_rule_set(data)) == data
    evidences = [evidence(theme="a"), evidence(theme="b", impact_class=draws(4.5))]
    current = {"a": Tier.STRENGTHENED, "b": Tier.STRENGTHENED}
    changes = dry_run(default, evidences, LEVELS, current)
    assert [(c.theme, c.proposed, c.rule) for c in changes] == [
        ("a", Tier.EXPLORE_MONITOR, "no-national-attention")
    ]


def comprehensive(**given: Any) -> ThemeEvidence:
    base: dict[str, Any] = {
        "impact_class": draws(4.5),
        "likelihood_class": draws(3.0),
        "risk_class": draws(7.5),
        "lead": 1,
        "chain_links": 4,
        "partners": 3,
        "gaps_open": 0,
        "capability_gap": 0.0,
        "largest_gap": 0,
    }
    base.update(given)
    return evidence(**base)


def test_the_default_rules_follow_the_strategy() -> None:
    default = default_tier_rules()
    assert default.default_tier is Tier.EXPLORE_MONITOR
    substantial = ThreatLevel("dtn", 4, "Substantial")
    cases = [
        (evidence(), "no-national-attention", Tier.EXPLORE_MONITOR),
        (
            comprehensive(impact_class=draws(3.0), risk_class=draws(5.0)),
            "no-national-attention",
            Tier.EXPLORE_MONITOR,
        ),
        (comprehensive(lead=0), "no-comprehensive-approach", Tier.STRENGTHENED),
        (comprehensive(chain_links=2), "no-comprehensive-approach", Tier.STRENGTHENED),
        (comprehensive(gaps_open=1), "no-comprehensive-approach", Tier.STRENGTHENED),
        (comprehensive(threat_level=substantial), "approach-falls-behind", Tier.STRENGTHENED),
        (comprehensive(threat_level_raised=1), "approach-falls-behind", Tier.STRENGTHENED),
        (comprehensive(risk_trend=draws(0.5)), "approach-falls-behind", Tier.STRENGTHENED),
        (comprehensive(signals_growing=1), "approach-falls-behind", Tier.STRENGTHENED),
        (comprehensive(measures_stalled=0.5), "approach-falls-behind", Tier.STRENGTHENED),
        (comprehensive(), "approach-works", Tier.CONTINUED_FOCUS),
    ]
    for given, expected_rule, expected_tier in cases:
        proposal = propose(default, given, LEVELS)
        assert (proposal.rule, proposal.tier) == (expected_rule, expected_tier), given
    answers = propose(default, comprehensive(gaps_open=2), LEVELS).answers
    assert answers[1] is False and answers[2] is True
