"""Tier proposals by transparent rules that follow the strategy's reasoning.

The strategy sorts each national security issue into a tier by two questions (NSS
2019, "Priority assessment"): (1) does the country have a comprehensive approach to
minimise the threat? (2) given how the threat developed, does that approach still make
the country more resilient? Before them comes whether the risk calls for national
attention at all: its place in the risk diagram. weerbaar answers these from evidence
— the theme's scenarios' impact and likelihood classes, the links of the security chain
its measures cover, its lead ministry and partners, its capability gaps, how its risk,
signals and threat level moved, how its measures fare — by rules that are data, so
analysts can read, question and change them.

The risk is uncertain: the assessment's Monte Carlo run gives each scenario an impact
and likelihood per draw, and every rule is weighed in every draw. A proposal is the
median tier over the draws (tiers ordered explore and monitor < continued focus <
strengthened), so evidence that only ever pushes draws toward a heavier tier never
makes the proposal lighter; the share of draws per tier says how sure it is.

Rules are tried in order; in each draw the first that holds gives the tier. Every
proposal lists every rule's conditions with their values, met or not: a proposal is an
argument, and people decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from weerbaar.domain.enums import Tier
from weerbaar.domain.tier_conditions import (
    METRICS,
    OPERATORS,
    RISK_METRICS,
    Combined,
    Comparison,
    Condition,
    Named,
    Negated,
    RuleError,
    comparisons,
    legacy_conditions,
    number_text,
    parse_condition,
    resolve,
)
from weerbaar.errors import joined, said

__all__ = [
    "METRICS",
    "TIER_ORDER",
    "Proposal",
    "RuleError",
    "RuleSet",
    "ThemeEvidence",
    "ThreatLevel",
    "TierChange",
    "TierRule",
    "decide",
    "dry_run",
    "inlined",
    "level_number",
    "median_tier",
    "parse_conditions",
    "parse_rule_set",
    "percent",
    "propose",
    "propose_all",
    "record_condition",
    "rule_set_to_data",
    "tier_name",
    "truth",
]

Draws = NDArray[np.float64]

TIER_ORDER: tuple[Tier, ...] = (Tier.EXPLORE_MONITOR, Tier.CONTINUED_FOCUS, Tier.STRENGTHENED)
"""From the lightest approach to the heaviest."""

UNSURE = 0.05
"""A risk condition met in more than this share of draws and less than one minus it is
said to straddle its threshold: the scenarios' bands lie on both sides of it."""


def tier_name(tier: Tier) -> str:
    """The tier's name in a message, to be read in its reader's language."""
    if tier is Tier.STRENGTHENED:
        return said("strengthened approach")
    if tier is Tier.CONTINUED_FOCUS:
        return said("continued focus on resilience")
    return said("explore and monitor")


@dataclass(frozen=True, slots=True)
class ThreatLevel:
    """The level of a theme's newest threat picture, on its level scale."""

    system: str
    level: int
    name_en: str


@dataclass(frozen=True, slots=True, eq=False)
class ThemeEvidence:
    """What the rules weigh for one theme; None where there is no evidence.

    The risk metrics carry one value per Monte Carlo draw (one value when the risk was
    not sampled); the rest are the register's facts, the same in every draw.
    """

    theme: str
    impact_class: Draws | None = None  # highest impact class position of its scenarios
    likelihood_class: Draws | None = None  # highest likelihood class position
    risk_class: Draws | None = None  # highest impact + likelihood position: the diagonal
    risk_trend: Draws | None = None  # change of its top risk since the previous round, log10
    threat_level: ThreatLevel | None = None
    threat_level_raised: int | None = None  # steps its newest picture raised the level
    capability_gap: float | None = None  # share of needed capabilities that fall short
    largest_gap: int | None = None  # largest shortfall, in steps of the capability scale
    gaps_open: int | None = None  # shortfalls no measure is closing
    measures: int = 0
    measures_stalled: float | None = None  # share of its measures stopped or late
    chain_links: int = 0  # links of the security chain its running measures cover, 0..5
    lead: int = 0  # 1 when it has a lead ministry
    partners: int = 0  # organisations besides the lead in its measures
    signals_growing: int = 0  # 1 when horizon scanning detects growth in its signals
    scenarios: int = 0

    @property
    def draws(self) -> int:
        sizes = {len(v) for v in (getattr(self, m) for m in RISK_METRICS) if v is not None}
        return max(sizes, default=1)


