"""Threat levels: the pictures that set them, each scope's current level, the measures
agreed in advance and when they were in force."""

from __future__ import annotations

import datetime as dt

from weerbaar.domain.entities.base import (
    Marked,
    date,
    described,
    english,
    integer,
    key,
    moment,
    record,
    ref,
    text,
)
from weerbaar.domain.fields import FieldKind

__all__ = ["Activation", "AlertMeasure", "LevelState", "ThreatPicture"]


@record
class ThreatPicture(Marked):
    """A dated threat assessment with a level on one scale. Pictures are the history of
    a scope's level: written by a level change, never edited after."""

    key: str = key()
    title: str = text("title", required=True)
    title_en: str | None = english("title")
    system: str = text("level scale, e.g. dtn, atb or cyber", required=True)
    level: int = integer("level on the scale", minimum=1, maximum=9)
    issued_on: dt.date = date("date issued", required=True)
    effective_at: dt.datetime | None = moment("when the level took effect")
    previous_level: int | None = described(
        FieldKind.INT, "the scope's level before this picture", minimum=1, maximum=9
    )
    theme: str | None = ref("themes", "theme")
    sector: str | None = text("sector (for sector scales)")
    region: str | None = text("region, for a level that holds for part of the country")
    site: str | None = text("site or object, for advice per object")
    issuer: str | None = ref("organisations", "issuing organisation")
    summary: str | None = text("summary")
    summary_en: str | None = english("summary")
    rationale: str | None = text("why the level changed; required for a change")
    sources: str | None = text("sources")


@record
class AlertMeasure(Marked):
    """A measure agreed in advance: taken by an organisation, in a sector (every scope
    of the scale when blank), from a level up."""

    key: str = key()
    title: str = text("what is done", required=True)
    title_en: str | None = english("title")
    scale: str = text("level scale, e.g. atb", required=True)
    sector: str | None = text("sector it is agreed for (blank: every scope of the scale)")
    from_level: int = integer("lowest level at which it applies", minimum=1, maximum=9)
    organisation: str = ref("organisations", "organisation that takes it", required=True)
    description: str | None = text("description")
    description_en: str | None = english("description")


@record
class LevelState(Marked):
    """The current level of one scope, and the picture that set it."""

    key: str = key()
    scale: str = text("level scale", required=True)
    sector: str | None = text("sector")
    region: str | None = text("region")
    site: str | None = text("site or object")
    level: int = integer("current level", minimum=1, maximum=9)
    # Optional only so that a reader not cleared for the picture still sees the level.
    picture: str | None = ref("threat_pictures", "picture that set it")
    since: dt.datetime = moment("in force since", required=True)
    theme: str | None = ref("themes", "theme")


@record
class Activation(Marked):
    """A pre-agreed measure in force for a scope from one level change to another."""

    key: str = key()
    measure: str = ref("alert_measures", "pre-agreed measure", required=True)
    state: str = ref("level_states", "scope", required=True)
    # Optional only so that those who take the measure see it in force even when the
    # picture behind the change is classified above their clearance.
    activated_by: str | None = ref("threat_pictures", "change that switched it on")
    since: dt.datetime = moment("active since", required=True)
    ended_by: str | None = ref("threat_pictures", "change that switched it off")
    until: dt.datetime | None = moment("active until (blank: still active)")
