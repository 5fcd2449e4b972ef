"""The signal engines' settings, the labelled texts the theme model learns from, and
the themes' descriptions for zero-shot themes (``weerbaar/data/signals/``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from pydantic import Field

from weerbaar.errors import ConfigError
from weerbaar.reference._loader import Strict, checked, settings, yaml_files
from weerbaar.signals.settings import (
    ClassifierSettings,
    DetectionSettings,
    Labelled,
    SemanticSettings,
)

__all__ = [
    "classifier_settings",
    "detection_settings",
    "labelled_signals",
    "semantic_settings",
    "theme_descriptions",
]


class _DetectionFile(Strict):
    source: str
    verified: bool
    period_days: int
    baseline_periods: int
    min_baseline_periods: int
    k: float
    h: float
    min_signals: float
    new_window_days: int
    similarity: float
    min_group: int
    min_sources: int


@cache
def detection_settings() -> DetectionSettings:
    """How growth of a theme's signals is detected."""
    return settings(_DetectionFile, "signals/detection.yaml", DetectionSettings)


class _ClassifierFile(Strict):
    source: str
    verified: bool
    ngram_min: int
    ngram_max: int
    max_features: int
    c: float
    min_confidence: float


@cache
def classifier_settings() -> ClassifierSettings:
    """How the default theme classifier is built."""
    return settings(_ClassifierFile, "signals/classifier.yaml", ClassifierSettings)


class _Texts(Strict):
    nl: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)


class _LabelledFile(Strict):
    theme: str
    train: _Texts
    heldout: _Texts


@cache
def labelled_signals() -> dict[str, tuple[Labelled, ...]]:
    """The shipped labelled texts: ``{"train": …, "heldout": …}``."""
    out: dict[str, list[Labelled]] = {"train": [], "heldout": []}
    seen: dict[str, str] = {}
    for name, path in yaml_files("signals", "labelled"):
        data = checked(_LabelledFile, path)
        if data.theme != name.removesuffix(".yaml"):
            raise ConfigError(f"weerbaar/data/{path}: theme {data.theme!r} is not its name")
        for split in ("train", "heldout"):
            texts: _Texts = getattr(data, split)
            for language in ("nl", "en"):
                for text in getattr(texts, language):
                    folded = " ".join(text.casefold().split())
                    if folded in seen:
                        raise ConfigError(
                            f"weerbaar/data/{path}: {text[:60]!r} is also in {seen[folded]}"
                        )
                    seen[folded] = path
                    out[split].append(Labelled(text, data.theme, language))
    return {split: tuple(rows) for split, rows in out.items()}


class _SemanticFile(Strict):
    source: str
    verified: bool
    zero_shot_min: float
    same_event_min: float
    same_event_days: int
    window: int


@cache
def semantic_settings() -> SemanticSettings:
    """The thresholds of the optional semantic layer."""
    return settings(_SemanticFile, "signals/semantic.yaml", SemanticSettings)


class _Sentences(Strict):
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _DescriptionsFile(Strict):
    source: str
    themes: dict[str, _Sentences]


@cache
def theme_descriptions() -> Mapping[str, tuple[str, str]]:
    """Per theme key its Dutch and English sentences for zero-shot themes."""
    data = checked(_DescriptionsFile, "signals/theme_descriptions.yaml")
    return MappingProxyType({k: (v.nl.strip(), v.en.strip()) for k, v in data.themes.items()})