Levels = Mapping[str, Sequence[tuple[int, str]]]
"""Per level scale, its levels as (number, English name), lowest first."""


@dataclass(frozen=True, slots=True)
class TierRule:
    key: str
    tier: Tier
    question: int  # 0 national attention, 1 comprehensive approach, 2 still effective
    when: Condition
    reason: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    key: str
    name: str
    source: str
    default_tier: Tier
    rules: tuple[TierRule, ...]
    conditions: Mapping[str, Condition] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Proposal:
    theme: str
    tier: Tier  # the median tier over the draws
    rule: str | None  # the rule that gave that tier most often; None: the default tier
    reasons: tuple[str, ...]
    # Per question, whether the approach is adequate by the rules: False when a
    # strengthening rule of that question held in most draws (chosen or not), True
    # when none did, None when none of its conditions had evidence to weigh.
    answers: Mapping[int, bool | None]
    shares: Mapping[Tier, float]  # share of draws per tier; sums to 1
    draws: int
    straddles: tuple[str, ...]  # risk conditions the scenarios' bands lie across

    @property
    def certainty(self) -> float:
        return self.shares.get(self.tier, 0.0)


@dataclass(frozen=True, slots=True)
class TierChange:
    theme: str
    current: Tier
    proposed: Tier
    rule: str | None


def _level_key(name: str) -> str:
    # A value is one token, so "Very high" can only be written very_high or
    # very-high; both must find it.
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


def level_number(name: str, system: str, levels: Levels) -> tuple[int, str] | None:
    for number, level_name in levels.get(system, ()):
        if _level_key(level_name) == _level_key(name):
            return number, level_name
    return None


_ARRAY_OPERATORS = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
    "!=": np.not_equal,
}


Truth = bool | NDArray[np.bool_]
"""A condition's truth: one value for the register's facts, one per draw for the risk.
Facts stay single values until the end, which keeps weighing many rules cheap."""


def _met(comparison: Comparison, evidence: ThemeEvidence, levels: Levels) -> Truth:
    if comparison.metric == "threat_level":
        level = evidence.threat_level
        if level is None:
            return False
        threshold: float
        if isinstance(comparison.value, str):
            found = level_number(comparison.value, level.system, levels)
            if found is None:
                return False
            threshold = float(found[0])
        else:
            threshold = comparison.value
        return OPERATORS[comparison.op](level.level, threshold)
    value = getattr(evidence, comparison.metric)
    if value is None:
        return False
    assert isinstance(comparison.value, float)
    if isinstance(value, np.ndarray):
        met: NDArray[np.bool_] = _ARRAY_OPERATORS[comparison.op](value, comparison.value)
        return met
    return OPERATORS[comparison.op](float(value), comparison.value)


def _truth(condition: Condition, evidence: ThemeEvidence, levels: Levels) -> Truth:
    if isinstance(condition, Comparison):
        return _met(condition, evidence, levels)
    if isinstance(condition, Combined):
        every = condition.kind == "all"
        arrays: list[NDArray[np.bool_]] = []
        for part in condition.parts:
            found = _truth(part, evidence, levels)
            if isinstance(found, bool):
                if found is not every:
                    return found  # one fact decides all() or any() in every draw
            else:
                arrays.append(found)
        if not arrays:
            return every
        joint: NDArray[np.bool_] = (np.logical_and if every else np.logical_or).reduce(arrays)
        return joint
    if isinstance(condition, Negated):
        inner = _truth(condition.part, evidence, levels)
        return (not inner) if isinstance(inner, bool) else ~inner
    assert condition.part is not None, "a rule set binds every name when it is read"
    return _truth(condition.part, evidence, levels)


