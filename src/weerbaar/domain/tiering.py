"""Tier proposals by transparent rules.

The strategy sorts each national security issue into a tier by two questions (NSS
2019, "Priority assessment"): (1) does the country have a comprehensive approach to
minimise the threat? (2) given how the threat developed, does that approach still make
the country more resilient? weerbaar answers them from evidence — where a theme's
scenarios rank, how that moved, the newest threat picture, capability gaps, how its
measures fare — by rules that are data, so analysts can read, question and change
them. Rules are tried in order; the first that holds proposes its tier. Every
proposal lists every rule's conditions with their values, met or not: a proposal is
an argument, and people decide.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Literal

from weerbaar.domain.enums import Tier
from weerbaar.errors import joined, said


class RuleError(ValueError):
    """A rule set or a rule that cannot be used, with the rule named."""


@dataclass(frozen=True, slots=True)
class ThreatLevel:
    """The level of a theme's newest threat picture, on its level scale."""

    system: str
    level: int
    name_en: str


@dataclass(frozen=True, slots=True)
class ThemeEvidence:
    """What the rules weigh for one theme; None where there is no evidence."""

    theme: str
    risk_quantile: float | None  # highest percentile rank by risk of its scenarios, 0..1
    risk_trend: float | None  # change of its top risk since the previous round, in log10
    threat_level: ThreatLevel | None
    capability_gap: float | None  # share of needed capabilities that fall short, 0..1
    largest_gap: int | None  # largest shortfall, in steps of the capability scale
    measures: int
    measures_stalled: float | None  # share of its measures stopped or late, 0..1
    scenarios: int


METRICS: tuple[str, ...] = tuple(f.name for f in fields(ThemeEvidence) if f.name != "theme")

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}

Levels = Mapping[str, Sequence[tuple[int, str]]]
"""Per level scale, its levels as (number, English name), lowest first."""


@dataclass(frozen=True, slots=True)
class Condition:
    metric: str
    op: str
    value: float | str  # a level name only for threat_level

    @property
    def text(self) -> str:
        return f"{self.metric} {self.op} {_number(self.value)}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One condition weighed: whether it held, and why, in words."""

    met: bool
    reason: str


def parse_condition(rule: str, text: str) -> Condition:
    parts = text.split()
    if len(parts) != 3:
        raise RuleError(
            said(
                "rule %(rule)s: condition %(text)s is not 'metric operator value', "
                "e.g. 'risk_quantile >= 0.75'",
                rule=repr(rule),
                text=repr(text),
            )
        )
    metric, op, raw = parts
    if metric not in METRICS:
        raise RuleError(
            said(
                "rule %(rule)s: unknown metric %(metric)s; known: %(known)s",
                rule=repr(rule),
                metric=repr(metric),
                known=", ".join(METRICS),
            )
        )
    if op not in _OPERATORS:
        raise RuleError(
            said(
                "rule %(rule)s: bad operator %(operator)s in %(text)s; use one of %(known)s",
                rule=repr(rule),
                operator=repr(op),
                text=repr(text),
                known=" ".join(_OPERATORS),
            )
        )
    try:
        value: float | str = float(raw)
    except ValueError:
        if metric != "threat_level":
            raise RuleError(
                said(
                    "rule %(rule)s: %(metric)s needs a number, not %(value)s",
                    rule=repr(rule),
                    metric=metric,
                    value=repr(raw),
                )
            ) from None
        value = raw.lower()
    if isinstance(value, float) and not math.isfinite(value):
        raise RuleError(
            said(
                "rule %(rule)s: %(metric)s needs a finite number, not %(value)s",
                rule=repr(rule),
                metric=metric,
                value=repr(raw),
            )
        )
    return Condition(metric, op, value)


def parse_conditions(rule: str, text: str | Sequence[str]) -> tuple[Condition, ...]:
    """Conditions from ``"a >= 1; b < 2"`` or a list of single conditions."""
    items = text.split(";") if isinstance(text, str) else list(text)
    parsed = tuple(parse_condition(rule, item) for item in items if item.strip())
    if not parsed:
        raise RuleError(said("rule %(rule)s: no conditions", rule=repr(rule)))
    return parsed


