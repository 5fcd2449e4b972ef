"""Lookups the validation rules use: the database, optionally overlaid with records
that are about to be written (an import checks its rows against both)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from weerbaar.storage.repository import Repository


class RepositoryLookup:
    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._cache: dict[tuple[str, str], Any | None] = {}

    def get(self, entity: str, key: str) -> Any | None:
        if (entity, key) not in self._cache:
            self._cache[(entity, key)] = self._repo.get(entity, key)
        return self._cache[(entity, key)]


class OverlayLookup:
    """Pending records first, then whatever the database holds."""

    def __init__(
        self,
        pending: Mapping[str, Mapping[str, Any]],
        existing: Mapping[str, set[str]],
        repo: Repository,
    ) -> None:
        self._pending = pending
        self._existing = existing
        self._base = RepositoryLookup(repo)

    def get(self, entity: str, key: str) -> Any | None:
        record = self._pending.get(entity, {}).get(key)
        if record is not None:
            return record
        if key not in self._existing.get(entity, set()):
            return None
        return self._base.get(entity, key)
