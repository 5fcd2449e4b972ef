"""``/infrastructure``: the dependency graph of the vital processes, cascade runs over
it, the criticality ranking, and a run's impact written as a scenario's scores; all
computed from what the caller may see.

A process or dependency the caller may not see takes no part: a cascade naming a
hidden process is refused exactly as one naming no process at all.
"""

# No ``from __future__ import annotations``: FastAPI reads the models from the
# endpoints' annotations, and the impact score model is made at import time.

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from weerbaar.services.cascade_runs import cascade_of
from weerbaar.services.graph_filters import chosen_keys
from weerbaar.services.infrastructure.graph import InfrastructureGraph, load_graph
from weerbaar.services.infrastructure.ranking import rank_processes
from weerbaar.services.infrastructure.runs import CascadeReport
from weerbaar.services.infrastructure.scores import write_scores
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.records import plain
from weerbaar.web.api.schemas import MODELS
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of, require_write
from weerbaar.web.limits import (
    MAX_HOURS,
    MAX_MEMBERS,
    MAX_RANKED,
    MAX_SEED,
    MAX_TARGETS,
    NAME_LENGTH,
    Key,
)
from weerbaar.web.presenters.cascade import By, Cascade, Ranking, cascade_answer, ranking_answer

Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$")]
QueryName = Annotated[
    str, Query(min_length=1, max_length=NAME_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$")
]

router = APIRouter(prefix="/infrastructure", tags=["infrastructure"])


# ---------------------------------------------------------------- graph


class Node(BaseModel):
    key: str
    name: str
    sector: str
    category: str | None
    region: str | None = Field(description="null: nationwide")
    people_served: float | None


class Edge(BaseModel):
    supplier: str
    dependent: str
    kind: str | None
    strength: float | None = Field(description="0–1; how much the dependent needs it")
    lag: float | None = Field(description="hours before the loss reaches the dependent")
    lag_high: float | None
    buffer: float | None = Field(description="hours the dependent bridges on its own")
    buffer_high: float | None


class Graph(BaseModel):
    sectors: list[str] = Field(description="every sector the caller may see")
    regions: list[str] = Field(description="every region the caller may see")
    nodes: list[Node]
    edges: list[Edge]


def _value(x: Any) -> str | None:
    return None if x is None else str(getattr(x, "value", x))


def graph_answer(graph: InfrastructureGraph, keys: set[str]) -> Graph:
    return Graph(
        sectors=graph.sectors(),
        regions=graph.regions(),
        nodes=[
            Node(
                key=p.key,
                name=p.name,
                sector=p.sector,
                category=_value(p.category),
                region=p.region,
                people_served=p.people_served,
            )
            for p in graph.processes
            if p.key in keys
        ],
        edges=[
            Edge(
                supplier=d.supplier,
                dependent=d.dependent,
                kind=_value(d.kind),
                strength=d.strength,
                lag=d.lag_hours,
                lag_high=d.lag_hours_high,
                buffer=d.buffer_hours,
                buffer_high=d.buffer_hours_high,
            )
            for d in graph.dependencies
            if d.supplier in keys and d.dependent in keys
        ],
    )


@router.get(
    "/graph",
    summary="The dependency graph",
    description="The vital processes and the dependencies between them that the caller "
    "may see; filter by region (a nationwide process serves every region) and sector.",
    responses=error_responses(401, 422),
)
def graph(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    region: QueryName | None = None,
    sector: QueryName | None = None,
) -> Graph:
    found = load_graph(database(request), subject=caller.subject)
    return graph_answer(found, chosen_keys(found, region=region, sector=sector))


# ---------------------------------------------------------------- cascades


class CascadeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: list[Name] = Field(
        min_length=1,
        max_length=MAX_TARGETS,
        description="process keys or sector names knocked out from outside",
        examples=[["vp-electricity-regional-zh"]],
    )
    hours: float = Field(ge=0, le=MAX_HOURS, allow_inf_nan=False, description="outage length")
    at: float = Field(0.0, ge=0, le=MAX_HOURS, allow_inf_nan=False, description="start hour")
    region: Name | None = Field(None, description="only the sector's processes of this region")
    members: int = Field(0, ge=0, le=MAX_MEMBERS, description="Monte Carlo members (0: none)")
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="seed of the members")
    min_strength: float = Field(
        0.5, gt=0, le=1, allow_inf_nan=False, description="weaker dependencies do not cascade"
    )
    edition: Key | None = Field(None, description="criteria edition; default: the newest round's")


class ScoresRequest(CascadeRequest):
    scenario: Key
    round: Key


def _run(request: Request, caller: Caller, body: CascadeRequest) -> CascadeReport:
    return cascade_of(
        database(request),
        subject=caller.subject,
        targets=list(body.targets),
        hours=body.hours,
        at=body.at,
        region=body.region,
        members=body.members,
        seed=body.seed,
        min_strength=body.min_strength,
        edition=body.edition,
    )


@router.post(
    "/cascades",
    summary="Run a cascade",
    description="Knocks the targets out for ``hours`` from hour ``at`` and follows the "
    "outage through the dependencies the caller may see; with ``members`` also a seeded "
    "Monte Carlo ensemble. A read: nothing is stored.",
    responses=error_responses(400, 401, 404, 422),
)
def cascade(
    request: Request, body: CascadeRequest, caller: Annotated[Caller, Depends(reader)]
) -> Cascade:
    return cascade_answer(_run(request, caller, body))


ImpactScore = MODELS["impact_scores"].versioned


class WrittenScores(BaseModel):
    cascade: Cascade
    scores: list[ImpactScore]  # type: ignore[valid-type]


@router.post(
    "/cascades/scores",
    summary="Use a cascade as a scenario's impact",
    description="Runs the cascade and stores its impact on each cascade criterion as the "
    "scenario's impact scores in the round (created or replaced, audited, all or none).",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def cascade_scores(
    request: Request, body: ScoresRequest, caller: Annotated[Caller, Depends(writer)]
) -> WrittenScores:
    require_write(caller, "impact_scores")
    report = _run(request, caller, body)
    written = write_scores(
        context_of(request, caller), report, scenario=body.scenario, round_key=body.round
    )
    return WrittenScores(
        cascade=cascade_answer(report),
        scores=[ImpactScore.model_validate(plain(w)) for w in written],
    )


# ---------------------------------------------------------------- ranking


@router.get(
    "/ranking",
    summary="Criticality ranking",
    description="Every vital process the caller may see, ranked by what its own outage of "
    "``hours`` causes through the dependencies they may see.",
    responses=error_responses(401, 422),
)
def ranking(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    hours: Annotated[float, Query(ge=0, le=MAX_HOURS, allow_inf_nan=False)] = 24.0,
    by: By = "people_hours",
    limit: Annotated[int | None, Query(ge=1, le=MAX_RANKED)] = None,
    min_strength: Annotated[float, Query(gt=0, le=1, allow_inf_nan=False)] = 0.5,
) -> Ranking:
    ranked = rank_processes(
        database(request),
        subject=caller.subject,
        hours=hours,
        by=by,
        limit=limit,
        min_strength=min_strength,
    )
    return ranking_answer(ranked, hours=hours, by=by, min_strength=min_strength)
