"""The criticality ranking: every visible process ranked by what its own outage causes."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from weerbaar import i18n
from weerbaar.cascade import criticality
from weerbaar.cascade.engine import Measure
from weerbaar.domain.access import Subject
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.services.infrastructure.graph import InfrastructureGraph, load_graph
from weerbaar.storage.db import Database

__all__ = ["Ranked", "rank_processes"]


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
    executor: Executor | None = None,
) -> list[Ranked]:
    """Every visible process ranked by what its own outage of ``hours`` causes; the
    runs go to ``executor`` when one is given (a Dask client's), else to this
    machine's threads."""
    graph = graph or load_graph(db, subject=subject)
    if limit is not None and limit < 1:
        raise ValidationError(
            [Issue("limit", "", said("must be at least 1, not %(limit)s", limit=limit))]
        )
    result = criticality(graph.network, hours=hours, min_strength=min_strength, executor=executor)
    order = result.order(by).tolist()[:limit]
    return [
        Ranked(
            rank=place,
            process=graph.processes[v].key,
            name=i18n.localised(graph.processes[v]),
            sector=graph.processes[v].sector,
            region=graph.processes[v].region,
            taken_down=int(result.taken_down[v]),
            people_hours=float(result.people_hours[v]),
            cost=float(result.cost[v]),
        )
        for place, v in enumerate(order, start=1)
    ]
