"""From recorded scores to classes (with the rule applied) and to the latent ranges
the uncertainty engine samples.

The latent axis is the class position: class k spans [k − ½, k + ½), its "high"
part starting ``high_from`` of the way up; X lies below ½. A quantity maps onto it
piecewise log-linearly (so a triangular range on the axis is a log-triangular range
in the quantity), a class onto a representative point of its part, so that a score
with no range lands exactly on its own class and value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from weerbaar.domain.classes import ClassScore
from weerbaar.domain.entities.scores import ImpactScore, LikelihoodScore
from weerbaar.errors import said
from weerbaar.method.classes import ClassScheme
from weerbaar.method.scales import (
    CriterionScale,
    LikelihoodScale,
    MatrixScale,
    QualitativeScale,
    QuantityScale,
)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A score as classes (lowest, expected, highest), the rule that produced the
    expected class, and its range on the latent axis."""

    lowest: ClassScore
    expected: ClassScore
    highest: ClassScore
    rule: str
    latent: tuple[float, float, float]

    @property
    def is_point(self) -> bool:
        return self.latent[0] == self.latent[2]


def class_latent(score: ClassScore, high_from: float) -> float:
    if score.index == 0:
        return 0.0
    start = score.index - 0.5
    if score.high:
        return start + high_from + (1 - high_from) / 2
    return start + high_from / 2


def thresholds(high_from: float) -> list[float]:
    """Ten thresholds on the latent axis: A, A-high, B, B-high, … E-high."""
    out = []
    for k in range(1, 6):
        out += [k - 0.5, k - 0.5 + high_from]
    return out


def impact_values(scheme: ClassScheme) -> list[float]:
    """The value of each latent index: X, A, A-high, B, …, E-high."""
    out = [scheme.value(ClassScore(0))]
    for k in range(1, 6):
        out += [scheme.value(ClassScore(k)), scheme.value(ClassScore(k, high=True))]
    return out


def quantity_latent(scale: QuantityScale, value: float) -> float:
    k = sum(1 for b in scale.bounds if value >= b)
    if k == 0:
        return 0.5 * value / scale.bounds[0]
    low, up = scale.bounds[k - 1], scale.upper(k)
    return k - 0.5 + math.log(value / low) / math.log(up / low)


def probability_latent(scale: LikelihoodScale, p: float) -> float:
    k = sum(1 for b in scale.hazard_bounds if p >= b)
    low, up = scale.lower(k), scale.upper(k)
    if p <= low:  # only in class A, whose log axis stops at a tenth of B's bound
        return k - 0.5
    return min(k - 0.5 + math.log(p / low) / math.log(up / low), 5.5 - 1e-9)


def _class_range(
    expected: str, lowest: str | None, highest: str | None, high_from: float, *, allow_x: bool
) -> Resolved:
    mid = ClassScore.parse(expected, allow_x=allow_x)
    low = ClassScore.parse(lowest, allow_x=allow_x) if lowest else mid
    high = ClassScore.parse(highest, allow_x=allow_x) if highest else mid
    latent = (
        class_latent(low, high_from),
        class_latent(mid, high_from),
        class_latent(high, high_from),
    )
    return Resolved(low, mid, high, said("scored as class %(score)s", score=str(mid)), latent)


def resolve_impact(score: ImpactScore, scale: CriterionScale, scheme: ClassScheme) -> Resolved:
    """The classes of an impact score on its criterion's scale."""
    high_from = scheme.high_from
    if score.expected is not None or isinstance(scale, QualitativeScale):
        assert score.expected is not None
        return _class_range(score.expected, score.lowest, score.highest, high_from, allow_x=True)
    assert score.quantity is not None
    low_q = score.quantity_low if score.quantity_low is not None else score.quantity
    high_q = score.quantity_high if score.quantity_high is not None else score.quantity
    if isinstance(scale, QuantityScale):
        found = [scale.classify(q) for q in (low_q, score.quantity, high_q)]
        latent = (
            quantity_latent(scale, low_q),
            quantity_latent(scale, score.quantity),
            quantity_latent(scale, high_q),
        )
        return Resolved(found[0].score, found[1].score, found[2].score, found[1].rule, latent)
    assert isinstance(scale, MatrixScale) and score.duration is not None
    low_d = score.duration_low if score.duration_low is not None else score.duration
    high_d = score.duration_high if score.duration_high is not None else score.duration
    found = [
        scale.classify(low_q, low_d),
        scale.classify(score.quantity, score.duration),
        scale.classify(high_q, high_d),
    ]
    # A table gives classes, not a position inside one: the latent range runs between
    # the classes' representative points.
    low, mid, high = (class_latent(f.score, high_from) for f in found)
    return Resolved(
        found[0].score,
        found[1].score,
        found[2].score,
        found[1].rule,
        (low, mid, high),
    )


def resolve_likelihood(
    score: LikelihoodScore, scale: LikelihoodScale, scenario_horizon: float, high_from: float
) -> Resolved:
    """The likelihood classes of a score: from probabilities over a horizon (converted
    to the method's horizon), or from classes."""
    if score.expected is not None:
        resolved = _class_range(
            score.expected, score.lowest, score.highest, high_from, allow_x=False
        )
        descriptor = scale.threat_descriptors.get(resolved.expected.letter, "")
        return Resolved(
            resolved.lowest,
            resolved.expected,
            resolved.highest,
            said(
                "scored as class %(score)s: %(descriptor)s",
                score=str(resolved.expected),
                descriptor=descriptor,
            ),
            resolved.latent,
        )
    assert score.probability is not None
    years = score.horizon_years or scenario_horizon
    low_p = score.probability_low if score.probability_low is not None else score.probability
    high_p = score.probability_high if score.probability_high is not None else score.probability
    found = [scale.classify_probability(p, years) for p in (low_p, score.probability, high_p)]
    latent = tuple(
        probability_latent(scale, scale.over_horizon(p, years))
        for p in (low_p, score.probability, high_p)
    )
    return Resolved(
        found[0].score,
        found[1].score,
        found[2].score,
        found[1].rule,
        (latent[0], latent[1], latent[2]),
    )


def likelihood_position(score: ClassScore, high_offset: float) -> float:
    """Where a likelihood class sits on the diagram's x axis (A = 1, high = +offset)."""
    return score.index + (high_offset if score.high else 0.0)
