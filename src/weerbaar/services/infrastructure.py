"""Vital infrastructure as far as the reader may see it: the dependency graph, cascade
runs over it, the criticality ranking, and a run's impact written to a scenario.

Everything runs over the processes and dependencies the reader may see: a
dependency counts only when the reader may see it and both its ends. A reader with
less sight gets the cascade of the graph they know, never a figure that leaks what
they may not see.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from weerbaar.cascade import Disruption, Network, criticality, ensemble, run
from weerbaar.cascade.engine import Measure
from weerbaar.cascade.impact import HOURS_PER_DAY, ImpactFigure, classify, impact_figures
from weerbaar.domain.access import Subject
from weerbaar.domain.catalogue import Edition
from weerbaar.domain.entities.infrastructure import Dependency, VitalProcess
from weerbaar.domain.enums import BasicNeed
from weerbaar.errors import Issue, NotFoundError, ValidationError
from weerbaar.method.scales import CriterionScale
from weerbaar.reference import cascade_impact_rules, editions, scales_for
from weerbaar.services.context import Context
from weerbaar.services.records import Create, Update, Versioned, write_in
from weerbaar.services.rounds import newest_round
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

PERCENTILES = (5.0, 50.0, 95.0)
MAX_MEMBERS = 10_000


@dataclass(frozen=True, eq=False)
class InfrastructureGraph:
    """The visible processes (in key order) and the dependencies between them."""

    processes: tuple[VitalProcess, ...]
    dependencies: tuple[Dependency, ...]
    index: dict[str, int]
    network: Network
    basic_need: np.ndarray[Any, np.dtype[np.bool_]]

    def process(self, key: str) -> VitalProcess:
        try:
            return self.processes[self.index[key]]
        except KeyError:
            raise NotFoundError("vital process", key) from None

    def sectors(self) -> list[str]:
        return sorted({p.sector for p in self.processes})

    def regions(self) -> list[str]:
        return sorted({p.region for p in self.processes if p.region})

    def subset(self, *, region: str | None = None, sector: str | None = None) -> set[str]:
        """Keys of the processes in ``sector`` that serve ``region`` (a nationwide
        process serves every region)."""
        return {
            p.key
            for p in self.processes
            if (sector is None or p.sector == sector)
            and (region is None or p.region is None or p.region == region)
        }


def _pair(low: float | None, high: float | None) -> tuple[float, float]:
    lo = low or 0.0
    return lo, high if high is not None else lo


def load_graph(db: Database, *, subject: Subject | None = None) -> InfrastructureGraph:
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        processes = tuple(
            sorted(seen.filter("vital_processes", repo.fetch("vital_processes")), key=_key)
        )
        index = {p.key: i for i, p in enumerate(processes)}
        dependencies = tuple(
            sorted(
                (
                    d
                    for d in seen.filter("dependencies", repo.fetch("dependencies"))
                    if d.supplier in index and d.dependent in index
                ),
                key=_key,
            )
        )
    return InfrastructureGraph(
        processes=processes,
        dependencies=dependencies,
        index=index,
        network=_network(processes, dependencies, index),
        basic_need=np.array([p.basic_need is BasicNeed.YES for p in processes], dtype=bool),
    )


def _key(record: VitalProcess | Dependency) -> str:
    return record.key


def _network(
    processes: Sequence[VitalProcess], dependencies: Sequence[Dependency], index: dict[str, int]
) -> Network:
    lag = [_pair(d.lag_hours, d.lag_hours_high) for d in dependencies]
    buffer = [_pair(d.buffer_hours, d.buffer_hours_high) for d in dependencies]
    restart = [_pair(p.restart_hours, p.restart_hours_high) for p in processes]

    def columns(pairs: list[tuple[float, float]]) -> tuple[np.ndarray[Any, Any], ...]:
        array = np.array(pairs, dtype=np.float64).reshape(-1, 2)
        return array[:, 0], array[:, 1]

    return Network.from_edges(
        len(processes),
        np.array([index[d.supplier] for d in dependencies], dtype=np.int64),
        np.array([index[d.dependent] for d in dependencies], dtype=np.int64),
        lag=columns(lag),
        buffer=columns(buffer),
        strength=np.array([d.strength or 1.0 for d in dependencies], dtype=np.float64),
        restart=columns(restart),
        people=np.array([p.people_served or 0.0 for p in processes], dtype=np.float64),
        cost_per_hour=np.array([p.cost_per_hour or 0.0 for p in processes], dtype=np.float64),
    )


# ---------------------------------------------------------------- starts


@dataclass(frozen=True, slots=True)
class Start:
    """A process knocked out from outside, from hour ``at`` for ``hours``."""

    process: str
    hours: float
    at: float = 0.0


def resolve_starts(
    graph: InfrastructureGraph,
    targets: Sequence[str],
    *,
    hours: float,
    at: float = 0.0,
    region: str | None = None,
) -> list[Start]:
    """Each target is a process key, or a sector: every process of that sector that
    serves ``region`` (or all of the sector without a region)."""
    issues: list[Issue] = []
    if not (isinstance(hours, int | float) and math.isfinite(hours) and hours >= 0):
        issues.append(Issue("hours", "", f"must be a finite number of hours ≥ 0, not {hours!r}"))
    if not (isinstance(at, int | float) and math.isfinite(at)):
        issues.append(Issue("at", "", f"must be a finite hour, not {at!r}"))
    if not targets:
        issues.append(Issue("process", "", "name at least one process or sector"))
    if region is not None and region not in graph.regions():
        known = ", ".join(graph.regions()) or "none"
        issues.append(Issue("region", "", f"no process serves region {region!r} (known: {known})"))
    keys: list[str] = []
    sectors = {s.lower(): s for s in graph.sectors()}
    for target in targets:
        if target in graph.index and region is None:
            keys.append(target)
        elif target.lower() in sectors:
            chosen = graph.subset(region=region, sector=sectors[target.lower()])
            if region is not None:
                # A region's own processes stand in for the nationwide one of the sector.
                chosen = {k for k in chosen if graph.process(k).region == region} or chosen
            keys += sorted(chosen)
        elif target in graph.index:
            keys.append(target)
        else:
            issues.append(
                Issue("process", "", f"{target!r} is neither a vital process nor a sector")
            )
    if issues:
        raise ValidationError(issues, summary="cannot start a cascade")
    return [Start(k, float(hours), float(at)) for k in dict.fromkeys(keys)]


# ---------------------------------------------------------------- runs


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
            [Issue("edition", "", f"unknown edition {key!r} (known: {', '.join(known)})")]
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
) -> CascadeReport:
    """The deterministic cascade of ``starts`` (midpoints of every range), and with
    ``members`` > 0 a seeded Monte Carlo ensemble around it."""
    graph = graph or load_graph(db, subject=subject)
    if not 0 <= members <= MAX_MEMBERS:
        raise ValidationError(
            [Issue("members", "", f"must be between 0 and {MAX_MEMBERS:,}, not {members}")]
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
        crowd = ensemble(net, disruption, members=members, seed=seed, keep_times=True)
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
            name=graph.processes[v].name,
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


# ---------------------------------------------------------------- ranking


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    process: str
    name: str
    sector: str
    region: str | None
    taken_down: int  # other processes its own outage takes down
    people_hours: float  # its own outage included
    cost: float

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def rank_processes(
    db: Database,
    *,
    subject: Subject | None = None,
    graph: InfrastructureGraph | None = None,
    hours: float = 24.0,
    min_strength: float = 0.5,
    by: Measure = "people_hours",
    limit: int | None = None,
) -> list[Ranked]:
    """Every visible process ranked by what its own outage of ``hours`` causes."""
    graph = graph or load_graph(db, subject=subject)
    if limit is not None and limit < 1:
        raise ValidationError([Issue("limit", "", f"must be at least 1, not {limit}")])
    result = criticality(graph.network, hours=hours, min_strength=min_strength)
    order = result.order(by).tolist()[:limit]
    return [
        Ranked(
            rank=place,
            process=graph.processes[v].key,
            name=graph.processes[v].name,
            sector=graph.processes[v].sector,
            region=graph.processes[v].region,
            taken_down=int(result.taken_down[v]),
            people_hours=float(result.people_hours[v]),
            cost=float(result.cost[v]),
        )
        for place, v in enumerate(order, start=1)
    ]


# ---------------------------------------------------------------- scores


def describe(report: CascadeReport) -> str:
    """One line saying where a score came from, for the score's note."""
    starts = "; ".join(f"{s.process} down {s.hours:g} h from hour {s.at:g}" for s in report.starts)
    spread = (
        f"; {report.members} Monte Carlo members, seed {report.seed}, range P5–P95"
        if report.members
        else ""
    )
    return (
        f"From a cascade run: {starts}; {len(report.affected)} processes affected, "
        f"{report.taken_down} taken down by the cascade; min strength "
        f"{report.min_strength:g}{spread}."
    )


