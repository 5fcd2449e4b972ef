"""What the levels look like to one reader: the current level of each scope, the
pre-agreed measures in force where and since when and why, the history of pictures,
and the timelines to plot. Everything read passes the reader's need-to-know."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.alerting import (
    ActiveSpan,
    LevelScale,
    Scope,
    ScopeTimeline,
    Step,
    picture_time,
)
from weerbaar.domain.entities.levels import Activation, AlertMeasure, LevelState, ThreatPicture
from weerbaar.reference.alerting import level_scales
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository


def scope_of(record: LevelState | ThreatPicture) -> Scope:
    scale = record.scale if isinstance(record, LevelState) else record.system
    return Scope(scale, record.sector, record.region, record.site)


@dataclass(frozen=True, slots=True)
class ActiveMeasure:
    activation: Activation
    measure: AlertMeasure
    scope: Scope
    picture: ThreatPicture | None  # the change that switched it on, if the reader sees it


@dataclass(frozen=True, slots=True)
class ScopeLevel:
    state: LevelState
    version: int
    scale: LevelScale
    scope: Scope
    picture: ThreatPicture | None
    active: tuple[ActiveMeasure, ...]

    @property
    def raised(self) -> bool:
        p = self.picture
        return p is not None and p.previous_level is not None and p.level > p.previous_level


@dataclass(frozen=True, slots=True)
class LevelsView:
    scopes: tuple[ScopeLevel, ...]
    measures: tuple[AlertMeasure, ...]  # every pre-agreed measure the reader sees
    history: tuple[ThreatPicture, ...]  # newest first

    @property
    def active(self) -> tuple[ActiveMeasure, ...]:
        return tuple(a for s in self.scopes for a in s.active)


def _scale_order(key: str) -> int:
    order = list(level_scales())
    return order.index(key) if key in order else len(order)


def levels_view(
    db: Database, *, subject: Subject | None = None, scale: str | None = None
) -> LevelsView:
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        where = {"scale": scale} if scale else None
        states: list[LevelState] = seen.filter(
            "level_states", repo.fetch("level_states", where=where)
        )
        versions = repo.versions("level_states")
        pictures = _by_key(seen, repo.fetch("threat_pictures"), "threat_pictures")
        measures = _by_key(seen, repo.fetch("alert_measures", where=where), "alert_measures")
        activations: list[Activation] = seen.filter("activations", repo.fetch("activations"))
    running: dict[str, list[ActiveMeasure]] = defaultdict(list)
    state_scopes = {s.key: scope_of(s) for s in states}
    for a in activations:
        if a.until is None and a.state in state_scopes and a.measure in measures:
            picture = pictures.get(a.activated_by) if a.activated_by else None
            running[a.state].append(
                ActiveMeasure(a, measures[a.measure], state_scopes[a.state], picture)
            )
    scales = level_scales()
    scopes = [
        ScopeLevel(
            state=s,
            version=versions[s.key],
            scale=scales[s.scale],
            scope=state_scopes[s.key],
            picture=pictures.get(s.picture) if s.picture else None,
            active=tuple(
                sorted(running[s.key], key=lambda a: (a.measure.from_level, a.measure.key))
            ),
        )
        for s in states
        if s.scale in scales
    ]
    scopes.sort(key=lambda s: (_scale_order(s.scale.key), s.scope.label.casefold()))
    history = sorted(
        (p for p in pictures.values() if not scale or p.system == scale),
        key=lambda p: (picture_time(p.issued_on, p.effective_at), p.key),
        reverse=True,
    )
    return LevelsView(
        tuple(scopes),
        tuple(
            sorted(measures.values(), key=lambda m: (m.scale, m.sector or "", m.from_level, m.key))
        ),
        tuple(history),
    )


def _by_key(seen: Visibility, records: list[Any], entity_name: str) -> dict[str, Any]:
    return {r.key: r for r in seen.filter(entity_name, records)}


def timelines(
    db: Database,
    *,
    subject: Subject | None = None,
    scale: str | None = None,
    sector: str | None = None,
) -> list[ScopeTimeline]:
    """Per scope the reader sees pictures of: its levels over time, and when each of its
    pre-agreed measures was in force."""
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        pictures: list[ThreatPicture] = seen.filter(
            "threat_pictures", repo.fetch("threat_pictures")
        )
        states: list[LevelState] = seen.filter("level_states", repo.fetch("level_states"))
        measures = _by_key(seen, repo.fetch("alert_measures"), "alert_measures")
        activations: list[Activation] = seen.filter("activations", repo.fetch("activations"))
    scales = level_scales()
    steps: dict[Scope, list[Step]] = defaultdict(list)
    for p in pictures:
        if p.system in scales:
            steps[scope_of(p)].append(
                Step(picture_time(p.issued_on, p.effective_at), p.level, p.key)
            )
    scope_by_state = {s.key: scope_of(s) for s in states}
    spans: dict[Scope, list[ActiveSpan]] = defaultdict(list)
    for a in activations:
        scope = scope_by_state.get(a.state)
        measure = measures.get(a.measure)
        if scope is None or measure is None:
            continue
        spans[scope].append(
            ActiveSpan(
                measure.key,
                i18n.localised(measure, "title"),
                measure.organisation,
                a.since,
                a.until,
            )
        )
    out = []
    for scope, found in steps.items():
        if scale and scope.scale != scale:
            continue
        if sector and (scope.sector or "").casefold() != sector.casefold():
            continue
        out.append(
            ScopeTimeline(
                scope=scope,
                scale=scales[scope.scale],
                steps=tuple(sorted(found, key=lambda s: (s.at, s.picture))),
                spans=tuple(sorted(spans[scope], key=lambda s: (s.since, s.measure))),
            )
        )
    out.sort(key=lambda t: (_scale_order(t.scale.key), t.scope.label.casefold()))
    return out


def current_level_of(view: LevelsView, scope: Scope) -> ScopeLevel | None:
    return next((s for s in view.scopes if s.scope == scope), None)
