"""The tier rules: each kind of condition, first-match order, the default, parse
errors that name the rule, and the shipped default set."""

import pytest

from weerbaar.domain.enums import Tier
from weerbaar.domain.tiering import (
    RuleError,
    RuleSet,
    ThemeEvidence,
    ThreatLevel,
    dry_run,
    parse_conditions,
    parse_rule_set,
    propose,
    rule_set_to_data,
)
from weerbaar.reference.alerting import threat_level_names
from weerbaar.reference.tiering import default_tier_rules

LEVELS = threat_level_names()


def evidence(**given: object) -> ThemeEvidence:
    values: dict[str, object] = {
        "theme": "t",
        "risk_quantile": None,
        "risk_trend": None,
        "threat_level": None,
        "capability_gap": None,
        "largest_gap": None,
        "measures": 1,
        "measures_stalled": 0.0,
        "scenarios": 1,
    }
    values.update(given)
    return ThemeEvidence(**values)  # type: ignore[arg-type]


def rules(*items: dict[str, object], default: str = "explore_monitor") -> RuleSet:
    return parse_rule_set(
        {
            "key": "test",
            "name": "test rules",
            "source": "tests",
            "default_tier": default,
            "rules": list(items),
        }
    )


def rule(key: str, when: object, tier: str = "strengthened", **extra: object) -> dict[str, object]:
    return {"key": key, "tier": tier, "question": 1, "when": when, "reason": "because", **extra}


@pytest.mark.parametrize(
    ("condition", "value", "met"),
    [
        ("risk_quantile >= 0.75", 0.75, True),
        ("risk_quantile >= 0.75", 0.74, False),
        ("risk_quantile > 0.75", 0.75, False),
        ("risk_quantile > 0.75", 0.76, True),
        ("risk_quantile <= 0.2", 0.2, True),
        ("risk_quantile <= 0.2", 0.21, False),
        ("risk_quantile < 0.2", 0.2, False),
        ("risk_quantile < 0.2", 0.19, True),
        ("risk_quantile == 0.5", 0.5, True),
        ("risk_quantile == 0.5", 0.6, False),
        ("risk_quantile != 0.5", 0.5, False),
        ("risk_quantile != 0.5", 0.6, True),
    ],
)
def test_each_operator(condition: str, value: float, met: bool) -> None:
    found = propose(rules(rule("r", [condition])), evidence(risk_quantile=value), LEVELS)
    assert (found.tier is Tier.STRENGTHENED) is met
    assert (
        f"  {condition.replace('risk_quantile', f'risk_quantile {value:g}')}: "
        + ("met" if met else "not met")
        in found.reasons
    )


def test_a_reason_line_reads_as_in_the_strategy_notes() -> None:
    found = propose(
        rules(rule("r", ["risk_quantile >= 0.75"])), evidence(risk_quantile=0.82), LEVELS
    )
    assert found.reasons == (
        "rule r (any of 1, question 1, → strengthened): holds — proposes this tier",
        "  risk_quantile 0.82 >= 0.75: met",
    )


def test_a_shown_value_never_contradicts_its_verdict() -> None:
    # 0.30001 would read "0.3 > 0.3: met" when rounded; then it is shown in full.
    found = propose(rules(rule("r", ["risk_trend > 0.3"])), evidence(risk_trend=0.30001), LEVELS)
    assert "  risk_trend 0.30001 > 0.3: met" in found.reasons
    counted = propose(rules(rule("r", ["largest_gap >= 2"])), evidence(largest_gap=3), LEVELS)
    assert "  largest_gap 3 >= 2: met" in counted.reasons


