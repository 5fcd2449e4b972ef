"""Which rounds the pages assess, and with how many Monte Carlo draws."""

from __future__ import annotations

from weerbaar.domain.access import Subject
from weerbaar.domain.entities.strategy import Round
from weerbaar.services.records import list_records
from weerbaar.storage.db import Database

# Enough draws for stable percentages at page speed; a fixed seed keeps a page the
# same on every reload until a score changes.
DRAWS = 2000
SEED = 2019


def visible_rounds(db: Database, subject: Subject) -> list[Round]:
    """The rounds the subject may see, oldest first (the services' "newest" is last)."""
    rounds: list[Round] = list_records(db, entity_name="rounds", subject=subject)
    return sorted(rounds, key=lambda r: (r.held_on, r.key))
