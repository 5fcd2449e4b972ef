"""Threat levels and the measures agreed in advance for them.

A *scale* is an ordered set of levels (the national terrorism threat level, the sector
alert system, a cyber scale). A *scope* is where one level holds: a scale, and
optionally a sector, a region or a single site. Each scope has one current level; a
change of level is planned here, purely: which pre-agreed measures it switches on and
off, and whether the request may be made at all (level inside the scale, a rationale
for a change, no change dated before the last one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from weerbaar.errors import said


class ScopeKind(StrEnum):
    """What a scale's levels hold for: the whole country, a sector, a single site."""

    NATIONAL = "national"
    SECTOR = "sector"
    SITE = "site"


@dataclass(frozen=True, slots=True)
class Level:
    rank: int
    name: str
    name_en: str
    meaning: str

    @property
    def label(self) -> str:
        return f"{self.rank} {self.name_en} ({self.name})"


@dataclass(frozen=True, slots=True)
class AdviceMatrix:
    """Severity × likelihood → the level of measures advised (the post-2018 method for
    objects). ``cells[s][l]`` is the level for severity ``s`` and likelihood ``l``."""

    severities: tuple[str, ...]
    likelihoods: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]

    def advise(self, severity: str, likelihood: str) -> int:
        s = _pick(severity, self.severities, "severity")
        lk = _pick(likelihood, self.likelihoods, "likelihood")
        return self.cells[s][lk]


_WORDS = {"severity": said("severity"), "likelihood": said("likelihood")}


def _pick(value: str, options: Sequence[str], what: str) -> int:
    wanted = value.strip().casefold()
    for i, option in enumerate(options):
        if option.casefold() == wanted or str(i + 1) == wanted:
            return i
    raise LevelError(
        what,
        said(
            "unknown %(field)s %(value)s; use one of %(options)s",
            field=_WORDS.get(what, what),
            value=repr(value),
            options=", ".join(options),
        ),
    )


@dataclass(frozen=True, slots=True)
class LevelScale:
    key: str
    name: str
    name_en: str
    scope: ScopeKind
    levels: tuple[Level, ...]
    # Whether raising the level itself brings measures (the national terrorism level
    # brings none: it informs; sector alert levels do).
    standard_measures: bool
    theme: str | None  # the register theme its pictures belong to, if it names one
    verified: bool
    source: str
    advice: AdviceMatrix | None = None

    @property
    def range(self) -> tuple[int, int]:
        return self.levels[0].rank, self.levels[-1].rank

    def level(self, rank: int) -> Level:
        for level in self.levels:
            if level.rank == rank:
                return level
        low, high = self.range
        raise LevelError(
            "level",
            said(
                "%(scale)s levels run from %(low)s to %(high)s; %(value)s is not one",
                scale=self.key,
                low=low,
                high=high,
                value=rank,
            ),
        )

    def parse(self, text: str | int) -> int:
        """A level given as its number or its Dutch or English name."""
        if isinstance(text, int):
            return self.level(text).rank
        wanted = text.strip().casefold()
        if wanted.lstrip("-").isdigit():
            return self.level(int(wanted)).rank
        for level in self.levels:
            if wanted in (level.name.casefold(), level.name_en.casefold()):
                return level.rank
        names = ", ".join(f"{lv.rank} {lv.name_en}" for lv in self.levels)
        raise LevelError(
            "level",
            said(
                "%(text)s is not a level of %(scale)s; its levels: %(levels)s",
                text=repr(text),
                scale=self.key,
                levels=names,
            ),
        )


class LevelError(ValueError):
    """A level change that may not be made; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", text.casefold()).strip("-")


@dataclass(frozen=True, slots=True)
class Scope:
    scale: str
    sector: str | None = None
    region: str | None = None
    site: str | None = None

    @property
    def key(self) -> str:
        """A register key for the scope's state: readable, and unique per scope."""
        parts = [self.scale, self.sector, self.region, self.site]
        text = "-".join(slug(p) for p in parts if p)
        if len(text) <= 64:
            return text if len(text) >= 2 else f"{text}-scope"
        digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:8]
        return f"{text[:55].rstrip('-')}-{digest}"

    @property
    def label(self) -> str:
        where = [p for p in (self.sector, self.region, self.site) if p]
        return f"{self.scale}: {' / '.join(where)}" if where else f"{self.scale}: national"

    def check(self, scale: LevelScale) -> None:
        if scale.scope is ScopeKind.SECTOR and not self.sector:
            raise LevelError(
                "sector",
                said("%(scale)s levels are set per sector: name the sector", scale=scale.key),
            )
        if scale.scope is ScopeKind.SITE and not self.site:
            raise LevelError(
                "site", said("%(scale)s advice is given per site: name the site", scale=scale.key)
            )
        if scale.scope is ScopeKind.NATIONAL and self.sector:
            raise LevelError(
                "sector",
                said(
                    "%(scale)s is a national level: it holds for no single sector", scale=scale.key
                ),
            )


@dataclass(frozen=True, slots=True)
class PreAgreed:
    """A measure agreed in advance: taken by ``organisation`` in ``sector`` (every
    scope of the scale when None) from level ``from_level`` up."""

    key: str
    title: str
    scale: str
    sector: str | None
    from_level: int
    organisation: str

    def applies(self, scope: Scope, level: int) -> bool:
        if self.scale != scope.scale or level < self.from_level:
            return False
        return self.sector is None or slug(self.sector) == slug(scope.sector or "")


@dataclass(frozen=True, slots=True)
class Current:
    """A scope's level now, set at ``since`` by ``picture``."""

    level: int
    since: dt.datetime
    picture: str