def truth(condition: Condition, evidence: ThemeEvidence, levels: Levels) -> NDArray[np.bool_]:
    """Whether ``condition`` holds, per draw; missing evidence never meets a comparison."""
    return _per_draw(_truth(condition, evidence, levels), evidence.draws)


def _per_draw(found: Truth, size: int) -> NDArray[np.bool_]:
    if isinstance(found, bool):
        return np.full(size, found)
    return np.broadcast_to(found, (size,))


def tiers_per_draw(
    rule_set: RuleSet, evidence: ThemeEvidence, levels: Levels
) -> tuple[NDArray[np.int64], list[NDArray[np.bool_]]]:
    """Per draw, the index of the first rule that holds (``len(rules)``: none did),
    and every rule's truth per draw."""
    size = evidence.draws
    held = [_per_draw(_truth(rule.when, evidence, levels), size) for rule in rule_set.rules]
    chosen = np.full(size, len(held), dtype=np.int64)
    for index in range(len(held) - 1, -1, -1):
        chosen[held[index]] = index
    return chosen, held


def median_tier(shares: Mapping[Tier, float]) -> Tier:
    """The lightest tier with at least half the draws at or below it."""
    below = 0.0
    for tier in TIER_ORDER:
        below += shares.get(tier, 0.0)
        if below >= 0.5 - 1e-12:
            return tier
    return TIER_ORDER[-1]


def decide(rule_set: RuleSet, evidence: ThemeEvidence, levels: Levels) -> Tier:
    """The proposed tier alone: what counterfactuals and property tests ask for."""
    return median_tier(_shares(rule_set, tiers_per_draw(rule_set, evidence, levels)[0]))


def _shares(rule_set: RuleSet, chosen: NDArray[np.int64]) -> dict[Tier, float]:
    tiers = [r.tier for r in rule_set.rules] + [rule_set.default_tier]
    counts = np.bincount(chosen, minlength=len(tiers))
    total = max(1, int(counts.sum()))
    out: dict[Tier, float] = {}
    for index, count in enumerate(counts):
        if count:
            out[tiers[index]] = out.get(tiers[index], 0.0) + int(count) / total
    return out


def percent(share: float) -> str:
    """A share as whole percents, never rounding a partial share to 0 % or 100 %."""
    value = round(share * 100)
    if 0 < share < 1:
        value = min(99, max(1, value))
    return f"{value} %"


def _shown(comparison: Comparison, evidence: ThemeEvidence) -> str:
    if comparison.metric == "threat_level":
        level = evidence.threat_level
        if level is None:
            return said("no threat picture")
        return said(
            "%(name)s (%(system)s %(level)s)",
            name=level.name_en,
            system=level.system,
            level=level.level,
        )
    value = getattr(evidence, comparison.metric)
    if value is None:
        return said("no evidence")
    if isinstance(value, np.ndarray):
        if len(value) == 1 or float(np.ptp(value)) == 0.0:
            return f"{float(value[0]):.3g}"
        p5, p50, p95 = (format(float(v), ".3g") for v in np.percentile(value, [5, 50, 95]))
        return said("%(median)s (P5–P95 %(low)s–%(high)s)", median=p50, low=p5, high=p95)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}"
    return number_text(float(value))


