"""What a reader makes of an input: signals, actors it names, and what it skipped.

Readers yield items one by one and never raise on a bad item: they yield it as
:class:`Rejected` with its place and reason and go on with the next. Only an input
that cannot be read at all (not a feed, not JSON) raises
:class:`~weerbaar.errors.FileFormatError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from weerbaar.domain.enums import SignalKind

__all__ = ["ActorSighting", "Item", "RawSignal", "Rejected", "SignalKind"]


@dataclass(frozen=True, slots=True)
class RawSignal:
    title: str
    summary: str
    published_on: dt.date
    source: str  # publisher or feed; one event from many sources has many of these
    origin: str  # where in the input: "feed.xml item 14", "bundle.json report--…"
    kind: SignalKind = SignalKind.NEWS
    url: str | None = None
    language: str | None = None  # "nl"/"en" when the input says so
    external_id: str | None = None  # the input's own id (guid, STIX id, MISP uuid)
    actors: tuple[str, ...] = ()  # external ids of actors it names (STIX, MISP)
    tags: tuple[str, ...] = ()
    # TLP, PAP or other markings as the input names them ("tlp:amber", a STIX
    # marking-definition id); weerbaar's marking table reads the ones it knows.
    markings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """What dedupe and classification read."""
        return f"{self.title}. {self.summary}" if self.summary else self.title


@dataclass(frozen=True, slots=True)
class ActorSighting:
    """A threat actor or intrusion set an input describes."""

    external_id: str
    name: str
    state: bool  # a state actor, as far as the input says
    description: str = ""
    aliases: tuple[str, ...] = ()
    origin: str = ""
    markings: tuple[str, ...] = ()  # as on RawSignal


@dataclass(frozen=True, slots=True)
class Rejected:
    origin: str
    reason: str


Item = RawSignal | ActorSighting | Rejected
"""What readers yield, one at a time, so that a long input streams in bounded memory."""
