"""Which assessment round a command means when it names none: the newest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from weerbaar.domain.entities.strategy import Round
from weerbaar.errors import NotFoundError
from weerbaar.storage.repository import Repository

if TYPE_CHECKING:
    from weerbaar.services.visibility import Visibility


def newest_round(repo: Repository, seen: Visibility | None = None) -> Round:
    """The newest round (of those ``seen`` lets through, if given)."""
    rounds: list[Round] = repo.fetch("rounds")
    if seen is not None:
        rounds = seen.filter("rounds", rounds)
    if not rounds:
        raise NotFoundError("round", "(any: add a round first)")
    return max(rounds, key=lambda r: (r.held_on, r.key))