def write_scores(
    ctx: Context,
    report: CascadeReport,
    *,
    scenario: str,
    round_key: str,
) -> list[Versioned]:
    """Store the run's impact on each of its criteria as the scenario's scores in the
    round (created or replaced, each audited); the note says where they came from."""
    with ctx.db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, ctx.subject)
        seen.require("rounds", round_key)
        seen.require("scenarios", scenario)
        edition = repo.require("rounds", round_key).edition
    if edition != report.edition:
        raise ValidationError(
            [
                Issue(
                    "round",
                    "",
                    f"round {round_key!r} uses edition {edition}, the run was classified "
                    f"with {report.edition}: run it again for this round",
                )
            ]
        )
    note = describe(report)
    writes: list[Create | Update] = []
    with ctx.db.transaction(write=True) as connection:
        repo = Repository(connection)
        for impact in report.impacts:
            # The whole score is replaced: a class or range set by hand before goes.
            fields: dict[str, object] = {
                "expected": None,
                "lowest": None,
                "highest": None,
                "quantity": impact.quantity,
                "quantity_low": impact.quantity_low,
                "quantity_high": impact.quantity_high,
                "duration": impact.days,
                "duration_low": impact.days_low,
                "duration_high": impact.days_high,
                "note": note,
            }
            key = f"{round_key}/{scenario}/{impact.code}"
            if repo.version("impact_scores", key) is None:
                raw = {"round": round_key, "scenario": scenario, "criterion": impact.code}
                writes.append(Create("impact_scores", raw | fields))
            else:
                writes.append(Update("impact_scores", key, fields))
        return write_in(ctx, connection, writes)


__all__ = [
    "HOURS_PER_DAY",
    "Affected",
    "CascadeReport",
    "Distribution",
    "ImpactEstimate",
    "InfrastructureGraph",
    "Ranked",
    "Start",
    "describe",
    "load_graph",
    "rank_processes",
    "resolve_starts",
    "run_cascade",
    "write_scores",
]
