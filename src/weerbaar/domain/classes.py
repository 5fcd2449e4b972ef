"""Classes X, A–E and the "high within class" mark (e.g. "Bhigh").

References
----------
National Risk Assessment 6 (ANV/RIVM 2014): class labels and sub-class notation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from weerbaar.errors import said

IMPACT_CLASSES = ("X", "A", "B", "C", "D", "E")
LIKELIHOOD_CLASSES = ("A", "B", "C", "D", "E")
_SCORE = re.compile(r"^\s*([XxA-Ea-e])\s*(\+|high|hoog)?\s*$")


class ClassSyntaxError(ValueError):
    """Text that is not a class such as ``C`` or ``Chigh``; the message says why."""


@dataclass(frozen=True, slots=True, order=True)
class ClassScore:
    """A class with its position: ``ClassScore(4, high=True)`` is "Dhigh"."""

    index: int  # 0 = X, 1 = A … 5 = E
    high: bool = False

    @classmethod
    def parse(cls, text: str, *, allow_x: bool = True) -> ClassScore:
        match = _SCORE.match(text) if isinstance(text, str) else None
        if match is None:
            raise ClassSyntaxError(
                said(
                    "bad class %(text)s: use X, A, B, C, D or E, optionally followed by "
                    "'high' (e.g. Chigh)",
                    text=repr(text),
                )
            )
        letter = match.group(1).upper()
        if letter == "X" and not allow_x:
            raise ClassSyntaxError(said("X (not applicable) is not a likelihood class"))
        high = match.group(2) is not None
        if letter == "X" and high:
            raise ClassSyntaxError(said("X (not applicable) has no 'high' position"))
        return cls(IMPACT_CLASSES.index(letter), high)

    @property
    def letter(self) -> str:
        return IMPACT_CLASSES[self.index]

    def __str__(self) -> str:
        return self.letter + ("high" if self.high else "")
