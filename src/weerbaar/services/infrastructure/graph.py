"""The vital infrastructure a reader may see: the visible processes and the
dependencies between them, and the cascade engine's network over them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from weerbaar.cascade import Network
from weerbaar.domain.access import Subject
from weerbaar.domain.entities.infrastructure import Dependency, VitalProcess
from weerbaar.domain.enums import BasicNeed
from weerbaar.errors import NotFoundError
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

__all__ = ["InfrastructureGraph", "load_graph"]


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
