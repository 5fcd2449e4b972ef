"""The part of the dependency graph a reader asks to see: the processes of a region
(a nationwide process serves every region) and a sector."""

from __future__ import annotations

from weerbaar.errors import Issue, ValidationError, said
from weerbaar.services.infrastructure.graph import InfrastructureGraph


def chosen_keys(graph: InfrastructureGraph, *, region: str | None, sector: str | None) -> set[str]:
    """The processes of the filter; an unknown region or sector is refused."""
    issues = []
    if region is not None and region not in graph.regions():
        issues.append(
            Issue(
                "region",
                "region",
                said("no process you may see serves %(region)s", region=repr(region)),
            )
        )
    if sector is not None and sector not in graph.sectors():
        issues.append(
            Issue(
                "sector",
                "sector",
                said("no process you may see is in %(sector)s", sector=repr(sector)),
            )
        )
    if issues:
        raise ValidationError(issues, summary=said("bad filter"))
    return graph.subset(region=region, sector=sector)
