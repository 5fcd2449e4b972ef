"""What would change a tier proposal: the smallest change of one piece of evidence
that flips it (a counterfactual explanation [1]_).

For each piece of evidence the rules weigh, the nearest value in each direction that
gives another proposal: found by trying the values where the rules' thresholds lie
(and a step beyond them) for the register's facts, and by moving every draw of the
risk together in steps of a twentieth of a class. Raising a scenario's impact or
likelihood also raises the theme's risk class and its trend; raising the threat level
raises how far the newest picture raised it. Each counterfactual carries the change
itself, so that applying it to the evidence gives the flipped proposal — which is how
the tests check them.

References
----------
.. [1] S. Wachter, B. Mittelstadt, C. Russell, "Counterfactual explanations without
   opening the black box", *Harvard Journal of Law & Technology* 31(2), 2018.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from weerbaar.domain.enums import Tier
from weerbaar.domain.tier_conditions import RISK_METRICS, Comparison, comparisons
from weerbaar.domain.tiering import (
    Levels,
    RuleSet,
    ThemeEvidence,
    ThreatLevel,
    decide,
    level_number,
    tier_name,
)
from weerbaar.errors import said

RISK_STEP = 0.05
"""Risk moves in steps of a twentieth of a class (of the trend: of an order of magnitude)."""

_LOG10_3 = math.log10(3.0)

# Where each piece of evidence can lie, and its step: a count moves by one, a share
# by a hundredth.
_RANGE: dict[str, tuple[float, float, float]] = {
    "impact_class": (1.0, 5.5, RISK_STEP),
    "likelihood_class": (1.0, 5.5, RISK_STEP),
    "risk_trend": (-3.0, 3.0, RISK_STEP),
    "scenarios": (0.0, 1e6, 1.0),
    "measures": (0.0, 1e6, 1.0),
    "chain_links": (0.0, 5.0, 1.0),
    "lead": (0.0, 1.0, 1.0),
    "partners": (0.0, 1e6, 1.0),
    "capability_gap": (0.0, 1.0, 0.01),
    "largest_gap": (0.0, 1e3, 1.0),
    "gaps_open": (0.0, 1e6, 1.0),
    "signals_growing": (0.0, 1.0, 1.0),
    "threat_level_raised": (-10.0, 10.0, 1.0),
    "measures_stalled": (0.0, 1.0, 0.01),
}

# The knobs moved by what the rules weigh: the risk class is the sum of impact and
# likelihood, so it moves with either of them.
_KNOBS_OF: dict[str, tuple[str, ...]] = {
    "risk_class": ("impact_class", "likelihood_class"),
}


@dataclass(frozen=True, slots=True)
class Counterfactual:
    """One piece of evidence changed, and the proposal that gives."""

    metric: str
    before: float | str | None  # the median over the draws for the risk
    after: float | str
    tier: Tier

    @property
    def text(self) -> str:
        about = {
            "tier": tier_name(self.tier),
            "metric": self.metric,
            "after": _shown(self.after),
        }
        if self.before is None:
            return said("%(tier)s if %(metric)s were %(after)s (now: no evidence)", **about)
        if self.metric in RISK_METRICS:
            return said(
                "%(tier)s if %(metric)s moved from %(before)s to %(after)s (median over the "
                "draws, every draw moved alike)",
                before=_shown(self.before),
                **about,
            )
        return said(
            "%(tier)s if %(metric)s went from %(before)s to %(after)s",
            before=_shown(self.before),
            **about,
        )

    def apply(self, evidence: ThemeEvidence, levels: Levels) -> ThemeEvidence:
        """The evidence with this change made."""
        if self.metric == "threat_level":
            assert isinstance(self.after, str)
            return _with_level(evidence, self.after, levels)
        assert isinstance(self.after, float)
        if self.metric in RISK_METRICS:
            assert isinstance(self.before, float)
            return _shifted(evidence, self.metric, self.after - self.before)
        value: float | int = int(self.after) if _RANGE[self.metric][2] == 1.0 else self.after
        changed: dict[str, Any] = {self.metric: value}
        return replace(evidence, **changed)


def _shown(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if value.is_integer() else f"{value:.3g}"


def _shifted(evidence: ThemeEvidence, knob: str, delta: float) -> ThemeEvidence:
    """Every draw's risk moved by ``delta`` of ``knob``, and what follows from it."""

    def moved(values: np.ndarray | None, by: float) -> np.ndarray | None:
        return None if values is None else values + by

    if knob == "impact_class":
        return replace(
            evidence,
            impact_class=moved(evidence.impact_class, delta),
            risk_class=moved(evidence.risk_class, delta),
            risk_trend=moved(evidence.risk_trend, delta * _LOG10_3),
        )
    if knob == "likelihood_class":
        # One likelihood class is a factor ten in probability: one order of magnitude.
        return replace(
            evidence,
            likelihood_class=moved(evidence.likelihood_class, delta),
            risk_class=moved(evidence.risk_class, delta),
            risk_trend=moved(evidence.risk_trend, delta),
        )
    return replace(evidence, risk_trend=moved(evidence.risk_trend, delta))


