"""Turning raw quantities into classes, with the rule that was applied.

Three kinds of impact criteria (method/NRA.md 3.2): one quantity with class lower
bounds (fatalities, costs), a quantity and a duration read off a two-way table
(people affected × days), and qualitative criteria scored as classes directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from weerbaar.domain.classes import IMPACT_CLASSES, LIKELIHOOD_CLASSES, ClassScore
from weerbaar.errors import grouped, said, said_in
from weerbaar.method.classes import ClassScheme


class ScoringError(ValueError):
    """A quantity that cannot be scored; the message says why."""


@dataclass(frozen=True, slots=True)
class Classified:
    score: ClassScore
    rule: str  # the rule applied, in words, e.g. "13,000,000,000 EUR → D (D from …)"


# A rule is a catalogue message (errors.said): English as a string, and said in its
# reader's language, numbers included, where it is shown (i18n.translated).


def _figure(value: float, general: str) -> str:
    """``value`` as ``format(value, general)`` writes it, its digits grouped as its
    reader writes numbers (a figure in exponent form stays as it is)."""
    text = format(value, general)
    if "e" in text or "inf" in text or "nan" in text:
        return text
    return grouped(value, len(text.split(".")[1]) if "." in text else 0)


def _unit(unit: str) -> str:
    # The shipped scales' units that are words; any other unit (EUR, km²) as written.
    words = {"people": said_in("unit", "people"), "days": said_in("unit", "days")}
    return words.get(unit, unit)


def _number(value: float, unit: str) -> str:
    shown = _figure(value, ",.0f" if value >= 100 or value == int(value) else ",.4g")
    if not unit:
        return shown
    return said("%(number)s %(unit)s", number=shown, unit=_unit(unit))


def _percent(probability: float, digits: int = 4) -> str:
    return said("%(number)s%%", number=grouped(probability * 100, digits))


def _years(years: float) -> str:
    return _figure(years, "g")


def _check_quantity(value: float, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoringError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ScoringError(f"{name} must be a finite number ≥ 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class QuantityScale:
    """One quantity; class k starts at ``bounds[k]``; below A's bound it is X."""

    code: str
    name: str
    unit: str
    bounds: tuple[float, ...]  # lower bounds of A..E, ascending
    high_from: float

    def upper(self, k: int) -> float:
        """Upper end of class k (1-based) on the log axis; E is as wide as D."""
        if k < 5:
            return self.bounds[k]
        return self.bounds[4] * self.bounds[4] / self.bounds[3]

    def high_bound(self, k: int) -> float:
        low, up = self.bounds[k - 1], self.upper(k)
        return float(low * (up / low) ** self.high_from)

    def classify(self, value: float) -> Classified:
        _check_quantity(value, self.name)
        k = sum(1 for b in self.bounds if value >= b)
        shown = _number(value, self.unit)
        if k == 0:
            return Classified(
                ClassScore(0),
                said(
                    "%(shown)s → X (below class A, which starts at %(start)s)",
                    shown=shown,
                    start=_number(self.bounds[0], self.unit),
                ),
            )
        letter = IMPACT_CLASSES[k]
        high = value >= self.high_bound(k)
        upper = (
            said(
                "; %(letter)s from %(bound)s",
                letter=IMPACT_CLASSES[k + 1],
                bound=_number(self.bounds[k], self.unit),
            )
            if k < 5
            else ""
        )
        position = (
            said(
                "; high within %(letter)s from %(bound)s",
                letter=letter,
                bound=_number(self.high_bound(k), self.unit),
            )
            if high
            else ""
        )
        return Classified(
            ClassScore(k, high),
            said(
                "%(shown)s → %(score)s (%(letter)s from %(bound)s%(upper)s%(position)s)",
                shown=shown,
                score=letter + ("high" if high else ""),
                letter=letter,
                bound=_number(self.bounds[k - 1], self.unit),
                upper=upper,
                position=position,
            ),
        )


