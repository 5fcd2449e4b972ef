"""Finding the register's actor an input means: by its external id (a galaxy's UUID,
a STIX id), else by its name or any of its other names, case ignored; and the key a
new actor gets from its name.

Used when actors are imported (:mod:`.actor_import`) and when signals that name
actors come in (:mod:`.signal_ingest`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SEPARATOR", "ActorIndex", "actor_key", "split_names"]

SEPARATOR = "; "
"""Between the names of an actor's ``synonyms`` (and its sectors and victims)."""

_SLUG = re.compile(r"[^a-z0-9]+")


def actor_key(name: str) -> str:
    """A key made from an actor's name: "APT 28" → "apt-28"."""
    slug = _SLUG.sub("-", name.casefold()).strip("-")[:60].strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"actor-{slug}".strip("-")
    return slug if len(slug) >= 2 else f"actor-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def split_names(text: str | None) -> list[str]:
    """The names of a "; "-separated field, each once, in order."""
    parts = (p.strip() for p in (text or "").split(";"))
    return list(dict.fromkeys(p for p in parts if p))


@dataclass(slots=True)
class ActorIndex:
    """Actors by external id, by name and by synonym (case ignored), in the order
    they were added: the first one added wins a tie."""

    by_external: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)
    by_synonym: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, actors: Iterable[Any]) -> ActorIndex:
        index = cls()
        for actor in sorted(actors, key=lambda a: a.key):
            index.add(actor)
        return index

    def add(self, actor: Any) -> None:
        if actor.external_id:
            self.by_external.setdefault(actor.external_id, actor.key)
        _append(self.by_name, actor.name, actor.key)
        for synonym in split_names(actor.synonyms):
            _append(self.by_synonym, synonym, actor.key)

    def find(
        self,
        external_id: str | None,
        names: Iterable[str],
        *,
        passing: Collection[str] = (),
    ) -> str | None:
        """The key of the actor meant, or None: by ``external_id``, else by the first
        of ``names`` that is an actor's name, else one of its synonyms. Actors in
        ``passing`` are passed over in the name search (another entry of the same
        input took them already)."""
        if external_id and external_id in self.by_external:
            return self.by_external[external_id]
        wanted = [n.casefold() for n in names if n]
        for table in (self.by_name, self.by_synonym):
            for name in wanted:
                for key in table.get(name, ()):
                    if key not in passing:
                        return key
        return None


def _append(table: dict[str, list[str]], name: str | None, key: str) -> None:
    if not name:
        return
    keys = table.setdefault(name.strip().casefold(), [])
    if key not in keys:
        keys.append(key)
