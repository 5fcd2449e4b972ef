"""The reference data of expert sessions (``weerbaar/data/sessions/``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pydantic import Field

from weerbaar.reference._loader import Strict, checked

__all__ = ["Elicitation", "elicitation"]


class _ElicitationFile(Strict):
    source: str
    flag_spread_classes: int = Field(ge=1, le=5)
    default_weight: float = Field(gt=0)


@dataclass(frozen=True, slots=True)
class Elicitation:
    flag_spread_classes: int
    default_weight: float


@cache
def elicitation() -> Elicitation:
    """When experts' disagreement is flagged, and their default weight."""
    data = checked(_ElicitationFile, "sessions/elicitation.yaml")
    return Elicitation(data.flag_spread_classes, data.default_weight)
