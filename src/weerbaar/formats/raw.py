"""A register document as a file holds it: rows of fields not yet parsed, each with
its place in the file, so an import can name that place in every message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FORMAT = "weerbaar-register"  # the "format" every register document names
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class RawRow:
    """One record as a file holds it, and where it stands in that file."""

    place: str
    values: Mapping[str, object]
    problem: str | None = None  # the row could not even be split into fields


@dataclass(slots=True)
class RawDocument:
    """Every entity's rows, by entity name, in file order."""

    rows: dict[str, list[RawRow]] = field(default_factory=dict)
