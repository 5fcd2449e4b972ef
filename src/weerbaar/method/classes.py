"""Class values and labels, and positions on the class axis.

References
----------
National Risk Assessment 6 (ANV/RIVM 2014): class labels, sub-class notation
("Bhigh"), impact axis ×3 per class, likelihood axis ×10 per class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from weerbaar.domain.classes import IMPACT_CLASSES, ClassScore


@dataclass(frozen=True, slots=True)
class ClassScheme:
    """Class values and labels from the scales data."""

    values: Mapping[str, float]  # X, A … E
    high_offset: float  # classes up on the ×3 axis for a "high" score
    high_from: float  # where "high" starts inside a class, as a fraction of its width
    impact_labels: Mapping[str, Mapping[str, str]]
    likelihood_labels: Mapping[str, Mapping[str, str]]

    def value(self, score: ClassScore) -> float:
        """The aggregation value of an impact class: X = 0, A..E = 1, 3, 9, 27, 81,
        times 3**high_offset for a high score."""
        base = self.values[score.letter]
        return base * 3.0**self.high_offset if score.high else base

    def ratio(self) -> float:
        """The factor between adjacent classes' values (3 in the method)."""
        return self.values["B"] / self.values["A"]

    def impact_label(self, letter: str, language: str = "en") -> str:
        return self.impact_labels[letter][language]

    def likelihood_label(self, letter: str, language: str = "en") -> str:
        return self.likelihood_labels[letter][language]


def impact_position(value: float, *, ratio: float = 3.0) -> float | None:
    """The class position of an aggregated impact value: ``1 + log_ratio(value)``.

    Parameters
    ----------
    value
        Aggregated impact (weighted mean of class values X = 0, A..E = 1, 3, 9, 27, 81).
    ratio
        Factor between adjacent classes (3 in the method).

    Returns
    -------
    float or None
        1.0 for A, 2.0 for B, … 5.0 for E, in between for values in between; ``None``
        for 0, which has no place on a logarithmic axis.

    Raises
    ------
    ValueError
        For a negative or non-finite value, or a ratio that is not above 1.

    Examples
    --------
    >>> impact_position(9)
    3.0
    >>> impact_position(0) is None
    True
    """
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"aggregated impact must be a finite value >= 0, not {value!r}")
    if not ratio > 1:
        raise ValueError(f"the class ratio must be above 1, not {ratio!r}")
    if value == 0:
        return None
    return 1.0 + math.log(value) / math.log(ratio)


def describe_position(position: float | None) -> str:
    """A class position in words of classes: 3.0 → "C", 3.4 → "C–D"."""
    if position is None:
        return "X"
    if position < 1.0 - 1e-9:
        return "<A"
    clamped = min(position, 5.0)
    lower = math.floor(clamped + 1e-9)
    if abs(clamped - lower) < 1e-9 or lower >= 5:
        return IMPACT_CLASSES[lower]
    return f"{IMPACT_CLASSES[lower]}–{IMPACT_CLASSES[lower + 1]}"
