"""Load and check the reference data shipped in ``weerbaar/data``.

Files are validated with pydantic once and turned into the domain's frozen types;
a broken data file is a packaging fault and fails loudly with the file named.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from weerbaar.domain.catalogue import Criterion, Edition, Interest, LevelSystem, ThreatLevel
from weerbaar.domain.enums import PictureSystem
from weerbaar.domain.validation import Reference
from weerbaar.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Named(_Strict):
    code: str
    name: str
    name_en: str


class _EditionFile(_Strict):
    edition: str
    name: str
    source: str
    verified: str | bool
    interests: list[_Named] = Field(min_length=1)
    criteria: list[_Named] = Field(min_length=1)

    @field_validator("criteria")
    @classmethod
    def _unique(cls, value: list[_Named]) -> list[_Named]:
        codes = [c.code for c in value]
        if len(set(codes)) != len(codes):
            raise ValueError("criterion codes repeat")
        return value


class _LevelFile(_Strict):
    level: int
    name: str
    name_en: str
    meaning: str


class _SystemFile(_Strict):
    name: str
    name_en: str
    levels: list[_LevelFile] = Field(min_length=2)


class _LevelsFile(_Strict):
    source: str
    verified: bool
    systems: dict[PictureSystem, _SystemFile]


def _load(path: str) -> Any:
    return yaml.safe_load(resources.files("weerbaar.data").joinpath(path).read_text("utf-8"))


_M = TypeVar("_M", bound=BaseModel)


def _checked(model: type[_M], path: str) -> _M:
    try:
        return model.model_validate(_load(path))
    except ValidationError as exc:
        raise ConfigError(f"reference data file weerbaar/data/{path} is invalid:\n{exc}") from exc


@cache
def editions() -> dict[str, Edition]:
    """Every criteria catalogue edition shipped, by key."""
    out: dict[str, Edition] = {}
    folder = resources.files("weerbaar.data").joinpath("criteria")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        data = _checked(_EditionFile, f"criteria/{item.name}")
        out[data.edition] = Edition(
            key=data.edition,
            name=data.name,
            source=data.source,
            verified=str(data.verified),
            interests=tuple(Interest(i.code, i.name, i.name_en) for i in data.interests),
            criteria=tuple(Criterion(c.code, c.name, c.name_en) for c in data.criteria),
        )
    return out


@cache
def level_systems() -> dict[PictureSystem, LevelSystem]:
    data = _checked(_LevelsFile, "levels.yaml")
    return {
        system: LevelSystem(
            system,
            spec.name,
            spec.name_en,
            tuple(ThreatLevel(lv.level, lv.name, lv.name_en, lv.meaning) for lv in spec.levels),
        )
        for system, spec in data.systems.items()
    }


@cache
def rule_reference() -> Reference:
    """What the register's validation rules need from the reference data."""
    return Reference(
        editions=frozenset(editions()),
        level_ranges={s: ls.range for s, ls in level_systems().items()},
    )