@dataclass(frozen=True, slots=True)
class TierRule:
    key: str
    tier: Tier
    question: int  # which of the strategy's two questions the rule answers
    match: Literal["any", "all"]
    conditions: tuple[Condition, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    key: str
    name: str
    source: str
    default_tier: Tier
    rules: tuple[TierRule, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    theme: str
    tier: Tier
    rule: str | None  # the rule that held; None: none did, the default tier
    reasons: tuple[str, ...]
    # Per question, whether the approach is adequate by the rules: False when any
    # strengthening rule of that question held (chosen or not), True when none did,
    # None when none of its conditions had evidence to weigh.
    answers: Mapping[int, bool | None]


@dataclass(frozen=True, slots=True)
class TierChange:
    theme: str
    current: Tier
    proposed: Tier
    rule: str | None


def _number(value: float | str) -> str:
    # repr, not a rounded format: the text form is what rule_set_to_data stores, and
    # it must read back to the very same threshold.
    if isinstance(value, str):
        return value
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _shown(value: float, op: str, threshold: float) -> str:
    """The evidence value, short, unless rounding would make the line contradict its
    verdict (``0.3 > 0.3: met``); then in full."""
    if isinstance(value, int):
        return str(value)
    short = f"{value:.3g}"
    compare = _OPERATORS[op]
    return short if compare(float(short), threshold) == compare(value, threshold) else repr(value)


def _level_key(name: str) -> str:
    # A condition is three whitespace-separated tokens, so "Very high" can only be
    # written very_high or very-high; both must find it.
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


def _level_number(name: str, system: str, levels: Levels) -> tuple[int, str] | None:
    for number, level_name in levels.get(system, ()):
        if _level_key(level_name) == _level_key(name):
            return number, level_name
    return None


def weigh(condition: Condition, evidence: ThemeEvidence, levels: Levels) -> Outcome:
    if condition.metric == "threat_level":
        return _weigh_level(condition, evidence.threat_level, levels)
    value = getattr(evidence, condition.metric)
    if value is None:
        return Outcome(
            False,
            said(
                "%(metric)s: no evidence, so %(condition)s is not met",
                metric=condition.metric,
                condition=condition.text,
            ),
        )
    assert isinstance(condition.value, float)
    met = _OPERATORS[condition.op](float(value), condition.value)
    compared = {
        "metric": condition.metric,
        "value": _shown(value, condition.op, condition.value),
        "op": condition.op,
        "threshold": _number(condition.value),
    }
    if met:
        return Outcome(met, said("%(metric)s %(value)s %(op)s %(threshold)s: met", **compared))
    return Outcome(met, said("%(metric)s %(value)s %(op)s %(threshold)s: not met", **compared))


def _weigh_level(condition: Condition, level: ThreatLevel | None, levels: Levels) -> Outcome:
    if level is None:
        return Outcome(
            False,
            said(
                "threat_level: no evidence (no threat picture), so %(condition)s is not met",
                condition=condition.text,
            ),
        )
    shown = said(
        "%(name)s (%(system)s %(level)s)",
        name=level.name_en,
        system=level.system,
        level=level.level,
    )
    if isinstance(condition.value, str):
        found = _level_number(condition.value, level.system, levels)
        if found is None:
            return Outcome(
                False,
                said(
                    "threat_level %(shown)s: the %(system)s system has no level %(value)s, "
                    "so %(condition)s is not met",
                    shown=shown,
                    system=level.system,
                    value=repr(condition.value),
                    condition=condition.text,
                ),
            )
        number, name = found
        threshold = float(number)
        target = said(
            "%(name)s (%(system)s %(level)s)", name=name, system=level.system, level=number
        )
    else:
        threshold = condition.value
        target = said("level %(level)s", level=_number(condition.value))
    met = _OPERATORS[condition.op](level.level, threshold)
    compared = {"shown": shown, "op": condition.op, "target": target}
    if met:
        return Outcome(met, said("threat_level %(shown)s %(op)s %(target)s: met", **compared))
    return Outcome(met, said("threat_level %(shown)s %(op)s %(target)s: not met", **compared))


def _holds(rule: TierRule, outcomes: Sequence[Outcome]) -> bool:
    results = [o.met for o in outcomes]
    return all(results) if rule.match == "all" else any(results)


def _has_evidence(condition: Condition, evidence: ThemeEvidence) -> bool:
    return getattr(evidence, condition.metric) is not None


def propose(rule_set: RuleSet, evidence: ThemeEvidence, levels: Levels) -> Proposal:
    reasons: list[str] = []
    chosen: TierRule | None = None
    held: dict[int, bool] = {}
    weighed: dict[int, bool] = {}
    for rule in rule_set.rules:
        outcomes = [weigh(c, evidence, levels) for c in rule.conditions]
        holds = _holds(rule, outcomes)
        about = {
            "rule": rule.key,
            "match": rule.match,
            "count": len(outcomes),
            "question": rule.question,
            "tier": str(rule.tier),
        }
        if holds and chosen is None:
            chosen = rule
            reasons.append(
                said(
                    "rule %(rule)s (%(match)s of %(count)s, question %(question)s, → %(tier)s): "
                    "holds — proposes this tier",
                    **about,
                )
            )
        elif holds:
            reasons.append(
                said(
                    "rule %(rule)s (%(match)s of %(count)s, question %(question)s, → %(tier)s): "
                    "holds",
                    **about,
                )
            )
        else:
            reasons.append(
                said(
                    "rule %(rule)s (%(match)s of %(count)s, question %(question)s, → %(tier)s): "
                    "does not hold",
                    **about,
                )
            )
        reasons.extend(joined(["", o.reason], "  ") for o in outcomes)
        if holds and rule.tier is Tier.STRENGTHENED:
            held[rule.question] = True
        if any(_has_evidence(c, evidence) for c in rule.conditions):
            weighed[rule.question] = True
    if chosen is None:
        reasons.append(
            said("no rule holds: the default tier, %(tier)s", tier=str(rule_set.default_tier))
        )
    answers: dict[int, bool | None] = {
        q: (not held.get(q)) if weighed.get(q) or held.get(q) else None for q in (1, 2)
    }
    return Proposal(
        theme=evidence.theme,
        tier=chosen.tier if chosen else rule_set.default_tier,
        rule=chosen.key if chosen else None,
        reasons=tuple(reasons),
        answers=MappingProxyType(answers),
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


_RULE_FIELDS = ("key", "tier", "question", "match", "when", "reason")
_SET_FIELDS = ("key", "name", "source", "default_tier", "rules")


def _no_unknown(data: Mapping[str, object], known: Sequence[str], where: str) -> None:
    # A misspelt optional field ("mach: all") would otherwise pass silently and the
    # rule would quietly mean something else.
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


def parse_rule(data: Mapping[str, object]) -> TierRule:
    key = data.get("key")
    if not isinstance(key, str) or not key.strip():
        raise RuleError(said("a rule without a key"))
    where = said("rule %(rule)s", rule=repr(key))
    _no_unknown(data, _RULE_FIELDS, where)
    question = data.get("question")
    if question not in (1, 2) or isinstance(question, bool):
        raise RuleError(
            said(
                "%(where)s: question must be 1 or 2, not %(question)s",
                where=where,
                question=repr(question),
            )
        )
    match = data.get("match", "any")
    if match not in ("any", "all"):
        raise RuleError(
            said(
                "%(where)s: match must be 'any' or 'all', not %(match)s",
                where=where,
                match=repr(match),
            )
        )
    when = data.get("when")
    if not isinstance(when, str) and not (
        isinstance(when, list) and all(isinstance(w, str) for w in when)
    ):
        raise RuleError(
            said("%(where)s: 'when' must be a condition or a list of conditions", where=where)
        )
    return TierRule(
        key=key,
        tier=_tier(data.get("tier"), where),
        question=int(question),
        match="all" if match == "all" else "any",
        conditions=parse_conditions(key, when),
        reason=_text(data, "reason", where),
    )


def parse_rule_set(data: Mapping[str, object]) -> RuleSet:
    """A rule set from plain data (YAML, JSON, or a cycle's records), checked."""
    where = said("rule set %(key)s", key=repr(data.get("key")))
    _no_unknown(data, _SET_FIELDS, where)
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
                    item=repr(item),
                )
            )
        rules.append(parse_rule(item))
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
    )


def rule_set_to_data(rule_set: RuleSet) -> dict[str, object]:
    """Plain data that :func:`parse_rule_set` reads back to an equal rule set."""
    return {
        "key": rule_set.key,
        "name": rule_set.name,
        "source": rule_set.source,
        "default_tier": rule_set.default_tier.value,
        "rules": [
            {
                "key": r.key,
                "tier": r.tier.value,
                "question": r.question,
                "match": r.match,
                "when": [c.text for c in r.conditions],
                "reason": r.reason,
            }
            for r in rule_set.rules
        ],
    }
