"""Which impact criteria a cascade run scores (``weerbaar/data/cascade/impact.yaml``)."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from weerbaar.cascade.impact import ImpactMeasure, ImpactRule, Over
from weerbaar.errors import ConfigError
from weerbaar.reference._loader import Strict, checked

__all__ = ["cascade_impact_rules"]


class _CascadeImpactRule(Strict):
    code: str
    measure: ImpactMeasure
    over: Over


class _CascadeImpactFile(Strict):
    source: str
    verified: bool
    criteria: list[_CascadeImpactRule] = Field(min_length=1)


@cache
def cascade_impact_rules() -> tuple[ImpactRule, ...]:
    """Which impact criteria a cascade run scores, and from what."""
    data = checked(_CascadeImpactFile, "cascade/impact.yaml")
    codes = [rule.code for rule in data.criteria]
    if len(set(codes)) != len(codes):
        raise ConfigError("weerbaar/data/cascade/impact.yaml names a criterion twice")
    return tuple(ImpactRule(r.code, r.measure, r.over) for r in data.criteria)