@dataclass(frozen=True, slots=True)
class MatrixScale:
    """A quantity (rows) and a duration (columns) read off a table of classes."""

    code: str
    name: str
    unit: str
    duration_name: str
    duration_unit: str
    rows: tuple[float, ...]  # lower bounds of row classes A..E
    columns: tuple[tuple[str, float], ...]  # (label, lower bound), ascending
    table: tuple[tuple[str, ...], ...]  # [row A..E][column] → class letter

    def classify(self, value: float, duration: float) -> Classified:
        _check_quantity(value, self.name)
        _check_quantity(duration, self.duration_name)
        row = sum(1 for b in self.rows if value >= b)
        shown = said(
            "%(quantity)s for %(duration)s",
            quantity=_number(value, self.unit),
            duration=_number(duration, self.duration_unit),
        )
        if row == 0:
            return Classified(
                ClassScore(0),
                said(
                    "%(shown)s → X (fewer than %(bound)s)",
                    shown=shown,
                    bound=_number(self.rows[0], self.unit),
                ),
            )
        col = max(i for i, (_, bound) in enumerate(self.columns) if duration >= bound)
        letter = self.table[row - 1][col]
        label = self.columns[col][0]
        return Classified(
            ClassScore.parse(letter),
            said(
                "%(shown)s → %(letter)s (row %(row)s: from %(bound)s; column '%(label)s': "
                "from %(column)s)",
                shown=shown,
                letter=letter,
                row=IMPACT_CLASSES[row],
                bound=_number(self.rows[row - 1], self.unit),
                label=label,
                column=_number(self.columns[col][1], self.duration_unit),
            ),
        )


@dataclass(frozen=True, slots=True)
class QualitativeScale:
    code: str


CriterionScale = QuantityScale | MatrixScale | QualitativeScale


@dataclass(frozen=True, slots=True)
class LikelihoodScale:
    horizon_years: float
    hazard_bounds: tuple[float, ...]  # lower bounds of A..E (A's is 0)
    threat_descriptors: Mapping[str, str]
    actor_matrix: Mapping[str, Mapping[str, str]]  # intent → capability → class
    high_from: float

    def over_horizon(self, probability: float, years: float) -> float:
        """Probability over the method's horizon, from one over ``years``, assuming a
        constant rate: 1 − (1 − p)^(H / years)."""
        if years == self.horizon_years:
            return probability
        if probability >= 1.0:
            return 1.0
        return float(1.0 - (1.0 - probability) ** (self.horizon_years / years))

    def upper(self, k: int) -> float:
        return self.hazard_bounds[k] if k < 5 else 1.0

    def lower(self, k: int) -> float:
        """Lower end of class k for the log axis; A's own bound (0) is replaced by a
        tenth of B's, so that the axis stays logarithmic."""
        return self.hazard_bounds[k - 1] if k > 1 else self.hazard_bounds[1] / 10

    def high_bound(self, k: int) -> float:
        low, up = self.lower(k), self.upper(k)
        return float(low * (up / low) ** self.high_from)

    def classify_probability(self, probability: float, years: float) -> Classified:
        if isinstance(probability, bool) or not isinstance(probability, int | float):
            raise ScoringError(f"probability must be a number, got {probability!r}")
        if not 0.0 <= probability <= 1.0 or not math.isfinite(probability):
            raise ScoringError(f"probability must lie between 0 and 1, got {probability!r}")
        if years <= 0:
            raise ScoringError(f"the horizon must be positive, got {years!r} years")
        p = self.over_horizon(probability, years)
        k = sum(1 for b in self.hazard_bounds if p >= b)
        letter = LIKELIHOOD_CLASSES[k - 1]
        high = p >= self.high_bound(k)
        band = said(
            "%(low)s–%(high)s",
            low=_percent(self.hazard_bounds[k - 1], 2),
            high=_percent(self.upper(k), 2),
        )
        values = {
            "probability": _percent(probability),
            "years": _years(years),
            "converted": _percent(p),
            "horizon": _years(self.horizon_years),
            "score": letter + ("high" if high else ""),
            "letter": letter,
            "band": band,
        }
        if years != self.horizon_years:
            rule = said(
                "%(probability)s over %(years)s years = %(converted)s over %(horizon)s years "
                "→ %(score)s (%(letter)s: %(band)s in %(horizon)s years)",
                **values,
            )
        else:
            rule = said(
                "%(probability)s over %(horizon)s years → %(score)s "
                "(%(letter)s: %(band)s in %(horizon)s years)",
                **values,
            )
        return Classified(ClassScore(k, high), rule)

    def band(self, letter: str) -> tuple[float, float]:
        k = LIKELIHOOD_CLASSES.index(letter) + 1
        return self.hazard_bounds[k - 1], self.upper(k)

    def from_actor(self, intent: str, capability: str) -> str:
        return self.actor_matrix[intent][capability]


@dataclass(frozen=True, slots=True)
class Scales:
    """One set of class thresholds, with its provenance."""

    key: str
    name: str
    official: bool
    notice: str
    source: str
    classes: ClassScheme
    likelihood: LikelihoodScale
    criteria: Mapping[str, CriterionScale]

    def scale(self, code: str) -> CriterionScale:
        try:
            return self.criteria[code]
        except KeyError:
            raise ScoringError(f"the scales {self.key!r} have no criterion {code!r}") from None