def _comparison_line(
    comparison: Comparison, met: NDArray[np.bool_], evidence: ThemeEvidence, levels: Levels
) -> str:
    share = float(met.mean()) if len(met) else 0.0
    about = {
        "metric": comparison.metric,
        "value": _shown(comparison, evidence),
        "op": comparison.op,
        "threshold": number_text(comparison.value),
    }
    if share >= 1.0:
        return said("%(metric)s %(value)s %(op)s %(threshold)s: met", **about)
    level = evidence.threat_level
    if (
        comparison.metric == "threat_level"
        and isinstance(comparison.value, str)
        and level is not None
        and level_number(comparison.value, level.system, levels) is None
    ):
        return said(
            "%(metric)s %(value)s %(op)s %(threshold)s: not met (the %(system)s scale has "
            "no such level)",
            system=level.system,
            **about,
        )
    if share <= 0.0:
        return said("%(metric)s %(value)s %(op)s %(threshold)s: not met", **about)
    return said(
        "%(metric)s %(value)s %(op)s %(threshold)s: met in %(share)s of draws",
        share=percent(share),
        **about,
    )


def _rule_line(rule: TierRule, share: float, chosen: bool) -> str:
    about = {"rule": rule.key, "question": rule.question, "tier": tier_name(rule.tier)}
    if share <= 0.0:
        return said("rule %(rule)s (question %(question)s, → %(tier)s): does not hold", **about)
    if chosen:
        if share >= 1.0:
            return said(
                "rule %(rule)s (question %(question)s, → %(tier)s): holds — proposes this tier",
                **about,
            )
        return said(
            "rule %(rule)s (question %(question)s, → %(tier)s): holds in %(share)s of "
            "draws — proposes this tier",
            share=percent(share),
            **about,
        )
    if share >= 1.0:
        return said("rule %(rule)s (question %(question)s, → %(tier)s): holds", **about)
    return said(
        "rule %(rule)s (question %(question)s, → %(tier)s): holds in %(share)s of draws",
        share=percent(share),
        **about,
    )


def _has_evidence(condition: Condition, evidence: ThemeEvidence) -> bool:
    return any(getattr(evidence, c.metric) is not None for c in comparisons(condition))


def propose(rule_set: RuleSet, evidence: ThemeEvidence, levels: Levels) -> Proposal:
    chosen, held = tiers_per_draw(rule_set, evidence, levels)
    shares = _shares(rule_set, chosen)
    tier = median_tier(shares)
    tiers = [r.tier for r in rule_set.rules] + [rule_set.default_tier]
    giving = [i for i in range(len(tiers)) if tiers[i] is tier]
    counts = np.bincount(chosen, minlength=len(tiers))
    best = max(giving, key=lambda i: (int(counts[i]), -i))
    rule = rule_set.rules[best] if best < len(rule_set.rules) else None
    reasons: list[str] = []
    straddles: list[str] = []
    answered: dict[int, bool] = {}
    weighed: set[int] = set()
    for index, (each, holds) in enumerate(zip(rule_set.rules, held, strict=True)):
        share = float(holds.mean())
        reasons.append(_rule_line(each, share, index == best))
        if each.when.text != ", ".join(c.text for c in comparisons(each.when)):
            reasons.append(joined(["", said("when %(condition)s", condition=each.when.text)], "  "))
        for comparison in comparisons(each.when):
            met = _per_draw(_met(comparison, evidence, levels), evidence.draws)
            reasons.append(joined(["", _comparison_line(comparison, met, evidence, levels)], "  "))
            share_met = float(met.mean())
            if comparison.metric in RISK_METRICS and UNSURE < share_met < 1 - UNSURE:
                line = said(
                    "the scenarios' bands straddle %(condition)s: met in %(share)s of draws",
                    condition=comparison.text,
                    share=percent(share_met),
                )
                if line not in straddles:
                    straddles.append(line)
        if each.tier is Tier.STRENGTHENED and share >= 0.5:
            answered[each.question] = True
        if _has_evidence(each.when, evidence):
            weighed.add(each.question)
    if rule is None:
        reasons.append(
            said("no rule holds: the default tier, %(tier)s", tier=tier_name(rule_set.default_tier))
        )
    answers: dict[int, bool | None] = {
        q: (not answered.get(q)) if q in weighed or answered.get(q) else None for q in (1, 2)
    }
    return Proposal(
        theme=evidence.theme,
        tier=tier,
        rule=rule.key if rule else None,
        reasons=tuple(reasons),
        answers=MappingProxyType(answers),
        shares=MappingProxyType({t: shares[t] for t in reversed(TIER_ORDER) if t in shares}),
        draws=evidence.draws,
        straddles=tuple(straddles),
    )


