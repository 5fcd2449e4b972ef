"""The entities of the national register: each one's names, record class and field
descriptions, from which storage, file formats and the CLI are all driven.

The record classes live in :mod:`weerbaar.domain.entities`, one module per area.
:data:`ENTITIES` lists them in dependency order: a record only refers to entities
listed before it, or to its own entity (an organisation's parent).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from weerbaar.domain.entities.base import MARKING_FIELDS, field_specs
from weerbaar.domain.entities.infrastructure import Dependency, Expertise, VitalProcess
from weerbaar.domain.entities.levels import Activation, AlertMeasure, LevelState, ThreatPicture
from weerbaar.domain.entities.scores import ImpactScore, LikelihoodScore
from weerbaar.domain.entities.signals import Alert, Signal, Source
from weerbaar.domain.entities.strategy import (
    Actor,
    Capability,
    CapabilityNeed,
    Concretisation,
    Cycle,
    Decision,
    Measure,
    Milestone,
    Organisation,
    Round,
    Scenario,
    Theme,
    Threat,
    TierRule,
)
from weerbaar.domain.fields import FieldKind, FieldSpec, Value
from weerbaar.errors import said

__all__ = ["BY_NAME", "ENTITIES", "EntitySpec", "entity", "values_of"]


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One entity of the register: its names, record class and field descriptions."""

    name: str  # plural, as in files and the CLI: "scenarios"
    singular: str
    record: type[Any]
    label_field: str  # the field people recognise a record by
    fields: tuple[FieldSpec, ...]
    # Fields whose values, joined by "/", make the key (scores: round/scenario/criterion);
    # empty for entities whose key people choose.
    identity: tuple[str, ...] = ()
    # The one use case that writes its records, for entities that must stay in step
    # with others (a level, its picture and the measures it switched); None: any.
    written_by: str | None = None

    def derive_key(self, values: Mapping[str, Value]) -> str:
        return "/".join(str(values[name]) for name in self.identity)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def list_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.kind is FieldKind.REFS)

    @property
    def scalar_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.kind is not FieldKind.REFS)

    def build(self, values: Mapping[str, Value]) -> Any:
        return self.record(**values)


def _entity(
    name: str,
    singular: str,
    cls: type[Any],
    label: str,
    identity: tuple[str, ...] = (),
    *,
    written_by: str | None = None,
) -> EntitySpec:
    return EntitySpec(name, singular, cls, label, field_specs(cls), identity, written_by)


_LEVELS = said("a level change (`weerbaar levels set`, the levels page or POST /api/v1/levels)")


ENTITIES: tuple[EntitySpec, ...] = (
    _entity("organisations", "organisation", Organisation, "name"),
    _entity("cycles", "cycle", Cycle, "name"),
    _entity("rounds", "round", Round, "name"),
    _entity("themes", "theme", Theme, "name"),
    _entity("threats", "threat", Threat, "name"),
    _entity("actors", "actor", Actor, "name"),
    _entity("scenarios", "scenario", Scenario, "title"),
    _entity("capabilities", "capability", Capability, "name"),
    _entity("measures", "measure", Measure, "title"),
    _entity("decisions", "decision", Decision, "theme"),
    _entity("concretisations", "concretisation", Concretisation, "theme"),
    _entity("milestones", "milestone", Milestone, "title"),
    _entity(
        "capability_needs", "capability need", CapabilityNeed, "needed", ("scenario", "capability")
    ),
    _entity("tier_rules", "tier rule", TierRule, "name", ("cycle", "name")),
    _entity("threat_pictures", "threat picture", ThreatPicture, "title", written_by=_LEVELS),
    _entity("alert_measures", "pre-agreed measure", AlertMeasure, "title"),
    _entity("level_states", "level state", LevelState, "key", written_by=_LEVELS),
    _entity("activations", "measure activation", Activation, "measure", written_by=_LEVELS),
    _entity("vital_processes", "vital process", VitalProcess, "name"),
    _entity("dependencies", "dependency", Dependency, "kind", ("supplier", "dependent")),
    _entity("expertise", "expertise", Expertise, "topic", ("process", "organisation")),
    _entity("sources", "source", Source, "name"),
    _entity("signals", "signal", Signal, "title"),
    _entity("alerts", "alert", Alert, "title"),
    _entity(
        "impact_scores", "impact score", ImpactScore, "expected", ("round", "scenario", "criterion")
    ),
    _entity(
        "likelihood_scores", "likelihood score", LikelihoodScore, "expected", ("round", "scenario")
    ),
)

BY_NAME: dict[str, EntitySpec] = {e.name: e for e in ENTITIES}


def entity(name: str) -> EntitySpec:
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(BY_NAME)
        raise KeyError(f"unknown entity {name!r}; known: {known}") from None


def values_of(record: Any) -> dict[str, Value]:
    record_class: type = type(record)
    return {name: getattr(record, name) for name in _field_order(record_class)}


@functools.cache
def _field_order(record_class: type) -> tuple[str, ...]:
    """The record's fields, marking fields last; dataclasses.fields once per class,
    not once per record written."""
    fields = sorted(dataclasses.fields(record_class), key=lambda f: f.name in MARKING_FIELDS)
    return tuple(f.name for f in fields)