def test_named_threat_levels_resolve_in_the_pictures_system() -> None:
    ruleset = rules(rule("lvl", ["threat_level >= substantial"]))
    significant = ThreatLevel("dtn", 3, "Significant")
    substantial = ThreatLevel("dtn", 4, "Substantial")
    assert propose(ruleset, evidence(threat_level=substantial), LEVELS).tier is Tier.STRENGTHENED
    below = propose(ruleset, evidence(threat_level=significant), LEVELS)
    assert below.tier is Tier.EXPLORE_MONITOR
    assert any("Significant (dtn 3) >= Substantial (dtn 4): not met" in r for r in below.reasons)
    # The counter-terrorism alert system has no level called "substantial".
    atb = propose(ruleset, evidence(threat_level=ThreatLevel("atb", 4, "High threat")), LEVELS)
    assert atb.tier is Tier.EXPLORE_MONITOR
    assert any("has no level 'substantial'" in r for r in atb.reasons)
    numeric = rules(rule("lvl", ["threat_level >= 4"]))
    assert propose(numeric, evidence(threat_level=substantial), LEVELS).tier is Tier.STRENGTHENED
    assert propose(numeric, evidence(threat_level=significant), LEVELS).rule is None
    # Names are case-insensitive and resolve in whichever system the picture is in.
    sector = rules(rule("lvl", ["threat_level >= HIGH"]))
    high = propose(sector, evidence(threat_level=ThreatLevel("sector", 3, "High")), LEVELS)
    assert "  threat_level High (sector 3) >= High (sector 3): met" in high.reasons
    # A name with a space is written with _ or -, as a condition is three tokens.
    very_high = rules(rule("lvl", ["threat_level >= very_high"]))
    below = propose(very_high, evidence(threat_level=ThreatLevel("sector", 3, "High")), LEVELS)
    assert "  threat_level High (sector 3) >= Very high (sector 4): not met" in below.reasons
    atb_rules = rules(rule("lvl", ["threat_level == high-threat"]))
    matched = propose(
        atb_rules, evidence(threat_level=ThreatLevel("atb", 4, "High threat")), LEVELS
    )
    assert matched.rule == "lvl"


def test_no_threat_picture_is_not_met_and_said() -> None:
    found = propose(rules(rule("lvl", ["threat_level >= 1"])), evidence(), LEVELS)
    assert found.rule is None
    assert any("threat_level: no evidence" in r and "not met" in r for r in found.reasons)


def test_missing_evidence_is_not_met_and_said() -> None:
    found = propose(rules(rule("gap", ["capability_gap >= 0.5"])), evidence(), LEVELS)
    assert found.tier is Tier.EXPLORE_MONITOR and found.rule is None
    assert any("capability_gap: no evidence" in r for r in found.reasons)
    assert found.answers[1] is None


def test_any_and_all() -> None:
    either = rule("either", ["measures == 0", "scenarios >= 3"], match="any")
    both = rule("both", ["measures == 0", "scenarios >= 3"], match="all")
    e = evidence(measures=0, scenarios=1)
    assert propose(rules(either), e, LEVELS).rule == "either"
    assert propose(rules(both), e, LEVELS).rule is None


def test_the_first_rule_that_holds_proposes() -> None:
    ruleset = rules(
        rule("first", ["risk_quantile >= 0.5"], tier="continued_focus"),
        rule("second", ["risk_quantile >= 0.9"]),
    )
    found = propose(ruleset, evidence(risk_quantile=0.95), LEVELS)
    assert found.tier is Tier.CONTINUED_FOCUS and found.rule == "first"
    # Every rule is still weighed and explained.
    assert any(r.startswith("rule second") and "holds" in r for r in found.reasons)
    # The answers weigh every rule: the second says question 1 is answered "no".
    assert found.answers[1] is False


