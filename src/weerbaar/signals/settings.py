"""The signal engines' settings and training examples, as plain values.

Kept apart from the engines so that whoever only reads or passes them on (the
reference data that holds their values, a service) imports neither scikit-learn nor
numpy. Their values ship in ``weerbaar/data/signals/``; the defaults here only serve
tests and benchmarks that build a setting by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ClassifierSettings", "DetectionSettings", "Labelled", "SemanticSettings"]


@dataclass(frozen=True, slots=True)
class ClassifierSettings:
    ngram_min: int = 3
    ngram_max: int = 5
    max_features: int = 100_000
    c: float = 3.0  # inverse regularisation of both linear models
    min_confidence: float = 0.2

    def __post_init__(self) -> None:
        if not 1 <= self.ngram_min <= self.ngram_max <= 8:
            raise ValueError("need 1 ≤ ngram_min ≤ ngram_max ≤ 8")
        if self.c <= 0 or not 0 <= self.min_confidence < 1:
            raise ValueError("need c > 0 and 0 ≤ min_confidence < 1")


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    theme: str
    language: str  # "nl" or "en"


@dataclass(frozen=True, slots=True)
class SemanticSettings:
    zero_shot_min: float  # cosine a zero-shot theme needs
    same_event_min: float  # cosine of two reports in other languages of one event
    same_event_days: int  # how far apart their dates may be
    window: int  # first reports remembered for cross-language matching

    def __post_init__(self) -> None:
        if not (-1 < self.zero_shot_min < 1 and -1 < self.same_event_min < 1):
            raise ValueError("cosine thresholds must lie in (-1, 1)")
        if self.same_event_days < 0 or self.window < 1:
            raise ValueError("need same_event_days ≥ 0 and window ≥ 1")


@dataclass(frozen=True, slots=True)
class DetectionSettings:
    period_days: int = 1
    baseline_periods: int = 28
    min_baseline_periods: int = 14
    k: float = 1.0  # reference value, in baseline standard deviations (half the shift sought)
    h: float = 5.0  # decision interval, in baseline standard deviations
    min_signals: float = 5.0  # growth needs at least this much volume above the baseline
    # "Possible new threat": groups of unthemed signals of the last days.
    new_window_days: int = 14
    similarity: float = 0.35  # cosine similarity that links two signals
    min_group: int = 5
    min_sources: int = 2

    def __post_init__(self) -> None:
        if self.period_days < 1:
            raise ValueError(f"period_days must be at least 1, not {self.period_days}")
        if not 1 <= self.min_baseline_periods <= self.baseline_periods:
            raise ValueError("need 1 ≤ min_baseline_periods ≤ baseline_periods")
        if self.k < 0 or self.h <= 0:
            raise ValueError(f"need k ≥ 0 and h > 0, not k={self.k}, h={self.h}")
        if self.new_window_days < 1 or self.min_group < 2 or self.min_sources < 1:
            raise ValueError("need new_window_days ≥ 1, min_group ≥ 2 and min_sources ≥ 1")
        if not 0 < self.similarity <= 1:
            raise ValueError(f"similarity must be in (0, 1], not {self.similarity}")
