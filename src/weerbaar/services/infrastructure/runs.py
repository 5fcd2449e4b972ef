"""Cascade runs over the visible graph: the deterministic cascade, a seeded Monte Carlo
ensemble around it, and the impact on each cascade criterion classified on the
edition's scales."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from weerbaar import i18n
from weerbaar.cascade import Disruption, ensemble, run
from weerbaar.cascade.impact import ImpactFigure, classify, impact_figures
from weerbaar.domain.access import Subject
from weerbaar.domain.catalogue import Edition
from weerbaar.errors import Issue, NotFoundError, ValidationError, grouped, said
from weerbaar.method.scales import CriterionScale
from weerbaar.reference.cascade import cascade_impact_rules
from weerbaar.reference.method import editions, scales_for
from weerbaar.services.infrastructure.graph import InfrastructureGraph, load_graph
from weerbaar.services.infrastructure.starts import Start
from weerbaar.services.rounds import newest_round
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

__all__ = [
    "MAX_MEMBERS",
    "PERCENTILES",
    "Affected",
    "CascadeReport",
    "Distribution",
    "ImpactEstimate",
    "run_cascade",
]


PERCENTILES = (5.0, 50.0, 95.0)
MAX_MEMBERS = 10_000


@dataclass(frozen=True, slots=True)
class Affected:
    """One process the cascade took down, with when, how long and through whom."""

    process: str
    name: str
    sector: str
    region: str | None
    fails_at: float
    recovers_at: float
    people: float
    cost: float
    cause: str | None  # the supplier whose loss took it down; None for a start
    fail_probability: float | None = None  # share of ensemble members, when run
    mean_hours: float | None = None

    @property
    def hours(self) -> float:
        return self.recovers_at - self.fails_at

    @property
    def person_hours(self) -> float:
        return self.people * self.hours

    def row(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "name": self.name,
            "sector": self.sector,
            "region": self.region,
            "fails_at": self.fails_at,
            "recovers_at": self.recovers_at,
            "hours": self.hours,
            "people": self.people,
            "person_hours": self.person_hours,
            "cost": self.cost,
            "cause": self.cause,
            "fail_probability": self.fail_probability,
            "mean_hours": self.mean_hours,
        }


@dataclass(frozen=True, slots=True)
class ImpactEstimate:
    """A criterion's quantity from the run, with P5 and P95 over an ensemble."""

    code: str
    name: str
    unit: str
    quantity: float
    days: float | None
    process: str | None  # for table criteria: the process the figure comes from
    expected: str  # the class, e.g. "Chigh"
    rule: str
    quantity_low: float | None = None
    quantity_high: float | None = None
    days_low: float | None = None
    days_high: float | None = None
    lowest: str | None = None
    highest: str | None = None

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class Distribution:
    """P5, P50 and P95 of one per-member output of an ensemble."""

    name: str
    p5: float
    p50: float
    p95: float


