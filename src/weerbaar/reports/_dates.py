"""Dates on a time axis in the current language: matplotlib writes month names as
the C library does (in English); here they are given as the reader's language writes
them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.dates import ConciseDateFormatter

from weerbaar import i18n

__all__ = ["SpokenDateFormatter", "month_names"]

_C_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = re.compile(r"\b(" + "|".join(_C_MONTHS) + r")\b")


def month_names() -> Mapping[str, str]:
    """The English abbreviated month names and the current language's, where they
    differ (nothing for English)."""
    if i18n.language() == "en":
        return {}
    from babel.dates import get_month_names

    names = get_month_names("abbreviated", locale=i18n.language())
    return {c: str(names[i + 1]).rstrip(".") for i, c in enumerate(_C_MONTHS)}


class SpokenDateFormatter(ConciseDateFormatter):
    """matplotlib's concise date labels, with the month names of the language spoken
    when the formatter was made (so a figure drawn later still speaks it)."""

    def __init__(self, locator: Any, tz: Any = None) -> None:
        super().__init__(locator, tz=tz)  # type: ignore[no-untyped-call]
        self._months = month_names()

    def _spoken(self, text: str) -> str:
        if not self._months:
            return text
        return _MONTH.sub(lambda found: self._months[found.group()], text)

    def format_ticks(self, values: Sequence[Any]) -> list[str]:
        labels = super().format_ticks(values)  # type: ignore[no-untyped-call]
        return [self._spoken(str(label)) for label in labels]

    def get_offset(self) -> str:
        return self._spoken(str(super().get_offset()))  # type: ignore[no-untyped-call]

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._spoken(str(super().__call__(x, pos)))  # type: ignore[no-untyped-call]