def propose_all(
    rule_set: RuleSet, evidences: Iterable[ThemeEvidence], levels: Levels
) -> tuple[Proposal, ...]:
    return tuple(propose(rule_set, e, levels) for e in evidences)


def dry_run(
    rule_set: RuleSet,
    evidences: Iterable[ThemeEvidence],
    levels: Levels,
    current: Mapping[str, Tier],
) -> tuple[TierChange, ...]:
    """The themes whose tier the rules would change; the rest are left out."""
    out = []
    for proposal in propose_all(rule_set, evidences, levels):
        now = current.get(proposal.theme)
        if now is not None and now is not proposal.tier:
            out.append(TierChange(proposal.theme, now, proposal.tier, proposal.rule))
    return tuple(out)


def _tier(value: object, where: str) -> Tier:
    try:
        return Tier(str(value))
    except ValueError:
        known = ", ".join(t.value for t in Tier)
        raise RuleError(
            said(
                "%(where)s: unknown tier %(tier)s; known: %(known)s",
                where=where,
                tier=repr(value),
                known=known,
            )
        ) from None


def _text(data: Mapping[str, object], name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise RuleError(
            said("%(where)s: %(name)s must be a non-empty text", where=where, name=name)
        )
    return value.strip()


_RULE_FIELDS = ("key", "tier", "question", "when", "reason", "match")
_SET_FIELDS = ("key", "name", "source", "default_tier", "conditions", "rules")


def _no_unknown(data: Mapping[str, object], known: Sequence[str], where: str) -> None:
    # A misspelt optional field would otherwise pass silently and the rule would
    # quietly mean something else.
    unknown = [str(name) for name in data if name not in known]
    if unknown:
        raise RuleError(
            said(
                "%(where)s: unknown field %(fields)s; known: %(known)s",
                where=where,
                fields=", ".join(unknown),
                known=", ".join(known),
            )
        )


def parse_conditions(rule: str, text: str | Sequence[str], match: str = "all") -> Condition:
    """A rule's condition from one expression, or from an older rule's list of
    conditions (text split at ';', or a list) joined by its ``match``."""
    if isinstance(text, str) and ";" not in text:
        return parse_condition(rule, text)
    items = text.split(";") if isinstance(text, str) else list(text)
    if match not in ("any", "all"):
        raise RuleError(
            said(
                "rule %(rule)s: match must be 'any' or 'all', not %(match)s",
                rule=repr(rule),
                match=repr(match),
            )
        )
    return legacy_conditions(rule, match, [str(i) for i in items])


def record_condition(rule: str, text: str, match: str | None) -> Condition:
    """A cycle's rule record's condition, checked in full: a record carries no named
    conditions, so every name in it is unknown."""
    return resolve(rule, parse_conditions(rule, text, match or "all"), {}, ())


def parse_rule(data: Mapping[str, object], definitions: Mapping[str, Condition]) -> TierRule:
    key = data.get("key")
    if not isinstance(key, str) or not key.strip():
        raise RuleError(said("a rule without a key"))
    where = said("rule %(rule)s", rule=repr(key))
    _no_unknown(data, _RULE_FIELDS, where)
    question = data.get("question")
    if question not in (0, 1, 2) or isinstance(question, bool):
        raise RuleError(
            said(
                "%(where)s: question must be 0 (national attention), 1 or 2, not %(question)s",
                where=where,
                question=repr(question),
            )
        )
    when = data.get("when")
    if when is None:
        raise RuleError(said("%(where)s: no condition ('when')", where=where))
    match = data.get("match")
    if isinstance(when, list) and all(isinstance(w, str) for w in when):
        # An older rule: a list of conditions joined by its 'match'.
        condition = parse_conditions(key, [str(w) for w in when], str(match or "any"))
    elif match is not None:
        raise RuleError(
            said(
                "%(where)s: 'match' only goes with a list of conditions; write all(...) or "
                "any(...) in 'when' instead",
                where=where,
            )
        )
    else:
        condition = parse_condition(key, when)
    return TierRule(
        key=key,
        tier=_tier(data.get("tier"), where),
        question=int(question),
        when=resolve(key, condition, definitions, ()),
        reason=_text(data, "reason", where),
    )


def _definitions(data: object, where: str) -> dict[str, Condition]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise RuleError(said("%(where)s: 'conditions' must map names to conditions", where=where))
    raw: dict[str, Condition] = {}
    for name, text in data.items():
        if not isinstance(name, str) or not name.strip():
            raise RuleError(said("%(where)s: a condition without a name", where=where))
        raw[name] = parse_condition(name, text)
    return {name: resolve(name, raw[name], raw, (name,)) for name in raw}


def parse_rule_set(data: Mapping[str, object]) -> RuleSet:
    """A rule set from plain data (YAML, JSON, or a cycle's records), checked: every
    metric known, every name defined, no circle, no empty condition."""
    where = said("rule set %(key)s", key=repr(data.get("key")))
    _no_unknown(data, _SET_FIELDS, where)
    definitions = _definitions(data.get("conditions"), where)
    rules_data = data.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        raise RuleError(said("%(where)s: no rules", where=where))
    rules = []
    for item in rules_data:
        if not isinstance(item, Mapping):
            raise RuleError(
                said(
                    "%(where)s: a rule must be a mapping, not %(item)s",
                    where=where,
                    item=repr(item)[:80],
                )
            )
        rules.append(parse_rule(item, definitions))
    keys = [r.key for r in rules]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise RuleError(
            said("%(where)s: rule keys repeat: %(keys)s", where=where, keys=", ".join(repeated))
        )
    return RuleSet(
        key=_text(data, "key", where),
        name=_text(data, "name", where),
        source=_text(data, "source", where),
        default_tier=_tier(data.get("default_tier"), where),
        rules=tuple(rules),
        conditions=MappingProxyType(definitions),
    )


def inlined(condition: Condition) -> str:
    """The condition's text with every name replaced by its definition: what a cycle's
    rule record stores, since records carry no definitions."""
    if isinstance(condition, Comparison):
        return condition.text
    if isinstance(condition, Combined):
        return f"{condition.kind}({', '.join(inlined(p) for p in condition.parts)})"
    if isinstance(condition, Negated):
        return f"not({inlined(condition.part)})"
    assert condition.part is not None
    return inlined(condition.part)


def rule_set_to_data(rule_set: RuleSet) -> dict[str, object]:
    """Plain data that :func:`parse_rule_set` reads back to an equal rule set."""
    out: dict[str, object] = {
        "key": rule_set.key,
        "name": rule_set.name,
        "source": rule_set.source,
        "default_tier": rule_set.default_tier.value,
    }
    if rule_set.conditions:
        out["conditions"] = {
            name: _unbound(found).text for name, found in rule_set.conditions.items()
        }
    out["rules"] = [
        {
            "key": r.key,
            "tier": r.tier.value,
            "question": r.question,
            "when": _unbound(r.when).text,
            "reason": r.reason,
        }
        for r in rule_set.rules
    ]
    return out


def _unbound(condition: Condition) -> Condition:
    """The condition as written: names without their definitions attached."""
    if isinstance(condition, Named):
        return Named(condition.name)
    if isinstance(condition, Combined):
        return Combined(condition.kind, tuple(_unbound(p) for p in condition.parts))
    if isinstance(condition, Negated):
        return Negated(_unbound(condition.part))
    return condition