@dataclass(frozen=True, slots=True)
class CascadeReport:
    starts: tuple[Start, ...]
    edition: str
    min_strength: float
    affected: tuple[Affected, ...]
    taken_down: int
    people_hours: float
    cost: float
    end: float | None
    impacts: tuple[ImpactEstimate, ...]
    members: int = 0
    seed: int | None = None
    distributions: tuple[Distribution, ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        return {
            "starts": [{"process": s.process, "hours": s.hours, "at": s.at} for s in self.starts],
            "edition": self.edition,
            "min_strength": self.min_strength,
            "affected": len(self.affected),
            "taken_down": self.taken_down,
            "people_hours": self.people_hours,
            "cost": self.cost,
            "end": self.end,
            "members": self.members,
            "seed": self.seed,
        }


def _edition(db: Database, subject: Subject | None, key: str | None) -> Edition:
    known = editions()
    if key is None:
        with db.transaction() as connection:
            try:
                key = newest_round(Repository(connection), visibility(connection, subject)).edition
            except NotFoundError:
                key = next(iter(reversed(known)))
    if key not in known:
        raise ValidationError(
            [
                Issue(
                    "edition",
                    "",
                    said(
                        "unknown edition %(key)s (known: %(known)s)",
                        key=repr(key),
                        known=", ".join(known),
                    ),
                )
            ]
        )
    return known[key]


def _scales(edition: Edition) -> list[tuple[str, str, str, CriterionScale]]:
    """(code, name, unit, scale) of every cascade criterion the edition has."""
    scales = scales_for(edition)
    out = []
    for rule in cascade_impact_rules():
        criterion = edition.criterion(rule.code)
        if criterion is None or rule.code not in scales.criteria:
            continue
        scale = scales.scale(rule.code)
        unit = getattr(scale, "unit", "")
        out.append((rule.code, criterion.name_en, unit, scale))
    return out


def run_cascade(
    db: Database,
    starts: Sequence[Start],
    *,
    subject: Subject | None = None,
    graph: InfrastructureGraph | None = None,
    members: int = 0,
    seed: int | None = None,
    min_strength: float = 0.5,
    edition: str | None = None,
    executor: Executor | None = None,
) -> CascadeReport:
    """The deterministic cascade of ``starts`` (midpoints of every range), and with
    ``members`` > 0 a seeded Monte Carlo ensemble around it, whose members go to
    ``executor`` when one is given (a Dask client's), else to this machine's threads."""
    graph = graph or load_graph(db, subject=subject)
    if not 0 <= members <= MAX_MEMBERS:
        raise ValidationError(
            [
                Issue(
                    "members",
                    "",
                    said(
                        "must be between 0 and %(most)s, not %(members)s",
                        most=grouped(MAX_MEMBERS),
                        members=members,
                    ),
                )
            ]
        )
    unknown = [s.process for s in starts if s.process not in graph.index]
    if unknown:
        raise NotFoundError("vital process", unknown[0])
    chosen = _edition(db, subject, edition)
    criteria = _scales(chosen)
    rules = {r.code: r for r in cascade_impact_rules()}
    disruption = Disruption.of([(graph.index[s.process], s.at, s.hours) for s in starts])
    net = graph.network
    result = run(net, disruption, min_strength=min_strength)

    def figures(f: np.ndarray[Any, Any], e: np.ndarray[Any, Any]) -> list[ImpactFigure]:
        return impact_figures(
            [rules[c[0]] for c in criteria],
            [c[3] for c in criteria],
            f=f,
            e=e,
            people=net.people,
            cost_per_hour=net.cost_per_hour,
            basic_need=graph.basic_need,
        )

    expected = figures(result.f, result.e)
    probability = mean_hours = None
    spread: list[list[ImpactFigure]] = []
    distributions: tuple[Distribution, ...] = ()
    used_seed = None
    if members:
        crowd = ensemble(
            net, disruption, members=members, seed=seed, keep_times=True, executor=executor
        )
        assert crowd.f is not None and crowd.e is not None
        used_seed = crowd.seed
        probability, mean_hours = crowd.fail_probability, crowd.mean_downtime
        spread = [figures(crowd.f[r], crowd.e[r]) for r in range(members)]
        distributions = tuple(
            Distribution(name, *map(float, values)) for name, values in crowd.summary().items()
        )
    impacts = tuple(
        _estimate(code, name, unit, scale, expected[i], [m[i] for m in spread], graph)
        for i, (code, name, unit, scale) in enumerate(criteria)
    )
    affected = tuple(
        Affected(
            process=graph.processes[v].key,
            name=i18n.localised(graph.processes[v]),
            sector=graph.processes[v].sector,
            region=graph.processes[v].region,
            fails_at=float(result.f[v]),
            recovers_at=float(result.e[v]),
            people=float(net.people[v]),
            cost=float(net.cost_per_hour[v] * (result.e[v] - result.f[v])),
            cause=graph.processes[result.cause[v]].key if result.cause[v] >= 0 else None,
            fail_probability=None if probability is None else float(probability[v]),
            mean_hours=None if mean_hours is None else float(mean_hours[v]),
        )
        for v in result.affected().tolist()
    )
    return CascadeReport(
        starts=tuple(starts),
        edition=chosen.key,
        min_strength=min_strength,
        affected=affected,
        taken_down=result.taken_down,
        people_hours=result.people_hours,
        cost=result.cost,
        end=result.end if result.affected_count else None,
        impacts=impacts,
        members=members,
        seed=used_seed,
        distributions=distributions,
    )


def _estimate(
    code: str,
    name: str,
    unit: str,
    scale: CriterionScale,
    figure: ImpactFigure,
    members: Sequence[ImpactFigure],
    graph: InfrastructureGraph,
) -> ImpactEstimate:
    classified = classify(figure, scale)
    out = ImpactEstimate(
        code=code,
        name=name,
        unit=unit,
        quantity=figure.quantity,
        days=figure.days,
        process=None if figure.process is None else graph.processes[figure.process].key,
        expected=str(classified.score),
        rule=classified.rule,
    )
    if not members:
        return out
    # The range spans P5…P95 of the members and always holds the deterministic run's
    # figure, so that the stored score is ordered low ≤ expected ≤ high.
    quantity = np.percentile([m.quantity for m in members], PERCENTILES)
    low_q = float(min(quantity[0], figure.quantity))
    high_q = float(max(quantity[2], figure.quantity))
    days_low = days_high = None
    if figure.days is not None:
        days = np.percentile([m.days or 0.0 for m in members], PERCENTILES)
        days_low, days_high = float(min(days[0], figure.days)), float(max(days[2], figure.days))
    low = classify(ImpactFigure(code, low_q, days_low), scale).score
    high = classify(ImpactFigure(code, high_q, days_high), scale).score
    return dataclasses.replace(
        out,
        quantity_low=low_q,
        quantity_high=high_q,
        days_low=days_low,
        days_high=days_high,
        lowest=str(min(low, classified.score)),
        highest=str(max(high, classified.score)),
    )
