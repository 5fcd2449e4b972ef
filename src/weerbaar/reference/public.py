"""What citizens can do themselves, per theme and in general, for the public summary
(``weerbaar/data/public/self_help.yaml``), in Dutch and in English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from pydantic import Field

from weerbaar.reference._loader import Strict, checked

__all__ = ["Advice", "SelfHelp", "self_help"]


@dataclass(frozen=True, slots=True)
class Advice:
    """One piece of advice: ``text`` in Dutch, ``text_en`` in English (the register's
    convention, so :func:`weerbaar.i18n.localised` picks the reader's)."""

    text: str
    text_en: str


@dataclass(frozen=True, slots=True)
class SelfHelp:
    source: str  # in English, as every data file names its source
    source_nl: str  # the same, in Dutch, for Dutch readers
    illustrative: bool  # weerbaar's own wording, not an authority's advice
    general: tuple[Advice, ...]  # for every risk
    themes: Mapping[str, tuple[Advice, ...]]  # per theme key


class _AdviceFile(Strict):
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _SelfHelpFile(Strict):
    source: str
    source_nl: str
    illustrative: bool
    general: list[_AdviceFile] = Field(default_factory=list)
    themes: dict[str, list[_AdviceFile]] = Field(default_factory=dict)


def _advice(items: list[_AdviceFile]) -> tuple[Advice, ...]:
    return tuple(Advice(" ".join(i.nl.split()), " ".join(i.en.split())) for i in items)


@cache
def self_help() -> SelfHelp:
    """The advice shipped for citizens."""
    data = checked(_SelfHelpFile, "public/self_help.yaml")
    return SelfHelp(
        " ".join(data.source.split()),
        " ".join(data.source_nl.split()),
        data.illustrative,
        _advice(data.general),
        MappingProxyType({key: _advice(advice) for key, advice in data.themes.items()}),
    )