def test_the_answers_to_the_two_questions() -> None:
    ruleset = rules(
        rule("q1", ["capability_gap >= 0.5"]),
        {**rule("q2", ["risk_trend > 0.3"]), "question": 2},
    )
    found = propose(ruleset, evidence(capability_gap=0.1, risk_trend=0.5), LEVELS)
    assert dict(found.answers) == {1: True, 2: False}


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"when": ["budget >= 5"]}, "rule 'r': unknown metric 'budget'; known: risk_quantile"),
        ({"when": ["risk_quantile => 5"]}, "rule 'r': bad operator '=>'"),
        ({"when": ["risk_quantile >= high"]}, "rule 'r': risk_quantile needs a number"),
        ({"when": ["risk_quantile >= nan"]}, "rule 'r': risk_quantile needs a finite number"),
        ({"when": ["risk_quantile>=5"]}, "is not 'metric operator value'"),
        ({"when": []}, "rule 'r': no conditions"),
        ({"question": 3}, "rule 'r': question must be 1 or 2"),
        ({"match": "most"}, "rule 'r': match must be 'any' or 'all'"),
        ({"tier": "urgent"}, "rule 'r': unknown tier 'urgent'"),
        ({"reason": " "}, "rule 'r': reason must be a non-empty text"),
        ({"when": {"risk_quantile": 0.5}}, "rule 'r': 'when' must be a condition or a list"),
        ({"mach": "all"}, "rule 'r': unknown field mach; known: key, tier"),
        ({"question": True}, "rule 'r': question must be 1 or 2"),
    ],
)
def test_parse_errors_name_the_rule_and_the_problem(
    broken: dict[str, object], message: str
) -> None:
    with pytest.raises(RuleError) as refused:
        rules({**rule("r", ["risk_quantile >= 0.5"]), **broken})
    assert message in str(refused.value)


def test_repeated_rule_keys_are_refused() -> None:
    with pytest.raises(RuleError, match="rule keys repeat: r"):
        rules(rule("r", ["measures == 0"]), rule("r", ["scenarios == 0"]))


def test_a_rule_set_refuses_unknown_fields_and_empty_rules() -> None:
    good = rule("r", ["measures == 0"])
    with pytest.raises(RuleError, match="rule set 'test': unknown field verified"):
        parse_rule_set(
            {
                "key": "test",
                "name": "n",
                "source": "s",
                "default_tier": "explore_monitor",
                "verified": True,
                "rules": [good],
            }
        )
    with pytest.raises(RuleError, match="rule set 'test': no rules"):
        rules()
    with pytest.raises(RuleError, match="rule set 'test': unknown tier 'later'"):
        rules(good, default="later")


def test_conditions_from_text() -> None:
    parsed = parse_conditions("r", "measures == 0; threat_level >= Substantial")
    assert [c.text for c in parsed] == ["measures == 0", "threat_level >= substantial"]


def test_round_trip_and_dry_run() -> None:
    default = default_tier_rules()
    assert parse_rule_set(rule_set_to_data(default)) == default
    # Thresholds that a rounded format would change must come back exactly.
    odd = rules(
        rule("r", ["risk_trend > 0.123456789", "capability_gap < 1e-07", "threat_level >= 4"]),
    )
    data = rule_set_to_data(odd)
    assert parse_rule_set(data) == odd
    assert rule_set_to_data(parse_rule_set(data)) == data
    evidences = [
        evidence(theme="a", risk_quantile=0.9),
        evidence(theme="b", risk_quantile=0.1),
        evidence(theme="c", measures=0),
    ]
    current = {"a": Tier.STRENGTHENED, "b": Tier.STRENGTHENED, "c": Tier.STRENGTHENED}
    changes = dry_run(default, evidences, LEVELS, current)
    assert [(c.theme, c.proposed, c.rule) for c in changes] == [
        ("b", Tier.CONTINUED_FOCUS, "assessed")
    ]


def test_the_default_rules_on_hand_made_evidence() -> None:
    default = default_tier_rules()
    assert default.default_tier is Tier.EXPLORE_MONITOR
    critical = ThreatLevel("dtn", 5, "Critical")
    cases = [
        (evidence(risk_quantile=0.8), "top-quartile-risk"),
        (evidence(risk_quantile=0.2, threat_level=critical), "threat-level-substantial"),
        (evidence(risk_quantile=0.2, capability_gap=0.2, largest_gap=2), "large-capability-gap"),
        (
            evidence(risk_quantile=0.2, risk_trend=0.5, measures=4, measures_stalled=0.5),
            "growing-risk-stalled-measures",
        ),
        (evidence(risk_quantile=0.2, risk_trend=0.5, measures_stalled=0.25), "assessed"),
        (evidence(measures=0, scenarios=2), "no-measures"),
        (evidence(), None),
    ]
    for given, expected in cases:
        assert propose(default, given, LEVELS).rule == expected, given
