"""What the register's validation rules need to know of the reference data."""

from __future__ import annotations

from functools import cache

from weerbaar.domain.validation import Reference
from weerbaar.method.scales import CriterionScale, MatrixScale, QuantityScale
from weerbaar.reference.access import classification_levels
from weerbaar.reference.alerting import level_scales
from weerbaar.reference.capabilities import capability_scale
from weerbaar.reference.method import editions, scales_sets

__all__ = ["rule_reference"]


@cache
def rule_reference() -> Reference:
    """What the register's validation rules need from the reference data."""
    kinds = {
        key: {c.code: _kind(scales_sets()[e.scales].criteria[c.code]) for c in e.criteria}
        for key, e in editions().items()
    }
    return Reference(
        editions=frozenset(editions()),
        level_ranges={key: scale.range for key, scale in level_scales().items()},
        criterion_kinds=kinds,
        classifications=classification_levels().keys,
        capability_levels=capability_scale().keys,
    )


def _kind(scale: CriterionScale) -> str:
    if isinstance(scale, QuantityScale):
        return "quantity"
    if isinstance(scale, MatrixScale):
        return "matrix"
    return "qualitative"
