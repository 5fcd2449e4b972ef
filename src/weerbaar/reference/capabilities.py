"""The scale capabilities are rated on (``weerbaar/data/capabilities/scale.yaml``)."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from weerbaar.domain.capabilities import CapabilityLevel, CapabilityScale
from weerbaar.errors import ConfigError
from weerbaar.reference._loader import Strict, checked

__all__ = ["capability_scale"]


class _CapabilityLevelFile(Strict):
    key: str
    name: str
    name_en: str
    meaning: str


class _CapabilityScaleFile(Strict):
    source: str
    verified: bool
    levels: list[_CapabilityLevelFile] = Field(min_length=2)


@cache
def capability_scale() -> CapabilityScale:
    """The scale capabilities are rated on, lowest first."""
    data = checked(_CapabilityScaleFile, "capabilities/scale.yaml")
    keys = [lv.key for lv in data.levels]
    if len(set(keys)) != len(keys):
        raise ConfigError("weerbaar/data/capabilities/scale.yaml: level keys repeat")
    return CapabilityScale(
        tuple(CapabilityLevel(lv.key, lv.name, lv.name_en, lv.meaning) for lv in data.levels)
    )
