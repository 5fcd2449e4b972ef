"""The national risk profile: themes grouped by tier, with their scenarios."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from weerbaar.domain.access import Subject
from weerbaar.domain.enums import Tier
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class ThemeProfile:
    theme: Any
    lead: Any | None
    scenarios: tuple[Any, ...]
    measures: int


@dataclass(frozen=True, slots=True)
class TierProfile:
    tier: Tier
    themes: tuple[ThemeProfile, ...]


def national_profile(db: Database, *, subject: Subject | None = None) -> tuple[TierProfile, ...]:
    """Every theme under its tier (tiers in the strategy's order), with its scenarios;
    only what ``subject`` may see."""
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        themes = seen.filter("themes", repo.fetch("themes"))
        organisations = {
            o.key: o for o in seen.filter("organisations", repo.fetch("organisations"))
        }
        scenarios = seen.filter("scenarios", repo.fetch("scenarios"))
        measures = seen.filter("measures", repo.fetch("measures"))
    out = []
    for tier in Tier:
        rows = []
        for theme in sorted((t for t in themes if t.tier is tier), key=lambda t: t.name_en):
            rows.append(
                ThemeProfile(
                    theme=theme,
                    lead=organisations.get(theme.lead) if theme.lead else None,
                    scenarios=tuple(s for s in scenarios if s.theme == theme.key),
                    measures=sum(1 for m in measures if m.theme == theme.key),
                )
            )
        out.append(TierProfile(tier, tuple(rows)))
    return tuple(out)
