"""The conditions of tier rules: comparisons of evidence, combined by all/any/not.

A condition is text or nested data::

    risk_class >= 6
    any(risk_class >= 6, impact_class >= 4)
    all(lead >= 1, not(gaps_open > 0), comprehensive-approach)
    {all: ["lead >= 1", {not: "gaps_open > 0"}]}

A bare name (with a hyphen or without an operator) refers to a condition the rule set
defines under ``conditions``; definitions may use each other, but not in a circle.
Conditions are evaluated over the Monte Carlo draws of the theme's risk at once: each
gives one truth value per draw, so a proposal can say how sure it is.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from weerbaar.errors import said


class RuleError(ValueError):
    """A rule set or a rule that cannot be used, with the rule named."""


RISK_METRICS: tuple[str, ...] = ("impact_class", "likelihood_class", "risk_class", "risk_trend")
"""Metrics with one value per Monte Carlo draw of the assessment."""

METRICS: tuple[str, ...] = (
    # whether the risk calls for national attention: its place in the risk diagram
    "impact_class",
    "likelihood_class",
    "risk_class",
    "scenarios",
    # question 1: is there a comprehensive approach
    "measures",
    "chain_links",
    "lead",
    "partners",
    "capability_gap",
    "largest_gap",
    "gaps_open",
    # question 2: does it still make the country more resilient
    "risk_trend",
    "signals_growing",
    "threat_level",
    "threat_level_raised",
    "measures_stalled",
)

RETIRED_METRICS: Mapping[str, str] = {
    "risk_quantile": (
        "impact_class, likelihood_class or risk_class (the theme's place in the risk "
        "diagram, in classes)"
    ),
}
"""Metrics of older rule sets, with what replaces them."""

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}

MAX_DEPTH = 32
"""Deeper nesting than this is refused: no sensible rule needs it, and a parser that
recursed without bound could be brought down by a crafted rule set."""


@dataclass(frozen=True, slots=True)
class Comparison:
    metric: str
    op: str
    value: float | str  # a level name only for threat_level

    @property
    def text(self) -> str:
        return f"{self.metric} {self.op} {number_text(self.value)}"


@dataclass(frozen=True, slots=True)
class Combined:
    kind: str  # "all" or "any"
    parts: tuple[Condition, ...]

    @property
    def text(self) -> str:
        return f"{self.kind}({', '.join(p.text for p in self.parts)})"


@dataclass(frozen=True, slots=True)
class Negated:
    part: Condition

    @property
    def text(self) -> str:
        return f"not({self.part.text})"


@dataclass(frozen=True, slots=True)
class Named:
    """A reference to a condition the rule set defines; resolved when the set is read."""

    name: str
    part: Condition | None = None

    @property
    def text(self) -> str:
        return self.name


Condition = Comparison | Combined | Negated | Named


def number_text(value: float | str) -> str:
    # repr, not a rounded format: the text form is what is stored, and it must read
    # back to the very same threshold.
    if isinstance(value, str):
        return value
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def comparisons(condition: Condition) -> list[Comparison]:
    """Every comparison in a condition, through its references, in order."""
    if isinstance(condition, Comparison):
        return [condition]
    if isinstance(condition, Combined):
        return [c for part in condition.parts for c in comparisons(part)]
    if isinstance(condition, Negated):
        return comparisons(condition.part)
    return comparisons(condition.part) if condition.part is not None else []


_TOKEN = re.compile(
    r"\s*(?:(?P<op>>=|<=|==|!=|>|<)|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.+-]*|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))"
)


def _tokens(rule: str, text: str) -> list[str]:
    out: list[str] = []
    at = 0
    text = text.rstrip()
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:
            raise RuleError(
                said(
                    "rule %(rule)s: cannot read the condition %(text)s at %(where)s",
                    rule=repr(rule),
                    text=repr(text),
                    where=repr(text[at : at + 12]),
                )
            )
        out.append(found.group(found.lastgroup or "word"))
        at = found.end()
    return out


class _Reader:
    """A small recursive-descent reader of the condition text, depth-bounded."""

    def __init__(self, rule: str, text: str) -> None:
        self.rule = rule
        self.text = text
        self.tokens = _tokens(rule, text)
        self.at = 0

    def fail(self, why: str) -> RuleError:
        return RuleError(
            said(
                "rule %(rule)s: %(why)s in %(text)s",
                rule=repr(self.rule),
                why=why,
                text=repr(self.text),
            )
        )

    def peek(self, ahead: int = 0) -> str | None:
        i = self.at + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise self.fail(said("the condition ends too soon"))
        self.at += 1
        return token

    def read(self) -> Condition:
        if not self.tokens:
            raise RuleError(said("rule %(rule)s: an empty condition", rule=repr(self.rule)))
        condition = self.condition(1)
        if self.peek() is not None:
            raise self.fail(said("unexpected %(token)s", token=repr(self.peek())))
        return condition

    def condition(self, depth: int) -> Condition:
        if depth > MAX_DEPTH:
            raise self.fail(said("conditions nested deeper than %(depth)s", depth=MAX_DEPTH))
        word = self.take()
        if word in ("all", "any", "not") and self.peek() == "(":
            self.take()
            parts: list[Condition] = []
            while self.peek() != ")":
                parts.append(self.condition(depth + 1))
                if self.peek() == ",":
                    self.take()
                elif self.peek() != ")":
                    raise self.fail(said("expected ',' or ')'"))
            self.take()
            return combined(self.rule, word, parts)
        if self.peek() in OPERATORS:
            op = self.take()
            return comparison(self.rule, word, op, self.take())
        if word in METRICS or word in RETIRED_METRICS:
            raise self.fail(said("%(metric)s needs an operator and a value", metric=word))
        if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
            raise self.fail(said("%(word)s is neither a condition nor a name", word=repr(word)))
        return Named(word)


def combined(rule: str, kind: str, parts: list[Condition]) -> Condition:
    if not parts:
        raise RuleError(
            said("rule %(rule)s: %(kind)s() has no condition in it", rule=repr(rule), kind=kind)
        )
    if kind == "not":
        if len(parts) != 1:
            raise RuleError(
                said("rule %(rule)s: not() takes exactly one condition", rule=repr(rule))
            )
        return Negated(parts[0])
    return Combined(kind, tuple(parts))


def comparison(rule: str, metric: str, op: str, raw: str) -> Comparison:
    if metric in RETIRED_METRICS:
        raise RuleError(
            said(
                "rule %(rule)s: metric %(metric)s is no longer weighed; use %(instead)s",
                rule=repr(rule),
                metric=metric,
                instead=RETIRED_METRICS[metric],
            )
        )
    if metric not in METRICS:
        raise RuleError(
            said(
                "rule %(rule)s: unknown metric %(metric)s; known: %(known)s",
                rule=repr(rule),
                metric=repr(metric),
                known=", ".join(METRICS),
            )
        )
    if op not in OPERATORS:
        raise RuleError(
            said(
                "rule %(rule)s: bad operator %(operator)s; use one of %(known)s",
                rule=repr(rule),
                operator=repr(op),
                known=" ".join(OPERATORS),
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
    return Comparison(metric, op, value)


def parse_condition(rule: str, data: object, depth: int = 1) -> Condition:
    """A condition from text or from nested data ({all: [...]}, {any: [...]}, {not: …})."""
    if depth > MAX_DEPTH:
        raise RuleError(
            said(
                "rule %(rule)s: conditions nested deeper than %(depth)s",
                rule=repr(rule),
                depth=MAX_DEPTH,
            )
        )
    if isinstance(data, str):
        return _Reader(rule, data).read()
    if isinstance(data, Mapping) and len(data) == 1:
        ((kind, inner),) = data.items()
        if kind in ("all", "any") and isinstance(inner, list):
            return combined(rule, kind, [parse_condition(rule, p, depth + 1) for p in inner])
        if kind == "not" and not isinstance(inner, list):
            return Negated(parse_condition(rule, inner, depth + 1))
    raise RuleError(
        said(
            "rule %(rule)s: a condition is text such as 'risk_class >= 6', or one of "
            "{all: [...]}, {any: [...]}, {not: ...}; not %(data)s",
            rule=repr(rule),
            data=repr(data)[:80],
        )
    )


def legacy_conditions(rule: str, match: str, texts: list[str]) -> Condition:
    """The conditions of an older rule (a list joined by its 'match', any or all)."""
    parts = [parse_condition(rule, t) for t in texts if t.strip()]
    if not parts:
        raise RuleError(said("rule %(rule)s: an empty condition", rule=repr(rule)))
    return parts[0] if len(parts) == 1 else Combined(match, tuple(parts))


def resolve(
    rule: str, condition: Condition, definitions: Mapping[str, Condition], trail: tuple[str, ...]
) -> Condition:
    """The condition with every name bound to its definition, refusing unknown names
    and circles (a definition that, through others, uses itself)."""
    if isinstance(condition, Comparison):
        return condition
    if isinstance(condition, Combined):
        return Combined(
            condition.kind, tuple(resolve(rule, p, definitions, trail) for p in condition.parts)
        )
    if isinstance(condition, Negated):
        return Negated(resolve(rule, condition.part, definitions, trail))
    if condition.name in trail:
        circle = " → ".join((*trail[trail.index(condition.name) :], condition.name))
        raise RuleError(
            said("rule %(rule)s: a circular condition: %(circle)s", rule=repr(rule), circle=circle)
        )
    found = definitions.get(condition.name)
    if found is None:
        known = ", ".join(sorted(definitions)) or said("none")
        raise RuleError(
            said(
                "rule %(rule)s: no condition named %(name)s (defined: %(known)s)",
                rule=repr(rule),
                name=repr(condition.name),
                known=known,
            )
        )
    if len(trail) >= MAX_DEPTH:
        raise RuleError(
            said(
                "rule %(rule)s: conditions nested deeper than %(depth)s",
                rule=repr(rule),
                depth=MAX_DEPTH,
            )
        )
    return Named(condition.name, resolve(rule, found, definitions, (*trail, condition.name)))
