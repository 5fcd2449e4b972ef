"""Which assessment round a command means when it names none: the newest."""

from __future__ import annotations

from weerbaar.domain.register import Round
from weerbaar.errors import NotFoundError
from weerbaar.storage.repository import Repository


def newest_round(repo: Repository) -> Round:
    rounds: list[Round] = repo.fetch("rounds")
    if not rounds:
        raise NotFoundError("round", "(any: add a round first)")
    return max(rounds, key=lambda r: (r.held_on, r.key))
