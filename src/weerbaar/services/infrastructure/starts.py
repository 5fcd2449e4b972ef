"""Where a cascade starts: processes knocked out from outside, named by key or by
sector (and region)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from weerbaar.errors import Issue, ValidationError, said
from weerbaar.services.infrastructure.graph import InfrastructureGraph

__all__ = ["Start", "resolve_starts"]


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
        issues.append(
            Issue(
                "hours",
                "",
                said("must be a finite number of hours ≥ 0, not %(hours)s", hours=repr(hours)),
            )
        )
    if not (isinstance(at, int | float) and math.isfinite(at)):
        issues.append(Issue("at", "", said("must be a finite hour, not %(at)s", at=repr(at))))
    if not targets:
        issues.append(Issue("process", "", said("name at least one process or sector")))
    if region is not None and region not in graph.regions():
        known = ", ".join(graph.regions()) or "none"
        issues.append(
            Issue(
                "region",
                "",
                said(
                    "no process serves region %(region)s (known: %(known)s)",
                    region=repr(region),
                    known=known,
                ),
            )
        )
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
                Issue(
                    "process",
                    "",
                    said("%(target)s is neither a vital process nor a sector", target=repr(target)),
                )
            )
    if issues:
        raise ValidationError(issues, summary=said("cannot start a cascade"))
    return [Start(k, float(hours), float(at)) for k in dict.fromkeys(keys)]