@dataclass(frozen=True, slots=True)
class Request:
    scope: Scope
    level: int
    at: dt.datetime
    rationale: str | None


@dataclass(frozen=True, slots=True)
class Transition:
    scope: Scope
    before: int | None
    after: int
    at: dt.datetime
    activate: tuple[PreAgreed, ...]
    deactivate: tuple[str, ...]  # keys of measures active until now

    @property
    def raised(self) -> bool:
        return self.before is None or self.after > self.before

    @property
    def lowered(self) -> bool:
        return self.before is not None and self.after < self.before


def plan(
    scale: LevelScale,
    current: Current | None,
    active: Iterable[str],
    measures: Iterable[PreAgreed],
    request: Request,
) -> Transition:
    """The transition ``request`` makes from ``current``, with the measures it switches
    on and off; :class:`LevelError` if it may not be made.

    The measures active afterwards are exactly those that apply at the new level, so a
    measure agreed after the last change is switched on by the next one, and one
    withdrawn is switched off."""
    request.scope.check(scale)
    scale.level(request.level)
    if request.at.tzinfo is None:
        raise LevelError("at", said("the time of a level change needs a time zone"))
    if current is not None:
        if request.at < current.since:
            raise LevelError(
                "at",
                said(
                    "%(at)s is earlier than the last change (%(since)s, %(picture)s); a change "
                    "cannot be dated before it",
                    at=request.at.isoformat(),
                    since=current.since.isoformat(),
                    picture=current.picture,
                ),
            )
        if request.level != current.level and not (request.rationale or "").strip():
            raise LevelError(
                "rationale",
                said(
                    "a change of level (%(before)s → %(after)s) needs a rationale",
                    before=current.level,
                    after=request.level,
                ),
            )
    elif not (request.rationale or "").strip():
        raise LevelError("rationale", said("the first level of a scope needs a rationale"))
    wanted = {m.key: m for m in measures if m.applies(request.scope, request.level)}
    now_active = set(active)
    return Transition(
        scope=request.scope,
        before=None if current is None else current.level,
        after=request.level,
        at=request.at,
        activate=tuple(m for k, m in sorted(wanted.items()) if k not in now_active),
        deactivate=tuple(sorted(now_active - set(wanted))),
    )


@dataclass(frozen=True, slots=True)
class Step:
    at: dt.datetime
    level: int
    picture: str


@dataclass(frozen=True, slots=True)
class ActiveSpan:
    measure: str
    title: str
    organisation: str
    since: dt.datetime
    until: dt.datetime | None  # None: still active


@dataclass(frozen=True, slots=True)
class ScopeTimeline:
    """One scope's levels over time, with when each of its measures was active."""

    scope: Scope
    scale: LevelScale
    steps: tuple[Step, ...]  # oldest first
    spans: tuple[ActiveSpan, ...]


def picture_time(issued_on: dt.date, effective_at: dt.datetime | None) -> dt.datetime:
    """When a picture took effect: its time if it has one, else the start of its day
    (UTC), for pictures recorded before changes carried times."""
    if effective_at is not None:
        return effective_at
    return dt.datetime.combine(issued_on, dt.time(), tzinfo=dt.UTC)


def affected(scope: Scope, measures: Iterable[PreAgreed]) -> tuple[str, ...]:
    """The organisations a change of the scope's level concerns: each that takes a
    measure agreed for the scope, at any level (a change below their measures' level
    still tells them how close it came)."""
    return tuple(sorted({m.organisation for m in measures if m.applies(scope, m.from_level)}))


# A level that may not leave the system: what the webhook body carries in its place.
CLASSIFIED_LEVEL = "classified: sign in to weerbaar to read it"


@dataclass(frozen=True, slots=True)
class NoticeMeasure:
    """A measure a notice names: its key, its title as written in the register and
    the English beside it, if there is one."""

    key: str
    title: str
    title_en: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """What a level change tells one organisation, as facts: the services word them
    for each reader (the e-mail's subject and text, in the channel's language), and
    :meth:`payload` gives the same facts to machines, in no one's language.

    ``before`` and ``after`` are ranks on ``scale``; ``after`` is None (and ``before``
    too) when the level is classified above what may leave the system by e-mail or
    webhook, and so are the measures. ``rationale`` is None when the picture is."""

    change: str  # the threat picture that made the change
    organisation: str
    scale: LevelScale
    scope: Scope
    before: int | None
    after: int | None
    raised: bool
    at: dt.datetime
    rationale: str | None
    activated: tuple[NoticeMeasure, ...]  # this organisation's, switched on
    deactivated: tuple[NoticeMeasure, ...]  # this organisation's, switched off

    @property
    def lowered(self) -> bool:
        return self.before is not None and self.after is not None and self.after < self.before

    def payload(self) -> dict[str, object]:
        """The webhook's JSON: the same bytes whatever language its reader speaks;
        levels by their fixed label (rank, English name, Dutch name), titles and the
        rationale as written in the register."""
        before: str | None = None
        after = CLASSIFIED_LEVEL
        if self.after is not None:
            after = self.scale.level(self.after).label
            if self.before is not None:
                before = self.scale.level(self.before).label
        return {
            "event": "level-change",
            "change": self.change,
            "organisation": self.organisation,
            "scale": self.scale.key,
            "scope": self.scope.label,
            "before": before,
            "after": after,
            "raised": self.raised,
            "at": self.at.isoformat(),
            "rationale": self.rationale,
            "activated": [{"key": m.key, "title": m.title} for m in self.activated],
            "deactivated": [{"key": m.key, "title": m.title} for m in self.deactivated],
        }
