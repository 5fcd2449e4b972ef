"""What the theme classifier says of a text, apart from the classifier: the process
that stores signals reads predictions without loading scikit-learn."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Prediction"]


@dataclass(frozen=True, slots=True)
class Prediction:
    theme: str | None  # None: no theme is likely enough
    confidence: float  # probability of the most likely theme
    best: str  # the most likely theme, even when below the threshold
    language: str
    # Set by the semantic layer for a signal this model left without a theme: theme
    # and confidence (then a cosine, not a probability) are its zero-shot theme's.
    by_zero_shot: bool = False
