"""The integral view of the measures portfolio: risks against effort, across ministries.

Which scenarios get which measures, which get none or only stalled ones, and where
each ministry's effort goes. Pure: the records come in already filtered to what the
reader may see. What counts as stalled (against the report's date) and as a theme's
measures is defined here once, for the portfolio, the tier evidence and the public
summary alike; :func:`build_portfolio` takes them as functions so tests can vary them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from weerbaar.domain.entities.strategy import Measure, Organisation, Scenario, Theme
from weerbaar.domain.enums import MeasureStatus, OrgKind

StalledCheck = Callable[[Measure], bool]
ThemeMeasures = Callable[[Theme, set[str], Sequence[Measure]], list[Measure]]


class CoverageState(StrEnum):
    NONE = "none"  # no measure covers the scenario
    STALLED = "stalled"  # every covering measure is stopped or overdue
    COVERED = "covered"


def covers(measure: Measure, scenario: Scenario) -> bool:
    """A measure covers a scenario it lists, and, when it lists none, every scenario
    of the theme it names: a theme measure is meant for the whole theme."""
    if measure.scenarios:
        return scenario.key in measure.scenarios
    return measure.theme is not None and measure.theme == scenario.theme


def theme_measures(theme: Theme, scenarios: set[str], measures: Sequence[Measure]) -> list[Measure]:
    """The measures for a theme: named for it, or for one of its scenarios."""
    return [m for m in measures if m.theme == theme.key or scenarios.intersection(m.scenarios)]


_STOPPED = {MeasureStatus.STOPPED}
_FINISHED = {MeasureStatus.COMPLETED, MeasureStatus.STOPPED}


def stalled(measure: Measure, today: dt.date) -> bool:
    """Stopped, or past its due date without being completed."""
    return measure.status in _STOPPED or (
        measure.due_on is not None and measure.due_on < today and measure.status not in _FINISHED
    )


def linked_to_no_risk(measure: Measure) -> bool:
    return measure.theme is None and not measure.scenarios


def ministry_of(organisation: str, organisations: Mapping[str, Organisation]) -> str:
    """The ministry an organisation's effort counts for: itself if it is a ministry,
    else its nearest ancestor that is one, else the organisation itself (a
    municipality or a business answers to no ministry)."""
    seen: set[str] = set()
    current: str | None = organisation
    while current is not None and current not in seen:
        seen.add(current)
        found = organisations.get(current)
        if found is None:
            break  # hidden from this reader, or gone: the chain ends here
        if found.kind is OrgKind.MINISTRY:
            return current
        current = found.parent
    return organisation


def coverage_state(measures: Sequence[Measure], is_stalled: StalledCheck) -> CoverageState:
    if not measures:
        return CoverageState.NONE
    if all(is_stalled(m) for m in measures):
        return CoverageState.STALLED
    return CoverageState.COVERED


@dataclass(frozen=True, slots=True)
class Coverage:
    """One scenario and the measures that cover it."""

    scenario: Scenario
    measures: tuple[Measure, ...]
    state: CoverageState
    rank: int | None  # by risk in the round weighed; None when not assessed there


@dataclass(frozen=True, slots=True)
class Effort:
    """The measures of one ministry or one theme."""

    key: str
    measures: int
    stalled: int
    budget: float  # sum of the budgets given
    unbudgeted: int  # measures without a budget: the sum understates the effort


def effort(key: str, measures: Iterable[Measure], is_stalled: StalledCheck) -> Effort:
    listed = list(measures)
    return Effort(
        key=key,
        measures=len(listed),
        stalled=sum(1 for m in listed if is_stalled(m)),
        budget=sum(m.budget for m in listed if m.budget is not None),
        unbudgeted=sum(1 for m in listed if m.budget is None),
    )


@dataclass(frozen=True, slots=True)
class Portfolio:
    coverage: tuple[Coverage, ...]  # rows: by risk rank, then unassessed by theme and key
    ministries: tuple[str, ...]  # columns: every ministry with a measure in view
    ministry_of: Mapping[str, str]  # measure key -> the ministry it counts for
    by_ministry: tuple[Effort, ...]
    by_theme: tuple[Effort, ...]
    unlinked: tuple[Measure, ...]  # measures linked to no risk
    # The rows by scenario key: a cell is looked up once per row and column, so a
    # search through the rows would make the matrix quadratic in the scenarios.
    _rows: Mapping[str, Coverage] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rows", {c.scenario.key: c for c in self.coverage})

    def cell(self, scenario: str, ministry: str) -> tuple[Measure, ...]:
        """The measures of ``ministry`` that cover ``scenario``."""
        row = self._rows.get(scenario)
        if row is None:
            return ()
        return tuple(m for m in row.measures if self.ministry_of[m.key] == ministry)

    @property
    def matrix(self) -> tuple[tuple[int, ...], ...]:
        """Covering measures per scenario (row) and ministry (column)."""
        return tuple(
            tuple(len(self.cell(c.scenario.key, ministry)) for ministry in self.ministries)
            for c in self.coverage
        )

    @property
    def uncovered(self) -> tuple[Coverage, ...]:
        return tuple(c for c in self.coverage if c.state is CoverageState.NONE)

    @property
    def only_stalled(self) -> tuple[Coverage, ...]:
        return tuple(c for c in self.coverage if c.state is CoverageState.STALLED)


def build_portfolio(
    *,
    themes: Sequence[Theme],
    scenarios: Sequence[Scenario],
    measures: Sequence[Measure],
    organisations: Mapping[str, Organisation],
    is_stalled: StalledCheck,
    theme_measures: ThemeMeasures,
    risk_rank: Mapping[str, int] | None = None,
) -> Portfolio:
    """The integral view of ``measures`` against ``scenarios`` and ``themes``.

    Every record passed in is in view: to look at one ministry or one theme, pass only
    its measures, or only that theme and its scenarios.
    """
    ranks = risk_rank or {}
    theme_names = {t.key: t.name_en for t in themes}
    ordered = sorted(
        scenarios,
        key=lambda s: (
            ranks.get(s.key) is None,
            ranks.get(s.key, 0),
            theme_names.get(s.theme, s.theme),
            s.key,
        ),
    )
    coverage = []
    for scenario in ordered:
        covering = tuple(m for m in measures if covers(m, scenario))
        coverage.append(
            Coverage(
                scenario=scenario,
                measures=covering,
                state=coverage_state(covering, is_stalled),
                rank=ranks.get(scenario.key),
            )
        )
    ministry = {m.key: ministry_of(m.owner, organisations) for m in measures}
    columns = sorted(set(ministry.values()), key=lambda k: (org_label(k, organisations), k))
    by_ministry = tuple(
        effort(key, (m for m in measures if ministry[m.key] == key), is_stalled) for key in columns
    )
    by_theme = []
    for theme in sorted(themes, key=lambda t: t.key):
        own = {s.key for s in scenarios if s.theme == theme.key}
        by_theme.append(effort(theme.key, theme_measures(theme, own, measures), is_stalled))
    return Portfolio(
        coverage=tuple(coverage),
        ministries=tuple(columns),
        ministry_of=ministry,
        by_ministry=by_ministry,
        by_theme=tuple(by_theme),
        unlinked=tuple(sorted((m for m in measures if linked_to_no_risk(m)), key=lambda m: m.key)),
    )


def org_label(key: str, organisations: Mapping[str, Organisation]) -> str:
    """How a column names an organisation: its abbreviation, else its name."""
    found = organisations.get(key)
    return (found.abbreviation or found.name) if found else key
