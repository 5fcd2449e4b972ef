"""Aggregating criterion scores into one impact per scenario.

References
----------
Weighted sum (2009 guide §5.4.2; method/NRA.md 5.2): aggregated impact = Σ w_i ·
value(class_i) with Σ w_i = 1, read back on the ×3 class axis. Medal method
("medaillemethode", 2008 MCA): an ordinal ranking, like a medal table — most E
scores first, ties broken by D scores, and so on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from weerbaar.domain.classes import ClassScore
from weerbaar.method.classes import ClassScheme
from weerbaar.method.weights import WeightSet


def weighted_sum(
    scores: Mapping[str, ClassScore], weights: WeightSet, scheme: ClassScheme
) -> float:
    """Σ w_i · value(class_i) over the weight set's criteria; an unscored criterion
    counts as X (0)."""
    return sum(
        weight * scheme.value(scores[code])
        for code, weight in weights.weights.items()
        if code in scores
    )


def medal_key(scores: Mapping[str, ClassScore]) -> tuple[int, ...]:
    """Sort key of the medal method: the number of E scores, then of D, …, A; "high"
    marks only break ties that remain (Ehigh first)."""
    counts = [sum(1 for s in scores.values() if s.index == k) for k in range(5, 0, -1)]
    highs = [sum(1 for s in scores.values() if s.index == k and s.high) for k in range(5, 0, -1)]
    return (*counts, *highs)


@dataclass(frozen=True, slots=True)
class Ranked:
    key: str
    rank: int  # 1 = first; ties share the better rank


def rank_by(values: Mapping[str, object], *, descending: bool = True) -> list[Ranked]:
    """Competition ranking ("1224") of keys by their values."""
    ordered = sorted(values.items(), key=lambda kv: kv[1], reverse=descending)  # type: ignore[arg-type,return-value]
    out: list[Ranked] = []
    for position, (key, value) in enumerate(ordered, start=1):
        if out and ordered[position - 2][1] == value:
            out.append(Ranked(key, out[-1].rank))
        else:
            out.append(Ranked(key, position))
    return out


def medal_ranking(scores: Mapping[str, Mapping[str, ClassScore]]) -> list[Ranked]:
    return rank_by({key: medal_key(s) for key, s in scores.items()})
