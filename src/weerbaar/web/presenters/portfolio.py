"""The portfolio (risks against effort) as it is handed out: the model of the API's
``/portfolio``, of ``weerbaar portfolio --format json`` and of the page's JSON
download, and the matrix as one table for CSV and XLSX."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from weerbaar.domain.portfolio import Coverage, CoverageState, Effort, stalled
from weerbaar.services.portfolio import PortfolioView


class MinistryColumn(BaseModel):
    key: str
    label: str = Field(description="abbreviation, else name")


class CoveringMeasure(BaseModel):
    key: str
    title: str
    ministry: str = Field(description="the ministry its effort counts for")
    stalled: bool = Field(description="stopped, or past its due date and not completed")


class ScenarioRow(BaseModel):
    scenario: str
    title: str
    theme: str
    rank: int | None = Field(description="by risk in the round weighed; null: not assessed")
    state: CoverageState = Field(description="none, stalled (every measure) or covered")
    measures: list[CoveringMeasure]
    by_ministry: dict[str, list[str]] = Field(
        description="covering measure keys per ministry column (only columns with any)"
    )


class EffortRow(BaseModel):
    key: str
    label: str
    measures: int
    stalled: int
    budget: float = Field(description="sum of the budgets given, euros")
    unbudgeted: int = Field(description="measures without a budget")


class UnlinkedMeasure(BaseModel):
    key: str
    title: str
    owner: str


class PortfolioAnswer(BaseModel):
    today: dt.date
    round: str | None = Field(description="the round whose ranking orders the rows")
    theme: str | None = Field(description="the theme filter applied")
    ministry: str | None = Field(description="the ministry filter applied (its key)")
    ministries: list[MinistryColumn]
    rows: list[ScenarioRow]
    matrix: list[list[int]] = Field(description="covering measures, [row][ministry column]")
    effort_by_ministry: list[EffortRow]
    effort_by_theme: list[EffortRow]
    uncovered: list[str] = Field(description="scenarios with no measures")
    only_stalled: list[str] = Field(description="scenarios whose measures are all stalled")
    unlinked: list[UnlinkedMeasure] = Field(description="measures linked to no risk")


def _row(view: PortfolioView, row: Coverage) -> ScenarioRow:
    p = view.portfolio
    by_ministry = {
        ministry: [m.key for m in p.cell(row.scenario.key, ministry)] for ministry in p.ministries
    }
    return ScenarioRow(
        scenario=row.scenario.key,
        title=row.scenario.title,
        theme=row.scenario.theme,
        rank=row.rank,
        state=row.state,
        measures=[
            CoveringMeasure(
                key=m.key,
                title=m.title,
                ministry=p.ministry_of[m.key],
                stalled=stalled(m, view.today),
            )
            for m in row.measures
        ],
        by_ministry={k: v for k, v in by_ministry.items() if v},
    )


def _effort(item: Effort, label: str) -> EffortRow:
    return EffortRow(
        key=item.key,
        label=label,
        measures=item.measures,
        stalled=item.stalled,
        budget=item.budget,
        unbudgeted=item.unbudgeted,
    )


def portfolio_answer(view: PortfolioView) -> PortfolioAnswer:
    p = view.portfolio
    return PortfolioAnswer(
        today=view.today,
        round=view.round.key if view.round else None,
        theme=view.theme,
        ministry=view.ministry,
        ministries=[MinistryColumn(key=k, label=view.label(k)) for k in p.ministries],
        rows=[_row(view, c) for c in p.coverage],
        matrix=[list(r) for r in p.matrix],
        effort_by_ministry=[_effort(e, view.label(e.key)) for e in p.by_ministry],
        effort_by_theme=[_effort(e, view.theme_name(e.key)) for e in p.by_theme],
        uncovered=[c.scenario.key for c in p.uncovered],
        only_stalled=[c.scenario.key for c in p.only_stalled],
        unlinked=[UnlinkedMeasure(key=m.key, title=m.title, owner=m.owner) for m in p.unlinked],
    )


def matrix_table(view: PortfolioView) -> list[list[Any]]:
    """The matrix as rows of cells, a header first: per scenario its coverage and the
    number of covering measures of each ministry."""
    p = view.portfolio
    header: list[Any] = ["rank", "scenario", "title", "theme", "state", "measures"]
    header += [view.label(k) for k in p.ministries]
    table = [header]
    for row, counts in zip(p.coverage, p.matrix, strict=True):
        table.append(
            [
                row.rank,
                row.scenario.key,
                row.scenario.title,
                row.scenario.theme,
                str(row.state),
                len(row.measures),
                *counts,
            ]
        )
    return table
