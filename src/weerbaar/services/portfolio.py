"""The integral view of risks against effort, as far as the reader may see.

Reads scenarios, themes, measures and organisations under the reader's need-to-know,
ranks the scenarios by the newest visible assessment round, and hands them to
:func:`weerbaar.domain.portfolio.build_portfolio`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.entities.strategy import Measure, Organisation, Round, Scenario, Theme
from weerbaar.domain.portfolio import (
    Portfolio,
    build_portfolio,
    ministry_of,
    org_label,
    stalled,
    theme_measures,
)
from weerbaar.errors import NotFoundError
from weerbaar.services.assessment import RoundAssessment, assess_round
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class PortfolioView:
    portfolio: Portfolio
    round: Round | None  # the round whose ranking orders the scenarios
    today: dt.date
    themes: Mapping[str, Theme]
    organisations: Mapping[str, Organisation]
    theme: str | None  # the filters applied
    ministry: str | None

    def label(self, organisation: str) -> str:
        return org_label(organisation, self.organisations)

    def theme_name(self, key: str) -> str:
        found = self.themes.get(key)
        return i18n.localised(found) if found else key

    @property
    def title(self) -> str:
        """What the view shows, with its filters, for headings and plots."""
        parts = [i18n.gettext("Risks against effort")]
        if self.theme:
            parts.append(self.theme_name(self.theme))
        if self.ministry:
            parts.append(self.label(self.ministry))
        return " — ".join(parts)


def resolve_ministry(text: str, organisations: Mapping[str, Organisation]) -> str:
    """An organisation by key or abbreviation (JenV, BZK: what people type)."""
    if text in organisations:
        return text
    folded = text.casefold()
    found = [
        key
        for key, org in organisations.items()
        if org.abbreviation and org.abbreviation.casefold() == folded
    ]
    if len(found) == 1:
        return found[0]
    raise NotFoundError("ministry", text)


def require_theme(key: str, themes: Sequence[Theme]) -> Theme:
    """A visible theme; not found, alike, when it is hidden or does not exist."""
    found = next((t for t in themes if t.key == key), None)
    if found is None:
        raise NotFoundError("theme", key)
    return found


def portfolio_view(
    db: Database,
    *,
    theme: str | None = None,
    ministry: str | None = None,
    today: dt.date | None = None,
    subject: Subject | None = None,
    ranked_by: RoundAssessment | None = None,
) -> PortfolioView:
    """Risks against effort, limited to one theme and/or one ministry when given: a
    ministry's view shows only its own measures against every risk. The risks are
    ranked by ``ranked_by``, a round already assessed for ``subject``, or else by the
    newest round they may see."""
    today = today or dt.date.today()
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        themes: list[Theme] = seen.filter("themes", repo.fetch("themes"))
        scenarios: list[Scenario] = seen.filter("scenarios", repo.fetch("scenarios"))
        measures: list[Measure] = seen.filter("measures", repo.fetch("measures"))
        organisations: dict[str, Organisation] = {
            o.key: o for o in seen.filter("organisations", repo.fetch("organisations"))
        }
    if theme is not None:
        chosen = require_theme(theme, themes)
        themes = [chosen]
        scenarios = [s for s in scenarios if s.theme == theme]
        measures = theme_measures(chosen, {s.key for s in scenarios}, measures)
    ministry_key = None
    if ministry is not None:
        ministry_key = resolve_ministry(ministry, organisations)
        measures = [m for m in measures if ministry_of(m.owner, organisations) == ministry_key]
    if ranked_by is None:
        round_, ranks = _risk_ranks(db, subject)
    else:
        round_, ranks = ranked_by.round, {r.scenario.key: r.rank for r in ranked_by.results}
    return PortfolioView(
        portfolio=build_portfolio(
            themes=themes,
            scenarios=scenarios,
            measures=measures,
            organisations=organisations,
            is_stalled=lambda m: stalled(m, today),
            theme_measures=theme_measures,
            risk_rank=ranks,
        ),
        round=round_,
        today=today,
        themes={t.key: t for t in themes},
        organisations=organisations,
        theme=theme,
        ministry=ministry_key,
    )


def _risk_ranks(db: Database, subject: Subject | None) -> tuple[Round | None, dict[str, int]]:
    try:
        assessed = assess_round(db, subject=subject)
    except NotFoundError:
        return None, {}  # no round yet: the scenarios are listed unranked
    return assessed.round, {r.scenario.key: r.rank for r in assessed.results}
