"""Lookups the validation rules use: the database, optionally overlaid with records
that are about to be written (an import checks its rows against both)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from weerbaar.storage.repository import Repository

if TYPE_CHECKING:
    from weerbaar.services.visibility import Visibility


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


class VisibleLookup:
    """Only what the writer may see, plus the hidden references the record already
    had: a reference to a hidden record is as unknown as one to a missing record, so
    a write can neither point at a record outside the writer's sight nor tell by its
    answer whether one exists."""

    def __init__(
        self, repo: Repository, seen: Visibility, kept: frozenset[tuple[str, str]] = frozenset()
    ) -> None:
        self._base = RepositoryLookup(repo)
        self._seen = seen
        self._kept = kept

    def get(self, entity: str, key: str) -> Any | None:
        if not self._seen.sees(entity, key) and (entity, key) not in self._kept:
            return None
        return self._base.get(entity, key)
