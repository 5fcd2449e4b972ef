"""Which criterion weights move a round's risk ranking, and which scenarios' places
depend on the weights at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from weerbaar.domain.access import Subject
from weerbaar.services.assessment import RoundAssessment, assess_round
from weerbaar.simulation.ranking_sensitivity import RankingSensitivity, ranking_sensitivity
from weerbaar.storage.db import Database


@dataclass(frozen=True, slots=True)
class WeightInfluence:
    criterion: str
    weight: float
    total_order: float
    total_order_conf: float
    first_order: float
    first_order_conf: float


@dataclass(frozen=True, slots=True)
class RankSpread:
    scenario: str
    rank: int  # under the base weights
    p5: float
    p95: float


@dataclass(frozen=True, slots=True)
class SensitivityReport:
    assessment: RoundAssessment
    spread: float
    samples: RankingSensitivity
    influences: tuple[WeightInfluence, ...]  # most influential first
    ranks: tuple[RankSpread, ...]  # by base rank


def weight_sensitivity_report(
    db: Database,
    *,
    round_key: str | None = None,
    weights: str | Mapping[str, object] = "equal",
    samples: int = 512,
    spread: float = 0.5,
    seed: int | None = None,
    subject: Subject | None = None,
) -> SensitivityReport:
    """Vary every weight by ± ``spread`` of itself and measure how the ranking moves."""
    assessment = assess_round(db, round_key=round_key, weights=weights, subject=subject)
    codes = list(assessment.weights.weights)
    column = {code: i for i, code in enumerate(codes)}
    results = assessment.results
    values = np.zeros((len(results), len(codes)))
    for i, result in enumerate(results):
        for c in result.criteria:
            values[i, column[c.code]] = c.value
    scale = np.array([10.0 ** (r.likelihood_position - 1) for r in results])
    base = np.array([assessment.weights.weights[c] for c in codes])
    found = ranking_sensitivity(values, scale, base, samples=samples, seed=seed, spread=spread)
    influences = sorted(
        (
            WeightInfluence(
                criterion=code,
                weight=float(base[j]),
                total_order=float(found.total_order[j]),
                total_order_conf=float(found.total_order_conf[j]),
                first_order=float(found.first_order[j]),
                first_order_conf=float(found.first_order_conf[j]),
            )
            for j, code in enumerate(codes)
        ),
        key=lambda w: (-w.total_order, w.criterion),
    )
    ranks = tuple(
        RankSpread(r.scenario.key, r.rank, float(found.rank_p5[i]), float(found.rank_p95[i]))
        for i, r in enumerate(results)
    )
    return SensitivityReport(assessment, spread, found, tuple(influences), ranks)
