"""Argument checks the engines share, raising :class:`~weerbaar.errors.ValidationError`."""

from __future__ import annotations

import numpy as np

from weerbaar.errors import Issue, ValidationError

__all__ = ["check_positive"]


def check_positive(name: str, value: object) -> int:
    """``value`` as an int if it is an integer ≥ 1, else a ValidationError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValidationError(
            [Issue(place=name, field="", reason=f"must be an integer ≥ 1, not {value!r}")]
        )
    return int(value)
