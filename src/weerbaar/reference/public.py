"""What citizens can do themselves, per theme and in general, for the public summary
(``weerbaar/data/public/self_help.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from pydantic import Field

from weerbaar.reference._loader import Strict, checked

__all__ = ["SelfHelp", "self_help"]


@dataclass(frozen=True, slots=True)
class SelfHelp:
    source: str
    illustrative: bool  # weerbaar's own wording, not an authority's advice
    general: tuple[str, ...]  # for every risk
    themes: Mapping[str, tuple[str, ...]]  # per theme key


class _SelfHelpFile(Strict):
    source: str
    illustrative: bool
    general: list[str] = Field(default_factory=list)
    themes: dict[str, list[str]] = Field(default_factory=dict)


@cache
def self_help() -> SelfHelp:
    """The advice shipped for citizens."""
    data = checked(_SelfHelpFile, "public/self_help.yaml")
    return SelfHelp(
        data.source,
        data.illustrative,
        tuple(data.general),
        MappingProxyType({key: tuple(advice) for key, advice in data.themes.items()}),
    )
