"""A cascade run as people ask for one: targets named by process key or by sector,
over the graph the subject may see, classified by the edition asked for or the one of
the round its impact is meant for."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor

from weerbaar.domain.access import Subject
from weerbaar.services.infrastructure.graph import InfrastructureGraph, load_graph
from weerbaar.services.infrastructure.runs import CascadeReport, run_cascade
from weerbaar.services.infrastructure.starts import resolve_starts
from weerbaar.services.records import get_record
from weerbaar.storage.db import Database


def cascade_of(
    db: Database,
    *,
    subject: Subject | None = None,
    targets: Sequence[str],
    hours: float,
    at: float = 0.0,
    region: str | None = None,
    members: int = 0,
    seed: int | None = None,
    min_strength: float = 0.5,
    edition: str | None = None,
    round_key: str | None = None,
    graph: InfrastructureGraph | None = None,
    executor: Executor | None = None,
) -> CascadeReport:
    """A cascade over the subject's graph; an unknown or hidden target alike is a
    validation error naming the ``process``. Without an ``edition``, the classes are
    those of ``round_key``'s edition, else of the newest round's."""
    if edition is None and round_key is not None:
        edition = get_record(
            db, entity_name="rounds", key=round_key, subject=subject
        ).record.edition
    graph = graph or load_graph(db, subject=subject)
    starts = resolve_starts(graph, targets, hours=hours, at=at, region=region)
    return run_cascade(
        db,
        starts,
        subject=subject,
        graph=graph,
        members=members,
        seed=seed,
        min_strength=min_strength,
        edition=edition,
        executor=executor,
    )
