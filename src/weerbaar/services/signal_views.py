"""The signals a reader may see, filtered and counted for the signals page: one page
of them newest first, with per event the number of its reports, and the counts per
theme and the top sources of the whole filter.

Everything is read as the subject: a signal they may not see is neither shown nor
counted, and a repeat of a hidden first report counts as its own event (as in
:mod:`weerbaar.services.horizon`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import cast

from weerbaar.domain.access import Subject
from weerbaar.domain.entities.signals import Alert, Signal
from weerbaar.services.records import list_records
from weerbaar.storage.db import Database

__all__ = [
    "NO_THEME",
    "SignalFilter",
    "SignalRow",
    "SignalTable",
    "signal_table",
    "visible_alerts",
    "visible_signals",
    "visible_themes",
]

NO_THEME = "-"  # the theme filter's value for "signals without a theme"
TOP_SOURCES = 10


@dataclass(frozen=True, slots=True)
class SignalFilter:
    theme: str | None = None  # a theme key, NO_THEME, or None: any
    source: str | None = None
    language: str | None = None
    kind: str | None = None  # "news" also matches signals without a kind
    since: dt.date | None = None
    until: dt.date | None = None
    text: str | None = None  # in the title or the summary, any case
    first_only: bool = True  # only first reports (no duplicate_of)

    def matches(self, signal: Signal, visible: set[str]) -> bool:
        if self.first_only and signal.duplicate_of in visible:
            return False
        if self.theme == NO_THEME:
            if signal.theme is not None:
                return False
        elif self.theme is not None and signal.theme != self.theme:
            return False
        if self.source is not None and signal.source != self.source:
            return False
        if self.language is not None and str(signal.language) != self.language:
            return False
        if self.kind is not None and str(signal.kind or "news") != self.kind:
            return False
        if self.since is not None and signal.published_on < self.since:
            return False
        if self.until is not None and signal.published_on > self.until:
            return False
        if self.text:
            needle = self.text.casefold()
            haystack = f"{signal.title}\n{signal.summary or ''}".casefold()
            if needle not in haystack:
                return False
        return True


@dataclass(frozen=True, slots=True)
class SignalRow:
    signal: Signal
    reports: int  # the reports of its event: the first report and its visible repeats


@dataclass(frozen=True, slots=True)
class SignalTable:
    rows: list[SignalRow]  # the page asked for
    total: int  # signals matching the filter, on all pages
    page: int
    per_page: int
    by_theme: list[tuple[str | None, int]]  # theme key (None: no theme), count; most first
    top_sources: list[tuple[str, int]]
    sources: list[str]  # every source of the visible signals, for the filter
    themes: dict[str, str]  # every visible theme: key → name

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def visible_signals(db: Database, subject: Subject) -> list[Signal]:
    return cast(list[Signal], list_records(db, entity_name="signals", subject=subject))


def visible_themes(db: Database, subject: Subject) -> dict[str, str]:
    """Every theme the subject may see, key → name, by name."""
    themes = {t.key: t.name for t in list_records(db, entity_name="themes", subject=subject)}
    return dict(sorted(themes.items(), key=lambda item: item[1].casefold()))


def visible_alerts(db: Database, subject: Subject, status: str | None = None) -> list[Alert]:
    where = None if status is None else {"status": status}
    alerts = cast(list[Alert], list_records(db, entity_name="alerts", where=where, subject=subject))
    return sorted(alerts, key=lambda a: (a.detected_on, a.since, a.key), reverse=True)


def signal_table(
    db: Database,
    subject: Subject,
    chosen: SignalFilter,
    *,
    page: int = 1,
    per_page: int = 50,
) -> SignalTable:
    """One page of the visible signals ``chosen`` keeps, newest first."""
    signals = visible_signals(db, subject)
    themes = visible_themes(db, subject)
    visible = {s.key for s in signals}
    reports: Counter[str] = Counter()
    for s in signals:
        reports[s.duplicate_of if s.duplicate_of in visible else s.key] += 1
    kept = [s for s in signals if chosen.matches(s, visible)]
    kept.sort(key=lambda s: (s.published_on, s.key), reverse=True)
    start = (page - 1) * per_page
    rows = [
        SignalRow(s, reports[s.duplicate_of if s.duplicate_of in visible else s.key])
        for s in kept[start : start + per_page]
    ]
    by_theme = Counter(s.theme for s in kept)
    sources = Counter(s.source for s in kept)
    return SignalTable(
        rows=rows,
        total=len(kept),
        page=page,
        per_page=per_page,
        by_theme=sorted(by_theme.items(), key=lambda item: (-item[1], item[0] or "")),
        top_sources=sorted(sources.items(), key=lambda item: (-item[1], item[0]))[:TOP_SOURCES],
        sources=sorted({s.source for s in signals}, key=str.casefold),
        themes=themes,
    )
