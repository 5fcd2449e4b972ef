"""From a cascade's fail and end hours to the quantities the impact criteria score.

Which criteria a cascade scores, and from which output, is reference data
(``weerbaar/data/cascade/impact.yaml``): a table criterion (people × days) takes the
worst single affected process among those the rule covers; a cost criterion takes
the sum of outage costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from weerbaar.method.scales import Classified, CriterionScale, MatrixScale, QuantityScale

__all__ = ["ImpactFigure", "ImpactMeasure", "ImpactRule", "Over", "classify", "impact_figures"]

HOURS_PER_DAY = 24.0


class ImpactMeasure(StrEnum):
    WORST_PROCESS = "worst_process"  # people served × days down of one process
    TOTAL_COST = "total_cost"  # euros over all affected processes


class Over(StrEnum):
    ALL = "all"
    BASIC_NEED = "basic_need"  # only processes whose outage leaves people without basic needs


@dataclass(frozen=True, slots=True)
class ImpactRule:
    code: str
    measure: ImpactMeasure
    over: Over


@dataclass(frozen=True, slots=True)
class ImpactFigure:
    """What one run gives one criterion: a quantity (people or euros), for table
    criteria with the duration in days and the process it came from."""

    code: str
    quantity: float
    days: float | None = None
    process: int | None = None


def classify(figure: ImpactFigure, scale: CriterionScale) -> Classified:
    """The class of ``figure`` on ``scale``, with the rule applied."""
    if isinstance(scale, MatrixScale):
        return scale.classify(figure.quantity, figure.days or 0.0)
    if isinstance(scale, QuantityScale):
        return scale.classify(figure.quantity)
    raise ValueError(f"criterion {figure.code} is qualitative: a cascade cannot score it")


def impact_figures(
    rules: Sequence[ImpactRule],
    scales: Sequence[CriterionScale],
    *,
    f: NDArray[np.floating],
    e: NDArray[np.floating],
    people: NDArray[np.float64],
    cost_per_hour: NDArray[np.float64],
    basic_need: NDArray[np.bool_],
) -> list[ImpactFigure]:
    """One figure per rule for the run whose fail and end hours are ``f`` and ``e``
    (``inf`` where a process was not affected)."""
    hit = np.isfinite(f)
    hours = np.zeros(len(f))
    np.subtract(e, f, out=hours, where=hit, casting="unsafe")
    out: list[ImpactFigure] = []
    for rule, scale in zip(rules, scales, strict=True):
        if rule.measure is ImpactMeasure.TOTAL_COST:
            out.append(ImpactFigure(rule.code, float(cost_per_hour @ hours)))
            continue
        covered = hit & (basic_need if rule.over is Over.BASIC_NEED else True)
        out.append(_worst(rule.code, scale, np.flatnonzero(covered), people, hours))
    return out


def _worst(
    code: str,
    scale: CriterionScale,
    candidates: NDArray[np.intp],
    people: NDArray[np.float64],
    hours: NDArray[np.float64],
) -> ImpactFigure:
    """The candidate with the highest class; among equal classes the most person-days,
    then the lowest index (so the choice does not depend on the order of records)."""
    best: tuple[int, bool, float, int] | None = None
    for v in candidates.tolist():
        figure = ImpactFigure(code, float(people[v]), float(hours[v]) / HOURS_PER_DAY, v)
        score = classify(figure, scale).score
        rank = (score.index, score.high, figure.quantity * (figure.days or 0.0), -v)
        if best is None or rank > best:
            best = rank
    if best is None:
        return ImpactFigure(code, 0.0, 0.0, None)
    v = -best[3]
    return ImpactFigure(code, float(people[v]), float(hours[v]) / HOURS_PER_DAY, v)
