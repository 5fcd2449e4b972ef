"""The national risk profile: themes grouped by tier, with their scenarios."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from weerbaar.domain.enums import Tier
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


def national_profile(db: Database) -> tuple[TierProfile, ...]:
    """Every theme under its tier (tiers in the strategy's order), with its scenarios."""
    with db.transaction() as connection:
        repo = Repository(connection)
        themes = repo.fetch("themes")
        organisations = {o.key: o for o in repo.fetch("organisations")}
        scenarios = repo.fetch("scenarios")
        measures = repo.fetch("measures")
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
