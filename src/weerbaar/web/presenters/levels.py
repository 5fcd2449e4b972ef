"""Threat levels as they are handed out: the models of the API's ``/levels``,
``/levels/active`` and ``/levels/history``, and of ``weerbaar levels show``, ``active``
and ``history`` with ``--format json``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from weerbaar.domain.alerting import picture_time
from weerbaar.domain.entities.levels import ThreatPicture
from weerbaar.services.level_views import ActiveMeasure, LevelsView, ScopeLevel


class MeasureInForce(BaseModel):
    activation: str = Field(description="the activation record's key")
    measure: str
    title: str
    organisation: str
    from_level: int
    scope: str = Field(description="the scope's key (its level state)")
    where: str
    since: dt.datetime
    activated_by: str | None = Field(
        description="the picture that switched it on; null if the caller may not see it"
    )


class ScopeLevelOut(BaseModel):
    scope: str = Field(description="the scope's key: its level state's")
    scale: str
    scale_name: str
    sector: str | None
    region: str | None
    site: str | None
    where: str
    level: int
    level_name: str
    since: dt.datetime
    version: int = Field(description="the state's version: send it to change the level")
    picture: str | None = Field(
        description="the picture that set the level; null if the caller may not see it"
    )
    raised: bool = Field(description="whether the last change raised the level")
    theme: str | None
    active: list[MeasureInForce]


class Levels(BaseModel):
    scopes: list[ScopeLevelOut]


class MeasuresInForce(BaseModel):
    measures: list[MeasureInForce]


class Picture(BaseModel):
    key: str
    scale: str
    sector: str | None
    region: str | None
    site: str | None
    level: int
    previous_level: int | None
    at: dt.datetime = Field(description="when the level took effect")
    title: str
    summary: str | None
    rationale: str | None
    theme: str | None
    classification: str


class History(BaseModel):
    pictures: list[Picture] = Field(description="newest first")
    total: int = Field(description="pictures the caller may see, before the limit")


def _in_force(a: ActiveMeasure) -> MeasureInForce:
    return MeasureInForce(
        activation=a.activation.key,
        measure=a.measure.key,
        title=a.measure.title,
        organisation=a.measure.organisation,
        from_level=a.measure.from_level,
        scope=a.activation.state,
        where=a.scope.label,
        since=a.activation.since,
        activated_by=a.activation.activated_by,
    )


def _scope(s: ScopeLevel) -> ScopeLevelOut:
    return ScopeLevelOut(
        scope=s.scope.key,
        scale=s.scale.key,
        scale_name=s.scale.name_en,
        sector=s.scope.sector,
        region=s.scope.region,
        site=s.scope.site,
        where=s.scope.label,
        level=s.state.level,
        level_name=s.scale.level(s.state.level).name_en,
        since=s.state.since,
        version=s.version,
        picture=s.state.picture,
        raised=s.raised,
        theme=s.state.theme,
        active=[_in_force(a) for a in s.active],
    )


def _picture(p: ThreatPicture) -> Picture:
    return Picture(
        key=p.key,
        scale=p.system,
        sector=p.sector,
        region=p.region,
        site=p.site,
        level=p.level,
        previous_level=p.previous_level,
        at=picture_time(p.issued_on, p.effective_at),
        title=p.title,
        summary=p.summary,
        rationale=p.rationale,
        theme=p.theme,
        classification=p.classification,
    )


def levels_answer(view: LevelsView) -> Levels:
    return Levels(scopes=[_scope(s) for s in view.scopes])


def measures_answer(view: LevelsView, *, organisation: str | None = None) -> MeasuresInForce:
    """The measures in force, only ``organisation``'s if one is named."""
    return MeasuresInForce(
        measures=[
            _in_force(a)
            for a in view.active
            if organisation is None or a.measure.organisation == organisation
        ]
    )


def history_answer(view: LevelsView, *, limit: int) -> History:
    """The newest ``limit`` pictures, and how many there are in all."""
    return History(pictures=[_picture(p) for p in view.history[:limit]], total=len(view.history))
