"""Register rules for threat pictures, pre-agreed measures and level states: every
level lies on its scale, and an activation never ends before it began."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from weerbaar.domain.entities.levels import Activation, AlertMeasure, LevelState, ThreatPicture
from weerbaar.errors import said

Problems = list[tuple[str, str]]


def level_problems(record: Any, ranges: Mapping[str, tuple[int, int]]) -> Problems | None:
    """The record's problems, or None if it is none of these entities."""
    match record:
        case ThreatPicture():
            return _on_scale(record.system, "system", ranges, level=record.level) + (
                _on_scale(record.system, "system", ranges, previous_level=record.previous_level)
                if record.previous_level is not None and record.system in ranges
                else []
            )
        case AlertMeasure():
            return _on_scale(record.scale, "scale", ranges, from_level=record.from_level)
        case LevelState():
            return _on_scale(record.scale, "scale", ranges, level=record.level)
        case Activation():
            if record.until is not None and record.until < record.since:
                return [("until", said("an activation cannot end before it began"))]
            if (record.until is None) != (record.ended_by is None):
                return [("ended_by", said("an ended activation names the change that ended it"))]
            return []
    return None


def _on_scale(
    scale: str, scale_field: str, ranges: Mapping[str, tuple[int, int]], **levels: int | None
) -> Problems:
    if scale not in ranges:
        known = ", ".join(sorted(ranges))
        return [
            (
                scale_field,
                said(
                    "unknown level scale %(scale)s; known: %(known)s",
                    scale=repr(scale),
                    known=known,
                ),
            )
        ]
    low, high = ranges[scale]
    return [
        (
            name,
            said(
                "%(scale)s levels run from %(low)s to %(high)s; %(value)s is not one",
                scale=scale,
                low=low,
                high=high,
                value=value,
            ),
        )
        for name, value in levels.items()
        if value is not None and not low <= value <= high
    ]
