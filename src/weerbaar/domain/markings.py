"""Traffic Light Protocol and PAP markings read as weerbaar's classification and
need-to-know, and back: one table (kept as data) serves both ways, so an object that
leaves marked TLP:AMBER comes back no less restricted than it left.

An incoming item gets the strictest of its source's marking and what each of its
markings reads as: the highest classification, and the narrowest keeping (kept to
the source's owner and those it shares with, or to the owner alone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from weerbaar.domain.access import Levels, Marking
from weerbaar.errors import said

__all__ = ["Keep", "MarkingRule", "MarkingTable", "marking_name"]


class Keep(StrEnum):
    OWNER = "owner"  # the source's organisation and those the source shares with
    OWNER_ONLY = "owner-only"  # the source's organisation alone


_NARROWNESS = {None: 0, Keep.OWNER: 1, Keep.OWNER_ONLY: 2}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class MarkingRule:
    classification: str
    keep: Keep | None = None


def marking_name(label: str) -> str:
    """A marking as the table names it: ``TLP:AMBER``, ``tlp:amber`` and
    ``tlp:"amber"`` (a MISP machine tag) all read ``tlp:amber``."""
    return _SPACES.sub("", label).replace('"', "").casefold()


@dataclass(frozen=True, slots=True)
class MarkingTable:
    rules: Mapping[str, MarkingRule]
    export_order: tuple[str, ...]  # TLP markings, least strict first
    stix_ids: Mapping[str, str]  # STIX marking-definition id → marking name

    def known(self, label: str) -> str | None:
        """The table's name of a label or STIX marking-definition id, if it has one."""
        if label in self.stix_ids:
            return self.stix_ids[label]
        name = marking_name(label)
        return name if name in self.rules else None

    def incoming(self, base: Marking, labels: Iterable[str], levels: Levels) -> Marking | str:
        """The marking of an item with ``labels`` from a source marked ``base``, or
        why it cannot be taken in (kept to an owner the source does not have)."""
        classification, keep, strictest = base.classification, None, None
        for label in labels:
            name = self.known(label)
            if name is None:
                continue
            rule = self.rules[name]
            if levels.rank(rule.classification) > levels.rank(classification):
                classification = rule.classification
            if _NARROWNESS[rule.keep] > _NARROWNESS[keep]:
                keep, strictest = rule.keep, name
        if keep is None:
            return Marking(classification, base.owned_by, base.shared_with)
        if base.owned_by is None:
            return said(
                "marked %(marking)s, which keeps it to the source's organisation, but the"
                " source belongs to no organisation",
                marking=(strictest or "").upper(),
            )
        shared = () if keep is Keep.OWNER_ONLY else base.shared_with
        return Marking(classification, base.owned_by, shared)

    def outgoing(self, marking: Marking, levels: Levels) -> str:
        """The least strict TLP marking whose reading covers ``marking``: read back
        by its owner, it gives a marking at least as strict."""
        needed = Keep.OWNER_ONLY if marking.owned_by and not marking.shared_with else None
        if marking.owned_by and marking.shared_with:
            needed = Keep.OWNER
        for name in self.export_order:
            rule = self.rules[name]
            if levels.rank(rule.classification) < levels.rank(marking.classification):
                continue
            if _NARROWNESS[rule.keep] >= _NARROWNESS[needed]:
                return name
        return self.export_order[-1]
