"""The scales threat levels are set on, with their advice matrices
(``weerbaar/data/levels.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from pydantic import Field

from weerbaar.domain.alerting import AdviceMatrix, Level, LevelScale, ScopeKind
from weerbaar.errors import ConfigError
from weerbaar.reference._loader import Strict, checked

__all__ = ["level_scales", "threat_level_names"]


class _LevelFile(Strict):
    level: int
    name: str
    name_en: str
    meaning: str


class _AdviceFile(Strict):
    severities: list[str] = Field(min_length=1)
    likelihoods: list[str] = Field(min_length=1)
    cells: list[list[int]]


class _ScaleFile(Strict):
    name: str
    name_en: str
    scope: ScopeKind
    standard_measures: bool
    theme: str | None
    verified: bool
    source: str
    levels: list[_LevelFile] = Field(min_length=2)
    advice: _AdviceFile | None = None


class _LevelsFile(Strict):
    source: str
    scales: dict[str, _ScaleFile] = Field(min_length=1)


@cache
def level_scales() -> dict[str, LevelScale]:
    """The scales threat levels are set on, by key."""
    data = checked(_LevelsFile, "levels.yaml")
    return {key: _scale(key, spec) for key, spec in data.scales.items()}


def _scale(key: str, spec: _ScaleFile) -> LevelScale:
    where = f"weerbaar/data/levels.yaml: scale {key!r}"
    ranks = [lv.level for lv in spec.levels]
    if ranks != list(range(ranks[0], ranks[0] + len(ranks))):
        raise ConfigError(f"{where}: levels must be numbered upwards without gaps, got {ranks}")
    advice = None
    if spec.advice is not None:
        cells = spec.advice.cells
        shape_ok = len(cells) == len(spec.advice.severities) and all(
            len(row) == len(spec.advice.likelihoods) for row in cells
        )
        if not shape_ok:
            raise ConfigError(f"{where}: advice cells must be severities × likelihoods")
        if any(c not in ranks for row in cells for c in row):
            raise ConfigError(f"{where}: advice cells name levels outside the scale")
        advice = AdviceMatrix(
            tuple(spec.advice.severities),
            tuple(spec.advice.likelihoods),
            tuple(tuple(row) for row in cells),
        )
    return LevelScale(
        key=key,
        name=spec.name,
        name_en=spec.name_en,
        scope=spec.scope,
        levels=tuple(Level(lv.level, lv.name, lv.name_en, lv.meaning) for lv in spec.levels),
        standard_measures=spec.standard_measures,
        theme=spec.theme,
        verified=spec.verified,
        source=spec.source,
        advice=advice,
    )


@cache
def threat_level_names() -> Mapping[str, tuple[tuple[int, str], ...]]:
    """Per level scale, its levels as (number, English name), lowest first:
    what the tier rules resolve a named level (``threat_level >= substantial``) in."""
    # Read-only, because the one cached mapping is shared by every caller.
    return MappingProxyType(
        {
            key: tuple((lv.rank, lv.name_en) for lv in scale.levels)
            for key, scale in level_scales().items()
        }
    )
