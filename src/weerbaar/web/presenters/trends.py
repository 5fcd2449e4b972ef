"""Signal trends as they are handed out: the model of the API's ``/signals/trends`` and
of ``weerbaar signals trends --format json``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, Field

from weerbaar.services.horizon import ThemeTrend


class TrendOut(BaseModel):
    theme: str
    name: str
    start: dt.date = Field(description="the first day of the first period")
    period_days: int
    volume: list[float] = Field(description="events (first reports) per period")
    weight: list[float] = Field(description="reports per period, repeats included")
    growing_since: dt.date | None = Field(description="null: not growing")
    detected_on: dt.date | None = Field(description="the day the growth was clear")


class Trends(BaseModel):
    themes: list[TrendOut]


def trends_answer(trends: Sequence[ThemeTrend]) -> Trends:
    return Trends(themes=[TrendOut.model_validate(t.row()) for t in trends])
