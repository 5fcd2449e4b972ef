"""Horizon scanning: the signals read from sources, and the alerts raised over them."""

from __future__ import annotations

import datetime as dt

from weerbaar.domain.entities.base import (
    Marked,
    date,
    enum,
    integer,
    key,
    number,
    record,
    ref,
    refs,
    text,
)
from weerbaar.domain.enums import (
    AlertKind,
    AlertStatus,
    AuthScheme,
    Language,
    SignalKind,
    SourceKind,
    ThemeSource,
)

__all__ = ["Alert", "Signal", "Source"]


@record
class Source(Marked):
    """A feed, TAXII collection or MISP feed that is polled for signals. Its marking is
    also the marking of what it brings in (a stricter TLP marking on an item wins), so
    who may see the source may see what came of it. The secret it needs is never kept
    here: only the name of the environment variable or file that holds it."""

    key: str = key()
    name: str = text("name", required=True)
    kind: SourceKind = enum(SourceKind, "feed, json, csv, taxii or misp", required=True)
    address: str = text(
        "web address: the feed, the TAXII collection, or the MISP feed's folder",
        required=True,
    )
    auth: AuthScheme | None = enum(AuthScheme, "none, basic, bearer or key (blank: none)")
    username: str | None = text("user name, for basic authentication")
    secret_env: str | None = text("environment variable holding the secret: WEERBAAR_SOURCE_…")
    secret_file: str | None = text("name of the file holding the secret, in the secrets folder")
    interval_minutes: int = integer("minutes between polls", minimum=1, maximum=10_080, default=60)
    language: Language | None = enum(Language, "language of its items, if known")
    description: str | None = text("description")


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
