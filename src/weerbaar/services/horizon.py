"""What the signals say, as far as the reader may see them: volume per theme over
time, growing themes and possible new threats as alerts tied to the scenarios to
reassess, and an analyst's corrections of a signal's theme.

Volume counts events (first reports); weight counts reports (an event told by
twenty sources weighs twenty).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.entities.signals import Signal
from weerbaar.domain.enums import AlertKind, AlertStatus, ThemeSource
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.reference.access import classification_levels
from weerbaar.reference.signals import detection_settings
from weerbaar.services.context import Context
from weerbaar.services.records import Create, Versioned, update_record, write_in
from weerbaar.services.visibility import visibility
from weerbaar.signals.settings import DetectionSettings
from weerbaar.signals.trends import Growth, bin_counts, detect_growth
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

__all__ = [
    "ThemeTrend",
    "detect_alerts",
    "flag_alert",
    "label_signal",
    "theme_trends",
]

DEFAULT_DAYS = 120
MAX_EVIDENCE = 50


@dataclass(frozen=True, slots=True)
class ThemeTrend:
    theme: str
    name: str
    start: dt.date
    period_days: int
    volume: NDArray[np.float64]  # events per period
    weight: NDArray[np.float64]  # reports per period
    growth: Growth | None

    def day(self, period: int) -> dt.date:
        return self.start + dt.timedelta(days=period * self.period_days)

    @property
    def since(self) -> dt.date | None:
        return None if self.growth is None else self.day(self.growth.since)

    @property
    def detected(self) -> dt.date | None:
        return None if self.growth is None else self.day(self.growth.detected)

    def row(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "name": self.name,
            "start": self.start.isoformat(),
            "period_days": self.period_days,
            "volume": self.volume.tolist(),
            "weight": self.weight.tolist(),
            "growing_since": None if self.since is None else self.since.isoformat(),
            "detected_on": None if self.detected is None else self.detected.isoformat(),
            "baseline_mean": None if self.growth is None else self.growth.baseline_mean,
            "recent_mean": None if self.growth is None else self.growth.recent_mean,
        }


@dataclass(frozen=True, slots=True)
class _Seen:
    """The visible signals: first reports and how many reports each event has."""

    first: list[Signal]
    reports: Counter[str]
    themes: dict[str, str]  # theme key → name
    scenarios_by_theme: dict[str, list[str]]


def _seen(db: Database, subject: Subject | None) -> _Seen:
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        signals: list[Signal] = seen.filter("signals", repo.fetch("signals"))
        themes = {t.key: i18n.localised(t) for t in seen.filter("themes", repo.fetch("themes"))}
        scenarios = seen.filter("scenarios", repo.fetch("scenarios"))
    visible = {s.key for s in signals}
    reports: Counter[str] = Counter()
    for s in signals:
        # A repeat of a hidden first report counts as its own event for this reader.
        reports[s.duplicate_of if s.duplicate_of in visible else s.key] += 1
    first = [s for s in signals if s.duplicate_of not in visible]
    by_theme: dict[str, list[str]] = defaultdict(list)
    for scenario in scenarios:
        by_theme[scenario.theme].append(scenario.key)
    return _Seen(first, reports, themes, dict(by_theme))


def _window(
    first: Sequence[Signal], since: dt.date | None, until: dt.date | None
) -> tuple[dt.date, dt.date]:
    end = until or max((s.published_on for s in first), default=dt.date.today())
    # Without a start, the window begins no earlier than the first signal: days before
    # anything was taken in are not a quiet baseline.
    earliest = min((s.published_on for s in first), default=end)
    start = since or max(end - dt.timedelta(days=DEFAULT_DAYS - 1), min(earliest, end))
    if start > end:
        raise ValidationError(
            [Issue("since", "", said("%(start)s is after the end %(end)s", start=start, end=end))]
        )
    return start, end


def theme_trends(
    db: Database,
    *,
    subject: Subject | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    settings: DetectionSettings | None = None,
) -> list[ThemeTrend]:
    """Per visible theme the volume and weight of its signals per period from
    ``since`` to ``until`` (default: the 120 days up to the newest signal, from the
    first signal on), and the growth detected in that window, if any."""
    settings = settings or detection_settings()
    data = _seen(db, subject)
    start, end = _window(data.first, since, until)
    by_theme: dict[str, list[Signal]] = defaultdict(list)
    for signal in data.first:
        if signal.theme in data.themes:
            by_theme[signal.theme].append(signal)
    out = []
    for theme, name in sorted(data.themes.items(), key=lambda item: item[1]):
        signals = by_theme.get(theme, [])
        days = [s.published_on for s in signals]
        volume = bin_counts(days, start=start, end=end, period_days=settings.period_days)
        weight = bin_counts(
            days,
            start=start,
            end=end,
            period_days=settings.period_days,
            weights=[float(data.reports[s.key]) for s in signals],
        )
        growth = detect_growth(volume, settings)
        out.append(ThemeTrend(theme, name, start, settings.period_days, volume, weight, growth))
    return out


def _marking(signals: Sequence[Signal]) -> dict[str, object]:
    """An alert is marked as its most sensitive signal: whoever may not see that
    signal may not see what it gave rise to."""
    levels = classification_levels()
    top = max(signals, key=lambda s: levels.rank(s.classification))
    if levels.rank(top.classification) == levels.rank("public"):
        return {"classification": "public"}
    return {"classification": top.classification, "owned_by": top.owned_by}


def detect_alerts(
    ctx: Context,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    settings: DetectionSettings | None = None,
) -> list[Versioned]:
    """Raise the alerts the visible signals call for and that do not exist yet:
    growing themes, and groups of signals that fit no theme."""
    settings = settings or detection_settings()
    data = _seen(ctx.db, ctx.subject)
    start, end = _window(data.first, since, until)
    today = ctx.clock().date()
    writes: list[Create] = []
    by_theme: dict[str, list[Signal]] = defaultdict(list)
    for signal in data.first:
        if signal.theme:
            by_theme[signal.theme].append(signal)
    for trend in theme_trends(
        ctx.db, subject=ctx.subject, since=start, until=end, settings=settings
    ):
        if trend.growth is None or trend.since is None or trend.detected is None:
            continue
        evidence = sorted(
            (s for s in by_theme[trend.theme] if trend.since <= s.published_on <= trend.detected),
            key=lambda s: (-data.reports[s.key], s.published_on, s.key),
        )[:MAX_EVIDENCE]
        if not evidence:
            continue
        writes.append(
            Create(
                "alerts",
                {
                    "key": f"grow-{trend.theme}-{trend.since:%Y%m%d}"[:64],
                    "kind": AlertKind.GROWING,
                    # Stored as written, in the language of whoever ran the detection.
                    "title": i18n.gettext(
                        "%(theme)s: %(excess)s more events than usual since %(since)s "
                        "(%(recent)s a day against %(baseline)s)",
                        theme=trend.name,
                        excess=i18n.format_number(trend.growth.excess, 0),
                        since=i18n.format_date(trend.since),
                        recent=i18n.format_number(trend.growth.recent_mean, 1),
                        baseline=i18n.format_number(trend.growth.baseline_mean, 1),
                    ),
                    "theme": trend.theme,
                    "since": trend.since,
                    "detected_on": today,
                    "status": AlertStatus.OPEN,
                    "signals": [s.key for s in evidence],
                    "scenarios": data.scenarios_by_theme.get(trend.theme, []),
                    **_marking(evidence),
                },
            )
        )
    writes += _new_threats(data, end, today, settings)
    with ctx.db.transaction(write=True) as connection:
        repo = Repository(connection)
        fresh = [w for w in writes if repo.version("alerts", str(w.raw["key"])) is None]
        return write_in(ctx, connection, fresh)


def _new_threats(
    data: _Seen, end: dt.date, today: dt.date, settings: DetectionSettings
) -> list[Create]:
    # scikit-learn and scipy are loaded when alerts are detected, not at start-up.
    from weerbaar.signals.clusters import similar_groups

    begin = end - dt.timedelta(days=settings.new_window_days - 1)
    loose = sorted(
        (s for s in data.first if s.theme is None and begin <= s.published_on <= end),
        key=lambda s: (s.published_on, s.key),
    )
    texts = [f"{s.title}. {s.summary}" if s.summary else s.title for s in loose]
    out = []
    for group in similar_groups(texts, similarity=settings.similarity, min_size=settings.min_group):
        members = [loose[i] for i in group]
        if len({s.source for s in members}) < settings.min_sources:
            continue
        first = members[0]
        digest = hashlib.sha256(first.key.encode()).hexdigest()[:12]
        out.append(
            Create(
                "alerts",
                {
                    "key": f"new-{digest}",
                    "kind": AlertKind.NEW,
                    "title": i18n.gettext(
                        "Possible new threat: %(signals)s signals from %(sources)s sources "
                        "like “%(first)s”",
                        signals=len(members),
                        sources=len({s.source for s in members}),
                        first=first.title[:120],
                    ),
                    "since": first.published_on,
                    "detected_on": today,
                    "status": AlertStatus.OPEN,
                    "signals": [s.key for s in members[:MAX_EVIDENCE]],
                    **_marking(members),
                },
            )
        )
    return out


def flag_alert(
    ctx: Context,
    key: str,
    *,
    round_key: str | None,
    scenarios: Sequence[str] | None = None,
    dismiss: bool = False,
    note: str | None = None,
) -> Versioned:
    """Flag the alert's scenarios for reassessment in ``round_key`` (or dismiss it)."""
    if dismiss == (round_key is not None):
        raise ValidationError(
            [Issue("round", "", said("flag for a round, or dismiss: one of the two"))]
        )
    changes: dict[str, object] = {
        "status": AlertStatus.DISMISSED if dismiss else AlertStatus.FLAGGED,
        "round": round_key,
    }
    if scenarios is not None:
        changes["scenarios"] = list(scenarios)
    if note is not None:
        changes["note"] = note
    return update_record(ctx, entity_name="alerts", key=key, changes=changes)


def label_signal(ctx: Context, key: str, theme: str | None) -> Versioned:
    """An analyst's theme for a signal: stored as theirs, and trained on next time."""
    return update_record(
        ctx,
        entity_name="signals",
        key=key,
        changes={
            "theme": theme,
            "theme_by": ThemeSource.ANALYST if theme else None,
            "theme_confidence": None,
        },
    )
