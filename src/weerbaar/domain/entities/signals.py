"""Horizon scanning: the signals read from sources, and the alerts raised over them."""

from __future__ import annotations

import datetime as dt

from weerbaar.domain.entities.base import Marked, date, enum, key, number, record, ref, refs, text
from weerbaar.domain.enums import AlertKind, AlertStatus, Language, SignalKind, ThemeSource

__all__ = ["Alert", "Signal"]


@record
class Signal(Marked):
    """A horizon-scanning item: one report of an event by one source. Repeats of an
    event by other sources point at its first report, so the event counts once with
    all its sources."""

    key: str = key()
    title: str = text("title", required=True)
    published_on: dt.date = date("date published", required=True)
    source: str = text("source", required=True)
    url: str | None = text("address")
    language: Language = enum(Language, "language", required=True)
    theme: str | None = ref("themes", "theme")
    summary: str | None = text("summary")
    kind: SignalKind | None = enum(SignalKind, "news, report, campaign or indicator (blank: news)")
    external_id: str | None = text("the source's own id: feed guid, STIX or MISP id")
    fingerprint: str | None = text("SHA-256 of the normalised text; equal for exact repeats")
    duplicate_of: str | None = ref("signals", "the first report of the same event")
    theme_by: ThemeSource | None = enum(ThemeSource, "who set the theme: model or analyst")
    theme_confidence: float | None = number(
        "the model's probability of the theme", minimum=0, maximum=1
    )
    actors: tuple[str, ...] = refs("actors", "actors it names")
    scenarios: tuple[str, ...] = refs("scenarios", "scenarios it bears on")


@record
class Alert(Marked):
    """A theme whose signals grow, or signals that fit no theme: with the evidence and
    the scenarios to reassess."""

    key: str = key()
    kind: AlertKind = enum(AlertKind, "growing theme or possible new threat", required=True)
    title: str = text("what was found", required=True)
    theme: str | None = ref("themes", "the growing theme")
    since: dt.date = date("the signals rose from", required=True)
    detected_on: dt.date = date("raised on", required=True)
    status: AlertStatus = enum(AlertStatus, "open, flagged or dismissed", required=True)
    signals: tuple[str, ...] = refs("signals", "the signals behind it")
    scenarios: tuple[str, ...] = refs("scenarios", "scenarios to reassess")
    round: str | None = ref("rounds", "the round its scenarios are flagged for")
    note: str | None = text("the analyst's note")