def _with_level(evidence: ThemeEvidence, name: str, levels: Levels) -> ThemeEvidence:
    level = evidence.threat_level
    assert level is not None
    found = level_number(name, level.system, levels)
    assert found is not None
    number, level_name = found
    raised = (evidence.threat_level_raised or 0) + number - level.level
    return replace(
        evidence,
        threat_level=ThreatLevel(level.system, number, level_name),
        threat_level_raised=raised,
    )


def _knobs(rule_set: RuleSet) -> list[str]:
    seen: list[str] = []
    for rule in rule_set.rules:
        for comparison in comparisons(rule.when):
            for knob in _KNOBS_OF.get(comparison.metric, (comparison.metric,)):
                if knob not in seen:
                    seen.append(knob)
    return seen


def _thresholds(rule_set: RuleSet, metric: str) -> list[Comparison]:
    return [c for r in rule_set.rules for c in comparisons(r.when) if c.metric == metric]


def counterfactuals(
    rule_set: RuleSet, evidence: ThemeEvidence, levels: Levels
) -> tuple[Counterfactual, ...]:
    """The smallest change of each piece of evidence, up and down, that gives another
    proposal; nearest first within each piece, pieces in the order the rules use them."""
    tier = decide(rule_set, evidence, levels)
    out: list[Counterfactual] = []
    for knob in _knobs(rule_set):
        for direction in (1, -1):
            found = _search(rule_set, evidence, levels, tier, knob, direction)
            if found is not None:
                out.append(found)
    return tuple(out)


def _search(
    rule_set: RuleSet,
    evidence: ThemeEvidence,
    levels: Levels,
    tier: Tier,
    knob: str,
    direction: int,
) -> Counterfactual | None:
    for candidate in _candidates(rule_set, evidence, levels, knob, direction):
        found = decide(rule_set, candidate.apply(evidence, levels), levels)
        if found is not tier:
            return replace(candidate, tier=found)
    return None


def _candidates(
    rule_set: RuleSet, evidence: ThemeEvidence, levels: Levels, knob: str, direction: int
) -> list[Counterfactual]:
    if knob == "threat_level":
        level = evidence.threat_level
        if level is None:
            return []
        ladder = [
            (n, name)
            for n, name in levels.get(level.system, ())
            if (n - level.level) * direction > 0
        ]
        ladder.sort(key=lambda item: abs(item[0] - level.level))
        return [
            Counterfactual(knob, level.name_en, name, Tier.EXPLORE_MONITOR) for _, name in ladder
        ]
    low, high, step = _RANGE[knob]
    if knob in RISK_METRICS:
        values = getattr(evidence, knob)
        if values is None:
            return []
        median = float(np.median(values))
        count = round((high - low) / step)
        moved = (round(median + direction * k * step, 10) for k in range(1, count + 1))
        return [
            Counterfactual(knob, median, value, Tier.EXPLORE_MONITOR)
            for value in moved
            if low <= value <= high
        ]
    before = getattr(evidence, knob)
    now = float(before) if before is not None else None
    targets: set[float] = set()
    for comparison in _thresholds(rule_set, knob):
        assert isinstance(comparison.value, float)
        for value in (comparison.value - step, comparison.value, comparison.value + step):
            targets.add(min(high, max(low, round(value, 10))))
    if step == 1.0:
        targets = {float(math.floor(t)) for t in targets} | {float(math.ceil(t)) for t in targets}
    if now is None:
        if direction < 0:
            return []  # from no evidence there is only one way: to some evidence
        ordered = sorted(targets, key=lambda t: (abs(t), t))
    else:
        ordered = sorted(
            (t for t in targets if (t - now) * direction > 0), key=lambda t: abs(t - now)
        )
    return [Counterfactual(knob, now, t, Tier.EXPLORE_MONITOR) for t in ordered]
